#include "delivery/quota.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucketTest, FortyPerMinuteWithBurst) {
  ManualClock clock;
  TokenBucket b(40, 40.0 / 60, clock.Now());
  int taken = 0;
  while (b.TryTake(clock.Now())) ++taken;
  EXPECT_EQ(taken, 40);  // the burst
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.WaitTime(clock.Now())).count(), 1500);
  clock.Advance(milliseconds(1499));
  EXPECT_FALSE(b.TryTake(clock.Now()));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(b.TryTake(clock.Now()));
  // Over ten simulated minutes, never more than the rate plus the burst.
  int calls = 0;
  for (int ms = 0; ms < 600'000; ms += 100) {
    clock.Advance(milliseconds(100));
    while (b.TryTake(clock.Now())) ++calls;
  }
  EXPECT_LE(calls, 400 + 1);
  EXPECT_GE(calls, 399);
}

TEST(TokenBucketTest, SaveAndRestoreDoNotBurstAfterRestart) {
  ManualClock clock;
  TokenBucket b(10, 1, clock.Now());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b.TryTake(clock.Now()));
  auto saved = b.Save(clock.Now());
  TokenBucket fresh(10, 1, clock.Now());  // a restart would start full…
  fresh.Restore(saved);                   // …unless the saved state is restored
  EXPECT_FALSE(fresh.TryTake(clock.Now()));
  clock.Advance(seconds(1));
  EXPECT_TRUE(fresh.TryTake(clock.Now()));
}

TEST(ConcurrencyLimitTest, CapsInFlight) {
  ConcurrencyLimit c(2);
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_FALSE(c.TryAcquire());
  c.Release();
  EXPECT_TRUE(c.TryAcquire());
  EXPECT_EQ(c.in_flight(), 2);
}

TEST(CallLimitBucketTest, ShopifyBucketNeverOverflows) {
  ManualClock clock;
  CallLimitBucket b(40, 2, clock.Now());
  int calls = 0;
  for (int ms = 0; ms < 60'000; ms += 50) {
    while (b.TryTake(clock.Now())) ++calls;
    EXPECT_LE(b.level(clock.Now()), 40.0);
    clock.Advance(milliseconds(50));
  }
  // 40 at once, then 2 per second for a minute.
  EXPECT_GE(calls, 40 + 118);
  EXPECT_LE(calls, 40 + 120);
}

TEST(CallLimitBucketTest, FollowsThePartnersHeader) {
  ManualClock clock;
  CallLimitBucket b(40, 2, clock.Now());
  b.Observe("39/40", clock.Now());
  EXPECT_TRUE(b.TryTake(clock.Now()));
  EXPECT_FALSE(b.TryTake(clock.Now()));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.WaitTime(clock.Now())).count(), 500);
  b.Observe("garbage", clock.Now());
  b.Observe("5/", clock.Now());
  EXPECT_FALSE(b.TryTake(clock.Now()));
}

}  // namespace
}  // namespace crossdock
