#include "delivery/publication_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

namespace crossdock {
namespace {

const TimePoint kT0 = FromUnixMicros(1'795'000'000'000'000);

// Done when (#7): 1,000 changes to one SKU within one quota window cause no more calls than
// the quota allows, and the channel ends at the right value. The queue runs on a manual clock
// with a Shopify-style quota (bucket 40, 2 calls/s); the "ledger" changes 1,000 times in one
// second, interleaved with changes of 99 other SKUs; every call sends the ledger's value at
// send time, as the publisher does.
TEST(PublicationQueueTest, ThousandChangesOfOneSkuInOneWindowCoalesce) {
  ManualClock clock(kT0);
  PublicationQueue q(40, 2, clock.Now());
  std::map<std::string, int64_t> ledger, channel;
  std::map<std::string, int> calls;
  int total_calls = 0;
  auto drain = [&] {
    Duration wait;
    while (auto next = q.Take(clock.Now(), wait)) {
      int64_t value = ledger[next->sku];
      if (q.Unchanged(next->sku, value)) continue;
      q.Spend(clock.Now());
      channel[next->sku] = value;  // the channel acknowledged
      q.Published(next->sku, value);
      ++calls[next->sku];
      ++total_calls;
    }
  };
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(std::chrono::milliseconds(1));  // all within one second
    ledger["HOT"] = 1000 - i;
    q.Changed("HOT", clock.Now(), clock.Now());
    if (i % 10 == 0) {
      std::string other = "SKU-" + std::to_string(i / 10);
      ledger[other] = i;
      q.Changed(other, clock.Now(), clock.Now());
    }
    drain();
  }
  // The quota allowed at most its burst plus what one second refilled.
  EXPECT_LE(total_calls, 40 + 2);
  EXPECT_LE(calls["HOT"], 40 + 2);
  int within_window = total_calls;
  // Later the rest go out at the refill rate, and every channel value ends right.
  for (int s = 0; s < 120; ++s) {
    clock.Advance(std::chrono::seconds(1));
    drain();
  }
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(channel["HOT"], 1);
  for (int i = 0; i < 100; ++i) {
    std::string sku = "SKU-" + std::to_string(i);
    EXPECT_EQ(channel[sku], ledger[sku]) << sku;
  }
  // 101 SKUs need 101 calls at least once each; coalescing kept the total near that.
  EXPECT_LE(total_calls, 101 + 42);
  std::cout << "publication: 1,000 changes of HOT and 100 of other SKUs in 1 s; calls in the "
               "window "
            << within_window << " (quota 40 + 2/s), HOT sent " << calls["HOT"]
            << " times, all calls " << total_calls << ", channel ends at HOT=" << channel["HOT"]
            << "\n";
}

TEST(PublicationQueueTest, FreshestChangeFirstAndRetriesKeepTheFirstChange) {
  ManualClock clock(kT0);
  PublicationQueue q(1, 1, clock.Now());
  q.Changed("OLD", kT0, clock.Now());
  clock.Advance(std::chrono::seconds(5));
  // Queued later, though its node's clock dates the change an hour earlier: it is fresher.
  q.Changed("NEW", kT0 - std::chrono::hours(1), clock.Now());
  Duration wait;
  auto first = q.Take(clock.Now(), wait);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->sku, "NEW");
  q.Spend(clock.Now());
  EXPECT_FALSE(q.Take(clock.Now(), wait).has_value());  // the quota: one call a second
  EXPECT_EQ(wait, std::chrono::seconds(1));
  clock.Advance(std::chrono::milliseconds(10));
  q.Retry(*first, clock.Now());  // the call failed: queued again, now the freshest
  clock.Advance(std::chrono::seconds(1));
  auto again = q.Take(clock.Now(), wait);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->sku, "NEW");
  EXPECT_EQ(again->first_change, kT0 - std::chrono::hours(1));
  q.Spend(clock.Now());
}

TEST(PublicationQueueTest, ASkuWaitingLongerThanTheLimitGoesBeforeFresherOnes) {
  ManualClock clock(kT0);
  PublicationQueue q(1, 1, clock.Now());
  q.Changed("STARVED", kT0, kT0);
  Duration wait;
  std::vector<std::string> sent;
  // A fresh change every second, as fast as the quota: freshest first would never reach STARVED.
  for (int s = 1; s <= 40; ++s) {
    clock.Advance(std::chrono::seconds(1));
    q.Changed("HOT-" + std::to_string(s), clock.Now(), clock.Now());
    if (auto n = q.Take(clock.Now(), wait)) {
      q.Spend(clock.Now());
      sent.push_back(n->sku);
    }
  }
  auto at = std::find(sent.begin(), sent.end(), "STARVED");
  ASSERT_NE(at, sent.end());
  EXPECT_EQ(at - sent.begin(), 30);  // sent once it had waited more than 30 s
}

}  // namespace
}  // namespace crossdock
