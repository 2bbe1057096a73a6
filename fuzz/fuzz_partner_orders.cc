// Fuzzes the WooCommerce and Amazon order decoders (codecs/woocommerce_order.h,
// codecs/amazon_order.h). Invariants: never crash; a refused document says why; a decoded
// order is a valid canonical order that round-trips through canonical JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/amazon_order.h"
#include "codecs/canonical_json.h"
#include "codecs/woocommerce_order.h"

namespace {

void Check(const crossdock::Decoded<crossdock::Order>& d) {
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return;
  }
  auto back = crossdock::DecodeOrder(crossdock::EncodeOrder(*d.value));
  if (!back.ok() || !(*back.value == *d.value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Check(crossdock::DecodeWooCommerceOrder(text));
  Check(crossdock::DecodeAmazonOrder(text));
  return 0;
}
