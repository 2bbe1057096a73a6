// Shopify inventory levels to counts of the stock ledger, for a store whose locations are also
// nodes (docs/inventory.md, "Shopify inventory levels"). Accepts the inventory_levels/update
// webhook body (a bare level), {"inventory_level": …} and {"inventory_levels": [...]}. Each
// level's location must map to a node and its inventory item to a SKU: an unmapped one is an
// error at its pointer, never a guess. `available` is taken as the node's on hand, as of
// `updated_at`; a level without a number (an untracked item) is refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/decoded.h"
#include "model/inventory.h"

namespace crossdock {

struct ShopifyInventoryMap {
  std::map<std::string, std::string> locations;  // Shopify location_id → node
  std::map<std::string, std::string> items;      // Shopify inventory_item_id → SKU
};

// Counts with their node set; every error with its JSON pointer. `not_after`: a level dated
// later is refused at its updated_at (a count from the future would make every real report
// after it look stale).
Decoded<std::vector<InventoryCount>> DecodeShopifyInventoryLevels(
    std::string_view json, const ShopifyInventoryMap& map, int max_depth = 32,
    std::optional<TimePoint> not_after = std::nullopt);

}  // namespace crossdock
