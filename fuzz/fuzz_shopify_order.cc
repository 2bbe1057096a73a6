// Fuzzes the Shopify order decoder (codecs/shopify_order.h). Invariants: never crash; a refused
// document says why; a decoded order is a valid canonical order (it re-encodes and decodes
// to the same value under the canonical rules).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/canonical_json.h"
#include "codecs/shopify_order.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = crossdock::DecodeShopifyOrder(text);
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return 0;
  }
  auto back = crossdock::DecodeOrder(crossdock::EncodeOrder(*d.value));
  if (!back.ok() || !(*back.value == *d.value)) std::abort();
  return 0;
}
