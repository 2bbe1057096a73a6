// Fuzzes the Shopify decoders: orders (codecs/shopify_order.h) and inventory levels
// (codecs/shopify_inventory.h). Invariants: never crash; a refused document says why; a decoded
// order is a valid canonical order (it re-encodes and decodes to the same value under the
// canonical rules); every decoded level is of a mapped location and item.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/canonical_json.h"
#include "codecs/shopify_inventory.h"
#include "codecs/shopify_order.h"

namespace {

void CheckLevels(std::string_view text) {
  static const crossdock::ShopifyInventoryMap map{
      {{"905684977", "shop-store"}, {"487838322", "shop-back"}},
      {{"808950810", "SKU-1"}, {"39072856", "SKU-2"}}};
  auto d = crossdock::DecodeShopifyInventoryLevels(text, map);
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return;
  }
  if (d.value->empty()) std::abort();
  for (const auto& c : *d.value) {
    if (c.node != "shop-store" && c.node != "shop-back") std::abort();
    if (c.sku != "SKU-1" && c.sku != "SKU-2") std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckLevels(text);
  auto d = crossdock::DecodeShopifyOrder(text);
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return 0;
  }
  auto back = crossdock::DecodeOrder(crossdock::EncodeOrder(*d.value));
  if (!back.ok() || !(*back.value == *d.value)) std::abort();
  return 0;
}
