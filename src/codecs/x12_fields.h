// Small readers shared by the X12 transaction-set codecs (x12_warehouse, x12_trading): an error
// at a segment's element, whole quantities and CCYYMMDD dates. Internal to codecs.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "codecs/x12.h"

namespace crossdock {

// A fault at `element` (1-based; 0 = the whole segment) of `s`.
X12Error At(const X12Segment& s, int element, std::string message);

// A whole, non-negative number of at most 12 digits.
bool ParseQuantity(const std::string& text, int64_t& out);

// "CCYYMMDD" (and "HHMM", optional) as a UTC time.
bool ParseDate(const std::string& date, const std::string& hhmm, TimePoint& out);

// The product qualifiers taken as a SKU, in order of preference: SK (our SKU), VN (the vendor's
// item number), VP, BP (buyer's part number), IN, UP (UPC).
inline const std::vector<std::string> kSkuQualifiers = {"SK", "VN", "VP", "BP", "IN", "UP"};

// The id of the first of `qualifiers` among a segment's qualifier/id pairs starting at element
// `first` (first, first+1; first+2, first+3; …); "" when none.
std::string ProductId(const X12Segment& s, size_t first,
                      const std::vector<std::string>& qualifiers);

}  // namespace crossdock
