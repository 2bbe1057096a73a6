#include "delivery/circuit_breaker.h"

#include <gtest/gtest.h>

#include <vector>

namespace crossdock {
namespace {

using std::chrono::milliseconds;

struct Recorder {
  std::vector<std::pair<BreakerState, BreakerState>> transitions;
  CircuitBreaker::OnTransition fn() {
    return [this](BreakerState a, BreakerState b) { transitions.emplace_back(a, b); };
  }
};

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndStaysOpen) {
  ManualClock clock;
  Recorder rec;
  CircuitBreakerPolicy p;
  p.consecutive_failures = 3;
  CircuitBreaker b(p, rec.fn());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Allow(clock.Now()));
    b.OnFailure(clock.Now());
  }
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kOpen);
  EXPECT_FALSE(b.Allow(clock.Now()));
  clock.Advance(milliseconds(1999));
  EXPECT_FALSE(b.Allow(clock.Now()));
  ASSERT_EQ(rec.transitions.size(), 1u);
  EXPECT_EQ(rec.transitions[0].second, BreakerState::kOpen);
}

TEST(CircuitBreakerTest, OpensOnFailureRateOverTheWindow) {
  ManualClock clock;
  CircuitBreakerPolicy p;
  p.window = 10;
  p.min_calls = 10;
  p.failure_rate = 0.5;
  p.consecutive_failures = 100;
  CircuitBreaker b(p);
  // Alternate: never 2 in a row, but half of all calls fail.
  for (int i = 0; i < 9; ++i) {
    b.Allow(clock.Now());
    (i % 2) ? b.OnFailure(clock.Now()) : b.OnSuccess(clock.Now());
  }
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kClosed);  // below min_calls
  b.Allow(clock.Now());
  b.OnFailure(clock.Now());  // 5 of 10
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kOpen);
}

TEST(CircuitBreakerTest, HalfOpenAllowsOneProbeThenClosesOnSuccess) {
  ManualClock clock;
  Recorder rec;
  CircuitBreakerPolicy p;
  p.consecutive_failures = 1;
  CircuitBreaker b(p, rec.fn());
  b.Allow(clock.Now());
  b.OnFailure(clock.Now());
  clock.Advance(milliseconds(2000));
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.Allow(clock.Now()));   // the probe
  EXPECT_FALSE(b.Allow(clock.Now()));  // only one at a time
  b.OnSuccess(clock.Now());
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kClosed);
  EXPECT_TRUE(b.Allow(clock.Now()));
  ASSERT_EQ(rec.transitions.size(), 3u);
  EXPECT_EQ(rec.transitions[1], std::make_pair(BreakerState::kOpen, BreakerState::kHalfOpen));
  EXPECT_EQ(rec.transitions[2], std::make_pair(BreakerState::kHalfOpen, BreakerState::kClosed));
  EXPECT_EQ(b.consecutive_opens(), 0);
}

TEST(CircuitBreakerTest, OpenTimeGrowsWithEachFailedProbeUpToTheCap) {
  ManualClock clock;
  CircuitBreakerPolicy p;
  p.consecutive_failures = 1;
  p.open_base = milliseconds(1000);
  p.open_max = milliseconds(5000);
  CircuitBreaker b(p);
  b.Allow(clock.Now());
  b.OnFailure(clock.Now());
  std::vector<int64_t> open_ms;
  for (int i = 0; i < 5; ++i) {
    TimePoint opened = clock.Now();
    open_ms.push_back(std::chrono::duration_cast<milliseconds>(b.open_until() - opened).count());
    clock.Set(b.open_until());
    ASSERT_TRUE(b.Allow(clock.Now()));
    b.OnFailure(clock.Now());
  }
  EXPECT_EQ(open_ms, (std::vector<int64_t>{1000, 2000, 4000, 5000, 5000}));
  // Success resets the growth.
  clock.Set(b.open_until());
  ASSERT_TRUE(b.Allow(clock.Now()));
  b.OnSuccess(clock.Now());
  b.Allow(clock.Now());
  b.OnFailure(clock.Now());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.open_until() - clock.Now()).count(), 1000);
}

TEST(CircuitBreakerTest, LateAnswersWhileOpenAreIgnored) {
  ManualClock clock;
  CircuitBreakerPolicy p;
  p.consecutive_failures = 1;
  CircuitBreaker b(p);
  b.Allow(clock.Now());
  b.OnFailure(clock.Now());
  b.OnSuccess(clock.Now());  // a call started before the opening answers late
  EXPECT_EQ(b.State(clock.Now()), BreakerState::kOpen);
}

}  // namespace
}  // namespace crossdock
