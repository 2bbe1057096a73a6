#include "base/id.h"

#include <gtest/gtest.h>

#include <set>

namespace crossdock {
namespace {

TEST(IdTest, IdsAreValidUniqueAndSortable) {
  ManualClock clock;
  SeededRandom random(7);
  IdGenerator ids(clock, random);
  std::string prev;
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    if (i % 100 == 0) clock.Advance(std::chrono::milliseconds(1));
    std::string id = ids.Next("ord");
    EXPECT_TRUE(IsValidId(id, "ord")) << id;
    EXPECT_GT(id, prev);  // monotonic, also within one millisecond
    EXPECT_TRUE(seen.insert(id).second);
    prev = id;
  }
}

TEST(IdTest, SameSeedSameIds) {
  ManualClock c1, c2;
  SeededRandom r1(42), r2(42);
  IdGenerator a(c1, r1), b(c2, r2);
  EXPECT_EQ(a.Next("evt"), b.Next("evt"));
}

TEST(IdTest, RejectsMalformed) {
  EXPECT_FALSE(IsValidId("ord_123", "ord"));
  EXPECT_FALSE(IsValidId("evt_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "ord"));
  EXPECT_FALSE(IsValidId("ord_01JDXW8Z4M6Q2C1T9XK3A7B5RI", "ord"));  // I is not Crockford
  EXPECT_TRUE(IsValidId("ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "ord"));
}

}  // namespace
}  // namespace crossdock
