// Sortable identifiers: a type prefix plus a ULID (48-bit millisecond time, 80 random bits,
// Crockford base32), e.g. "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF". Ids made later sort later.
// IdGenerator is thread-safe and monotonic within a millisecond.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"

namespace crossdock {

class IdGenerator {
 public:
  IdGenerator(const Clock& clock, Random& random) : clock_(clock), random_(random) {}
  // `prefix` such as "ord", "evt", "shp"; the result is "<prefix>_<ULID>".
  std::string Next(std::string_view prefix);

 private:
  const Clock& clock_;
  Random& random_;
  std::mutex mu_;
  uint64_t last_ms_ = 0;
  uint64_t hi_ = 0;  // top 16 bits of randomness
  uint64_t lo_ = 0;  // low 64 bits of randomness
};

// True when `id` has the given prefix and a well-formed ULID after it.
bool IsValidId(std::string_view id, std::string_view prefix);

}  // namespace crossdock
