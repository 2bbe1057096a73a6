// TplSimulator: a third-party logistics partner played for tests, demos and benchmarks.
// It takes orders over HTTP (POST /orders with an Idempotency-Key), records every effect by
// key so duplicates can be counted, and after a configurable delay confirms the shipment back
// to Crossdock (POST /v1/nodes/{node}/shipments), retrying until Crossdock takes it. It also
// receives Crossdock's webhooks (POST /sim/webhooks) and checks their Standard Webhooks
// signature. GET /sim/stats reports the counts; POST /sim/faults sets fault switches.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "delivery/quota.h"
#include "gateway/http.h"
#include "model/order.h"

namespace crossdock {

// Faults the simulator can inject. Set at start or at run time (POST /sim/faults).
struct FaultSwitches {
  bool down = false;         // reset every order connection without answering; nothing applied
  bool unavailable = false;  // answer every order 503 before any effect
  double error_rate = 0;     // share of orders answered 503 before any effect
  int slow_ms = 0;           // delay before answering
  double rate_limit_per_second =
      0;  // > 0: over this rate (with rate_limit_burst) → 429 + Retry-After
  double rate_limit_burst = 0;
  bool call_limit = false;  // a Shopify-style bucket (40, leaking 2/s) reported in
                            // X-Shopify-Shop-Api-Call-Limit; a call into a full bucket → 429
  double timeout_after_effect_rate = 0;  // apply the effect, then answer only after
  int timeout_sleep_ms = 6000;           // this long (past the caller's timeout): the nasty case
  double malformed_rate = 0;         // apply the effect, answer 200 with a body that is not JSON
  std::string poison_ref;            // orders whose external_ref contains this: 422, no effect
  bool duplicate_callbacks = false;  // send every shipment confirmation twice, concurrently
  bool reorder_callbacks = false;    // ship in two parts and send the second part first
  // Play a partner that ignores Idempotency-Key: every POST is a new effect. It can still be
  // asked whether an order arrived: GET /orders?reference=<order id> (200 or 404).
  bool ignore_idempotency_key = false;
};

struct TplOptions {
  std::string node = "tpl-east";
  std::string crossdock_url;   // http://127.0.0.1:8080
  std::string api_key;         // presented to Crossdock when confirming shipments
  std::string inbound_key;     // expected from Crossdock on POST /orders; empty = any
  std::string webhook_secret;  // whsec_…; empty = webhooks not checked
  std::chrono::milliseconds ship_delay{200};
  int callback_workers = 2;
  uint64_t seed = 1;
  FaultSwitches faults;
};

struct TplStats {
  int64_t deliveries = 0;            // POST /orders received (including refused ones)
  int64_t effects = 0;               // distinct idempotency keys applied
  int64_t duplicate_deliveries = 0;  // requests repeating an applied key (answered, no effect)
  int64_t duplicate_effects = 0;     // extra effects for an order that already had one
  int64_t refused = 0;               // answered with an error (faults, bad requests)
  int64_t shipments_sent = 0;        // shipment confirmation attempts
  int64_t shipments_acked = 0;       // confirmations Crossdock took (2xx)
  int64_t shipments_pending = 0;
  int64_t webhook_events = 0;  // distinct webhook-ids received with a valid signature
  int64_t webhook_duplicates = 0;
  int64_t webhook_bad_signatures = 0;
  int64_t aborted = 0;                 // connections reset while `down`
  int64_t rate_limited = 0;            // 429 answers
  int64_t retry_after_violations = 0;  // calls made before a Retry-After we sent had passed
  int64_t timeouts_injected = 0;       // effects applied, answer withheld past the timeout
  int64_t malformed_sent = 0;
  int64_t poison_refused = 0;
  int64_t max_in_flight = 0;   // most order requests handled at once
  int64_t cancellations = 0;   // orders cancelled before they shipped (POST /orders/cancel)
  int64_t cancel_refused = 0;  // cancellations of orders already shipped (409) or unknown
};

class TplSimulator {
 public:
  explicit TplSimulator(TplOptions options);
  ~TplSimulator();
  void Start();
  void Stop();

  void Handle(HttpRequest request, Respond respond);
  TplStats Stats();
  // Effects per order ("channel/external_ref" → count), for loss and duplicate checks.
  std::map<std::string, int> EffectsByOrder();

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    std::string order_id;
    std::string fulfillment_id;
    std::vector<OrderLine> lines;
    int attempts = 0;
  };
  HttpResponse OnOrder(const HttpRequest& r);
  HttpResponse OnOrderRecorded(const HttpRequest& r);
  // Queues the shipment confirmation(s) for an applied order, as the faults say. Under mu_.
  void ScheduleShipment(const Order& o, const std::string& fulfillment_id);
  HttpResponse OnWebhook(const HttpRequest& r);
  HttpResponse OnAvailability(const HttpRequest& r);
  HttpResponse OnFaults(const HttpRequest& r);
  // POST /orders/cancel {"order_id"}: withdraws the order's pending shipments; 409 once it has
  // shipped, 404 for an order never received. A repeat answers 200 again with no new effect.
  HttpResponse OnCancel(const HttpRequest& r);
  HttpResponse StatsResponse();
  void CallbackLoop();
  void SendShipment(Pending& p);

  TplOptions options_;
  std::mutex mu_;
  SeededRandom random_;
  std::map<std::string, std::string> responses_;  // idempotency key → body answered
  std::map<std::string, std::string> by_order_;   // order id → body answered (for lookups)
  // Playing a sales channel's inventory API (POST /sim/availability): the last value per SKU
  // and every call, so tests can count calls against the channel's quota.
  std::map<std::string, int64_t> availability_;
  int64_t availability_calls_ = 0;
  std::map<std::string, int> effects_by_order_;
  std::set<std::string> webhook_ids_;
  TplStats stats_;
  int64_t in_flight_ = 0;
  // The last order requests (idempotency key, ms since start, status) for schedule checks.
  struct Call {
    std::string key;
    int64_t at_ms;
    int status;
  };
  std::deque<Call> calls_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::optional<TokenBucket> rate_limit_;
  std::optional<CallLimitBucket> call_limit_;
  std::chrono::steady_clock::time_point retry_after_until_{};
  std::deque<Pending> pending_;
  std::set<std::string> cancelled_;  // order ids
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace crossdock
