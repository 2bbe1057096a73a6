// W3C Trace Context (https://www.w3.org/TR/trace-context/): parse and format `traceparent`,
// make child spans. Value type; pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"

namespace crossdock {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero
  bool sampled = false;

  // "00-<trace_id>-<span_id>-<flags>"
  std::string ToTraceparent() const;
  // A new span in the same trace.
  TraceContext Child(Random& random) const;
  // A new trace root.
  static TraceContext NewRoot(Random& random);
};

// Parses a `traceparent` header. Returns nullopt when malformed (the caller then starts a new
// trace, as the spec requires). Accepts future versions per spec (first 55 chars).
std::optional<TraceContext> ParseTraceparent(std::string_view header);

}  // namespace crossdock
