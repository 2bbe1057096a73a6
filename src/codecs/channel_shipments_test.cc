#include "codecs/channel_shipments.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "codecs/canonical_json.h"

namespace crossdock {
namespace {

// The canonical orders the golden channel fixtures decode to.
Order GoldenOrder(const std::string& path) {
  std::ifstream in(std::string(CROSSDOCK_TESTDATA_DIR) + "/" + path);
  std::stringstream s;
  s << in.rdbuf();
  auto d = DecodeOrder(s.str());
  EXPECT_TRUE(d.ok()) << path;
  return d.ok() ? *d.value : Order{};
}

Shipment TwoPackages(const std::string& first_line, const std::string& second_line,
                     int64_t second_quantity) {
  Shipment s;
  s.carrier = "UPS";
  s.service = "Ground";
  s.shipped_at = *ParseRfc3339("2026-11-28T09:30:00Z");
  s.packages = {{"", "1Z001", "1.2", {{first_line, "", 1}}},
                {"", "1Z002", "0.8", {{second_line, "", second_quantity}}}};
  return s;
}

TEST(ChannelShipmentsTest, AShopifyOrderGetsAFulfillmentOfItsLineItems) {
  Order order = GoldenOrder("shopify/order_two_lines.expected.json");
  auto body = EncodeShopifyFulfillment(TwoPackages("466157049", "518995019", 1), order,
                                       {"905684977", "", true});
  ASSERT_TRUE(body.ok()) << body.errors[0].detail;
  EXPECT_EQ(*body.value,
            R"({"fulfillment":{"location_id":905684977,"tracking_number":"1Z001",)"
            R"("tracking_numbers":["1Z001","1Z002"],"tracking_company":"UPS",)"
            R"("line_items":[{"id":466157049,"quantity":1},{"id":518995019,"quantity":1}],)"
            R"("notify_customer":true}})");
  // A line the order does not have, or more than it ordered, is refused by pointer.
  auto foreign = EncodeShopifyFulfillment(TwoPackages("466157049", "999", 1), order, {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.errors[0].pointer, "/packages/1/lines/0/line_id");
  EXPECT_EQ(foreign.errors[0].detail, "the order has no line '999'");
  auto over = EncodeShopifyFulfillment(TwoPackages("466157049", "518995019", 3), order, {});
  ASSERT_EQ(over.errors.size(), 1u);
  EXPECT_EQ(over.errors[0].detail, "line 518995019 ships 3, the order has 1");
}

TEST(ChannelShipmentsTest, AWooCommerceOrderIsCompletedOnlyWhenEveryUnitShipped) {
  Order order = GoldenOrder("woocommerce/order_with_skus.expected.json");  // 2 × 315, 1 × 316
  auto partial = EncodeWooCommerceOrderUpdate(TwoPackages("315", "316", 1), order);
  ASSERT_TRUE(partial.ok()) << partial.errors[0].detail;
  EXPECT_EQ(
      *partial.value,
      R"({"status":"processing","meta_data":[{"key":"_wc_shipment_tracking_items","value":[)"
      R"({"tracking_provider":"UPS","tracking_number":"1Z001","date_shipped":"1795858200"},)"
      R"({"tracking_provider":"UPS","tracking_number":"1Z002","date_shipped":"1795858200"}]}]})");
  Shipment all = TwoPackages("315", "316", 1);
  all.packages[0].lines[0].quantity = 2;
  auto complete = EncodeWooCommerceOrderUpdate(all, order);
  ASSERT_TRUE(complete.ok());
  EXPECT_EQ(complete.value->rfind(R"({"status":"completed")", 0), 0u) << *complete.value;
}

TEST(ChannelShipmentsTest, AnAmazonOrderGetsOneConfirmationPerPackage) {
  Order order = GoldenOrder("amazon/order_unshipped.expected.json");
  auto bodies = EncodeAmazonShipmentConfirmations(
      TwoPackages("68828574383266", "79039765272157", 2), order, {"", "ATVPDKIKX0DER", true});
  ASSERT_TRUE(bodies.ok()) << bodies.errors[0].detail;
  EXPECT_EQ(*bodies.value,
            R"([{"marketplaceId":"ATVPDKIKX0DER","packageDetail":{"packageReferenceId":"1",)"
            R"("carrierCode":"UPS","shippingMethod":"Ground","trackingNumber":"1Z001",)"
            R"("shipDate":"2026-11-28T09:30:00.000Z",)"
            R"("orderItems":[{"orderItemId":"68828574383266","quantity":1}]}},)"
            R"({"marketplaceId":"ATVPDKIKX0DER","packageDetail":{"packageReferenceId":"2",)"
            R"("carrierCode":"UPS","shippingMethod":"Ground","trackingNumber":"1Z002",)"
            R"("shipDate":"2026-11-28T09:30:00.000Z",)"
            R"("orderItems":[{"orderItemId":"79039765272157","quantity":2}]}}])");
  // Every fault at once: no marketplace, no tracking number for the second package.
  Shipment untracked = TwoPackages("68828574383266", "79039765272157", 2);
  untracked.packages[1].tracking_number.clear();
  auto refused = EncodeAmazonShipmentConfirmations(untracked, order, {});
  ASSERT_EQ(refused.errors.size(), 2u);
  EXPECT_EQ(refused.errors[0].pointer, "marketplace_id");
  EXPECT_EQ(refused.errors[0].detail, "Amazon needs the order's marketplace id");
  EXPECT_EQ(refused.errors[1].pointer, "/packages/1/tracking_number");
  EXPECT_EQ(refused.errors[1].detail, "Amazon needs one per package");
}

}  // namespace
}  // namespace crossdock
