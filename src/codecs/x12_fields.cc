#include "codecs/x12_fields.h"

#include <cstdlib>

namespace crossdock {

X12Error At(const X12Segment& s, int element, std::string message) {
  X12Error e;
  e.kind = X12Error::Kind::kSyntax;
  e.segment = s.position;
  e.element = element;
  e.offset = s.offset;
  e.segment_id = s.id;
  e.message = std::move(message);
  return e;
}

bool ParseQuantity(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

bool ParseDate(const std::string& date, const std::string& hhmm, TimePoint& out) {
  auto digits = [](const std::string& v, size_t n) {
    return v.size() == n && v.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(date, 8) || !(hhmm.empty() || digits(hhmm, 4))) return false;
  std::string text = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2) + "T" +
                     (hhmm.empty() ? "00:00" : hhmm.substr(0, 2) + ":" + hhmm.substr(2, 2)) +
                     ":00Z";
  auto t = ParseRfc3339(text);
  if (!t.ok()) return false;
  out = *t;
  return true;
}

std::string ProductId(const X12Segment& s, size_t first,
                      const std::vector<std::string>& qualifiers) {
  for (const auto& q : qualifiers) {
    for (size_t e = first; e + 1 <= s.elements.size(); e += 2) {
      if (s.Element(e) == q && !s.Element(e + 1).empty()) return s.Element(e + 1);
    }
  }
  return "";
}

}  // namespace crossdock
