#include "codecs/shopify_inventory.h"

#include "codecs/json_reader.h"

namespace crossdock {

namespace {

using json_reader::element;

// A Shopify id: a JSON integer (REST) or a string of digits; "" when neither.
std::string IdOf(element v) {
  int64_t n = 0;
  if (!v.get_int64().get(n) && n >= 0) return std::to_string(n);
  uint64_t u = 0;
  if (!v.get_uint64().get(u)) return std::to_string(u);
  std::string_view s;
  if (!v.get_string().get(s) && !s.empty() && s.size() <= 20 &&
      s.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::string(s);
  }
  return "";
}

void ReadLevel(json_reader::Reader& r, element level, const std::string& p,
               const ShopifyInventoryMap& map, const std::optional<TimePoint>& not_after,
               std::vector<InventoryCount>& out) {
  InventoryCount c;
  std::optional<TimePoint> as_of;
  bool has_available = false;
  std::vector<std::string_view> seen;
  bool object = r.ForEachField(level, p, [&](std::string_view k, element v, const std::string& fp) {
    seen.push_back(k);
    if (k == "inventory_item_id") {
      std::string id = IdOf(v);
      if (id.empty()) {
        r.Error(fp, "must be a Shopify id (a whole number)");
      } else if (auto it = map.items.find(id); it == map.items.end()) {
        r.Error(fp, "inventory item " + id + " is not mapped to a SKU (shopify_inventory.items)");
      } else {
        c.sku = it->second;
      }
    } else if (k == "location_id") {
      std::string id = IdOf(v);
      if (id.empty()) {
        r.Error(fp, "must be a Shopify id (a whole number)");
      } else if (auto it = map.locations.find(id); it == map.locations.end()) {
        r.Error(fp, "location " + id + " is not mapped to a node (shopify_inventory.locations)");
      } else {
        c.node = it->second;
      }
    } else if (k == "available") {
      if (v.is_null()) {
        r.Error(fp, "is null: the item's inventory is not tracked at this location");
      } else {
        r.Int(v, fp, c.on_hand);
        has_available = true;
      }
    } else if (k == "updated_at") {
      r.Time(v, fp, as_of);
    } else if (k != "admin_graphql_api_id") {
      return false;
    }
    return true;
  });
  if (!object) return;
  r.Require(p, {"inventory_item_id", "location_id", "available", "updated_at"}, seen);
  if (has_available && (c.on_hand < -1'000'000'000'000 || c.on_hand > 1'000'000'000'000)) {
    r.Error(p + "/available", "must be between -1000000000000 and 1000000000000");
  }
  if (as_of) c.as_of = *as_of;
  if (as_of && not_after && *as_of > *not_after) {
    r.Error(p + "/updated_at", "is in the future (more than 5 minutes ahead of this server)");
  }
  out.push_back(std::move(c));
}

}  // namespace

Decoded<std::vector<InventoryCount>> DecodeShopifyInventoryLevels(
    std::string_view json, const ShopifyInventoryMap& map, int max_depth,
    std::optional<TimePoint> not_after) {
  Decoded<std::vector<InventoryCount>> out;
  auto doc = json_reader::Parse(json, max_depth, out.errors);
  if (!doc) {
    out.syntax_error = true;
    return out;
  }
  json_reader::Reader r(out.errors);
  std::vector<InventoryCount> counts;
  simdjson::dom::object root;
  if (doc->get_object().get(root)) {
    r.Error("", "must be a Shopify inventory level object");
    return out;
  }
  element one, many;
  if (!root["inventory_level"].get(one)) {
    ReadLevel(r, one, "/inventory_level", map, not_after, counts);
  } else if (!root["inventory_levels"].get(many)) {
    r.ForEachItem(many, "/inventory_levels", [&](element level, const std::string& p) {
      ReadLevel(r, level, p, map, not_after, counts);
    });
  } else {
    ReadLevel(r, *doc, "", map, not_after, counts);
  }
  if (out.errors.empty() && counts.empty()) r.Error("/inventory_levels", "has no level");
  if (out.errors.empty()) out.value = std::move(counts);
  return out;
}

}  // namespace crossdock
