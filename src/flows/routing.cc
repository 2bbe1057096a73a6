#include "flows/routing.h"

namespace crossdock {

Result<std::string> Route(const Order& order, const RoutingPolicy& policy) {
  for (const auto& r : policy.rules) {
    if (!r.channel.empty() && r.channel != order.channel) continue;
    if (!r.ship_to_country.empty() && r.ship_to_country != order.ship_to.country) continue;
    std::string level = order.service_level.empty() ? "standard" : order.service_level;
    if (!r.service_level.empty() && r.service_level != level) continue;
    return r.node;
  }
  if (!policy.default_node.empty()) return policy.default_node;
  return NotFound("no routing rule matches channel '" + order.channel + "', country '" +
                  order.ship_to.country + "' and there is no default node");
}

}  // namespace crossdock
