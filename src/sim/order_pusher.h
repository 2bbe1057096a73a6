// OrderPusher: the order generator that drives demos and benchmarks. It submits synthetic
// canonical orders to Crossdock over many concurrent keep-alive connections, each with its
// own Idempotency-Key, and retries a request with the SAME key on transport errors, 5xx and
// 409-in-flight, so every order is acknowledged at most once however often it is sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace crossdock {

struct PushOptions {
  std::string target;  // http://127.0.0.1:8080
  std::string api_key;
  int orders = 100;
  int concurrency = 16;
  uint64_t seed = 1;
  std::string channel = "web";
  std::string ref_prefix = "W";  // external refs "<prefix>-<n>", keys "<prefix>-<n>-key"
  std::chrono::seconds give_up_after{120};
};

struct PushedOrder {
  std::string external_ref;
  std::string order_id;   // set when acknowledged
  double latency_ms = 0;  // first send → 201, retries included
  int attempts = 0;
  int status = 0;  // last HTTP status (0 = transport error)
};

struct PushResult {
  int accepted = 0;
  int rejected = 0;  // 4xx other than 409: counted, not retried
  int failed = 0;    // never acknowledged within give_up_after
  double seconds = 0;
  std::vector<PushedOrder> orders;
};

// Blocks until every order is acknowledged, rejected or given up. `progress(done, total)` is
// called from worker threads now and then.
PushResult PushOrders(const PushOptions& options,
                      const std::function<void(int, int)>& progress = {});

}  // namespace crossdock
