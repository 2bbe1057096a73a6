#include "sim/order_pusher.h"

#include <simdjson.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "codecs/canonical_json.h"
#include "delivery/http_client.h"
#include "model/order_generator.h"

namespace crossdock {

PushResult PushOrders(const PushOptions& o, const std::function<void(int, int)>& progress) {
  PushResult result;
  result.orders.resize(static_cast<size_t>(o.orders));
  // Generate every body up front (deterministic for the seed), so workers only send.
  std::vector<std::string> bodies(result.orders.size());
  {
    OrderGenerator gen(o.seed, o.channel, o.ref_prefix);
    for (size_t i = 0; i < bodies.size(); ++i) {
      Order order = gen.Next();
      result.orders[i].external_ref = order.external_ref;
      bodies[i] = EncodeOrder(order);
    }
  }
  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    auto client = HttpClient::Create();
    simdjson::dom::parser parser;
    while (true) {
      size_t i = next.fetch_add(1);
      if (i >= bodies.size()) return;
      PushedOrder& po = result.orders[i];
      ClientRequest req;
      req.url = o.target + "/v1/orders";
      req.headers = {{"Content-Type", "application/json"},
                     {"Authorization", "Bearer " + o.api_key},
                     {"Idempotency-Key", po.external_ref + "-key"}};
      req.body = bodies[i];
      req.timeout = std::chrono::milliseconds(10'000);
      auto first = std::chrono::steady_clock::now();
      auto deadline = first + o.give_up_after;
      int backoff_ms = 20;
      while (true) {
        ++po.attempts;
        auto resp = client->Send(req);
        po.status = resp.ok() ? resp->status : 0;
        if (po.status == 201) {
          simdjson::dom::element doc;
          std::string_view id;
          if (!parser.parse(resp->body).get(doc) && !doc["id"].get_string().get(id)) {
            po.order_id = std::string(id);
          }
          po.latency_ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first)
                  .count();
          break;
        }
        // 409 is retried only while the key is in flight (it then carries Retry-After); a
        // duplicate-order 409 is final.
        bool in_flight = po.status == 409 && resp.ok() && !resp->Header("Retry-After").empty();
        bool retry = po.status == 0 || in_flight || po.status == 429 || po.status >= 500;
        if (!retry || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min(backoff_ms * 2, 1000);
      }
      int d = ++done;
      if (progress && (d % 50 == 0 || d == o.orders)) progress(d, o.orders);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, o.concurrency); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& po : result.orders) {
    if (!po.order_id.empty()) {
      ++result.accepted;
    } else if (po.status >= 400 && po.status < 500 && po.status != 409 && po.status != 429) {
      ++result.rejected;
    } else {
      ++result.failed;
    }
  }
  return result;
}

}  // namespace crossdock
