#include "base/trace.h"

#include "base/crypto.h"

namespace crossdock {

namespace {
bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
bool AllZero(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}
// W3C trace and span ids must not be all zero.
std::string NonZeroRandomHex(Random& r, size_t bytes) {
  std::string hex = RandomHex(r, bytes);
  if (AllZero(hex)) hex.back() = '1';
  return hex;
}
}  // namespace

std::string TraceContext::ToTraceparent() const {
  return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00");
}

TraceContext TraceContext::Child(Random& random) const {
  return TraceContext{trace_id, NonZeroRandomHex(random, 8), sampled};
}

TraceContext TraceContext::NewRoot(Random& random) {
  return TraceContext{NonZeroRandomHex(random, 16), NonZeroRandomHex(random, 8), false};
}

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
  if (h.size() < 55) return std::nullopt;
  std::string_view version = h.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00" && h.size() != 55) return std::nullopt;
  if (h.size() > 55 && h[55] != '-') return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view trace_id = h.substr(3, 32);
  std::string_view span_id = h.substr(36, 16);
  std::string_view flags = h.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) return std::nullopt;
  if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
  int f = std::stoi(std::string(flags), nullptr, 16);
  return TraceContext{std::string(trace_id), std::string(span_id), (f & 1) != 0};
}

}  // namespace crossdock
