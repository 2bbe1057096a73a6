#include "sim/tpl_simulator.h"

#include <simdjson.h>

#include "base/json.h"
#include "base/thread_name.h"
#include "codecs/canonical_json.h"
#include "delivery/http_client.h"
#include "delivery/retry_policy.h"
#include "delivery/webhook_signer.h"

namespace crossdock {

TplSimulator::TplSimulator(TplOptions options)
    : options_(std::move(options)), random_(options_.seed) {}

TplSimulator::~TplSimulator() {
  Stop();
}

void TplSimulator::Start() {
  for (int i = 0; i < std::max(1, options_.callback_workers); ++i) {
    workers_.emplace_back([this] {
      SetThreadName("sim-callback");
      CallbackLoop();
    });
  }
}

void TplSimulator::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
}

void TplSimulator::Handle(HttpRequest r, Respond respond) {
  HttpResponse resp;
  if (r.method == "POST" && r.path == "/orders") {
    int slow;
    {
      std::lock_guard lock(mu_);
      slow = options_.faults.slow_ms;
    }
    if (slow > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow));
    resp = OnOrder(r);
  } else if (r.method == "POST" && r.path == "/sim/webhooks") {
    resp = OnWebhook(r);
  } else if (r.method == "GET" && r.path == "/sim/stats") {
    resp = StatsResponse();
  } else if (r.method == "GET" && r.path == "/sim/effects") {
    JsonWriter w;
    w.StartObject();
    for (const auto& [k, v] : EffectsByOrder()) w.Field(k, v);
    w.EndObject();
    resp = HttpResponse::Json(200, w.Take());
  } else if (r.method == "POST" && r.path == "/sim/faults") {
    resp = OnFaults(r);
  } else if (r.method == "GET" && r.path == "/livez") {
    resp = HttpResponse::Json(200, R"({"status":"live"})");
  } else {
    resp = HttpResponse::Json(404, R"({"error":"no such simulator route"})");
  }
  respond(std::move(resp));
}

HttpResponse TplSimulator::OnOrder(const HttpRequest& r) {
  std::unique_lock lock(mu_);
  ++stats_.deliveries;
  if (!options_.inbound_key.empty()) {
    auto auth = r.Header("Authorization");
    if (!auth || *auth != "Bearer " + options_.inbound_key) {
      ++stats_.refused;
      return HttpResponse::Json(401, R"({"error":"bad credential"})");
    }
  }
  auto key = r.Header("Idempotency-Key");
  if (!key || key->empty()) {
    ++stats_.refused;
    return HttpResponse::Json(400, R"({"error":"Idempotency-Key required"})");
  }
  if (auto it = responses_.find(std::string(*key)); it != responses_.end()) {
    ++stats_.duplicate_deliveries;
    return HttpResponse::Json(200, it->second);  // same answer, no new effect
  }
  if (options_.faults.down ||
      (options_.faults.error_rate > 0 && random_.NextDouble() < options_.faults.error_rate)) {
    ++stats_.refused;
    return HttpResponse::Json(503, R"({"error":"simulated outage"})");
  }
  DecodeOptions opts;
  opts.allow_server_fields = true;
  opts.validate = false;
  auto order = DecodeOrder(r.body, opts);
  if (!order.ok() || order.value->id.empty()) {
    ++stats_.refused;
    return HttpResponse::Json(422, R"({"error":"not a canonical order with an id"})");
  }
  const Order& o = *order.value;
  std::string fulfillment_id = options_.node + "-FUL-" + std::to_string(stats_.effects + 1);
  ++stats_.effects;
  int& n = effects_by_order_[o.channel + "/" + o.external_ref];
  if (++n > 1) ++stats_.duplicate_effects;
  JsonWriter w;
  w.StartObject().Field("node_ref", fulfillment_id).Field("order_id", o.id).EndObject();
  std::string body = w.Take();
  responses_.emplace(std::string(*key), body);
  pending_.push_back(
      {std::chrono::steady_clock::now() + options_.ship_delay, o.id, fulfillment_id, o.lines, 0});
  ++stats_.shipments_pending;
  cv_.notify_one();
  return HttpResponse::Json(201, body);
}

