// The canonical Shipment: a node's confirmation that goods left for an order, with its packages,
// carrier, tracking and the order lines (and quantities) it carried. Value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace crossdock {

struct ShippedLine {
  std::string line_id;  // the order line this quantity belongs to
  std::string sku;
  int64_t quantity = 0;
  friend bool operator==(const ShippedLine&, const ShippedLine&) = default;
};

struct Package {
  std::string sscc;             // GS1 SSCC-18, optional; check digit validated when present
  std::string tracking_number;  // per package, optional
  std::string weight_kg;        // decimal text, optional
  std::vector<ShippedLine> lines;
  friend bool operator==(const Package&, const Package&) = default;
};

struct Shipment {
  // Server-owned.
  std::string id;  // "shp_<ULID>"

  std::string order_id;          // Crossdock's order id
  std::string node;              // the shipping node, from the URL
  std::string partner_event_id;  // the node's event id: the deduplication key
  std::optional<TimePoint> shipped_at;
  std::string carrier;  // "UPS"
  std::string service;  // "Ground"
  std::string tracking_number;
  std::vector<Package> packages;
  friend bool operator==(const Shipment&, const Shipment&) = default;

  // Sum of quantities per order line over all packages, in first-seen order.
  std::vector<ShippedLine> ShippedLines() const;
};

}  // namespace crossdock
