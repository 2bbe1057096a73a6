// Fuzzes the decoder of recorded decider inputs (flows/history_codec.h): never crash, every
// refusal names a pointer, and what decodes encodes back to a form that decodes to the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "flows/history_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto in = crossdock::DecodeInput(text);
  if (!in.ok()) {
    if (in.status().message().empty() || in.status().message()[0] != '/') std::abort();
    return 0;
  }
  std::string once = crossdock::EncodeInput(*in);
  auto back = crossdock::DecodeInput(once);
  if (!back.ok() || crossdock::EncodeInput(*back) != once) std::abort();
  (void)crossdock::DecodePolicy(text);
  return 0;
}
