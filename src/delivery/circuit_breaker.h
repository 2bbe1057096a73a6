// CircuitBreaker: stops calling an endpoint that keeps failing, and probes it sparsely until it
// recovers (Resilience4j's states with Envoy's growing ejection time).
//
//   closed ──(failure rate ≥ threshold over the window, or N failures in a row)──▶ open
//   open ──(open time passed)──▶ half-open ──(probe succeeds)──▶ closed
//                                          └─(probe fails)──▶ open, for longer
//
// The open time grows by `open_multiplier` with every consecutive opening, up to `open_max`,
// and starts again from `open_base` once the breaker closes. Pure: time is passed in.
// Not thread-safe; the owner serialises calls.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <string_view>

#include "base/clock.h"

namespace crossdock {

struct CircuitBreakerPolicy {
  int window = 20;               // judge the failure rate over the last N calls
  int min_calls = 10;            // … once at least this many were made
  double failure_rate = 0.5;     // open at or above this share of failures
  int consecutive_failures = 5;  // or after this many failures in a row
  std::chrono::milliseconds open_base{2'000};
  std::chrono::milliseconds open_max{60'000};
  double open_multiplier = 2.0;
  int half_open_probes = 1;  // calls allowed at once while half-open
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view BreakerStateName(BreakerState s);

class CircuitBreaker {
 public:
  using OnTransition = std::function<void(BreakerState from, BreakerState to)>;

  explicit CircuitBreaker(CircuitBreakerPolicy policy = {}, OnTransition on_transition = {});

  // May a call start now? In half-open, hands out at most `half_open_probes` permits; a caller
  // that got true must report the outcome with OnSuccess or OnFailure.
  bool Allow(TimePoint now);
  void OnSuccess(TimePoint now);
  void OnFailure(TimePoint now);

  // The state at `now` (an open breaker whose time has passed reads as half-open).
  BreakerState State(TimePoint now) const;
  // When an open breaker will let a probe through.
  TimePoint open_until() const { return open_until_; }
  // Consecutive openings since the breaker was last closed (drives the growing open time).
  int consecutive_opens() const { return consecutive_opens_; }

 private:
  void Transition(BreakerState to, TimePoint now);
  void Open(TimePoint now);

  CircuitBreakerPolicy policy_;
  OnTransition on_transition_;
  BreakerState state_ = BreakerState::kClosed;
  std::deque<bool> window_;  // true = failure, most recent at the back
  int failures_in_window_ = 0;
  int failures_in_a_row_ = 0;
  int consecutive_opens_ = 0;
  int probes_in_flight_ = 0;
  TimePoint open_until_{};
};

}  // namespace crossdock
