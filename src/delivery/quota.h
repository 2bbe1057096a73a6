// Partner quotas, each a small pure class on an injected time:
//   TokenBucket      — N calls per period with a burst (e.g. 40 per minute)
//   ConcurrencyLimit — at most N calls in flight (per destination today; meant to be shared by
//                      every flow that calls one account once there are several)
//   CallLimitBucket  — a Shopify-style leaky bucket (size 40, leaking 2/s) kept in step with the
//                      partner's own "X-Shopify-Shop-Api-Call-Limit: used/size" answers
// None is thread-safe; the owner serialises calls. State can be saved and restored so a restart
// does not burst.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "base/clock.h"

namespace crossdock {

class TokenBucket {
 public:
  // `capacity` tokens at most; `per_second` tokens added per second.
  TokenBucket(double capacity, double per_second, TimePoint now);
  // Takes one token if available.
  bool TryTake(TimePoint now);
  // How long until one token is available (zero when one is).
  Duration WaitTime(TimePoint now);
  double tokens(TimePoint now);
  // Persisted form: tokens at a time.
  struct Saved {
    double tokens;
    TimePoint at;
  };
  Saved Save(TimePoint now);
  void Restore(const Saved& saved);

 private:
  void Refill(TimePoint now);
  double capacity_;
  double per_second_;
  double tokens_;
  TimePoint last_;
};

class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(int limit) : limit_(limit) {}
  bool TryAcquire() {
    if (in_flight_ >= limit_) return false;
    ++in_flight_;
    return true;
  }
  void Release() {
    if (in_flight_ > 0) --in_flight_;
  }
  int in_flight() const { return in_flight_; }
  int limit() const { return limit_; }

 private:
  int limit_;
  int in_flight_ = 0;
};

// The partner counts our calls in a bucket of `size` that leaks `leak_per_second`; a call into a
// full bucket is refused with 429. We mirror the bucket, call only when it has room, and
// resynchronise from every answer's header.
class CallLimitBucket {
 public:
  CallLimitBucket(double size, double leak_per_second, TimePoint now);
  bool TryTake(TimePoint now);
  Duration WaitTime(TimePoint now);
  // Reads "used/size" (e.g. "32/40"); ignores malformed values.
  void Observe(std::string_view header, TimePoint now);
  double level(TimePoint now);

 private:
  void Leak(TimePoint now);
  double size_;
  double leak_per_second_;
  double level_ = 0;
  TimePoint last_;
};

}  // namespace crossdock
