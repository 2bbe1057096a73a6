#include "delivery/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace crossdock {

CallOutcome ClassifyHttpStatus(int status) {
  if (status >= 200 && status < 300) return CallOutcome::kSuccess;
  if (status == 0 || status == 408 || status == 425 || status == 429 || status >= 500) {
    return CallOutcome::kTransient;
  }
  return CallOutcome::kPermanent;
}

Duration RetryPolicy::NextDelay(int attempts, Random& random,
                                std::optional<Duration> retry_after) const {
  double base_ms = static_cast<double>(initial_backoff.count()) *
                   std::pow(multiplier, std::max(0, attempts - 1));
  double cap_ms = std::min(base_ms, static_cast<double>(max_backoff.count()));
  auto cap_us = static_cast<uint64_t>(cap_ms * 1000.0);
  Duration d(static_cast<int64_t>(cap_us == 0 ? 0 : random.Uniform(cap_us + 1)));
  if (retry_after && *retry_after > d) d = *retry_after;
  return d;
}

bool RetryPolicy::ShouldRetry(int attempts, TimePoint created_at, TimePoint now) const {
  return attempts < max_attempts && now - created_at < max_age;
}

std::optional<Duration> ParseRetryAfter(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int64_t secs = 0;
  for (char c : v) secs = secs * 10 + (c - '0');
  return std::chrono::seconds(secs);
}

}  // namespace crossdock
