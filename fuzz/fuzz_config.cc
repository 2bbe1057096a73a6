// Fuzzes the YAML configuration parser: any text gives a Config or a clear error, never a
// crash or an escaping exception.
#include <cstdint>
#include <string>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = crossdock::ParseConfig(text, "/nonexistent");
  if (c.ok()) (void)crossdock::ValidateConfig(*c);
  return 0;
}
