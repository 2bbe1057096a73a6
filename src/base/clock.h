// Clock: the only way domain code learns the time. SystemClock reads the OS; ManualClock is
// set by tests and simulations. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, UTC.
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance for composition roots.
  static SystemClock& Instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : micros_(ToMicros(start)) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void Advance(Duration d) { micros_ += d.count(); }
  void Set(TimePoint t) { micros_ = ToMicros(t); }

 private:
  static int64_t ToMicros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> micros_;
};

int64_t ToUnixMicros(TimePoint t);
TimePoint FromUnixMicros(int64_t micros);
// RFC 3339 UTC with millisecond precision: 2026-11-28T00:24:03.123Z
std::string FormatRfc3339(TimePoint t);
// Accepts RFC 3339 with 'Z' or a numeric offset, optional fraction.
Result<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace crossdock
