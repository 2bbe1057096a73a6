#include "delivery/circuit_breaker.h"

#include <algorithm>
#include <cmath>

namespace crossdock {

std::string_view BreakerStateName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerPolicy policy, OnTransition on_transition)
    : policy_(policy), on_transition_(std::move(on_transition)) {}

BreakerState CircuitBreaker::State(TimePoint now) const {
  if (state_ == BreakerState::kOpen && now >= open_until_) return BreakerState::kHalfOpen;
  return state_;
}

void CircuitBreaker::Transition(BreakerState to, TimePoint) {
  BreakerState from = state_;
  state_ = to;
  if (from != to && on_transition_) on_transition_(from, to);
}

void CircuitBreaker::Open(TimePoint now) {
  double factor = std::pow(policy_.open_multiplier, consecutive_opens_);
  auto base = std::chrono::duration<double, std::milli>(policy_.open_base.count() * factor);
  auto capped = std::min(base, std::chrono::duration<double, std::milli>(policy_.open_max.count()));
  open_until_ = now + std::chrono::duration_cast<Duration>(capped);
  ++consecutive_opens_;
  probes_in_flight_ = 0;
  window_.clear();
  failures_in_window_ = 0;
  failures_in_a_row_ = 0;
  Transition(BreakerState::kOpen, now);
}

bool CircuitBreaker::Allow(TimePoint now) {
  switch (State(now)) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      return false;
    case BreakerState::kHalfOpen:
      if (state_ == BreakerState::kOpen) Transition(BreakerState::kHalfOpen, now);
      if (probes_in_flight_ >= policy_.half_open_probes) return false;
      ++probes_in_flight_;
      return true;
  }
  return false;
}

void CircuitBreaker::OnSuccess(TimePoint now) {
  if (state_ == BreakerState::kHalfOpen) {
    consecutive_opens_ = 0;
    probes_in_flight_ = 0;
    window_.clear();
    failures_in_window_ = 0;
    failures_in_a_row_ = 0;
    Transition(BreakerState::kClosed, now);
    return;
  }
  if (state_ != BreakerState::kClosed) return;  // a late answer from before the opening
  failures_in_a_row_ = 0;
  window_.push_back(false);
  if (static_cast<int>(window_.size()) > policy_.window) {
    failures_in_window_ -= window_.front() ? 1 : 0;
    window_.pop_front();
  }
}

void CircuitBreaker::OnFailure(TimePoint now) {
  if (state_ == BreakerState::kHalfOpen) {
    Open(now);  // the probe failed: stay away for longer
    return;
  }
  if (state_ != BreakerState::kClosed) return;
  ++failures_in_a_row_;
  window_.push_back(true);
  ++failures_in_window_;
  if (static_cast<int>(window_.size()) > policy_.window) {
    failures_in_window_ -= window_.front() ? 1 : 0;
    window_.pop_front();
  }
  int calls = static_cast<int>(window_.size());
  bool rate_exceeded =
      calls >= policy_.min_calls && failures_in_window_ >= policy_.failure_rate * calls;
  if (rate_exceeded || failures_in_a_row_ >= policy_.consecutive_failures) Open(now);
}

}  // namespace crossdock
