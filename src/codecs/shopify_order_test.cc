#include "codecs/shopify_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codecs/canonical_json.h"
#include "codecs/golden_files_test_util.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

using testing_util::Describe;
using testing_util::ReadFile;

const fs::path kDir = fs::path(CROSSDOCK_TESTDATA_DIR) / "shopify";

TEST(ShopifyOrderTest, TheInconsistentFixtureIsRefusedNotGuessed) {
  auto d = DecodeShopifyOrder(ReadFile(kDir / "order.json"));
  ASSERT_FALSE(d.ok());
  ASSERT_FALSE(d.syntax_error);
  EXPECT_EQ(d.errors[0].pointer, "/order/total_line_items_price") << Describe(d.errors);
  EXPECT_NE(d.errors[0].detail.find("597"), std::string::npos) << d.errors[0].detail;
}

TEST(ShopifyOrderTest, FixtureMapsToTheCanonicalOrder) {
  auto d = DecodeShopifyOrder(ReadFile(kDir / "order_two_lines.json"));
  ASSERT_TRUE(d.ok()) << Describe(d.errors);
  const Order& o = *d.value;
  EXPECT_EQ(o.channel, "shopify");
  EXPECT_EQ(o.external_ref, "450789469");
  EXPECT_EQ(o.currency, "USD");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.region, "KY");
  EXPECT_EQ(o.ship_to.line1, "Chestnut Street 92");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].sku, "IPOD2008GREEN");
  EXPECT_EQ(o.lines[0].line_id, "466157049");
  EXPECT_EQ(o.lines[0].unit_price.ToString(2), "199.00");
  // Shopify's stated totals are kept: 398.00 + 11.94 tax (order level, booked on line 1).
  EXPECT_EQ(o.totals.subtotal.ToString(2), "398.00");
  EXPECT_EQ(o.totals.tax_total.ToString(2), "11.94");
  EXPECT_EQ(o.totals.grand_total.ToString(2), "409.94");
  ASSERT_EQ(o.lines[0].taxes.size(), 1u);
  EXPECT_EQ(o.lines[0].taxes[0].code, "State Tax");
}

TEST(ShopifyOrderTest, WrappedAndBareOrdersDecodeAlike) {
  std::string wrapped = ReadFile(kDir / "order_two_lines.json");
  auto a = DecodeShopifyOrder(wrapped);
  // The webhook body is the inner object.
  auto start = wrapped.find('{', 1);
  auto end = wrapped.rfind('}');
  auto b = DecodeShopifyOrder(std::string_view(wrapped).substr(start, end - start));
  ASSERT_TRUE(a.ok() && b.ok()) << Describe(a.errors) << Describe(b.errors);
  EXPECT_EQ(*a.value, *b.value);
}

TEST(ShopifyOrderTest, SyntaxErrorsNameTheByteOffset) {
  auto d = DecodeShopifyOrder(R"({"id": 1, "line_items": [)");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.syntax_error);
  EXPECT_NE(d.errors[0].detail.find("byte"), std::string::npos) << d.errors[0].detail;
  auto not_object = DecodeShopifyOrder("[1,2]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_FALSE(not_object.syntax_error);
}

TEST(ShopifyOrderTest, ChannelNameComesFromTheOptions) {
  ShopifyDecodeOptions opts;
  opts.channel = "shopify-eu";
  auto d = DecodeShopifyOrder(ReadFile(kDir / "order_two_lines.json"), opts);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value->channel, "shopify-eu");
}

TEST(ShopifyOrderTest, NegativeAmountsAreRefusedNotSubtracted) {
  // A negative allocation against a huge total would overflow the difference.
  std::string doc = ReadFile(kDir / "order_two_lines.json");
  auto at = doc.find("\"total_discounts\": \"0.00\"");
  ASSERT_NE(at, std::string::npos);
  doc.replace(at, strlen("\"total_discounts\": \"0.00\""),
              "\"total_discounts\": \"9000000000000\"");
  auto li = doc.find("\"line_items\": [");
  ASSERT_NE(li, std::string::npos);
  doc.insert(doc.find('{', li) + 1,
             "\"discount_allocations\": [{\"amount\": \"-9000000000000\"}],");
  auto d = DecodeShopifyOrder(doc);
  ASSERT_FALSE(d.ok());
  bool found = std::any_of(d.errors.begin(), d.errors.end(), [](const FieldError& e) {
    return e.pointer == "/order/line_items/0/discount_allocations/0/amount";
  });
  EXPECT_TRUE(found) << Describe(d.errors);
}

TEST(ShopifyOrderGoldenTest, EveryGoldenFile) {
  int cases = testing_util::RunGoldenFiles(
      kDir, [](const std::string& json) { return DecodeShopifyOrder(json); });
  EXPECT_GE(cases, 5);
}

}  // namespace
}  // namespace crossdock
