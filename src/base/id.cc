#include "base/id.h"

namespace crossdock {

namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string IdGenerator::Next(std::string_view prefix) {
  uint64_t ms = static_cast<uint64_t>(ToUnixMicros(clock_.Now()) / 1000);
  uint64_t hi, lo;
  {
    std::lock_guard lock(mu_);
    if (ms <= last_ms_) {
      // Same (or earlier) millisecond: increment the random part so ids stay monotonic.
      ms = last_ms_;
      if (++lo_ == 0) hi_ = (hi_ + 1) & 0xFFFF;
    } else {
      last_ms_ = ms;
      hi_ = random_.NextU64() & 0x7FFF;  // leave headroom for increments
      lo_ = random_.NextU64();
    }
    hi = hi_;
    lo = lo_;
  }
  // 128 bits: 48 time | 16 hi | 64 lo  → 26 base32 chars (130 bits, top 2 zero).
  std::string out(prefix);
  out += '_';
  char buf[26];
  uint64_t top = (ms << 16) | hi;  // 128-bit value as (top, lo); emit 5 bits at a time
  for (int i = 25; i >= 0; --i) {
    buf[i] = kCrockford[static_cast<int>(lo & 31)];
    lo = (lo >> 5) | (top << 59);
    top >>= 5;
  }
  out.append(buf, 26);
  return out;
}

bool IsValidId(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 27 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '_') {
    return false;
  }
  for (char c : id.substr(prefix.size() + 1)) {
    bool ok = false;
    for (const char* p = kCrockford; *p; ++p) ok = ok || *p == c;
    if (!ok) return false;
  }
  return id[prefix.size() + 1] <= '7';
}

}  // namespace crossdock
