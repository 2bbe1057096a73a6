#include "delivery/erp/erp_poll_loop.h"

#include <future>

#include "base/thread_name.h"

namespace crossdock {

ErpPollLoop::ErpPollLoop(ErpPoller& erp, OrderFlow& flow, Store& store, const Clock& clock,
                         MetricsRegistry& metrics, Logger& log, ErpPollOptions options)
    : erp_(erp),
      flow_(flow),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      polls_(metrics.GetCounter("crossdock_erp_polls_total", "Delta polls of the ERP.")),
      failures_(metrics.GetCounter("crossdock_erp_poll_failures_total",
                                   "Delta polls of the ERP that failed (tried again later).")) {}

ErpPollLoop::~ErpPollLoop() {
  Stop();
}

void ErpPollLoop::Start() {
  thread_ = std::thread([this] {
    SetThreadName("erp-poll");
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto r = PollOnce();
      if (!r.ok()) {
        failures_.Inc();
        log_.Warn("ERP poll failed; trying again later", {{"error", r.status().message()}});
      }
      lock.lock();
      cv_.wait_for(lock, options_.interval, [this] { return stopping_; });
    }
  });
}

void ErpPollLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> ErpPollLoop::PollOnce() {
  polls_.Inc();
  auto cursor = store_.GetSubscriberOffset(options_.cursor_name);
  if (!cursor.ok()) return cursor.status();
  TimePoint started = clock_.Now();
  TimePoint since = FromUnixMicros(*cursor) - options_.overlap;
  auto changes = erp_.InvoicesChangedSince(since);
  if (!changes.ok()) return changes.status();
  int paid = 0;
  for (const auto& c : *changes) {
    if (c.state != "paid") continue;
    std::string order_id = c.reference.substr(0, c.reference.find('/'));
    std::promise<Status> done;
    flow_.Act(order_id, InvoicePaid{c.reference, c.invoice}, TraceContext{},
              [&done](Result<ActOutcome> r) {
                // An invoice of an order this store does not know is someone else's: skip it.
                done.set_value(r.ok() || r.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                                    : r.status());
              });
    CROSSDOCK_RETURN_IF_ERROR(done.get_future().get());  // the cursor stays: polled again
    ++paid;
  }
  // Everything up to the start of this poll is seen; the overlap covers late commits.
  Status saved = store_.WriteAndWait([&](WriteTx& tx) {
    return tx.SetSubscriberOffset(options_.cursor_name, ToUnixMicros(started));
  });
  if (!saved.ok()) return saved;
  return paid;
}

}  // namespace crossdock
