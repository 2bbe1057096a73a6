#include "flows/availability.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

const TimePoint kT0 = FromUnixMicros(1'795'000'000'000'000);

TEST(AvailableToPromiseTest, ChannelNodesLessReservedAndSafetyStockNotBelowZero) {
  std::vector<std::string> web = {"east", "west"};
  std::vector<InventoryLevel> levels = {{"A", "east", 10, kT0, kT0, 3, 0},
                                        {"A", "west", 2, kT0, kT0, 4, 0},     // over-reserved: 0
                                        {"A", "north", 50, kT0, kT0, 0, 0}};  // not the channel's
  int64_t safety = 5;
  EXPECT_EQ(AvailableToPromise(levels, &web, safety), 2);  // 7 + 0 − 5
  EXPECT_EQ(AvailableToPromise(levels, nullptr), 57);      // every node, no safety stock
  safety = 9;
  EXPECT_EQ(AvailableToPromise(levels, &web, safety), 0);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST(PublishedAvailabilityTest, ABufferHoldsBackAShareRoundedDown) {
  EXPECT_EQ(PublishedAvailability(10, 0), 10);
  EXPECT_EQ(PublishedAvailability(10, 25), 7);  // 7.5 rounds down
  EXPECT_EQ(PublishedAvailability(3, 50), 1);
  EXPECT_EQ(PublishedAvailability(1, 1), 0);
  EXPECT_EQ(PublishedAvailability(10, 100), 0);
  EXPECT_EQ(PublishedAvailability(0, 10), 0);
  EXPECT_EQ(PublishedAvailability(-4, 0), 0);
}

}  // namespace
}  // namespace crossdock
