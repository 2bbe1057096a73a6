// The minimal master data needed now: fulfillment Nodes and Products. Value types.
#pragma once

#include <string>

#include "model/order.h"

namespace crossdock {

enum class NodeKind { kWarehouse, kThirdPartyLogistics };

// A place that ships goods: an own warehouse or a 3PL location.
struct Node {
  std::string id;  // "tpl-east"; matches [a-z0-9-]{1,64}
  std::string name;
  NodeKind kind = NodeKind::kThirdPartyLogistics;
  Address address;
};

struct Product {
  std::string sku;
  std::string gtin;  // GTIN-14 (shorter GTINs are zero-padded on input); optional
  std::string description;
};

}  // namespace crossdock
