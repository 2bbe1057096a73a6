#include "sim/tpl_simulator.h"

#include <simdjson.h>

#include <cmath>

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
    resp = OnOrderRecorded(r);
  } else if (r.method == "POST" && r.path == "/orders/cancel") {
    resp = OnCancel(r);
  } else if (r.method == "POST" && r.path == "/sim/webhooks") {
    resp = OnWebhook(r);
  } else if (r.method == "POST" && r.path == "/sim/availability") {
    resp = OnAvailability(r);
  } else if (r.method == "GET" && r.path == "/sim/availability") {
    JsonWriter w;
    std::lock_guard lock(mu_);
    w.StartObject().Field("calls", availability_calls_).Key("skus").StartObject();
    for (const auto& [sku, value] : availability_) w.Field(sku, value);
    w.EndObject().EndObject();
    resp = HttpResponse::Json(200, w.Take());
  } else if (r.method == "GET" && r.path == "/orders") {
    auto q = ParseQuery(r.query);
    std::lock_guard lock(mu_);
    auto it = by_order_.find(q["reference"]);
    resp = it == by_order_.end() ? HttpResponse::Json(404, R"({"error":"no such order"})")
                                 : HttpResponse::Json(200, it->second);
  } else if (r.method == "GET" && r.path == "/sim/calls") {
    JsonWriter w;
    w.StartArray();
    {
      std::lock_guard lock(mu_);
      for (const auto& c : calls_) {
        w.StartObject()
            .Field("key", c.key)
            .Field("at_ms", c.at_ms)
            .Field("status", c.status)
            .EndObject();
      }
    }
    w.EndArray();
    resp = HttpResponse::Json(200, w.Take());
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

HttpResponse TplSimulator::OnAvailability(const HttpRequest& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view sku;
  int64_t available = 0;
  if (parser.parse(r.body).get(doc) || doc["sku"].get_string().get(sku) ||
      doc["available"].get_int64().get(available)) {
    return HttpResponse::Json(422, R"({"error":"expected {sku, available}"})");
  }
  std::lock_guard lock(mu_);
  ++availability_calls_;
  availability_[std::string(sku)] = available;
  return HttpResponse::Json(200, R"({"ok":true})");
}

namespace {
TimePoint SimNow() {
  return SystemClock::Instance().Now();
}
}  // namespace

HttpResponse TplSimulator::OnOrderRecorded(const HttpRequest& r) {
  HttpResponse resp = OnOrder(r);
  std::lock_guard lock(mu_);
  calls_.push_back({std::string(r.Header("Idempotency-Key").value_or("")),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started_)
                        .count(),
                    resp.abort ? 0 : resp.status});
  if (calls_.size() > 20'000) calls_.pop_front();
  return resp;
}

HttpResponse TplSimulator::OnOrder(const HttpRequest& r) {
  std::unique_lock lock(mu_);
  ++stats_.deliveries;
  ++in_flight_;
  stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_);
  struct Leave {
    TplSimulator* s;
    ~Leave() { --s->in_flight_; }
  } leave{this};
  const FaultSwitches& f = options_.faults;
  auto now = std::chrono::steady_clock::now();
  if (f.down) {
    ++stats_.aborted;
    HttpResponse reset;
    reset.abort = true;
    return reset;
  }
  if (now < retry_after_until_) ++stats_.retry_after_violations;
  // Quotas come first, as at a real API gateway: a refused call has no effect.
  auto limited = [&](int retry_after_s) {
    ++stats_.rate_limited;
    retry_after_until_ = now + std::chrono::seconds(retry_after_s);
    HttpResponse resp = HttpResponse::Json(429, R"({"error":"rate limited"})");
    resp.headers["Retry-After"] = std::to_string(retry_after_s);
    return resp;
  };
  if (f.rate_limit_per_second > 0) {
    if (!rate_limit_) {
      rate_limit_.emplace(f.rate_limit_burst > 0 ? f.rate_limit_burst : 1, f.rate_limit_per_second,
                          SimNow());
    }
    if (!rate_limit_->TryTake(SimNow())) {
      auto wait = std::chrono::duration_cast<std::chrono::seconds>(rate_limit_->WaitTime(SimNow()));
      return limited(static_cast<int>(wait.count()) + 1);
    }
  }
  std::string call_limit_value;
  if (f.call_limit) {
    if (!call_limit_) call_limit_.emplace(40, 2, SimNow());
    if (!call_limit_->TryTake(SimNow())) {
      HttpResponse resp = limited(1);
      resp.headers["X-Shopify-Shop-Api-Call-Limit"] = "40/40";
      return resp;
    }
    call_limit_value =
        std::to_string(static_cast<int>(std::ceil(call_limit_->level(SimNow())))) + "/40";
  }
  auto with_limit = [&](HttpResponse resp) {
    if (!call_limit_value.empty()) resp.headers["X-Shopify-Shop-Api-Call-Limit"] = call_limit_value;
    return resp;
  };
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
  if (auto it = responses_.find(std::string(*key));
      it != responses_.end() && !f.ignore_idempotency_key) {
    ++stats_.duplicate_deliveries;
    return with_limit(HttpResponse::Json(200, it->second));  // same answer, no new effect
  }
  if (f.unavailable || (f.error_rate > 0 && random_.NextDouble() < f.error_rate)) {
    ++stats_.refused;
    return with_limit(HttpResponse::Json(503, R"({"error":"simulated outage"})"));
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
  if (!f.poison_ref.empty() && o.external_ref.find(f.poison_ref) != std::string::npos) {
    ++stats_.poison_refused;
    return with_limit(HttpResponse::Json(422, R"({"error":"this 3PL cannot take the order"})"));
  }
  std::string fulfillment_id = options_.node + "-FUL-" + std::to_string(stats_.effects + 1);
  ++stats_.effects;
  int& n = effects_by_order_[o.channel + "/" + o.external_ref];
  if (++n > 1) ++stats_.duplicate_effects;
  JsonWriter w;
  w.StartObject().Field("node_ref", fulfillment_id).Field("order_id", o.id).EndObject();
  std::string body = w.Take();
  responses_.emplace(std::string(*key), body);
  by_order_.emplace(o.id, body);
  ScheduleShipment(o, fulfillment_id);
  if (f.timeout_after_effect_rate > 0 && random_.NextDouble() < f.timeout_after_effect_rate) {
    // The effect is applied; the answer comes too late for the caller.
    ++stats_.timeouts_injected;
    int sleep_ms = f.timeout_sleep_ms;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    lock.lock();
    return with_limit(HttpResponse::Json(201, body));
  }
  if (f.malformed_rate > 0 && random_.NextDouble() < f.malformed_rate) {
    ++stats_.malformed_sent;
    return with_limit(HttpResponse::Json(200, "{\"node_ref\": <<garbage"));
  }
  return with_limit(HttpResponse::Json(201, body));
}

void TplSimulator::ScheduleShipment(const Order& o, const std::string& fulfillment_id) {
  auto due = std::chrono::steady_clock::now() + options_.ship_delay;
  const FaultSwitches& f = options_.faults;
  if (f.reorder_callbacks && o.lines.size() >= 2) {
    // Two partial shipments; the second is sent first.
    std::vector<OrderLine> first(o.lines.begin(), o.lines.begin() + o.lines.size() / 2);
    std::vector<OrderLine> second(o.lines.begin() + o.lines.size() / 2, o.lines.end());
    pending_.push_back({due, o.id, fulfillment_id + "-part2", second, 0});
    pending_.push_back({due, o.id, fulfillment_id + "-part1", first, 0});
    stats_.shipments_pending += 2;
  } else {
    pending_.push_back({due, o.id, fulfillment_id, o.lines, 0});
    ++stats_.shipments_pending;
  }
  if (f.duplicate_callbacks) {
    // The same confirmation (same partner_event_id) again, at the same time.
    size_t n = (f.reorder_callbacks && o.lines.size() >= 2) ? 2 : 1;
    for (size_t i = pending_.size() - n; i < pending_.size() && n > 0; ++i) {
      pending_.push_back(pending_[i]);
      ++stats_.shipments_pending;
    }
  }
  cv_.notify_all();
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
  std::string_view sv;
  FaultSwitches& f = options_.faults;
  if (!doc["down"].get_bool().get(b)) f.down = b;
  if (!doc["unavailable"].get_bool().get(b)) f.unavailable = b;
  if (!doc["error_rate"].get_double().get(d)) f.error_rate = d;
  if (!doc["slow_ms"].get_int64().get(i)) f.slow_ms = static_cast<int>(i);
  if (!doc["rate_limit_per_second"].get_double().get(d)) {
    f.rate_limit_per_second = d;
    rate_limit_.reset();
  }
  if (!doc["rate_limit_burst"].get_double().get(d)) f.rate_limit_burst = d;
  if (!doc["call_limit"].get_bool().get(b)) f.call_limit = b;
  if (!doc["timeout_after_effect_rate"].get_double().get(d)) f.timeout_after_effect_rate = d;
  if (!doc["timeout_sleep_ms"].get_int64().get(i)) f.timeout_sleep_ms = static_cast<int>(i);
  if (!doc["malformed_rate"].get_double().get(d)) f.malformed_rate = d;
  if (!doc["poison_ref"].get_string().get(sv)) f.poison_ref = std::string(sv);
  if (!doc["duplicate_callbacks"].get_bool().get(b)) f.duplicate_callbacks = b;
  if (!doc["reorder_callbacks"].get_bool().get(b)) f.reorder_callbacks = b;
  if (!doc["ignore_idempotency_key"].get_bool().get(b)) f.ignore_idempotency_key = b;
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

HttpResponse TplSimulator::OnCancel(const HttpRequest& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view id;
  if (parser.parse(r.body).get(doc) || doc["order_id"].get_string().get(id)) {
    return HttpResponse::Json(400, R"({"error":"order_id is required"})");
  }
  std::string order_id(id);
  std::lock_guard lock(mu_);
  if (cancelled_.count(order_id)) return HttpResponse::Json(200, R"({"cancelled":true})");
  if (!by_order_.count(order_id)) {
    ++stats_.cancel_refused;
    return HttpResponse::Json(404, R"({"error":"no such order"})");
  }
  size_t before = pending_.size();
  std::erase_if(pending_, [&](const Pending& p) { return p.order_id == order_id; });
  if (pending_.size() == before) {
    ++stats_.cancel_refused;
    return HttpResponse::Json(409, R"({"error":"already shipped"})");
  }
  stats_.shipments_pending -= static_cast<int64_t>(before - pending_.size());
  cancelled_.insert(order_id);
  ++stats_.cancellations;
  return HttpResponse::Json(200, R"({"cancelled":true})");
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
  w.Field("aborted", s.aborted).Field("rate_limited", s.rate_limited);
  w.Field("retry_after_violations", s.retry_after_violations);
  w.Field("timeouts_injected", s.timeouts_injected).Field("malformed_sent", s.malformed_sent);
  w.Field("poison_refused", s.poison_refused).Field("max_in_flight", s.max_in_flight);
  w.Field("cancellations", s.cancellations).Field("cancel_refused", s.cancel_refused);
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
