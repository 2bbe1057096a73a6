#include "flows/order_decider.h"

#include <gtest/gtest.h>

#include "flows/history_codec.h"
#include "model/order_generator.h"

namespace crossdock {
namespace {

const OrderPolicy kPolicy{RoutingPolicy{{}, "tpl-east"}, {}};
const TimePoint kT0 = FromUnixMicros(1'790'000'000'000'000);

Order NewOrder() {
  Order o = OrderGenerator(11, "web", "D").Next();
  o.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  o.partner = "shop";
  return o;
}

OrderAggregate Submitted() {
  auto r = Decide(std::nullopt, SubmitOrder{NewOrder()}, kT0, kPolicy);
  return std::get<Decision>(r).next;
}

Shipment ShipAll(const Order& o, const std::string& event_id) {
  Shipment s;
  s.order_id = o.id;
  s.node = "tpl-east";
  s.partner_event_id = event_id;
  Package p;
  for (const auto& l : o.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
  s.packages.push_back(p);
  return s;
}

TEST(OrderDeciderTest, SubmitAllocatesAndQueuesOneDispatch) {
  auto r = Decide(std::nullopt, SubmitOrder{NewOrder()}, kT0, kPolicy);
  ASSERT_TRUE(std::holds_alternative<Decision>(r));
  const Decision& d = std::get<Decision>(r);
  EXPECT_EQ(d.next.order.status, OrderStatus::kAllocated);
  ASSERT_EQ(d.next.flow.allocations.size(), 1u);
  EXPECT_EQ(d.next.flow.allocations[0].node, "tpl-east");
  EXPECT_TRUE(d.next.flow.allocations[0].lines.empty());  // the whole order
  EXPECT_EQ(d.next.order.created_at, kT0);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].type, "order.received");
  EXPECT_EQ(d.events[1].type, "order.allocated");
  ASSERT_EQ(d.commands.size(), 1u);
  EXPECT_EQ(d.commands[0].destination, "node:tpl-east");
  EXPECT_EQ(d.commands[0].type, "node.dispatch");
  EXPECT_EQ(d.commands[0].idempotency_key, "dispatch-ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF-tpl-east");
}

TEST(OrderDeciderTest, DecisionsAreDeterministic) {
  auto a = Decide(std::nullopt, SubmitOrder{NewOrder()}, kT0, kPolicy);
  auto b = Decide(std::nullopt, SubmitOrder{NewOrder()}, kT0, kPolicy);
  EXPECT_EQ(std::get<Decision>(a).events, std::get<Decision>(b).events);
  EXPECT_EQ(std::get<Decision>(a).commands, std::get<Decision>(b).commands);
}

TEST(OrderDeciderTest, UnroutableOrderIsRejectedWithPointer) {
  auto r = Decide(std::nullopt, SubmitOrder{NewOrder()}, kT0, OrderPolicy{});
  ASSERT_TRUE(std::holds_alternative<Rejection>(r));
  EXPECT_EQ(std::get<Rejection>(r).errors.at(0).pointer, "/ship_to/country");
}

TEST(OrderDeciderTest, AckDispatchesOnceAndDuplicateAckIsANoOp) {
  OrderAggregate cur = Submitted();
  auto r =
      Decide(cur, DispatchAcknowledged{"tpl-east", "WH-1"}, kT0 + std::chrono::seconds(1), kPolicy);
  Decision d = std::get<Decision>(r);
  EXPECT_EQ(d.next.order.status, OrderStatus::kDispatched);
  EXPECT_EQ(d.next.flow.allocations[0].node_ref, "WH-1");
  ASSERT_EQ(d.events.size(), 1u);
  auto again = Decide(d.next, DispatchAcknowledged{"tpl-east", "WH-1"}, kT0, kPolicy);
  EXPECT_TRUE(std::get<Decision>(again).events.empty());
  auto wrong = Decide(cur, DispatchAcknowledged{"tpl-west", "X"}, kT0, kPolicy);
  EXPECT_EQ(std::get<Rejection>(wrong).status.code(), StatusCode::kConflict);
}

TEST(OrderDeciderTest, ATransmittedDispatchWaitsForItsAcknowledgment) {
  OrderAggregate cur = Submitted();
  DispatchTransmitted sent{"tpl-east", "940 interchange 000000007, group 7"};
  Decision d = std::get<Decision>(Decide(cur, sent, kT0 + std::chrono::seconds(1), kPolicy));
  EXPECT_EQ(d.next.order.status, OrderStatus::kAllocated);  // not dispatched: no ack yet
  EXPECT_EQ(d.next.flow.allocations[0].transmitted_at, kT0 + std::chrono::seconds(1));
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].type, "order.transmitted");
  EXPECT_NE(d.events[0].data.find("000000007"), std::string::npos);
  // Known already, or for a node the order is not at: nothing.
  EXPECT_TRUE(std::get<Decision>(Decide(d.next, sent, kT0, kPolicy)).events.empty());
  DispatchTransmitted elsewhere{"tpl-west", "x"};
  EXPECT_TRUE(std::get<Decision>(Decide(cur, elsewhere, kT0, kPolicy)).events.empty());
  // The 997 acknowledges it.
  Decision acked =
      std::get<Decision>(Decide(d.next, DispatchAcknowledged{"tpl-east", ""}, kT0, kPolicy));
  EXPECT_EQ(acked.next.order.status, OrderStatus::kDispatched);
  // The input is kept in histories as it was given.
  auto decoded = DecodeInput(EncodeInput(sent));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<DispatchTransmitted>(*decoded).reference, sent.reference);
}

