#include "delivery/quota.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace crossdock {

namespace {
double Seconds(TimePoint::duration d) {
  return std::chrono::duration<double>(d).count();
}
Duration FromSeconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
}  // namespace

TokenBucket::TokenBucket(double capacity, double per_second, TimePoint now)
    : capacity_(capacity), per_second_(per_second), tokens_(capacity), last_(now) {}

void TokenBucket::Refill(TimePoint now) {
  if (now > last_) {
    tokens_ = std::min(capacity_, tokens_ + Seconds(now - last_) * per_second_);
    last_ = now;
  }
}

bool TokenBucket::TryTake(TimePoint now) {
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Duration TokenBucket::WaitTime(TimePoint now) {
  Refill(now);
  if (tokens_ >= 1.0 || per_second_ <= 0) return Duration::zero();
  return FromSeconds((1.0 - tokens_) / per_second_);
}

double TokenBucket::tokens(TimePoint now) {
  Refill(now);
  return tokens_;
}

TokenBucket::Saved TokenBucket::Save(TimePoint now) {
  Refill(now);
  return {tokens_, last_};
}

void TokenBucket::Restore(const Saved& saved) {
  tokens_ = std::clamp(saved.tokens, 0.0, capacity_);
  last_ = saved.at;
}

CallLimitBucket::CallLimitBucket(double size, double leak_per_second, TimePoint now)
    : size_(size), leak_per_second_(leak_per_second), last_(now) {}

void CallLimitBucket::Leak(TimePoint now) {
  if (now > last_) {
    level_ = std::max(0.0, level_ - Seconds(now - last_) * leak_per_second_);
    last_ = now;
  }
}

bool CallLimitBucket::TryTake(TimePoint now) {
  Leak(now);
  if (level_ + 1.0 > size_) return false;
  level_ += 1.0;
  return true;
}

Duration CallLimitBucket::WaitTime(TimePoint now) {
  Leak(now);
  if (level_ + 1.0 <= size_ || leak_per_second_ <= 0) return Duration::zero();
  return FromSeconds((level_ + 1.0 - size_) / leak_per_second_);
}

void CallLimitBucket::Observe(std::string_view header, TimePoint now) {
  auto slash = header.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= header.size()) return;
  std::string used(header.substr(0, slash)), size(header.substr(slash + 1));
  if (used.find_first_not_of("0123456789") != std::string::npos ||
      size.find_first_not_of("0123456789") != std::string::npos || used.size() > 6 ||
      size.size() > 6) {
    return;
  }
  Leak(now);
  size_ = std::max(1.0, std::strtod(size.c_str(), nullptr));
  // The partner's count is the truth; never believe we have more room than it says.
  level_ = std::max(level_, std::strtod(used.c_str(), nullptr));
}

double CallLimitBucket::level(TimePoint now) {
  Leak(now);
  return level_;
}

}  // namespace crossdock
