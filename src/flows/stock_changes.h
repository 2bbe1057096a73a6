// What an order's decisions do to the stock ledger (store/records.h StockChange): an allocated,
// unshipped line reserves its units at its node; a shipment consumes them there; a
// cancellation, rejection or re-route releases them. Pure: derived from the flow state before
// and after a decision, so the decider, its events and the replay corpus stay as they are.
#pragma once

#include <optional>
#include <vector>

#include "flows/order_decider.h"
#include "store/records.h"

namespace crossdock {

// (node, SKU) → units reserved by this order as `a` stands.
std::map<std::pair<std::string, std::string>, int64_t> Reservations(const OrderAggregate& a);

// The ledger changes that take the order from `before` (empty for a new order) to `after`,
// dated `at`, with source "order:<id>": consumptions first, then reservations and releases.
std::vector<StockChange> StockChanges(const std::optional<OrderAggregate>& before,
                                      const OrderAggregate& after, TimePoint at);

}  // namespace crossdock
