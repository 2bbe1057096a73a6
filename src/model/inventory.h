// A node's count of one SKU at a time: what 3PL inventory reports (JSON, CSV snapshots, X12
// 846) become. Value type.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"

namespace crossdock {

struct InventoryCount {
  std::string sku;
  std::string node;  // may be empty when the report's node is known from elsewhere (the URL)
  int64_t on_hand = 0;
  TimePoint as_of;
  friend bool operator==(const InventoryCount&, const InventoryCount&) = default;
};

}  // namespace crossdock
