#include "model/validation.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "model/order_generator.h"

namespace crossdock {
namespace {

Decimal D(const char* s) {
  return *Decimal::Parse(s);
}

Order ValidOrder() {
  Order o;
  o.channel = "web";
  o.external_ref = "1001";
  o.currency = "USD";
  o.ship_to = {"Ada", "", "1 Main St", "", "Reno", "NV", "89501", "US", "", ""};
  o.lines.push_back(
      {"1", "SKU-1", "Widget", 2, D("10.25"), {{"TENOFF", D("1.00")}}, {{"Tax", D("1.17")}}});
  o.lines.push_back({"2", "SKU-2", "", 1, D("5"), {}, {}});
  o.shipping.push_back({"Ground", D("4.99"), {{"Tax", D("0.30")}}});
  o.totals = {D("25.50"), D("1.00"), D("1.47"), D("4.99"), D("30.96")};
  return o;
}

bool Has(const FieldErrors& errors, const std::string& pointer) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const FieldError& e) { return e.pointer == pointer; });
}

TEST(ValidateOrderTest, ValidOrderHasNoErrors) {
  FieldErrors errors = ValidateOrder(ValidOrder());
  EXPECT_TRUE(errors.empty()) << errors[0].pointer << ": " << errors[0].detail;
}

TEST(ValidateOrderTest, ReportsEveryErrorByPointer) {
  Order o = ValidOrder();
  o.channel.clear();
  o.currency = "XXY";
  o.ship_to.country = "usa";
  o.ship_to.city.clear();
  o.lines[0].quantity = 0;
  o.lines[1].sku.clear();
  o.lines[1].line_id = "1";
  o.lines[0].unit_price = D("-1");
  FieldErrors errors = ValidateOrder(o);
  for (const char* p :
       {"/channel", "/currency", "/ship_to/country", "/ship_to/city", "/lines/0/quantity",
        "/lines/1/sku", "/lines/1/line_id", "/lines/0/unit_price", "/totals/subtotal"}) {
    EXPECT_TRUE(Has(errors, p)) << "missing error at " << p;
  }
}

TEST(ValidateOrderTest, TotalsMustAddUp) {
  Order o = ValidOrder();
  o.totals.grand_total = D("30.95");
  FieldErrors errors = ValidateOrder(o);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/totals/grand_total");
  EXPECT_EQ(errors[0].detail, "is 30.95 but the lines add up to 30.96");
}

TEST(ValidateOrderTest, AmountPrecisionFollowsCurrency) {
  Order o = ValidOrder();
  o.currency = "JPY";
  FieldErrors errors = ValidateOrder(o);
  EXPECT_TRUE(Has(errors, "/shipping/0/amount"));
  EXPECT_TRUE(Has(errors, "/lines/0/taxes/0/amount"));
}

TEST(ValidateOrderTest, LineLimit) {
  Order o = OrderGenerator(1, "web", "x").Next();
  OrderLimits limits;
  limits.max_lines = 0;
  EXPECT_TRUE(Has(ValidateOrder(o, limits), "/lines"));
}

TEST(ValidateShipmentTest, ChecksPackagesAndSscc) {
  Shipment s;
  s.order_id = "ord_x";
  s.partner_event_id = "evt-1";
  s.packages.push_back({"106141411234567898", "1Z", "1.5", {{"1", "SKU-1", 0}}});
  FieldErrors errors = ValidateShipment(s);
  EXPECT_TRUE(Has(errors, "/packages/0/sscc"));
  EXPECT_TRUE(Has(errors, "/packages/0/lines/0/quantity"));
  s.packages[0].sscc = "106141411234567897";
  s.packages[0].lines[0].quantity = 2;
  EXPECT_TRUE(ValidateShipment(s).empty());
  s.partner_event_id.clear();
  EXPECT_TRUE(Has(ValidateShipment(s), "/partner_event_id"));
}

TEST(ShipmentTest, ShippedLinesSumAcrossPackages) {
  Shipment s;
  s.packages.push_back({"", "", "", {{"1", "A", 2}, {"2", "B", 1}}});
  s.packages.push_back({"", "", "", {{"1", "A", 3}}});
  auto lines = s.ShippedLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].quantity, 5);
  EXPECT_EQ(lines[1].quantity, 1);
}

}  // namespace
}  // namespace crossdock
