// Routing: which Node fulfils an order. A RoutingPolicy is an ordered list of rules matched on
// channel, ship-to country and service level, with a default node. Pure; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "model/order.h"

namespace crossdock {

struct RoutingRule {
  // Empty matchers match anything.
  std::string channel;
  std::string ship_to_country;
  std::string service_level;
  std::string node;  // where matching orders go
};

struct RoutingPolicy {
  std::vector<RoutingRule> rules;  // first match wins
  std::string default_node;        // used when no rule matches; empty = no default
};

// The node for `order`, or NotFound naming why no rule applied.
Result<std::string> Route(const Order& order, const RoutingPolicy& policy);

}  // namespace crossdock
