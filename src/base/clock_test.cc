#include "base/clock.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(FromUnixMicros(1'000'000));
  EXPECT_EQ(ToUnixMicros(clock.Now()), 1'000'000);
  clock.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(ToUnixMicros(clock.Now()), 2'500'000);
}

TEST(ClockTest, Rfc3339RoundTrip) {
  TimePoint t = FromUnixMicros(1'795'000'000'123'000);
  std::string s = FormatRfc3339(t);
  EXPECT_EQ(s, "2026-11-18T11:06:40.123Z");
  auto back = ParseRfc3339(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
}

TEST(ClockTest, Rfc3339Offsets) {
  auto a = ParseRfc3339("2026-01-01T10:00:00+02:00");
  auto b = ParseRfc3339("2026-01-01T08:00:00Z");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(ClockTest, Rfc3339RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339("2026-01-01").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00").ok());
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00Zjunk").ok());
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00.Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-02-31T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2025-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseRfc3339("2028-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-01-01 00:00:00Z").ok());
  // Found by fuzz_canonical_order: years beyond the 64-bit nanosecond clock wrapped around.
  EXPECT_FALSE(ParseRfc3339("4052-01-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("1800-01-01T00:00:00Z").ok());
}

}  // namespace
}  // namespace crossdock
