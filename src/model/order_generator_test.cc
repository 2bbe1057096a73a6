#include "model/order_generator.h"

#include <gtest/gtest.h>

#include "model/validation.h"

namespace crossdock {
namespace {

TEST(OrderGeneratorTest, OrdersAreValidAndDeterministic) {
  OrderGenerator a(5, "web", "W"), b(5, "web", "W");
  for (int i = 0; i < 200; ++i) {
    Order x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_EQ(x.external_ref, "W-" + std::to_string(i + 1));
    FieldErrors errors = ValidateOrder(x);
    EXPECT_TRUE(errors.empty()) << errors[0].pointer << " " << errors[0].detail;
  }
}

}  // namespace
}  // namespace crossdock
