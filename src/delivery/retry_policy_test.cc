#include "delivery/retry_policy.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(RetryPolicyTest, ClassifiesStatuses) {
  EXPECT_EQ(ClassifyHttpStatus(200), CallOutcome::kSuccess);
  EXPECT_EQ(ClassifyHttpStatus(201), CallOutcome::kSuccess);
  for (int s : {0, 408, 425, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(ClassifyHttpStatus(s), CallOutcome::kTransient) << s;
  }
  for (int s : {400, 401, 403, 404, 409, 410, 422}) {
    EXPECT_EQ(ClassifyHttpStatus(s), CallOutcome::kPermanent) << s;
  }
}

TEST(RetryPolicyTest, BackoffGrowsExponentiallyWithFullJitterAndCap) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  SeededRandom r(3);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    int64_t cap_us = std::min<int64_t>(100'000LL << (attempt - 1), 1'000'000);
    int64_t max_seen = 0;
    for (int i = 0; i < 500; ++i) {
      int64_t d = p.NextDelay(attempt, r).count();
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap_us);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(max_seen, cap_us * 9 / 10) << "jitter should span the range, attempt " << attempt;
  }
}

TEST(RetryPolicyTest, RetryAfterIsAFloor) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(10);
  SeededRandom r(1);
  EXPECT_GE(p.NextDelay(1, r, std::chrono::seconds(7)), std::chrono::seconds(7));
  EXPECT_EQ(*ParseRetryAfter("120"), std::chrono::seconds(120));
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(ParseRetryAfter("-1").has_value());
}

TEST(RetryPolicyTest, StopsAtMaxAttemptsOrAge) {
  RetryPolicy p;
  p.max_attempts = 3;
  p.max_age = std::chrono::seconds(60);
  TimePoint t0 = FromUnixMicros(0);
  EXPECT_TRUE(p.ShouldRetry(2, t0, t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(p.ShouldRetry(3, t0, t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(p.ShouldRetry(1, t0, t0 + std::chrono::seconds(61)));
}

}  // namespace
}  // namespace crossdock
