// OutboxDispatcher: delivers outbox commands to partners. A claimer thread leases due items
// (the store hands out only the earliest open item of each order, so commands for one order go
// out in sequence while different orders go in parallel); worker threads call the endpoint
// with the item's stable Idempotency-Key and record the outcome — success (and the flow's
// reaction), retry later with backoff and jitter, or dead letter — in one transaction.
// A worker that dies leaves its lease to expire, so the item comes back.
// Each destination has a lane: a circuit breaker and its quotas. While a breaker is open its
// items stay in the outbox (not claimed, not counted as attempts); an item whose quota is
// exhausted is parked until the quota allows it, also without counting an attempt.
// Thread-safe: Wake() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/random.h"
#include "delivery/endpoint.h"
#include "delivery/http_client.h"
#include "delivery/quota.h"
#include "flows/order_flow.h"
#include "store/store.h"

namespace crossdock {

struct DispatcherOptions {
  int workers = 4;
  std::chrono::seconds lease{30};
  std::chrono::milliseconds idle_poll{250};  // longest sleep when nothing is due
  bool reset_leases_at_start = true;         // single-process store: reclaim at once
};

class OutboxDispatcher {
 public:
  using ClientFactory = std::function<std::unique_ptr<HttpClient>()>;

  OutboxDispatcher(Store& store, const Clock& clock, Random& random, MetricsRegistry& metrics,
                   Logger& log, DispatchOutcomeSink& sink,
                   std::map<std::string, Endpoint> endpoints, DispatcherOptions options,
                   ClientFactory clients = HttpClient::Create);
  ~OutboxDispatcher();

  Status Start();
  // Stops claiming, lets workers finish their current call, joins. Leased items not finished
  // stay leased and come back after the lease.
  void Stop();
  // Something may be due now (a commit wrote outbox items).
  void Wake();
  // Destinations whose circuit breaker is open now (routing skips such nodes).
  std::vector<std::string> OpenBreakers();

 private:
  void ClaimLoop();
  void WorkerLoop();
  void Deliver(HttpClient& client, const OutboxItem& item);
  void Record(const OutboxItem& item, std::function<Status(WriteTx&)> job);

  // Everything that decides whether a destination may be called now: its breaker and quotas.
  struct Lane {
    // `default_in_flight` caps concurrent calls when the endpoint sets no max_in_flight (0 = none).
    Lane(const Endpoint& ep, TimePoint now, CircuitBreaker::OnTransition on_transition,
         int default_in_flight);
    CircuitBreaker breaker;
    std::optional<TokenBucket> rate;
    std::optional<ConcurrencyLimit> in_flight;
    std::optional<CallLimitBucket> call_limit;
    TimePoint blocked_until{};  // a 429's Retry-After holds the whole destination until then
  };
  struct Admission {
    bool allowed = false;
    TimePoint park_until;  // when not allowed
    const char* reason = "";
  };
  // Under mu_: may `destination` be called now? Takes the permits when it may.
  Admission Admit(const std::string& destination, TimePoint now);
  // Under mu_: gives back permits and feeds the breaker with the outcome.
  void Settle(const std::string& destination, bool admitted, int status, bool transport_error,
              const std::string& call_limit_value, std::optional<Duration> retry_after,
              TimePoint now);
  std::vector<std::string> OpenDestinations(TimePoint now);
  void SaveQuotas();

  Store& store_;
  const Clock& clock_;
  Random& random_;
  MetricsRegistry& metrics_;
  Logger& log_;
  DispatchOutcomeSink& sink_;
  std::map<std::string, Endpoint> endpoints_;
  DispatcherOptions options_;
  ClientFactory clients_;

  std::mutex mu_;
  std::condition_variable claim_cv_;
  std::condition_variable work_cv_;
  std::deque<OutboxItem> queue_;
  int in_flight_ = 0;
  bool woken_ = false;
  bool stopping_ = false;
  std::mutex random_mu_;  // random_ is shared by workers
  std::thread claimer_;
  std::vector<std::thread> workers_;
  Gauge& queued_;
  Gauge& dead_letters_;
  std::map<std::string, std::unique_ptr<Lane>> lanes_;  // guarded by mu_
  TimePoint last_quota_save_{};
  bool started_ = false;
};

}  // namespace crossdock
