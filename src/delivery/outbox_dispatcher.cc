#include "delivery/outbox_dispatcher.h"

#include "base/thread_name.h"
#include "base/trace.h"
#include "flows/command_answers.h"

namespace crossdock {

namespace {
// A partner's Retry-After is honoured up to an hour; a larger value is taken as an hour.
constexpr Duration kMaxRetryAfter = std::chrono::hours(1);

std::string Truncate(std::string s, size_t n = 300) {
  if (s.size() > n) s = s.substr(0, n) + "…";
  return s;
}
}  // namespace

OutboxDispatcher::OutboxDispatcher(Store& store, const Clock& clock, Random& random,
                                   MetricsRegistry& metrics, Logger& log, DispatchOutcomeSink& sink,
                                   std::map<std::string, Endpoint> endpoints,
                                   DispatcherOptions options, ClientFactory clients)
    : store_(store),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      log_(log),
      sink_(sink),
      endpoints_(std::move(endpoints)),
      options_(options),
      clients_(std::move(clients)),
      queued_(metrics.GetGauge("crossdock_delivery_queued",
                               "Outbox items claimed and waiting for a worker.")),
      dead_letters_(
          metrics.GetGauge("crossdock_dead_letters",
                           "Outbox items dead-lettered and not yet replayed or discarded.")) {
  TimePoint now = clock_.Now();
  for (const auto& [id, ep] : endpoints_) {
    std::string dest = id;
    Gauge& state = metrics_.GetGauge("crossdock_breaker_state",
                                     "Circuit breaker state: 0 closed, 1 open, 2 half-open.",
                                     "destination=\"" + PromLabelValue(dest) + "\"");
    auto on_transition = [this, dest, &state](BreakerState from, BreakerState to) {
      state.Set(to == BreakerState::kClosed ? 0 : to == BreakerState::kOpen ? 1 : 2);
      metrics_
          .GetCounter("crossdock_breaker_transitions_total", "Circuit breaker transitions.",
                      "destination=\"" + PromLabelValue(dest) + "\",to=\"" +
                          std::string(BreakerStateName(to)) + "\"")
          .Inc();
      log_.Warn(
          "circuit breaker " + std::string(BreakerStateName(to)),
          {{"destination", dest}, {"from", BreakerStateName(from)}, {"to", BreakerStateName(to)}});
    };
    // With several destinations, none may take more than half the workers: a slow partner then
    // cannot starve the others.
    int default_cap = endpoints_.size() > 1 ? std::max(1, options_.workers / 2) : 0;
    lanes_[id] = std::make_unique<Lane>(ep, now, on_transition, default_cap);
  }
}

OutboxDispatcher::Lane::Lane(const Endpoint& ep, TimePoint now,
                             CircuitBreaker::OnTransition on_transition, int default_in_flight)
    : breaker(ep.breaker, std::move(on_transition)) {
  const QuotaPolicy& q = ep.quota;
  if (q.per_second > 0) {
    rate.emplace(q.burst > 0 ? q.burst : std::max(1.0, q.per_second), q.per_second, now);
  }
  if (q.max_in_flight > 0) {
    in_flight.emplace(q.max_in_flight);
  } else if (default_in_flight > 0) {
    in_flight.emplace(default_in_flight);
  }
  if (!q.call_limit_header.empty()) {
    call_limit.emplace(q.call_limit_size, q.call_limit_leak_per_second, now);
  }
}

OutboxDispatcher::Admission OutboxDispatcher::Admit(const std::string& destination, TimePoint now) {
  auto it = lanes_.find(destination);
  if (it == lanes_.end()) return {true, now, ""};
  Lane& lane = *it->second;
  if (lane.breaker.State(now) == BreakerState::kOpen) {
    return {false, lane.breaker.open_until(), "breaker_open"};
  }
  if (now < lane.blocked_until) return {false, lane.blocked_until, "retry_after"};
  if (lane.in_flight && lane.in_flight->in_flight() >= lane.in_flight->limit()) {
    return {false, now + std::chrono::milliseconds(100), "concurrency"};
  }
  if (lane.rate && lane.rate->WaitTime(now) > Duration::zero()) {
    return {false, now + lane.rate->WaitTime(now), "rate"};
  }
  if (lane.call_limit && lane.call_limit->WaitTime(now) > Duration::zero()) {
    return {false, now + lane.call_limit->WaitTime(now), "call_limit"};
  }
  if (!lane.breaker.Allow(now)) {  // half-open with its probe already out
    return {false, now + std::chrono::milliseconds(200), "breaker_probe"};
  }
  if (lane.in_flight) lane.in_flight->TryAcquire();
  if (lane.rate) lane.rate->TryTake(now);
  if (lane.call_limit) lane.call_limit->TryTake(now);
  return {true, now, ""};
}

void OutboxDispatcher::Settle(const std::string& destination, bool admitted, int status,
                              bool transport_error, const std::string& call_limit_value,
                              std::optional<Duration> retry_after, TimePoint now) {
  auto it = lanes_.find(destination);
  if (it == lanes_.end() || !admitted) return;
  Lane& lane = *it->second;
  if (status == 429 || status == 503) {
    // The partner asked us to wait: no call to it at all before then, not just this item.
    Duration wait =
        retry_after.value_or(status == 429 ? std::chrono::seconds(1) : Duration::zero());
    if (now + wait > lane.blocked_until) lane.blocked_until = now + wait;
  }
  if (lane.in_flight) lane.in_flight->Release();
  if (lane.call_limit && !call_limit_value.empty()) lane.call_limit->Observe(call_limit_value, now);
  // The breaker counts signs of a sick endpoint: no answer, timeouts, 5xx. A 4xx (and 429, a
  // quota answer) proves the endpoint is alive.
  bool failure = transport_error || status >= 500 || status == 408;
  if (failure) {
    lane.breaker.OnFailure(now);
  } else {
    lane.breaker.OnSuccess(now);
  }
}

std::vector<std::string> OutboxDispatcher::OpenDestinations(TimePoint now) {
  std::vector<std::string> out;
  for (const auto& [id, lane] : lanes_) {
    if (lane->breaker.State(now) == BreakerState::kOpen) out.push_back(id);
  }
  return out;
}

std::vector<std::string> OutboxDispatcher::OpenBreakers() {
  std::lock_guard lock(mu_);
  return OpenDestinations(clock_.Now());
}

void OutboxDispatcher::SaveQuotas() {
  std::vector<QuotaState> states;
  {
    std::lock_guard lock(mu_);
    TimePoint now = clock_.Now();
    for (auto& [id, lane] : lanes_) {
      if (lane->rate) states.push_back({id, lane->rate->Save(now).tokens, now});
    }
  }
  if (states.empty()) return;
  Status st = store_.WriteAndWait([&](WriteTx& tx) {
    for (const auto& q : states) CROSSDOCK_RETURN_IF_ERROR(tx.SaveQuotaState(q));
    return Status::Ok();
  });
  if (!st.ok()) log_.Warn("saving quota state failed", {{"error", st.message()}});
}

OutboxDispatcher::~OutboxDispatcher() {
  Stop();
}

Status OutboxDispatcher::Start() {
  // A lease must outlive any call made under it, or a slow call's item could be claimed and
  // sent a second time meanwhile (harmless for the partner thanks to the key, but wasteful).
  for (const auto& [id, ep] : endpoints_) {
    auto needed =
        std::chrono::duration_cast<std::chrono::seconds>(2 * ep.timeout) + std::chrono::seconds(5);
    if (needed > options_.lease) options_.lease = needed;
  }
  if (auto saved = store_.LoadQuotaStates(); saved.ok()) {
    std::lock_guard lock(mu_);
    for (const auto& q : *saved) {
      auto it = lanes_.find(q.destination);
      if (it != lanes_.end() && it->second->rate) it->second->rate->Restore({q.tokens, q.at});
    }
  }
  if (options_.reset_leases_at_start) {
    Status st;
    for (int i = 0; i < 5; ++i) {  // a busy store at start-up is worth a few tries
      st = store_.WriteAndWait([](WriteTx& tx) { return tx.ResetLeases(); });
      if (st.ok() || st.code() != StatusCode::kUnavailable) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CROSSDOCK_RETURN_IF_ERROR(st);
  }
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] {
      SetThreadName("cd-deliver");
      WorkerLoop();
    });
  }
  claimer_ = std::thread([this] {
    SetThreadName("cd-claim");
    ClaimLoop();
  });
  return Status::Ok();
}

void OutboxDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !claimer_.joinable()) return;
    stopping_ = true;
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
  if (started_) SaveQuotas();  // a paused dispatcher never loaded them: don't overwrite
}

void OutboxDispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  claim_cv_.notify_one();
}

void OutboxDispatcher::ClaimLoop() {
  const int capacity = std::max(1, options_.workers) * 4;
  while (true) {
    int room;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      room = capacity - static_cast<int>(queue_.size()) - in_flight_;
      if (room <= 0) {
        claim_cv_.wait_for(lock, options_.idle_poll);
        continue;
      }
      woken_ = false;
    }
    std::vector<OutboxItem> items;
    TimePoint now = clock_.Now();
    std::vector<std::string> excluded;
    bool save_quotas = false;
    {
      std::lock_guard lock(mu_);
      excluded = OpenDestinations(now);
      if (now - last_quota_save_ > std::chrono::seconds(5)) {
        last_quota_save_ = now;
        save_quotas = true;
      }
    }
    if (save_quotas) {
      SaveQuotas();
      if (auto dead = store_.CountDeadLetters(); dead.ok()) dead_letters_.Set(*dead);
    }
    Status st = store_.WriteAndWait([&](WriteTx& tx) {
      auto claimed = tx.ClaimOutbox(now, now + options_.lease, room, excluded);
      if (!claimed.ok()) return claimed.status();
      items = std::move(*claimed);
      return Status::Ok();
    });
    if (!st.ok()) {
      log_.Warn("outbox claim failed", {{"error", st.message()}});
    }
    std::unique_lock lock(mu_);
    if (!items.empty()) {
      for (auto& it : items) queue_.push_back(std::move(it));
      queued_.Set(static_cast<int64_t>(queue_.size()));
      work_cv_.notify_all();
      continue;  // more may be due
    }
    if (woken_ || stopping_) continue;
    // Sleep until the next item is due, a wake-up, or the idle poll.
    lock.unlock();
    auto due = store_.NextOutboxDue();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_poll);
    if (due.ok() && due->has_value()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**due - clock_.Now());
      // Items of an open breaker's destination are due but not claimable: don't spin on them.
      auto floor = excluded.empty() ? std::chrono::milliseconds(1) : std::chrono::milliseconds(50);
      wait = std::clamp(until, floor, std::max(floor, wait));
    }
    lock.lock();
    if (!woken_ && !stopping_) claim_cv_.wait_for(lock, wait, [&] { return woken_ || stopping_; });
  }
}

