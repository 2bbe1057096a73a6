// Routing: which Node fulfils an order. A RoutingPolicy is an ordered list of rules matched on
// channel, ship-to country and region and service level; the first rule that matches names
// the candidate nodes (else the default node). Candidates are ranked by the nodes' priority,
// then cost, then the order the rule lists them; a node whose circuit is open is skipped
// (skip_unhealthy), and so is one without stock for every line (require_stock). When no
// single candidate has every line in stock and the policy allows splits, the lines are spread
// over the candidates in rank order (each line whole to one node). Pure; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "model/order.h"

namespace crossdock {

struct RoutingRule {
  // Empty matchers match anything.
  std::string channel;
  std::string ship_to_country;
  std::string service_level;
  std::string node;  // where matching orders go (one node) …
  std::string ship_to_region;
  std::vector<std::string> nodes;  // … or several candidates, ranked as the header says
};

// How a node ranks among candidates: lower priority first, then lower cost per order.
struct NodePreference {
  int priority = 0;
  Decimal cost;
};

// A sales channel's stock policy (`channels[]` in the configuration). With require_stock an
// order of the channel is allocated only at the channel's nodes, and only while the channel's
// available to promise of every SKU — the sum of those nodes' available, less the safety
// stock — covers the order's quantity of it (flows/availability.h computes the same figure for
// the availability API and the feeds). `backorder` overrides the routing policy's for the
// channel. Buffers are publication-only (ChannelFeed::buffer_percent): they hold back
// figures sent to the channel, not orders the channel has already taken.
struct ChannelStock {
  std::vector<std::string> nodes;  // empty = every node
  int64_t safety_stock = 0;
  std::optional<bool> backorder;  // unset = RoutingPolicy::backorder
  friend bool operator==(const ChannelStock&, const ChannelStock&) = default;
};

struct RoutingPolicy {
  std::vector<RoutingRule> rules;  // first match wins
  std::string default_node;        // used when no rule matches; empty = no default
  bool require_stock = false;      // only nodes that reported stock for every line
  bool skip_unhealthy = true;      // skip nodes whose circuit breaker is open
  // With require_stock: when no candidate has stock the order waits (backordered) and is routed
  // again when stock is reported; otherwise it becomes an exception.
  bool backorder = false;
  // With require_stock: when no candidate has every line, split the order by line over the
  // candidates (in rank order, each taking every remaining line it has stock for). A split is
  // made only when every line finds a node; otherwise the order waits or is an exception.
  bool allow_split = false;
  std::map<std::string, NodePreference> preferences;  // node id → preference
  std::map<std::string, ChannelStock> channels;       // channel → its stock policy
};

// Whether an order of `channel` may wait for stock: the channel's own flag, else the policy's.
bool BackorderAllowed(const RoutingPolicy& policy, const std::string& channel);

// What the runner knows when it routes: stock per node and which nodes are unhealthy.
struct RoutingFacts {
  std::map<std::string, std::map<std::string, int64_t>> on_hand;  // node → SKU → on hand
  std::set<std::string> unhealthy;
  bool empty() const { return on_hand.empty() && unhealthy.empty(); }
  friend bool operator==(const RoutingFacts&, const RoutingFacts&) = default;
};

// One node's share of an order: the line ids it ships (empty = every line).
struct RoutePart {
  std::string node;
  std::vector<std::string> lines;
  friend bool operator==(const RoutePart&, const RoutePart&) = default;
};

struct RouteChoice {
  std::string node;              // the node, when one takes the whole order; empty for a split
  std::vector<RoutePart> parts;  // every node's share (one part with no lines when unsplit)
  std::string why;               // "rule 2 (country=CA)", "default node", skipped candidates
};

// "tpl-east", or for a split "tpl-east[1,2]+tpl-west[3]" (line ids in brackets).
std::string DescribeParts(const std::vector<RoutePart>& parts);

// The node for `order`. NotFound names why no node can take it; `stock_short` (optional) is
// set when the only obstacle was stock (the order may wait for it).
Result<RouteChoice> Route(const Order& order, const RoutingPolicy& policy,
                          const RoutingFacts& facts = {}, bool* stock_short = nullptr);

}  // namespace crossdock
