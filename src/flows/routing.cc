#include "flows/routing.h"

#include <algorithm>

namespace crossdock {

namespace {

std::string Describe(const RoutingRule& r, size_t index) {
  std::string m;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) m += std::string(m.empty() ? "" : ", ") + k + "=" + v;
  };
  add("channel", r.channel);
  add("country", r.ship_to_country);
  add("region", r.ship_to_region);
  add("service_level", r.service_level);
  return "rule " + std::to_string(index + 1) + " (" + (m.empty() ? "any order" : m) + ")";
}

// Why `node` cannot take `order` with these facts, or "" if it can.
std::string Obstacle(const Order& order, const std::string& node, const RoutingPolicy& p,
                     const RoutingFacts& facts, bool& stock, bool check_health) {
  if (check_health && p.skip_unhealthy && facts.unhealthy.count(node)) {
    return node + ": circuit open";
  }
  if (!p.require_stock) return "";
  auto it = facts.on_hand.find(node);
  std::map<std::string, int64_t> need;
  for (const auto& l : order.lines) need[l.sku] += l.quantity;
  for (const auto& [sku, qty] : need) {
    int64_t have = 0;
    if (it != facts.on_hand.end()) {
      auto s = it->second.find(sku);
      if (s != it->second.end()) have = s->second;
    }
    if (have < qty) {
      stock = true;
      return node + ": " + std::to_string(have) + " of " + sku + " on hand, " +
             std::to_string(qty) + " needed";
    }
  }
  return "";
}

std::string Join(const std::vector<std::string>& items, const char* sep = "; ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// Lines spread over the healthy candidates in rank order, each candidate taking every
// remaining line it has stock for; empty when some line finds no node.
std::vector<RoutePart> Split(const Order& order, const std::vector<std::string>& candidates,
                             const RoutingPolicy& p, const RoutingFacts& facts) {
  std::vector<RoutePart> parts;
  std::vector<const OrderLine*> left;
  for (const auto& l : order.lines) left.push_back(&l);
  for (const auto& node : candidates) {
    if (left.empty()) break;
    if (p.skip_unhealthy && facts.unhealthy.count(node)) continue;
    auto it = facts.on_hand.find(node);
    if (it == facts.on_hand.end()) continue;
    std::map<std::string, int64_t> stock = it->second;  // what this node still has
    RoutePart part{node, {}};
    std::vector<const OrderLine*> rest;
    for (const OrderLine* l : left) {
      int64_t& have = stock[l->sku];
      if (have >= l->quantity) {
        have -= l->quantity;
        part.lines.push_back(l->line_id);
      } else {
        rest.push_back(l);
      }
    }
    if (!part.lines.empty()) parts.push_back(std::move(part));
    left = std::move(rest);
  }
  if (!left.empty()) return {};
  return parts;
}

// Why the channel's available to promise cannot cover `order`, or "" when it can (or the
// channel has no stock policy). Sets `stock` when it cannot.
std::string ChannelShortage(const Order& order, const RoutingPolicy& p, const RoutingFacts& facts,
                            bool& stock) {
  auto policy = p.channels.find(order.channel);
  if (!p.require_stock || policy == p.channels.end()) return "";
  const ChannelStock& cs = policy->second;
  std::map<std::string, int64_t> need;
  for (const auto& l : order.lines) need[l.sku] += l.quantity;
  for (const auto& [sku, qty] : need) {
    int64_t sum = 0;
    for (const auto& [node, skus] : facts.on_hand) {
      if (!cs.nodes.empty() && std::find(cs.nodes.begin(), cs.nodes.end(), node) == cs.nodes.end())
        continue;
      auto s = skus.find(sku);
      if (s != skus.end()) sum += std::max<int64_t>(0, s->second);
    }
    int64_t atp = std::max<int64_t>(0, sum - cs.safety_stock);
    if (atp < qty) {
      stock = true;
      return "channel " + order.channel + " may promise " + std::to_string(atp) + " of " + sku +
             " (safety stock " + std::to_string(cs.safety_stock) + "), " + std::to_string(qty) +
             " needed";
    }
  }
  return "";
}

}  // namespace

bool BackorderAllowed(const RoutingPolicy& policy, const std::string& channel) {
  auto it = policy.channels.find(channel);
  if (it != policy.channels.end() && it->second.backorder) return *it->second.backorder;
  return policy.backorder;
}

std::string DescribeParts(const std::vector<RoutePart>& parts) {
  if (parts.size() == 1 && parts[0].lines.empty()) return parts[0].node;
  std::vector<std::string> names;
  for (const auto& p : parts) names.push_back(p.node + "[" + Join(p.lines, ",") + "]");
  return Join(names, "+");
}

