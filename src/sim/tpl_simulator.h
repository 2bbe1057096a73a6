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
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "gateway/http.h"
#include "model/order.h"

namespace crossdock {

// Faults the simulator can inject. Set at start or at run time (POST /sim/faults).
struct FaultSwitches {
  bool down = false;      // answer every order with 503 before any effect
  double error_rate = 0;  // share of order requests answered 503 before any effect
  int slow_ms = 0;        // delay before answering
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
  HttpResponse OnWebhook(const HttpRequest& r);
  HttpResponse OnFaults(const HttpRequest& r);
  HttpResponse StatsResponse();
  void CallbackLoop();
  void SendShipment(Pending& p);

  TplOptions options_;
  std::mutex mu_;
  SeededRandom random_;
  std::map<std::string, std::string> responses_;  // idempotency key → body answered
  std::map<std::string, int> effects_by_order_;
  std::set<std::string> webhook_ids_;
  TplStats stats_;
  std::deque<Pending> pending_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace crossdock
