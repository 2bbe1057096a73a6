#include "flows/stock_changes.h"

#include <algorithm>

namespace crossdock {

using Key = std::pair<std::string, std::string>;  // node, SKU

std::map<Key, int64_t> Reservations(const OrderAggregate& a) {
  std::map<Key, int64_t> out;
  const OrderFlowState& f = a.flow;
  if (f.cancelled_at || f.rejected_at) return out;
  for (const Allocation& alloc : f.allocations) {
    for (const OrderLine& l : a.order.lines) {
      if (!alloc.Ships(l.line_id)) continue;
      auto shipped = f.shipped.find(l.line_id);
      int64_t left = l.quantity - (shipped == f.shipped.end() ? 0 : shipped->second);
      if (left > 0) out[{alloc.node, l.sku}] += left;
    }
  }
  return out;
}

std::vector<StockChange> StockChanges(const std::optional<OrderAggregate>& before,
                                      const OrderAggregate& after, TimePoint at) {
  std::vector<StockChange> out;
  const std::string source = "order:" + after.order.id;
  // Units that shipped in this decision leave the node that ships their line.
  std::map<Key, int64_t> consumed;
  for (const OrderLine& l : after.order.lines) {
    auto now = after.flow.shipped.find(l.line_id);
    if (now == after.flow.shipped.end()) continue;
    int64_t was = 0;
    if (before) {
      auto it = before->flow.shipped.find(l.line_id);
      if (it != before->flow.shipped.end()) was = it->second;
    }
    if (now->second <= was) continue;
    for (const Allocation& alloc : after.flow.allocations) {
      if (!alloc.Ships(l.line_id)) continue;
      consumed[{alloc.node, l.sku}] += now->second - was;
      break;
    }
  }
  // Shipped units this order had reserved are consumed; any beyond (a shipment after a
  // cancellation) left unreserved and must not eat other orders' reservations.
  std::map<Key, int64_t> was = before ? Reservations(*before) : std::map<Key, int64_t>{};
  for (const auto& [key, qty] : consumed) {
    auto r = was.find(key);
    int64_t from_reserved = std::min(qty, r == was.end() ? int64_t{0} : r->second);
    if (from_reserved > 0) {
      out.push_back(
          {key.second, key.first, StockChange::Kind::kConsume, from_reserved, at, source});
    }
    if (qty > from_reserved) {
      out.push_back(
          {key.second, key.first, StockChange::Kind::kShip, qty - from_reserved, at, source});
    }
  }
  // The rest of the difference in reservations is reserved or released.
  std::map<Key, int64_t> is = Reservations(after);
  std::map<Key, int64_t> delta;
  for (const auto& [key, qty] : is) delta[key] += qty;
  for (const auto& [key, qty] : was) {
    auto c = consumed.find(key);
    delta[key] -= std::max<int64_t>(0, qty - (c == consumed.end() ? 0 : c->second));
  }
  for (const auto& [key, qty] : delta) {
    if (qty == 0) continue;
    out.push_back({key.second, key.first,
                   qty > 0 ? StockChange::Kind::kReserve : StockChange::Kind::kRelease,
                   qty > 0 ? qty : -qty, at, source});
  }
  return out;
}

}  // namespace crossdock
