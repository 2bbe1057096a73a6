// Fuzzes the canonical Order decoder. Invariants: never crash; anything decoded (in either
// mode) re-encodes to a document that decodes to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/canonical_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool stored : {false, true}) {
    crossdock::DecodeOptions opts;
    opts.allow_server_fields = stored;
    opts.validate = !stored;
    auto d = crossdock::DecodeOrder(text, opts);
    if (!d.ok()) {
      if (d.errors.empty()) std::abort();  // a failure must say why
      continue;
    }
    crossdock::DecodeOptions again = opts;
    again.allow_server_fields = true;
    again.validate = false;
    auto back = crossdock::DecodeOrder(crossdock::EncodeOrder(*d.value), again);
    if (!back.ok() || !(*back.value == *d.value)) std::abort();
  }
  return 0;
}
