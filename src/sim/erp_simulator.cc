#include "sim/erp_simulator.h"

#include <simdjson.h>

#include <thread>

#include "base/json.h"

namespace crossdock {

namespace {

std::string Str(simdjson::dom::element v, std::string_view key) {
  std::string_view s;
  if (v[key].get_string().get(s)) return "";
  return std::string(s);
}

}  // namespace

ErpSimulator::ErpSimulator(ErpSimOptions options) : options_(std::move(options)) {}

ErpSimStats ErpSimulator::Stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

HttpResponse ErpSimulator::Handle(const HttpRequest& r) {
  if (r.method == "GET" && r.path == "/sim/stats") {
    ErpSimStats s = Stats();
    JsonWriter w;
    w.StartObject().Field("requests", s.requests).Field("max_in_flight", s.max_in_flight);
    w.Field("concurrency_refused", s.concurrency_refused);
    w.Field("sales_created", s.sales_created).Field("sale_repeats", s.sale_repeats);
    w.Field("invoices_created", s.invoices_created).Field("invoice_repeats", s.invoice_repeats);
    w.Field("sales_cancelled", s.sales_cancelled).Field("credits_created", s.credits_created);
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }
  if (r.method != "POST" || r.path != "/erp") {
    return HttpResponse::Json(404, R"({"error":"no such route"})");
  }
  if (!options_.inbound_key.empty() &&
      r.Header("Authorization").value_or("") != "Bearer " + options_.inbound_key) {
    return HttpResponse::Json(401, R"({"error":"bad credentials"})");
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.requests;
    if (in_flight_ >= options_.max_concurrent) {
      // Before any effect, as NetSuite's SSS_REQUEST_LIMIT_EXCEEDED.
      ++stats_.concurrency_refused;
      HttpResponse busy =
          HttpResponse::Json(429, R"({"error":"SSS_REQUEST_LIMIT_EXCEEDED","limit":15})");
      busy.headers["Retry-After"] = "1";
      return busy;
    }
    ++in_flight_;
    stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_);
  }
  if (options_.slow_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.slow_ms));
  HttpResponse resp = Command(std::string(r.Header("Crossdock-Command").value_or("")), r.body);
  std::lock_guard lock(mu_);
  --in_flight_;
  return resp;
}

HttpResponse ErpSimulator::Command(const std::string& type, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return HttpResponse::Json(400, R"({"error":"not JSON"})");
  std::string order_id = Str(doc, "order_id");
  std::string customer = Str(doc, "customer");
  std::lock_guard lock(mu_);
  JsonWriter w;
  w.StartObject();
  if (type == "erp.check") {
    w.Field("customer", customer).Key("prices").StartObject();
    std::vector<std::string> unknown;
    simdjson::dom::array lines;
    if (!doc["order"]["lines"].get_array().get(lines)) {
      for (auto l : lines) {
        std::string sku = Str(l, "sku");
        auto it = options_.prices.find(sku);
        if (it == options_.prices.end()) {
          unknown.push_back(sku);
        } else {
          w.Field(sku, it->second.ToString(2));
        }
      }
    }
    w.EndObject().Key("unknown_skus").StartArray();
    for (const auto& s : unknown) w.String(s);
    w.EndArray();
    auto limit = options_.credit_limits.find(customer);
    if (limit != options_.credit_limits.end()) {
      w.Field("credit_limit", limit->second.ToString(2));
    } else {
      w.Key("credit_limit").Null();
    }
    w.Field("credit_used", credit_used_[customer].ToString(2));
  } else if (type == "erp.sale") {
    auto it = sales_.find(order_id);
    if (it == sales_.end()) {
      it = sales_.emplace(order_id, "SO" + std::to_string(sales_.size() + 1)).first;
      ++stats_.sales_created;
      std::string_view total;
      if (!doc["order"]["totals"]["grand_total"].get_string().get(total)) {
        auto t = Decimal::Parse(total);
        if (t.ok()) Decimal::Add(credit_used_[customer], *t, credit_used_[customer]);
      }
    } else {
      ++stats_.sale_repeats;
    }
    w.Field("sale", it->second).Field("number", it->second).Field("state", "confirmed");
  } else if (type == "erp.invoice" || type == "erp.credit") {
    bool credit = type == "erp.credit";
    std::string reference = Str(doc, "reference");
    if (reference.empty()) return HttpResponse::Json(422, R"({"error":"no reference"})");
    auto it = invoices_.find(reference);
    if (it == invoices_.end()) {
      it = invoices_
               .emplace(reference, (credit ? "CN" : "INV") + std::to_string(invoices_.size() + 1))
               .first;
      ++(credit ? stats_.credits_created : stats_.invoices_created);
    } else {
      ++stats_.invoice_repeats;
    }
    w.Field(credit ? "credit_note" : "invoice", it->second).Field("number", it->second);
    w.Field("state", "posted");
  } else if (type == "erp.cancel_sale") {
    if (cancelled_.insert(order_id).second) ++stats_.sales_cancelled;
    auto it = sales_.find(order_id);
    w.Field("sale", it == sales_.end() ? "" : it->second).Field("state", "cancelled");
  } else {
    return HttpResponse::Json(400, R"({"error":"unknown Crossdock-Command"})");
  }
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

}  // namespace crossdock
