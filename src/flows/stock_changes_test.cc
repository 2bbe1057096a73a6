#include "flows/stock_changes.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

const TimePoint kT = FromUnixMicros(1'795'000'000'000'000);
using K = StockChange::Kind;

OrderAggregate TwoLines() {
  OrderAggregate a;
  a.order.id = "ord_1";
  a.order.lines = {{"L1", "RED", "", 3, {}, {}, {}}, {"L2", "BLUE", "", 2, {}, {}, {}}};
  return a;
}

std::vector<std::tuple<K, std::string, std::string, int64_t>> Brief(
    const std::vector<StockChange>& changes) {
  std::vector<std::tuple<K, std::string, std::string, int64_t>> out;
  for (const auto& c : changes) out.emplace_back(c.kind, c.node, c.sku, c.quantity);
  return out;
}

TEST(StockChangesTest, AllocationReservesShipmentsConsumeCancellationReleases) {
  OrderAggregate received = TwoLines();
  OrderAggregate allocated = received;
  allocated.flow.allocations = {Allocation{"east", {}, "", kT}};
  auto reserve = StockChanges(received, allocated, kT);
  EXPECT_EQ(Brief(reserve), (decltype(Brief(reserve)){{K::kReserve, "east", "BLUE", 2},
                                                      {K::kReserve, "east", "RED", 3}}));
  EXPECT_EQ(reserve[0].source, "order:ord_1");
  OrderAggregate part = allocated;
  part.flow.shipped = {{"L1", 2}};
  EXPECT_EQ(Brief(StockChanges(allocated, part, kT)),
            (decltype(Brief(reserve)){{K::kConsume, "east", "RED", 2}}));
  OrderAggregate cancelled = allocated;
  cancelled.flow.cancelled_at = kT;
  EXPECT_EQ(Brief(StockChanges(allocated, cancelled, kT)),
            (decltype(Brief(reserve)){{K::kRelease, "east", "BLUE", 2},
                                      {K::kRelease, "east", "RED", 3}}));
  // Shipped after the cancellation: the units left, but no reservation of this order was
  // left to consume, so other orders' reservations stay whole.
  OrderAggregate raced = cancelled;
  raced.flow.shipped = {{"L1", 3}};
  EXPECT_EQ(Brief(StockChanges(cancelled, raced, kT)),
            (decltype(Brief(reserve)){{K::kShip, "east", "RED", 3}}));
}

TEST(StockChangesTest, ASplitReservesPerNodeAndAReRouteMovesTheReservation) {
  OrderAggregate received = TwoLines();
  OrderAggregate split = received;
  split.flow.allocations = {Allocation{"east", {"L1"}, "", kT}, Allocation{"west", {"L2"}, "", kT}};
  auto c = StockChanges(received, split, kT);
  EXPECT_EQ(Brief(c), (decltype(Brief(c)){{K::kReserve, "east", "RED", 3},
                                          {K::kReserve, "west", "BLUE", 2}}));
  OrderAggregate moved = split;
  moved.flow.allocations[1].node = "north";
  EXPECT_EQ(
      Brief(StockChanges(split, moved, kT)),
      (decltype(Brief(c)){{K::kReserve, "north", "BLUE", 2}, {K::kRelease, "west", "BLUE", 2}}));
  EXPECT_TRUE(StockChanges(split, split, kT).empty());  // nothing changed, nothing written
}

}  // namespace
}  // namespace crossdock
