#include "codecs/shopify_inventory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace crossdock {
namespace {

std::string Golden(const std::string& path) {
  std::ifstream in(std::string(CROSSDOCK_TESTDATA_DIR) + "/partners/" + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const ShopifyInventoryMap kMap{{{"905684977", "shop-store"}, {"487838322", "shop-back"}},
                               {{"808950810", "SKU-1"}, {"39072856", "SKU-2"}}};

// Shopify's own fixtures: a single level and a list over two locations, each level a count of
// its node's SKU as of updated_at (offsets honoured).
TEST(ShopifyInventoryTest, TheShopifyFixturesDecodeToCountsOfMappedNodesAndSkus) {
  auto one = DecodeShopifyInventoryLevels(Golden("shopify_python_api/inventory_level.json"), kMap);
  ASSERT_TRUE(one.ok()) << one.errors[0].pointer << " " << one.errors[0].detail;
  ASSERT_EQ(one.value->size(), 1u);
  EXPECT_EQ((*one.value)[0].node, "shop-store");
  EXPECT_EQ((*one.value)[0].sku, "SKU-1");
  EXPECT_EQ((*one.value)[0].on_hand, 6);
  EXPECT_EQ(FormatRfc3339((*one.value)[0].as_of), "2018-05-07T19:51:26.000Z");
  auto list =
      DecodeShopifyInventoryLevels(Golden("shopify_python_api/inventory_levels.json"), kMap);
  ASSERT_TRUE(list.ok()) << list.errors[0].pointer;
  std::map<std::pair<std::string, std::string>, int64_t> got;
  for (const auto& c : *list.value) got[{c.node, c.sku}] = c.on_hand;
  EXPECT_EQ(got,
            (std::map<std::pair<std::string, std::string>, int64_t>{{{"shop-back", "SKU-2"}, 27},
                                                                    {{"shop-store", "SKU-1"}, 1},
                                                                    {{"shop-back", "SKU-1"}, 9},
                                                                    {{"shop-store", "SKU-2"}, 3}}));
  // The ruby gem's copy has no updated_at: without the count's time it could overwrite a newer
  // one, so each level is refused.
  auto undated =
      DecodeShopifyInventoryLevels(Golden("shopify-api-ruby/inventory_levels.json"), kMap);
  ASSERT_FALSE(undated.ok());
  ASSERT_EQ(undated.errors.size(), 4u);
  EXPECT_EQ(undated.errors[3].pointer, "/inventory_levels/3/updated_at");
  EXPECT_EQ(undated.errors[3].detail, "is required");
}

// The inventory_levels/update webhook body is a bare level, with admin_graphql_api_id.
TEST(ShopifyInventoryTest, UnmappedOrUntrackedLevelsAreRefusedAtTheirPointers) {
  auto webhook = DecodeShopifyInventoryLevels(
      R"({"inventory_item_id":808950810,"location_id":905684977,"available":4,)"
      R"("updated_at":"2026-11-28T06:00:00-05:00",)"
      R"("admin_graphql_api_id":"gid://shopify/InventoryLevel/905684977?inventory_item_id=808950810"})",
      kMap);
  ASSERT_TRUE(webhook.ok());
  EXPECT_EQ((*webhook.value)[0].on_hand, 4);
  EXPECT_EQ(FormatRfc3339((*webhook.value)[0].as_of), "2026-11-28T11:00:00.000Z");
  auto bad = DecodeShopifyInventoryLevels(
      R"({"inventory_levels":[)"
      R"({"inventory_item_id":1,"location_id":905684977,"available":4,"updated_at":"2026-11-28T06:00:00Z"},)"
      R"({"inventory_item_id":808950810,"location_id":2,"available":null,"updated_at":"x"},)"
      R"({"location_id":905684977,"available":"3","updated_at":"2026-11-28T06:00:00Z","sku":"A"}]})",
      kMap);
  ASSERT_FALSE(bad.ok());
  std::map<std::string, std::string> by;
  for (const auto& e : bad.errors) by[e.pointer] = e.detail;
  EXPECT_EQ(by["/inventory_levels/0/inventory_item_id"],
            "inventory item 1 is not mapped to a SKU (shopify_inventory.items)");
  EXPECT_EQ(by["/inventory_levels/1/location_id"],
            "location 2 is not mapped to a node (shopify_inventory.locations)");
  EXPECT_EQ(by["/inventory_levels/1/available"],
            "is null: the item's inventory is not tracked at this location");
  EXPECT_TRUE(by.count("/inventory_levels/1/updated_at"));
  EXPECT_TRUE(by.count("/inventory_levels/2/available"));
  EXPECT_TRUE(by.count("/inventory_levels/2/sku"));
  EXPECT_TRUE(by.count("/inventory_levels/2/inventory_item_id"));
  // A level from the future is refused at its own updated_at, in any of the three shapes.
  auto future = DecodeShopifyInventoryLevels(
      R"({"inventory_levels":[{"inventory_item_id":808950810,"location_id":905684977,)"
      R"("available":1,"updated_at":"2099-01-01T00:00:00Z"}]})",
      kMap, 32, *ParseRfc3339("2026-11-28T00:05:00Z"));
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.errors[0].pointer, "/inventory_levels/0/updated_at");
  auto syntax = DecodeShopifyInventoryLevels("{", kMap);
  EXPECT_TRUE(syntax.syntax_error);
  EXPECT_FALSE(DecodeShopifyInventoryLevels(R"({"inventory_levels":[]})", kMap).ok());
}

}  // namespace
}  // namespace crossdock