Result<RouteChoice> Route(const Order& order, const RoutingPolicy& policy,
                          const RoutingFacts& facts, bool* stock_short) {
  std::vector<std::string> candidates;
  std::string why;
  std::string level = order.service_level.empty() ? "standard" : order.service_level;
  for (size_t i = 0; i < policy.rules.size() && candidates.empty(); ++i) {
    const RoutingRule& r = policy.rules[i];
    if (!r.channel.empty() && r.channel != order.channel) continue;
    if (!r.ship_to_country.empty() && r.ship_to_country != order.ship_to.country) continue;
    if (!r.ship_to_region.empty() && r.ship_to_region != order.ship_to.region) continue;
    if (!r.service_level.empty() && r.service_level != level) continue;
    candidates = r.nodes;
    if (!r.node.empty()) candidates.insert(candidates.begin(), r.node);
    why = Describe(r, i);
  }
  if (candidates.empty()) {
    if (policy.default_node.empty()) {
      return NotFound("no routing rule matches channel '" + order.channel + "', country '" +
                      order.ship_to.country + "' and there is no default node");
    }
    candidates = {policy.default_node};
    why = "default node";
  }
  // A node named twice (node and nodes, say) is one candidate: it must not take two shares.
  std::vector<std::string> unique;
  for (const auto& c : candidates) {
    if (std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(c);
  }
  candidates = std::move(unique);
  std::vector<std::string> skipped;
  // A channel with a stock policy sells from its own nodes only, and no more than it may
  // promise.
  if (auto cs = policy.channels.find(order.channel);
      policy.require_stock && cs != policy.channels.end() && !cs->second.nodes.empty()) {
    const auto& own = cs->second.nodes;
    std::vector<std::string> kept;
    for (const auto& c : candidates) {
      if (std::find(own.begin(), own.end(), c) != own.end()) {
        kept.push_back(c);
      } else {
        skipped.push_back(c + ": does not sell to channel " + order.channel);
      }
    }
    candidates = std::move(kept);
  }
  bool stock = false, other = false;
  // No node of the rule sells to the channel: no stock would help (never a backorder).
  if (candidates.empty()) {
    return NotFound("no candidate of " + why + " can take the order: " + Join(skipped));
  }
  if (std::string shortage = ChannelShortage(order, policy, facts, stock); !shortage.empty()) {
    if (stock_short) *stock_short = true;
    return NotFound("no candidate of " + why + " can take the order: " + shortage);
  }
  std::stable_sort(
      candidates.begin(), candidates.end(), [&](const std::string& a, const std::string& b) {
        auto pa = policy.preferences.find(a), pb = policy.preferences.find(b);
        NodePreference na = pa == policy.preferences.end() ? NodePreference{} : pa->second;
        NodePreference nb = pb == policy.preferences.end() ? NodePreference{} : pb->second;
        if (na.priority != nb.priority) return na.priority < nb.priority;
        return na.cost < nb.cost;
      });
  for (const auto& node : candidates) {
    bool short_of_stock = false;
    std::string obstacle = Obstacle(order, node, policy, facts, short_of_stock, true);
    if (obstacle.empty()) {
      std::string full = why;
      if (!skipped.empty()) full += "; skipped " + Join(skipped);
      return RouteChoice{node, {{node, {}}}, full};
    }
    (short_of_stock ? stock : other) = true;
    skipped.push_back(obstacle);
  }
  // No healthy node has every line: spread the lines when the policy allows it.
  if (policy.require_stock && policy.allow_split && stock) {
    std::vector<RoutePart> parts = Split(order, candidates, policy, facts);
    if (!parts.empty()) {
      return RouteChoice{"", parts,
                         why + "; split " + DescribeParts(parts) + "; skipped " + Join(skipped)};
    }
    skipped.push_back("no split covers every line");
  }
  // Every candidate that could take it is unhealthy: keep the best of them rather than refuse
  // the order. Its command waits in the outbox until the node's circuit closes.
  for (const auto& node : candidates) {
    bool short_of_stock = false;
    if (Obstacle(order, node, policy, facts, short_of_stock, false).empty()) {
      return RouteChoice{
          node, {{node, {}}}, why + "; every candidate's circuit is open, kept " + node};
    }
  }
  if (stock_short) *stock_short = stock && !other;
  return NotFound("no candidate of " + why + " can take the order: " + Join(skipped));
}

}  // namespace crossdock
