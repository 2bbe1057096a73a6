#include "flows/returns.h"

#include <gtest/gtest.h>

#include "model/order_generator.h"

namespace crossdock {
namespace {

OrderAggregate Shipped(int64_t first_line_units) {
  OrderAggregate a;
  a.order = OrderGenerator(7, "web", "R").Next();
  a.order.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  a.flow.shipped[a.order.lines[0].line_id] = first_line_units;
  return a;
}

TEST(ReturnsTest, OnlyShippedUnitsComeBackCountingEarlierReturns) {
  OrderAggregate a = Shipped(2);
  const std::string line = a.order.lines[0].line_id;
  EXPECT_TRUE(CheckReturn(a, {}, {{line, 2, "damaged"}}).empty());
  FieldErrors over = CheckReturn(a, {}, {{line, 1, "x"}, {line, 2, "y"}});  // 3 in one request
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0].pointer, "/lines/1/quantity");
  FieldErrors after = CheckReturn(a, {{line, 2}}, {{line, 1, "x"}});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].detail, "with earlier returns, exceeds the 2 shipped on this line");
  FieldErrors unknown = CheckReturn(a, {}, {{"no-such-line", 1, "x"}});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].pointer, "/lines/0/line_id");
  if (a.order.lines.size() > 1) {  // a line that never shipped
    EXPECT_EQ(CheckReturn(a, {}, {{a.order.lines[1].line_id, 1, "x"}}).size(), 1u);
  }
}

TEST(ReturnsTest, StoredBodiesRoundTripTheirQuantities) {
  std::string body = EncodeReturn("ret_1", "ord_1", "shop", FromUnixMicros(0),
                                  {{"1", 2, "a"}, {"2", 1, "b"}, {"1", 1, "c"}}, "");
  std::map<std::string, int64_t> units;
  ASSERT_TRUE(AddReturnedQuantities(body, units).ok());
  EXPECT_EQ(units, (std::map<std::string, int64_t>{{"1", 3}, {"2", 1}}));
  EXPECT_FALSE(AddReturnedQuantities("{}", units).ok());
}

}  // namespace
}  // namespace crossdock