HttpResponse TplSimulator::OnWebhook(const HttpRequest& r) {
  std::string id(r.Header("webhook-id").value_or(""));
  if (!options_.webhook_secret.empty()) {
    auto key = DecodeWebhookSecret(options_.webhook_secret);
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    Status st = key.ok()
                    ? VerifyStandardWebhook(*key, id, r.Header("webhook-timestamp").value_or(""),
                                            r.body, r.Header("webhook-signature").value_or(""), now)
                    : key.status();
    if (!st.ok()) {
      std::lock_guard lock(mu_);
      ++stats_.webhook_bad_signatures;
      return HttpResponse::Json(401, R"({"error":"bad signature"})");
    }
  }
  std::lock_guard lock(mu_);
  if (webhook_ids_.insert(id).second) {
    ++stats_.webhook_events;
  } else {
    ++stats_.webhook_duplicates;
  }
  return HttpResponse::Json(200, R"({"ok":true})");
}

HttpResponse TplSimulator::OnFaults(const HttpRequest& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc)) return HttpResponse::Json(400, R"({"error":"bad JSON"})");
  std::lock_guard lock(mu_);
  bool b;
  double d;
  int64_t i;
  if (!doc["down"].get_bool().get(b)) options_.faults.down = b;
  if (!doc["error_rate"].get_double().get(d)) options_.faults.error_rate = d;
  if (!doc["slow_ms"].get_int64().get(i)) options_.faults.slow_ms = static_cast<int>(i);
  return HttpResponse::Json(200, R"({"ok":true})");
}

TplStats TplSimulator::Stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

std::map<std::string, int> TplSimulator::EffectsByOrder() {
  std::lock_guard lock(mu_);
  return effects_by_order_;
}

HttpResponse TplSimulator::StatsResponse() {
  TplStats s = Stats();
  JsonWriter w;
  w.StartObject();
  w.Field("deliveries", s.deliveries).Field("effects", s.effects);
  w.Field("duplicate_deliveries", s.duplicate_deliveries)
      .Field("duplicate_effects", s.duplicate_effects);
  w.Field("refused", s.refused).Field("shipments_sent", s.shipments_sent);
  w.Field("shipments_acked", s.shipments_acked).Field("shipments_pending", s.shipments_pending);
  w.Field("webhook_events", s.webhook_events).Field("webhook_duplicates", s.webhook_duplicates);
  w.Field("webhook_bad_signatures", s.webhook_bad_signatures);
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

void TplSimulator::CallbackLoop() {
  auto client = HttpClient::Create();
  SeededRandom jitter(options_.seed + 17);
  RetryPolicy retry;
  retry.initial_backoff = std::chrono::milliseconds(100);
  retry.max_backoff = std::chrono::milliseconds(2000);
  while (true) {
    Pending p;
    {
      std::unique_lock lock(mu_);
      while (true) {
        if (stopping_) return;
        if (!pending_.empty() && pending_.front().due <= std::chrono::steady_clock::now()) break;
        if (pending_.empty()) {
          cv_.wait(lock);
        } else {
          cv_.wait_until(lock, pending_.front().due);
        }
      }
      p = std::move(pending_.front());
      pending_.pop_front();
    }
    JsonWriter w;
    w.StartObject();
    w.Field("order_id", p.order_id);
    w.Field("partner_event_id", p.fulfillment_id + "-shipped");
    w.Field("carrier", "SIM");
    w.Field("service", "Ground");
    w.Field("tracking_number", "1ZSIM" + p.fulfillment_id);
    w.Key("packages").StartArray().StartObject().Key("lines").StartArray();
    for (const auto& l : p.lines) {
      w.StartObject()
          .Field("line_id", l.line_id)
          .Field("sku", l.sku)
          .Field("quantity", l.quantity)
          .EndObject();
    }
    w.EndArray().EndObject().EndArray();
    w.EndObject();
    ClientRequest req;
    req.url = options_.crossdock_url + "/v1/nodes/" + options_.node + "/shipments";
    req.headers = {{"Content-Type", "application/json"},
                   {"Authorization", "Bearer " + options_.api_key}};
    req.body = w.Take();
    req.timeout = std::chrono::milliseconds(5000);
    auto resp = client->Send(req);
    int status = resp.ok() ? resp->status : 0;
    std::unique_lock lock(mu_);
    ++stats_.shipments_sent;
    CallOutcome outcome = ClassifyHttpStatus(status);
    if (outcome == CallOutcome::kSuccess) {
      ++stats_.shipments_acked;
      --stats_.shipments_pending;
      continue;
    }
    // A 404 can mean Crossdock has not recorded our acknowledgement's order yet; keep trying
    // like a real 3PL would, as long as Crossdock does not reject the content itself.
    if (outcome == CallOutcome::kPermanent && status != 404 && status != 409) {
      --stats_.shipments_pending;
      ++stats_.refused;
      continue;
    }
    ++p.attempts;
    p.due = std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                retry.NextDelay(std::min(p.attempts, 6), jitter));
    pending_.push_back(std::move(p));
  }
}

}  // namespace crossdock
