// Fuzzes the canonical Shipment decoder with the same round-trip invariant.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/canonical_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = crossdock::DecodeShipment(text);
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return 0;
  }
  crossdock::DecodeOptions stored;
  stored.allow_server_fields = true;
  auto back = crossdock::DecodeShipment(crossdock::EncodeShipment(*d.value), stored);
  if (!back.ok() || !(*back.value == *d.value)) std::abort();
  return 0;
}
