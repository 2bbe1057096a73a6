// Small readers shared by the X12 transaction-set codecs (x12_warehouse, x12_trading): an error
// at a segment's element, whole quantities and CCYYMMDD dates. Internal to codecs.
#pragma once

#include <string>

#include "base/clock.h"
#include "codecs/x12.h"

namespace crossdock {

// A fault at `element` (1-based; 0 = the whole segment) of `s`.
X12Error At(const X12Segment& s, int element, std::string message);

// A whole, non-negative number of at most 12 digits.
bool ParseQuantity(const std::string& text, int64_t& out);

// "CCYYMMDD" (and "HHMM", optional) as a UTC time.
bool ParseDate(const std::string& date, const std::string& hhmm, TimePoint& out);

}  // namespace crossdock
