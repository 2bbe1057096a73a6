// RetryPolicy: when to try a partner call again. Exponential backoff with full jitter
// (AWS architecture blog), capped per attempt, bounded by attempts and by age. Outcome classes
// follow docs/reliability.md: 2xx success; 408, 425, 429, 5xx and transport errors transient; other
// 4xx permanent. Pure value type; the caller supplies randomness.
#pragma once

#include <chrono>
#include <optional>

#include "base/clock.h"
#include "base/random.h"

namespace crossdock {

enum class CallOutcome {
  kSuccess,    // the partner took it
  kTransient,  // try again later
  kPermanent,  // retrying cannot help: dead-letter now
};

// Classifies an HTTP status (0 = no response: connection refused, reset, timeout).
CallOutcome ClassifyHttpStatus(int status);

struct RetryPolicy {
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
  double multiplier = 2.0;
  int max_attempts = 12;
  std::chrono::seconds max_age{24 * 3600};

  // Delay before attempt number `attempts + 1`, given `attempts` failed so far (>= 1):
  // uniform in [0, min(max_backoff, initial × multiplier^(attempts-1))], never below
  // `retry_after` when the partner sent one.
  Duration NextDelay(int attempts, Random& random,
                     std::optional<Duration> retry_after = std::nullopt) const;
  // True when another attempt is allowed after `attempts` failures for an item created at
  // `created_at`.
  bool ShouldRetry(int attempts, TimePoint created_at, TimePoint now) const;
};

// Parses Retry-After as delta-seconds (the HTTP-date form is treated as absent). Pure.
std::optional<Duration> ParseRetryAfter(std::string_view value);

}  // namespace crossdock