void OutboxDispatcher::WorkerLoop() {
  auto client = clients_();
  while (true) {
    OutboxItem item;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      queued_.Set(static_cast<int64_t>(queue_.size()));
      ++in_flight_;
    }
    Deliver(*client, item);
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    claim_cv_.notify_one();
  }
}

void OutboxDispatcher::Record(const OutboxItem& item, std::function<Status(WriteTx&)> job) {
  // A failed write changed nothing (its transaction rolled back), so trying again is safe. If it
  // keeps failing, the lease expires and the item is tried again with the same key.
  Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = store_.WriteAndWait(job);
    if (st.ok() || st.code() != StatusCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
  }
  sink_.AfterCommit(item, st.ok());
  if (!st.ok()) {
    log_.Error("recording a delivery outcome failed", {{"order_id", OrderIdOf(item)},
                                                       {"destination", item.destination},
                                                       {"error", st.message()}});
  }
}

void OutboxDispatcher::Deliver(HttpClient& client, const OutboxItem& item) {
  const int attempt = item.attempts + 1;
  std::string dest_label = "destination=\"" + PromLabelValue(item.destination) + "\"";
  auto count = [&](const char* outcome) {
    metrics_
        .GetCounter("crossdock_delivery_attempts_total", "Outbound delivery attempts by outcome.",
                    dest_label + ",outcome=\"" + outcome + "\"")
        .Inc();
  };
  if (item.type == command::kTimer) {
    // A durable timer came due: nothing to call, the flow reacts to it.
    count("timer");
    Record(item, [&](WriteTx& tx) {
      CROSSDOCK_RETURN_IF_ERROR(tx.CompleteOutbox(item.id, attempt));
      return sink_.OnDelivered(tx, item, "");
    });
    return;
  }
  auto ep = endpoints_.find(item.destination);
  if (ep == endpoints_.end()) {
    count("no_endpoint");
    std::string error = "no endpoint is configured for " + item.destination;
    log_.Error("dead-lettered", {{"order_id", OrderIdOf(item)}, {"error", error}});
    Record(item, [&](WriteTx& tx) {
      CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(item.id, attempt, error, false));
      return sink_.OnDeadLettered(tx, item, error);
    });
    return;
  }
  const Endpoint& endpoint = ep->second;
  Admission admission;
  {
    std::lock_guard lock(mu_);
    admission = Admit(item.destination, clock_.Now());
  }
  if (!admission.allowed) {
    // Parked, not failed: no attempt is counted and the item keeps its place in its order.
    metrics_
        .GetCounter("crossdock_delivery_parked_total",
                    "Outbox items put back because a breaker or quota did not allow a call.",
                    dest_label + ",reason=\"" + admission.reason + "\"")
        .Inc();
    Record(item, [&](WriteTx& tx) { return tx.ParkOutbox(item.id, admission.park_until); });
    return;
  }
  // An in-doubt command to a partner without idempotency keys is looked up before it is sent
  // again: it may have been applied by the attempt that never got its answer.
  std::optional<ClientResponse> found;
  // The lookup finds orders by reference: it can only tell whether a dispatch arrived.
  if (item.in_doubt && !endpoint.lookup_url.empty() && !endpoint.connector &&
      item.type == command::kDispatch) {
    ClientRequest lookup;
    lookup.method = "GET";
    lookup.url = endpoint.lookup_url;
    auto pos = lookup.url.find("{reference}");
    if (pos != std::string::npos) lookup.url.replace(pos, 11, OrderIdOf(item));
    lookup.timeout = endpoint.timeout;
    lookup.headers = endpoint.headers;
    auto answer = client.Send(lookup);
    if (answer.ok() && answer->status == 200) {
      count("resolved_by_lookup");
      found = std::move(*answer);
    } else if (!(answer.ok() && answer->status == 404)) {
      // Still unknown: stay in doubt and ask again later; never re-send blindly.
      count("lookup_failed");
      std::string error = answer.ok() ? "lookup answered HTTP " + std::to_string(answer->status)
                                      : "lookup: " + answer.status().ToString();
      {
        std::lock_guard lock(mu_);
        Settle(item.destination, true, answer.ok() ? answer->status : 0, !answer.ok(), "",
               std::nullopt, clock_.Now());
      }
      if (!endpoint.retry.ShouldRetry(attempt, item.created_at, clock_.Now())) {
        count("exhausted");
        Record(item, [&](WriteTx& tx) {
          CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(item.id, attempt, error, true));
          return sink_.OnDeadLettered(tx, item, error);
        });
        return;
      }
      Duration delay;
      {
        std::lock_guard lock(random_mu_);
        delay = endpoint.retry.NextDelay(attempt, random_);
      }
      TimePoint at = clock_.Now() + delay;
      Record(item,
             [&](WriteTx& tx) { return tx.RetryOutboxLater(item.id, attempt, at, error, true); });
      return;
    }
  }
  if (found) {
    {
      std::lock_guard lock(mu_);
      Settle(item.destination, true, 200, false, "", std::nullopt, clock_.Now());
    }
    Record(item, [&](WriteTx& tx) {
      CROSSDOCK_RETURN_IF_ERROR(tx.CompleteOutbox(item.id, attempt));
      return sink_.OnDelivered(tx, item, found->body);
    });
    return;
  }
  ClientRequest req;
  req.method = "POST";
  req.url = item.type == command::kNodeCancel ? endpoint.cancel_url : endpoint.url;
  req.timeout = endpoint.timeout;
  req.headers = endpoint.headers;
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Idempotency-Key", item.idempotency_key);
  // What the command is (node.dispatch, erp.check, …): one URL may take several kinds.
  req.headers.emplace_back("Crossdock-Command", item.type);
  std::string trace_id;
  if (auto parent = ParseTraceparent(item.traceparent)) {
    std::lock_guard lock(random_mu_);
    req.headers.emplace_back("traceparent", parent->Child(random_).ToTraceparent());
    trace_id = parent->trace_id;
  }
  req.body = item.payload;
  // A partner without idempotency keys must never get a second copy behind our back.
  req.resend_on_stale_connection = endpoint.lookup_url.empty();

  TimePoint started = clock_.Now();
  Result<ClientResponse> resp = Internal("unsent");
  if (endpoint.connector) {
    resp = endpoint.connector->Execute(item);
  } else if (req.url.empty()) {
    resp =
        ConnectorAnswer(422, "no URL is configured for " + item.type + " at " + item.destination);
  } else {
    resp = client.Send(req);
  }
  TimePoint finished = clock_.Now();
  metrics_
      .GetHistogram("crossdock_delivery_duration_seconds", "Duration of one outbound call.",
                    dest_label)
      .Observe(std::chrono::duration<double>(finished - started).count());

  int status = resp.ok() ? resp->status : 0;
  {
    std::lock_guard lock(mu_);
    std::string call_limit;
    if (resp.ok() && !endpoint.quota.call_limit_header.empty()) {
      call_limit = resp->Header(endpoint.quota.call_limit_header);
    }
    std::optional<Duration> retry_after;
    if (resp.ok()) retry_after = ParseRetryAfter(resp->Header("Retry-After"));
    if (retry_after && *retry_after > kMaxRetryAfter) retry_after = kMaxRetryAfter;
    Settle(item.destination, true, status, !resp.ok(), call_limit, retry_after, finished);
  }
  CallOutcome outcome = resp.ok() ? ClassifyHttpStatus(status) : CallOutcome::kTransient;
  // Sent but unanswered (timeout, connection lost after writing): the partner may have applied
  // it. Not failed to connect: then nothing left this process.
  bool unknown_outcome = false;
  if (!resp.ok()) {
    const std::string& m = resp.status().message();
    unknown_outcome =
        (resp.status().code() == StatusCode::kDeadlineExceeded && m.rfind("connect", 0) != 0) ||
        m.rfind("read:", 0) == 0 || m.rfind("write:", 0) == 0 ||
        m.find("response lost") != std::string::npos;
    if (unknown_outcome) count("in_doubt");
  }
  std::string error = resp.ok() ? "HTTP " + std::to_string(status) + ": " + Truncate(resp->body)
                                : resp.status().ToString();

  if (outcome == CallOutcome::kSuccess) {
    count("success");
    Record(item, [&](WriteTx& tx) {
      CROSSDOCK_RETURN_IF_ERROR(tx.CompleteOutbox(item.id, attempt));
      return sink_.OnDelivered(tx, item, resp->body);
    });
    return;
  }
  if (outcome == CallOutcome::kTransient &&
      endpoint.retry.ShouldRetry(attempt, item.created_at, finished)) {
    count("transient");
    std::optional<Duration> retry_after;
    if (resp.ok()) retry_after = ParseRetryAfter(resp->Header("Retry-After"));
    if (retry_after && *retry_after > kMaxRetryAfter) retry_after = kMaxRetryAfter;
    Duration delay;
    {
      std::lock_guard lock(random_mu_);
      delay = endpoint.retry.NextDelay(attempt, random_, retry_after);
    }
    log_.Info("delivery will be retried", {{"trace_id", trace_id},
                                           {"order_id", OrderIdOf(item)},
                                           {"destination", item.destination},
                                           {"attempt", std::to_string(attempt)},
                                           {"error", error}});
    Record(item, [&](WriteTx& tx) {
      return tx.RetryOutboxLater(item.id, attempt, finished + delay, error, unknown_outcome);
    });
    return;
  }
  count(outcome == CallOutcome::kPermanent ? "permanent" : "exhausted");
  log_.Error("dead-lettered", {{"trace_id", trace_id},
                               {"order_id", OrderIdOf(item)},
                               {"destination", item.destination},
                               {"attempt", std::to_string(attempt)},
                               {"error", error}});
  Record(item, [&](WriteTx& tx) {
    CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(item.id, attempt, error, unknown_outcome));
    return sink_.OnDeadLettered(tx, item, error);
  });
}

}  // namespace crossdock