TEST(OrderDeciderTest, AReconciliationFindingOpensOneException) {
  OrderAggregate cur = Submitted();
  ReconcileFinding f{"amount_mismatch", "o/s1", "ERP invoice 3 is 9.00 for s1, worth 8.00"};
  Decision d = std::get<Decision>(Decide(cur, f, kT0, kPolicy));
  ASSERT_TRUE(d.next.flow.exception.has_value());
  EXPECT_EQ(d.next.flow.exception->reason, "reconcile-amount_mismatch");
  EXPECT_EQ(d.next.flow.exception->detail, f.detail);
  EXPECT_EQ(ExceptionActions(*d.next.flow.exception), std::vector<std::string>{"resolve"});
  EXPECT_TRUE(std::get<Decision>(Decide(d.next, f, kT0, kPolicy)).events.empty());
  auto decoded = DecodeInput(EncodeInput(f));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<ReconcileFinding>(*decoded).detail, f.detail);
  // Another kind of exception keeps the order's one slot.
  Decision failed = std::get<Decision>(
      Decide(cur, DispatchDeadLettered{"tpl-east", "422 refused"}, kT0, kPolicy));
  ASSERT_TRUE(failed.next.flow.exception.has_value());
  Decision kept = std::get<Decision>(Decide(failed.next, f, kT0, kPolicy));
  EXPECT_TRUE(kept.events.empty());
  EXPECT_EQ(kept.next.flow.exception->reason, "node.dispatch-failed");
}

TEST(OrderDeciderTest, PartialThenFullShipment) {
  OrderAggregate cur = Submitted();
  Order o = cur.order;
  Shipment first = ShipAll(o, "e1");
  first.packages[0].lines.resize(1);
  first.packages[0].lines[0].quantity = 1;
  auto r1 = Decide(cur, ShipmentConfirmed{first}, kT0, kPolicy);
  Decision d1 = std::get<Decision>(r1);
  bool complete = o.lines.size() == 1 && o.lines[0].quantity == 1;
  EXPECT_EQ(d1.next.order.status,
            complete ? OrderStatus::kShipped : OrderStatus::kPartiallyShipped);

  Shipment rest = ShipAll(o, "e2");
  rest.packages[0].lines[0].quantity -= 1;
  if (rest.packages[0].lines[0].quantity == 0)
    rest.packages[0].lines.erase(rest.packages[0].lines.begin());
  if (!complete) {
    auto r2 = Decide(d1.next, ShipmentConfirmed{rest}, kT0, kPolicy);
    Decision d2 = std::get<Decision>(r2);
    EXPECT_EQ(d2.next.order.status, OrderStatus::kShipped);
    EXPECT_EQ(d2.events.back().type, "order.shipped");
    EXPECT_TRUE(d2.next.flow.shipped_at.has_value());
    // A shipment after the order is complete is a conflict.
    auto r3 = Decide(d2.next, ShipmentConfirmed{ShipAll(o, "e3")}, kT0, kPolicy);
    EXPECT_EQ(std::get<Rejection>(r3).status.code(), StatusCode::kConflict);
  }
}

TEST(OrderDeciderTest, ShipmentBeforeAckThenLateAckKeepsShipped) {
  OrderAggregate cur = Submitted();
  auto r = Decide(cur, ShipmentConfirmed{ShipAll(cur.order, "e1")}, kT0, kPolicy);
  Decision d = std::get<Decision>(r);
  EXPECT_EQ(d.next.order.status, OrderStatus::kShipped);
  auto late = Decide(d.next, DispatchAcknowledged{"tpl-east", "WH-9"}, kT0, kPolicy);
  Decision dl = std::get<Decision>(late);
  EXPECT_EQ(dl.next.order.status, OrderStatus::kShipped);  // never moves back
  EXPECT_EQ(dl.events.size(), 1u);                         // but is recorded
}

TEST(OrderDeciderTest, ShipmentThatContradictsTheOrderIsRejected) {
  OrderAggregate cur = Submitted();
  Shipment s = ShipAll(cur.order, "e1");
  s.packages[0].lines[0].quantity += 100;
  s.packages[0].lines.push_back({"no-such-line", "", 1});
  auto r = Decide(cur, ShipmentConfirmed{s}, kT0, kPolicy);
  const Rejection& rej = std::get<Rejection>(r);
  EXPECT_EQ(rej.status.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(rej.errors.size(), 2u);
  EXPECT_EQ(rej.errors[0].pointer, "/packages/0/lines/0/quantity");
  EXPECT_EQ(rej.errors[1].pointer,
            "/packages/0/lines/" + std::to_string(s.packages[0].lines.size() - 1) + "/line_id");
  Shipment other = ShipAll(cur.order, "e2");
  other.node = "tpl-west";
  EXPECT_EQ(std::get<Rejection>(Decide(cur, ShipmentConfirmed{other}, kT0, kPolicy)).status.code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace crossdock
