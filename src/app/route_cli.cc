#include "app/route_cli.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "app/input_file.h"
#include "base/json.h"
#include "flows/order_state.h"
#include "flows/routing.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {

namespace {

struct Row {
  std::string order_id, channel, external_ref, status, was, would, why;
  std::vector<std::string> was_nodes, would_nodes;  // every node of a split
  bool routable = true;
};

// Where a stored order was routed, in DescribeParts' form ("" before allocation).
std::vector<RoutePart> Parts(const OrderFlowState& f) {
  std::vector<RoutePart> parts;
  for (const auto& a : f.allocations) parts.push_back({a.node, a.lines});
  return parts;
}

// The routing policy of `path`: its `routing:` section, with node costs and priorities from its
// `nodes:` section when it has one, else from the running configuration.
Result<RoutingPolicy> LoadPolicy(const std::string& path, const Config& current) {
  auto text = ReadCommandInput(path, "route");
  if (!text) return InvalidArgument("the policy file is unreadable");
  auto parsed = ParseConfig(*text, std::filesystem::path(path).parent_path().string());
  if (!parsed.ok()) return parsed.status();
  RoutingPolicy p = parsed->routing;
  if (parsed->nodes.empty()) p.preferences = current.routing.preferences;
  // Each channel's stock policy, as live allocation applies it: the file's channels[], else
  // the running configuration's.
  p.channels = OrderPolicyOf(parsed->channels.empty() ? current : *parsed).routing.channels;
  std::set<std::string> nodes;
  for (const auto& n : current.nodes) nodes.insert(n.id);
  for (const auto& n : parsed->nodes) nodes.insert(n.id);
  std::string unknown;
  auto check = [&](const std::string& n) {
    if (!n.empty() && !nodes.count(n)) unknown += (unknown.empty() ? "" : ", ") + n;
  };
  check(p.default_node);
  for (const auto& r : p.rules) {
    check(r.node);
    for (const auto& n : r.nodes) check(n);
  }
  if (!unknown.empty()) return InvalidArgument(path + ": routing names unknown nodes: " + unknown);
  return p;
}

}  // namespace

int RunRouteCommand(const RouteCommand& cmd, const Config& current) {
  if (!cmd.dry_run) {
    std::cerr << "crossdock route: only --dry-run is supported (routing changes take effect "
                 "through the configuration)\n";
    return 2;
  }
  auto policy = LoadPolicy(cmd.policy, current);
  if (!policy.ok()) {
    std::cerr << "crossdock route: " << policy.status().message() << "\n";
    return 2;
  }
  SqliteStoreOptions so;
  so.path = StorePathOf(current);
  if (!std::filesystem::exists(so.path)) {
    std::cerr << "crossdock route: no store at " << so.path << "\n";
    return 2;
  }
  auto store = SqliteStore::Open(so);
  if (!store.ok()) {
    std::cerr << "crossdock route: " << store.status().message() << "\n";
    return 2;
  }
  std::vector<Row> rows;
  std::map<std::string, std::map<std::string, int64_t>> stock_cache;  // sku → node → on hand
  OrderQuery q;
  q.limit = 500;
  while (true) {
    auto page = (*store)->ListOrders(q);
    if (!page.ok()) {
      std::cerr << "crossdock route: " << page.status().message() << "\n";
      return 2;
    }
    for (const auto& rec : *page) {
      const Order& o = rec.order;
      Row row{o.id, o.channel, o.external_ref,
              std::string(OrderStatusName(o.status.value_or(OrderStatus::kReceived)))};
      auto flow = DecodeFlowState(rec.flow_state);
      if (flow.ok() && !flow->allocations.empty()) {
        row.was = DescribeParts(Parts(*flow));
        for (const auto& a : flow->allocations) row.was_nodes.push_back(a.node);
      }
      RoutingFacts facts;
      if (policy->require_stock) {
        for (const auto& l : o.lines) {
          auto it = stock_cache.find(l.sku);
          if (it == stock_cache.end()) {
            auto levels = (*store)->GetInventory(l.sku);
            auto& by_node = stock_cache[l.sku];
            if (levels.ok()) {
              for (const auto& lv : *levels) by_node[lv.node] = lv.on_hand;
            }
            it = stock_cache.find(l.sku);
          }
          for (const auto& [node, qty] : it->second) facts.on_hand[node][l.sku] = qty;
        }
      }
      auto choice = Route(o, *policy, facts);
      if (choice.ok()) {
        row.would = DescribeParts(choice->parts);
        for (const auto& part : choice->parts) row.would_nodes.push_back(part.node);
        row.why = choice->why;
      } else {
        row.routable = false;
        row.why = choice.status().message();
      }
      rows.push_back(std::move(row));
    }
    if (static_cast<int>(page->size()) < q.limit) break;
    q.after_id = page->back().order.id;
  }
  int changed = 0, unroutable = 0;
  std::map<std::string, std::pair<int, int>> per_node;  // node → (was, would)
  for (const auto& r : rows) {
    if (!r.routable) ++unroutable;
    if (r.routable && r.would != r.was) ++changed;
    for (const auto& n : r.was_nodes) ++per_node[n].first;
    for (const auto& n : r.would_nodes) ++per_node[n].second;
  }
  if (cmd.json) {
    JsonWriter w;
    w.StartObject().Field("policy", cmd.policy);
    w.Field("orders", static_cast<int64_t>(rows.size())).Field("changed", changed);
    w.Field("unroutable", unroutable).Key("nodes").StartObject();
    for (const auto& [node, counts] : per_node) {
      w.Key(node).StartObject().Field("was", counts.first).Field("would", counts.second);
      w.EndObject();
    }
    w.EndObject().Key("items").StartArray();
    for (const auto& r : rows) {
      bool differs = !r.routable || r.would != r.was;
      if (!differs && !cmd.all) continue;
      w.StartObject().Field("order_id", r.order_id).Field("channel", r.channel);
      w.Field("external_ref", r.external_ref).Field("status", r.status);
      w.Field("was", r.was);
      if (r.routable) w.Field("would", r.would);
      w.Field("routable", r.routable).Field("why", r.why).EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
    return 0;
  }
  std::cout << rows.size() << " stored orders replayed against " << cmd.policy << ": " << changed
            << " would route differently, " << unroutable << " could not be routed\n";
  for (const auto& r : rows) {
    bool differs = !r.routable || r.would != r.was;
    if (!differs && !cmd.all) continue;
    std::cout << "  " << r.order_id << " " << r.channel << "/" << r.external_ref << " (" << r.status
              << "): " << (r.was.empty() ? "-" : r.was) << " -> "
              << (r.routable ? r.would : "no node") << "  [" << r.why << "]\n";
  }
  std::cout << "per node (now -> with the new policy):\n";
  for (const auto& [node, counts] : per_node) {
    std::cout << "  " << node << ": " << counts.first << " -> " << counts.second << "\n";
  }
  return 0;
}

}  // namespace crossdock
