// Table-driven tests of the order lifecycle: for each case, a history of inputs (each must be
// accepted), then one input, and the expected status, event types and command types — or the
// expected refusal. Covers every input in every stage where it matters: the ERP check (accept,
// unknown SKU, price outside the tolerance, credit hold), holds and their release by operator and
// timer, allocation, acknowledgements, partial and duplicate shipments, out-of-order milestones,
// invoices per shipment, cancellation with its compensation at each stage, and failures.
#include <gtest/gtest.h>

#include "flows/order_decider.h"
#include "flows/order_state.h"

namespace crossdock {
namespace {

const TimePoint kT0 = FromUnixMicros(1'790'000'000'000'000);
const TimePoint kHoldDue = kT0 + std::chrono::hours(4);

Order TwoLineOrder() {
  Order o;
  o.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  o.partner = "shop";
  o.channel = "web";
  o.external_ref = "W-1";
  o.currency = "USD";
  o.customer = {"C-7", "Ada Lovelace", "ada@example.com", ""};
  o.ship_to.country = "US";
  o.lines = {{"L1", "SKU-RED", "Red", 2, *Decimal::Parse("12.50"), {}, {}},
             {"L2", "SKU-BLUE", "Blue", 1, *Decimal::Parse("8.00"), {}, {}}};
  o.totals.subtotal = o.totals.grand_total = *Decimal::Parse("33.00");
  return o;
}

OrderPolicy Policy(bool erp) {
  OrderPolicy p;
  p.routing.default_node = "tpl-east";
  p.returns.window_days = 30;
  p.returns.reasons = {"damaged", "not_wanted"};
  if (erp) {
    p.erp.destination = "erp";
    p.erp.price_tolerance_percent = *Decimal::Parse("2");
    p.erp.hold_timeout = std::chrono::hours(4);
  }
  return p;
}

// Inputs, named as in the table.
OrderInput Submit() {
  return SubmitOrder{TwoLineOrder()};
}
ErpChecked CheckedOk() {
  ErpChecked c;
  c.customer = "web:C-7";
  c.prices = {{"SKU-RED", *Decimal::Parse("12.40")}, {"SKU-BLUE", *Decimal::Parse("8.00")}};
  return c;
}
OrderInput Checked() {
  return CheckedOk();
}
OrderInput CheckedUnknownSku() {
  ErpChecked c = CheckedOk();
  c.prices.erase("SKU-BLUE");
  c.unknown_skus = {"SKU-BLUE"};
  return c;
}
OrderInput CheckedPriceOff() {
  ErpChecked c = CheckedOk();
  c.prices["SKU-RED"] = *Decimal::Parse("11.00");  // 12.50 is 13.6% above
  return c;
}
OrderInput CheckedOverCredit() {
  ErpChecked c = CheckedOk();
  c.credit_limit = *Decimal::Parse("50.00");
  c.credit_used = *Decimal::Parse("20.00");  // + 33.00 ordered > 50.00
  return c;
}
OrderInput CheckedWithinCredit() {
  ErpChecked c = CheckedOk();
  c.credit_limit = *Decimal::Parse("50.00");
  c.credit_used = *Decimal::Parse("17.00");  // + 33.00 = 50.00: at the limit, allowed
  return c;
}
OrderInput Sale() {
  return ErpSaleCreated{"42"};
}
OrderInput Ack() {
  return DispatchAcknowledged{"tpl-east", "WH-1"};
}
OrderInput AckFromOtherNode() {
  return DispatchAcknowledged{"tpl-west", "X"};
}
Shipment MakeShipment(const std::string& event, std::vector<ShippedLine> lines) {
  Shipment s;
  s.order_id = TwoLineOrder().id;
  s.node = "tpl-east";
  s.partner_event_id = event;
  s.packages.push_back(Package{});
  s.packages[0].lines = std::move(lines);
  return s;
}
OrderInput ShipPart() {
  return ShipmentConfirmed{MakeShipment("e1", {{"L1", "SKU-RED", 1}})};
}
OrderInput ShipRest() {
  return ShipmentConfirmed{MakeShipment("e2", {{"L1", "SKU-RED", 1}, {"L2", "SKU-BLUE", 1}})};
}
OrderInput ShipAll() {
  return ShipmentConfirmed{MakeShipment("e1", {{"L1", "SKU-RED", 2}, {"L2", "SKU-BLUE", 1}})};
}
OrderInput ShipTooMuch() {
  return ShipmentConfirmed{MakeShipment("e9", {{"L2", "SKU-BLUE", 2}})};
}
OrderInput Milestone(const std::string& kind, const std::string& event) {
  return MilestoneReported{kind, "tpl-east", event, kT0};
}
OrderInput Picked() {
  return Milestone("picked", "m-pick");
}
OrderInput Packed() {
  return Milestone("packed", "m-pack");
}
OrderInput Delivered() {
  return Milestone("delivered", "m-dlv");
}
OrderInput Invoiced(const std::string& shipment) {
  return InvoicePosted{shipment, "INV-" + shipment};
}
OrderInput Cancel() {
  return CancelRequested{"shop", "customer changed mind"};
}
OrderInput Release() {
  return HoldReleased{"ops:kim", "paid upfront"};
}
OrderInput HoldTimer() {
  return TimerFired{"hold", kHoldDue};
}
OrderInput StaleTimer() {
  return TimerFired{"hold", kHoldDue - std::chrono::hours(1)};
}
OrderInput NodeCancelled() {
  return CompensationDone{command::kNodeCancel};
}
OrderInput SaleCancelled() {
  return CompensationDone{command::kErpCancelSale};
}
OrderInput DispatchDead() {
  return DispatchDeadLettered{"tpl-east", "HTTP 400"};
}
OrderInput ErpRefused() {
  return CommandFailed{command::kErpSale, "erp", "UserError: x"};
}
OrderInput StockArrived() {
  Reallocate r;
  r.facts.on_hand["tpl-east"] = {{"SKU-RED", 5}, {"SKU-BLUE", 1}};
  return r;
}
OrderInput StillShort() {
  Reallocate r;
  r.facts.on_hand["tpl-east"] = {{"SKU-RED", 1}, {"SKU-BLUE", 1}};
  return r;
}
OrderInput ReturnReq(const std::string& reason = "damaged") {
  return ReturnRequested{"ret_1", {{"L1", 1, reason}}};
}
OrderInput Receipt(const std::string& condition = "sellable", int64_t qty = 1) {
  return ReturnReceived{"ret_1", "tpl-east", {{"L1", qty, condition}}};
}
OrderInput Credited() {
  return CreditPosted{"ret_1", "CN-1"};
}
OrderInput Resolve() {
  return ExceptionResolved{"ops:kim", "fixed in the ERP by hand"};
}
OrderInput RerouteWest() {
  return Rerouted{"tpl-west", "ops:kim", "east is flooded"};
}
OrderInput RerouteEast() {
  return Rerouted{"tpl-east", "ops:kim", "back"};
}

// Splits: east has the red units only, west the blue one; with allow_split each ships its line.
RoutingFacts SplitStock() {
  RoutingFacts f;
  f.on_hand["tpl-east"] = {{"SKU-RED", 5}};
  f.on_hand["tpl-west"] = {{"SKU-BLUE", 3}};
  return f;
}
OrderInput SubmitSplit() {
  return SubmitOrder{TwoLineOrder(), SplitStock()};
}
OrderInput SubmitNoBlueAnywhere() {
  RoutingFacts f = SplitStock();
  f.on_hand.erase("tpl-west");
  return SubmitOrder{TwoLineOrder(), f};
}
OrderInput SaleSplit() {
  return ErpSaleCreated{"42", SplitStock()};
}
OrderInput AckWest() {
  return DispatchAcknowledged{"tpl-west", "W-9"};
}
Shipment FromNode(Shipment s, const std::string& node) {
  s.node = node;
  return s;
}
OrderInput ShipEastLine() {
  return ShipmentConfirmed{MakeShipment("e1", {{"L1", "SKU-RED", 2}})};
}
OrderInput ShipWestLine() {
  return ShipmentConfirmed{FromNode(MakeShipment("w1", {{"L2", "SKU-BLUE", 1}}), "tpl-west")};
}
OrderInput EastShipsWestsLine() {
  return ShipmentConfirmed{MakeShipment("e2", {{"L2", "SKU-BLUE", 1}})};
}
OrderInput DeliveredWest() {
  return MilestoneReported{"delivered", "tpl-west", "w-dlv", kT0};
}
OrderInput WestCancelled() {
  return CompensationDone{command::kNodeCancel, "tpl-west"};
}
OrderInput EastCancelled() {
  return CompensationDone{command::kNodeCancel, "tpl-east"};
}
OrderInput MoveWestToNorth() {
  return Rerouted{"tpl-north", "ops:kim", "west is down", "tpl-west"};
}
OrderInput AckNorth() {
  return DispatchAcknowledged{"tpl-north", "N-1"};
}

struct Case {
  const char* name;
  bool erp;
  std::vector<OrderInput> given;  // after Submit
  OrderInput when;
  OrderStatus status = OrderStatus::kReceived;
  std::vector<std::string> events;    // types, in order
  std::vector<std::string> commands;  // types, in order
  std::optional<StatusCode> refused = std::nullopt;
  bool stock_policy = false;  // routing requires stock and lets orders wait for it
  bool split = false;         // … and splits over tpl-east and tpl-west; submitted with stock
  bool fraud = false;         // a fraud rule holds orders of 30.00 or more (this one is 33.00)
};

std::vector<Case> Cases() {
  using S = OrderStatus;
  const std::string kDispatch = command::kDispatch;
  return {
      // Intake.
      {"submit without ERP allocates",
       false,
       {},
       Submit(),
       S::kAllocated,
       {"order.received", "order.allocated"},
       {kDispatch}},
      {"submit with ERP asks the ERP",
       true,
       {},
       Submit(),
       S::kReceived,
       {"order.received"},
       {"erp.check"}},
      // The ERP check.
      {"check passes: the sale is requested",
       true,
       {},
       Checked(),
       S::kValidated,
       {"order.validated"},
       {"erp.sale"}},
      {"price within 2% passes",
       true,
       {},
       Checked(),
       S::kValidated,
       {"order.validated"},
       {"erp.sale"}},
      {"unknown SKU rejects", true, {}, CheckedUnknownSku(), S::kRejected, {"order.rejected"}, {}},
      {"price outside the tolerance rejects",
       true,
       {},
       CheckedPriceOff(),
       S::kRejected,
       {"order.rejected"},
       {}},
      {"over the credit limit holds, with a timer",
       true,
       {},
       CheckedOverCredit(),
       S::kHeld,
       {"order.held"},
       {"timer"}},
      {"at the credit limit passes",
       true,
       {},
       CheckedWithinCredit(),
       S::kValidated,
       {"order.validated"},
       {"erp.sale"}},
      {"a repeated check answer changes nothing",
       true,
       {Checked()},
       Checked(),
       S::kValidated,
       {},
       {}},
      {"a check answer after rejection changes nothing",
       true,
       {CheckedUnknownSku()},
       Checked(),
       S::kRejected,
       {},
       {}},
      // Holds.
      {"operator releases a hold",
       true,
       {CheckedOverCredit()},
       Release(),
       S::kValidated,
       {"order.released"},
       {"erp.sale"}},
      {"the hold timer releases it",
       true,
       {CheckedOverCredit()},
       HoldTimer(),
       S::kValidated,
       {"order.released"},
       {"erp.sale"}},
      {"a stale timer does nothing", true, {CheckedOverCredit()}, StaleTimer(), S::kHeld, {}, {}},
      {"a timer after the release does nothing",
       true,
       {CheckedOverCredit(), Release()},
       HoldTimer(),
       S::kValidated,
       {},
       {}},
      {"releasing an order that is not held is refused",
       true,
       {Checked()},
       Release(),
       S::kValidated,
       {},
       {},
       StatusCode::kConflict},
      {"released order is accepted and allocated",
       true,
       {CheckedOverCredit(), Release()},
       Sale(),
       S::kAllocated,
       {"order.accepted", "order.allocated"},
       {kDispatch}},
      // Acceptance and allocation.
      {"the sale exists: accepted, allocated, dispatch queued",
       true,
       {Checked()},
       Sale(),
       S::kAllocated,
       {"order.accepted", "order.allocated"},
       {kDispatch}},
      {"a repeated sale answer changes nothing",
       true,
       {Checked(), Sale()},
       Sale(),
       S::kAllocated,
       {},
       {}},
      {"ERP refusal opens an exception",
       true,
       {Checked()},
       ErpRefused(),
       S::kValidated,
       {"order.exception"},
       {}},
      {"the refused command succeeding later closes the exception",
       true,
       {Checked(), ErpRefused()},
       Sale(),
       S::kAllocated,
       {"order.exception_resolved", "order.accepted", "order.allocated"},
       {kDispatch}},
      {"a replayed dispatch acknowledged closes its exception",
       false,
       {DispatchDead()},
       Ack(),
       S::kDispatched,
       {"order.exception_resolved", "order.dispatched"},
       {}},
      // Dispatch.
      {"ack dispatches", false, {}, Ack(), S::kDispatched, {"order.dispatched"}, {}},
      {"duplicate ack changes nothing", false, {Ack()}, Ack(), S::kDispatched, {}, {}},
      {"ack from another node is refused",
       false,
       {},
       AckFromOtherNode(),
       S::kAllocated,
       {},
       {},
       StatusCode::kConflict},
      {"dispatch dead letter opens an exception",
       false,
       {},
       DispatchDead(),
       S::kAllocated,
       {"order.dispatch_failed", "order.exception"},
       {}},
      // Shipments.
      {"partial shipment",
       false,
       {Ack()},
       ShipPart(),
       S::kPartiallyShipped,
       {"order.partially_shipped"},
       {}},
      {"rest of the shipment completes it",
       false,
       {Ack(), ShipPart()},
       ShipRest(),
       S::kShipped,
       {"order.shipped"},
       {}},
      {"shipment before the ack, then a late ack keeps shipped",
       false,
       {ShipAll()},
       Ack(),
       S::kShipped,
       {"order.dispatched"},
       {}},
      {"shipping more than ordered is refused",
       false,
       {Ack()},
       ShipTooMuch(),
       S::kDispatched,
       {},
       {},
       StatusCode::kInvalidArgument},
      {"a shipment after completion is refused",
       false,
       {ShipAll()},
       ShipRest(),
       S::kShipped,
       {},
       {},
       StatusCode::kConflict},
      {"with an ERP each shipment asks for its invoice",
       true,
       {Checked(), Sale(), Ack()},
       ShipPart(),
       S::kPartiallyShipped,
       {"order.partially_shipped"},
       {"erp.invoice"}},
      // Milestones, in and out of order.
      {"picked is recorded", false, {Ack()}, Picked(), S::kDispatched, {"order.picked"}, {}},
      {"a late packed after shipped never moves back",
       false,
       {Ack(), ShipAll()},
       Packed(),
       S::kShipped,
       {"order.packed"},
       {}},
      {"a duplicate milestone changes nothing",
       false,
       {Ack(), Picked()},
       Picked(),
       S::kDispatched,
       {},
       {}},
      {"delivered closes an order without ERP",
       false,
       {Ack(), ShipAll()},
       Delivered(),
       S::kClosed,
       {"order.delivered", "order.closed"},
       {}},
      {"delivered before the invoice: delivered",
       true,
       {Checked(), Sale(), ShipAll()},
       Delivered(),
       S::kDelivered,
       {"order.delivered"},
       {}},
      {"delivered before the last shipment stays partial",
       false,
       {ShipPart()},
       Delivered(),
       S::kPartiallyShipped,
       {"order.delivered"},
       {}},
      // Invoices.
      {"the invoice of the only shipment: invoiced",
       true,
       {Checked(), Sale(), ShipAll()},
       Invoiced("e1"),
       S::kInvoiced,
       {"order.invoiced"},
       {}},
      {"invoiced then delivered: closed",
       true,
       {Checked(), Sale(), ShipAll(), Invoiced("e1")},
       Delivered(),
       S::kClosed,
       {"order.delivered", "order.closed"},
       {}},
      {"delivered then invoiced: closed",
       true,
       {Checked(), Sale(), ShipAll(), Delivered()},
       Invoiced("e1"),
       S::kClosed,
       {"order.invoiced", "order.closed"},
       {}},
      {"one of two invoices: still shipped",
       true,
       {Checked(), Sale(), ShipPart(), ShipRest()},
       Invoiced("e1"),
       S::kShipped,
       {"order.invoiced"},
       {}},
      {"a repeated invoice answer changes nothing",
       true,
       {Checked(), Sale(), ShipAll(), Invoiced("e1")},
       Invoiced("e1"),
       S::kInvoiced,
       {},
       {}},
      // Payments seen by polling the ERP.
      {"an invoice seen paid",
       true,
       {Checked(), Sale(), ShipAll(), Invoiced("e1")},
       InvoicePaid{"ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF/e1", "INV-e1"},
       S::kInvoiced,
       {"order.invoice_paid"},
       {}},
      {"the same payment seen again by an overlapping poll",
       true,
       {Checked(), Sale(), ShipAll(), Invoiced("e1"),
        InvoicePaid{"ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF/e1", "INV-e1"}},
       InvoicePaid{"ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF/e1", "INV-e1"},
       S::kInvoiced,
       {},
       {}},
      // Returns: RMA by policy, receipt at the node, restock, credit in the ERP.
      {"a return of shipped goods is authorized",
       false,
       {Ack(), ShipAll()},
       ReturnReq(),
       S::kShipped,
       {"order.return_authorized"},
       {}},
      {"a return for a reason the policy refuses",
       false,
       {Ack(), ShipAll()},
       ReturnReq("changed_colour"),
       S::kShipped,
       {},
       {},
       StatusCode::kInvalidArgument},
      {"a repeated return request changes nothing",
       false,
       {Ack(), ShipAll(), ReturnReq()},
       ReturnReq(),
       S::kShipped,
       {},
       {}},
      {"sellable goods received: restocked and credited in the ERP",
       true,
       {Checked(), Sale(), Ack(), ShipAll(), ReturnReq()},
       Receipt(),
       S::kShipped,
       {"order.return_received", "order.restocked"},
       {"erp.credit"}},
      {"damaged goods received without ERP: not restocked, nothing to credit",
       false,
       {Ack(), ShipAll(), ReturnReq()},
       Receipt("damaged"),
       S::kShipped,
       {"order.return_received"},
       {}},
      {"receiving more than the RMA allows is refused",
       false,
       {Ack(), ShipAll(), ReturnReq()},
       Receipt("sellable", 2),
       S::kShipped,
       {},
       {},
       StatusCode::kInvalidArgument},
      {"a repeated receipt changes nothing",
       false,
       {Ack(), ShipAll(), ReturnReq(), Receipt()},
       Receipt(),
       S::kShipped,
       {},
       {}},
      {"a receipt for an unknown return is not found",
       false,
       {Ack(), ShipAll()},
       Receipt(),
       S::kShipped,
       {},
       {},
       StatusCode::kNotFound},
      {"the ERP posts the credit note",
       true,
       {Checked(), Sale(), Ack(), ShipAll(), ReturnReq(), Receipt()},
       Credited(),
       S::kShipped,
       {"order.return_credited"},
       {}},
      // Backorders: no node has the stock; the order waits and routes when stock arrives.
      {"no stock anywhere: backordered",
       false,
       {},
       Submit(),
       S::kBackordered,
       {"order.received", "order.backordered"},
       {},
       std::nullopt,
       true},
      {"stock arrives: allocated and dispatched",
       false,
       {},
       StockArrived(),
       S::kAllocated,
       {"order.allocated"},
       {kDispatch},
       std::nullopt,
       true},
      {"stock still short: it keeps waiting",
       false,
       {},
       StillShort(),
       S::kBackordered,
       {},
       {},
       std::nullopt,
       true},
      {"reallocating an allocated order does nothing",
       false,
       {StockArrived()},
       StockArrived(),
       S::kAllocated,
       {},
       {},
       std::nullopt,
       true},
      {"with an ERP the sale comes first, then the backorder",
       true,
       {Checked()},
       Sale(),
       S::kBackordered,
       {"order.accepted", "order.backordered"},
       {},
       std::nullopt,
       true},
      {"a backordered order is cancelled without compensation",
       false,
       {},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {},
       std::nullopt,
       true},
      // Splits: no node has every line; east ships L1, west ships L2.
      {"no node has every line: split over two nodes, one dispatch each",
       false,
       {},
       SubmitSplit(),
       S::kAllocated,
       {"order.received", "order.allocated", "order.allocated"},
       {kDispatch, kDispatch},
       std::nullopt,
       true,
       true},
      {"with an ERP the sale comes first, then the split",
       true,
       {Checked()},
       SaleSplit(),
       S::kAllocated,
       {"order.accepted", "order.allocated", "order.allocated"},
       {kDispatch, kDispatch},
       std::nullopt,
       true,
       true},
      {"a line no node can fill: no split, the order waits",
       false,
       {},
       SubmitNoBlueAnywhere(),
       S::kBackordered,
       {"order.received", "order.backordered"},
       {},
       std::nullopt,
       true,
       true},
      {"split: the first node's ack leaves the order allocated",
       false,
       {},
       Ack(),
       S::kAllocated,
       {"order.dispatched"},
       {},
       std::nullopt,
       true,
       true},
      {"split: the last node's ack dispatches the order",
       false,
       {Ack()},
       AckWest(),
       S::kDispatched,
       {"order.dispatched"},
       {},
       std::nullopt,
       true,
       true},
      {"split: one node ships its lines: partially shipped",
       false,
       {Ack(), AckWest()},
       ShipEastLine(),
       S::kPartiallyShipped,
       {"order.partially_shipped"},
       {},
       std::nullopt,
       true,
       true},
      {"split: the other node ships its lines: shipped",
       false,
       {Ack(), AckWest(), ShipEastLine()},
       ShipWestLine(),
       S::kShipped,
       {"order.shipped"},
       {},
       std::nullopt,
       true,
       true},
      {"split: with an ERP each node's shipment is invoiced",
       true,
       {Checked(), SaleSplit(), Ack(), AckWest(), ShipEastLine()},
       ShipWestLine(),
       S::kShipped,
       {"order.shipped"},
       {command::kErpInvoice},
       std::nullopt,
       true,
       true},
      {"split: a node shipping a line allocated elsewhere is refused",
       false,
       {Ack(), AckWest()},
       EastShipsWestsLine(),
       S::kDispatched,
       {},
       {},
       StatusCode::kInvalidArgument,
       true,
       true},
      {"split: delivered at one node only: still shipped",
       false,
       {Ack(), AckWest(), ShipEastLine(), ShipWestLine()},
       Delivered(),
       S::kShipped,
       {"order.delivered"},
       {},
       std::nullopt,
       true,
       true},
      {"split: delivered at both nodes: delivered, and closed without an ERP",
       false,
       {Ack(), AckWest(), ShipEastLine(), ShipWestLine(), Delivered()},
       DeliveredWest(),
       S::kClosed,
       {"order.delivered", "order.closed"},
       {},
       std::nullopt,
       true,
       true},
      {"split: cancel asks both nodes to cancel",
       false,
       {Ack()},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {command::kNodeCancel, command::kNodeCancel},
       std::nullopt,
       true,
       true},
      {"split: each node confirms its cancellation",
       false,
       {Ack(), Cancel(), EastCancelled()},
       WestCancelled(),
       S::kCancelled,
       {"order.node_cancelled"},
       {},
       std::nullopt,
       true,
       true},
      {"split: cancel after one node shipped is refused",
       false,
       {Ack(), AckWest(), ShipEastLine()},
       Cancel(),
       S::kPartiallyShipped,
       {},
       {},
       StatusCode::kConflict,
       true,
       true},
      {"split: re-route without naming the node to move from is refused",
       false,
       {},
       Rerouted{"tpl-north", "ops:kim", "west is down"},
       S::kAllocated,
       {},
       {},
       StatusCode::kConflict,
       true,
       true},
      {"split: re-route one node's share; the old node cancels",
       false,
       {Ack(), AckWest()},
       MoveWestToNorth(),
       S::kAllocated,
       {"order.rerouted", "order.allocated"},
       {command::kNodeCancel, kDispatch},
       std::nullopt,
       true,
       true},
      {"split: the moved share's new node acks: dispatched again",
       false,
       {Ack(), AckWest(), MoveWestToNorth()},
       AckNorth(),
       S::kDispatched,
       {"order.dispatched"},
       {},
       std::nullopt,
       true,
       true},
      {"split: the node a share left can no longer ack",
       false,
       {Ack(), MoveWestToNorth()},
       AckWest(),
       S::kAllocated,
       {},
       {},
       StatusCode::kConflict,
       true,
       true},
      // Fraud rules hold an order at intake, before the ERP sees it; only an operator releases.
      {"a fraud rule holds the order before the ERP check",
       true,
       {},
       Submit(),
       S::kHeld,
       {"order.received", "order.held"},
       {},
       std::nullopt,
       false,
       false,
       true},
      {"a fraud rule holds the order without an ERP",
       false,
       {},
       Submit(),
       S::kHeld,
       {"order.received", "order.held"},
       {},
       std::nullopt,
       false,
       false,
       true},
      {"releasing a fraud hold sends the order to the ERP check",
       true,
       {},
       Release(),
       S::kReceived,
       {"order.released"},
       {command::kErpCheck},
       std::nullopt,
       false,
       false,
       true},
      {"releasing a fraud hold without an ERP accepts and dispatches",
       false,
       {},
       Release(),
       S::kAllocated,
       {"order.released", "order.allocated"},
       {kDispatch},
       std::nullopt,
       false,
       false,
       true},
      {"after a fraud release the credit check can hold again",
       true,
       {Release()},
       CheckedOverCredit(),
       S::kHeld,
       {"order.held"},
       {command::kTimer},
       std::nullopt,
       false,
       false,
       true},
      {"after a fraud release the ERP check validates",
       true,
       {Release()},
       Checked(),
       S::kValidated,
       {"order.validated"},
       {command::kErpSale},
       std::nullopt,
       false,
       false,
       true},
      {"the hold timer does not release a fraud hold",
       true,
       {},
       HoldTimer(),
       S::kHeld,
       {},
       {},
       std::nullopt,
       false,
       false,
       true},
      {"a fraud-held order is cancelled without compensation",
       true,
       {},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {},
       std::nullopt,
       false,
       false,
       true},
      // Operator actions on exceptions.
      {"an operator resolves an exception",
       true,
       {Checked(), ErpRefused()},
       Resolve(),
       S::kValidated,
       {"order.exception_resolved"},
       {}},
      {"resolving without an exception is refused",
       false,
       {},
       Resolve(),
       S::kAllocated,
       {},
       {},
       StatusCode::kConflict},
      {"re-route after a dead dispatch: new dispatch, no cancel",
       false,
       {DispatchDead()},
       RerouteWest(),
       S::kAllocated,
       {"order.rerouted", "order.allocated"},
       {kDispatch}},
      {"re-route after the ack: the old node is asked to cancel",
       false,
       {Ack()},
       RerouteWest(),
       S::kAllocated,
       {"order.rerouted", "order.allocated"},
       {"node.cancel", kDispatch}},
      {"re-route to the same node is refused",
       false,
       {Ack()},
       RerouteEast(),
       S::kDispatched,
       {},
       {},
       StatusCode::kConflict},
      {"re-route after a shipment is refused",
       false,
       {ShipPart()},
       RerouteWest(),
       S::kPartiallyShipped,
       {},
       {},
       StatusCode::kConflict},
      {"re-route before the ERP accepted is refused",
       true,
       {Checked()},
       RerouteWest(),
       S::kValidated,
       {},
       {},
       StatusCode::kConflict},
      // Cancellation and its compensation, by stage.
      {"cancel while the ERP checks: nothing to undo yet",
       true,
       {},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {}},
      {"cancel while held",
       true,
       {CheckedOverCredit()},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {}},
      {"a sale created after the cancel is cancelled in the ERP",
       true,
       {Checked(), Cancel()},
       Sale(),
       S::kCancelled,
       {"order.accepted"},
       {"erp.cancel_sale"}},
      {"cancel when allocated: node and ERP compensations",
       true,
       {Checked(), Sale()},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {"node.cancel", "erp.cancel_sale"}},
      {"cancel when dispatched without ERP: node compensation",
       false,
       {Ack()},
       Cancel(),
       S::kCancelled,
       {"order.cancel_requested", "order.cancelled"},
       {"node.cancel"}},
      {"a repeated cancel changes nothing", false, {Cancel()}, Cancel(), S::kCancelled, {}, {}},
      {"a cancelled held order cannot be released",
       true,
       {CheckedOverCredit(), Cancel()},
       Release(),
       S::kCancelled,
       {},
       {},
       StatusCode::kConflict},
      {"the hold timer of a cancelled order does nothing",
       true,
       {CheckedOverCredit(), Cancel()},
       HoldTimer(),
       S::kCancelled,
       {},
       {}},
      {"cancel after a partial shipment is refused",
       false,
       {ShipPart()},
       Cancel(),
       S::kPartiallyShipped,
       {},
       {},
       StatusCode::kConflict},
      {"cancel after shipment is refused",
       false,
       {ShipAll()},
       Cancel(),
       S::kShipped,
       {},
       {},
       StatusCode::kConflict},
      {"cancel of a rejected order is refused",
       true,
       {CheckedUnknownSku()},
       Cancel(),
       S::kRejected,
       {},
       {},
       StatusCode::kConflict},
      {"the node confirms the cancellation",
       false,
       {Cancel()},
       NodeCancelled(),
       S::kCancelled,
       {"order.node_cancelled"},
       {}},
      {"the ERP confirms the sale's cancellation",
       true,
       {Checked(), Sale(), Cancel()},
       SaleCancelled(),
       S::kCancelled,
       {"order.sale_cancelled"},
       {}},
      {"a shipment that raced the cancel is applied and raised",
       false,
       {Cancel()},
       ShipAll(),
       S::kCancelled,
       {"order.shipped", "order.exception"},
       {}},
  };
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class LifecycleTest : public ::testing::TestWithParam<Case> {};

std::vector<std::string> Types(const std::vector<DomainEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}
std::vector<std::string> Types(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  for (const auto& c : commands) out.push_back(c.type);
  return out;
}

TEST_P(LifecycleTest, Transition) {
  const Case& c = GetParam();
  OrderPolicy policy = Policy(c.erp);
  if (c.stock_policy) {
    policy.routing.require_stock = true;
    policy.routing.backorder = true;
  }
  if (c.fraud) {
    policy.fraud_rules.push_back(
        FraudRule{.name = "big-order", .min_total = *Decimal::Parse("30")});
  }
  if (c.split) {
    policy.routing.allow_split = true;
    policy.routing.rules.push_back(RoutingRule{.nodes = {"tpl-east", "tpl-west"}});
  }
  std::optional<OrderAggregate> state;
  if (!std::holds_alternative<SubmitOrder>(c.when)) {
    auto submitted = Decide(std::nullopt, c.split ? SubmitSplit() : Submit(), kT0, policy);
    ASSERT_TRUE(std::holds_alternative<Decision>(submitted));
    state = std::get<Decision>(submitted).next;
  }
  for (size_t i = 0; i < c.given.size(); ++i) {
    auto r = Decide(state, c.given[i], kT0, policy);
    ASSERT_TRUE(std::holds_alternative<Decision>(r)) << "given step " << i << " was refused";
    state = std::get<Decision>(r).next;
  }
  auto r = Decide(state, c.when, kT0 + std::chrono::seconds(1), policy);
  if (c.refused) {
    ASSERT_TRUE(std::holds_alternative<Rejection>(r));
    EXPECT_EQ(std::get<Rejection>(r).status.code(), *c.refused);
    EXPECT_EQ(DeriveStatus(*state, policy.erp), c.status);
    return;
  }
  ASSERT_TRUE(std::holds_alternative<Decision>(r)) << std::get<Rejection>(r).status.ToString();
  const Decision& d = std::get<Decision>(r);
  EXPECT_EQ(d.next.order.status, c.status) << OrderStatusName(*d.next.order.status);
  EXPECT_EQ(Types(d.events), c.events);
  EXPECT_EQ(Types(d.commands), c.commands);
  // Every event carries the status after the decision.
  for (const auto& e : d.events) {
    EXPECT_NE(e.data.find("\"status\":\"" + std::string(OrderStatusName(c.status)) + "\""),
              std::string::npos)
        << e.type << " " << e.data;
  }
  // A decision without events changes nothing at all.
  if (d.events.empty() && state) {
    EXPECT_EQ(d.next.flow, state->flow);
    EXPECT_EQ(d.next.order, state->order);
  }
}

INSTANTIATE_TEST_SUITE_P(OrderLifecycle, LifecycleTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n;
                           for (char ch : std::string(info.param.name)) {
                             n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return n;
                         });

TEST(LifecycleDetailTest, RejectionNamesEveryReason) {
  OrderPolicy policy = Policy(true);
  auto s = std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next;
  ErpChecked c = std::get<ErpChecked>(CheckedPriceOff());
  c.unknown_skus = {"SKU-BLUE"};
  c.prices.erase("SKU-BLUE");
  auto d = std::get<Decision>(Decide(s, c, kT0, policy));
  EXPECT_NE(d.events[0].data.find("does not sell SKU SKU-BLUE"), std::string::npos);
  EXPECT_NE(d.events[0].data.find("price 12.50 differs from the ERP's 11.00"), std::string::npos);
}

TEST(LifecycleDetailTest, HoldTimerComesDueAfterTheTimeout) {
  OrderPolicy policy = Policy(true);
  auto s = std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next;
  auto d = std::get<Decision>(Decide(s, CheckedOverCredit(), kT0, policy));
  ASSERT_EQ(d.commands.size(), 1u);
  EXPECT_EQ(d.commands[0].not_before, kHoldDue);
  EXPECT_EQ(d.next.flow.hold_until, kHoldDue);
  EXPECT_NE(d.events[0].data.find("credit limit 50.00 exceeded"), std::string::npos);
  // Without a timeout only an operator releases it.
  policy.erp.hold_timeout = Duration::zero();
  auto manual = std::get<Decision>(Decide(s, CheckedOverCredit(), kT0, policy));
  EXPECT_TRUE(manual.commands.empty());
  // Policy: reject instead of hold.
  policy.erp.hold_over_credit = false;
  auto rejected = std::get<Decision>(Decide(s, CheckedOverCredit(), kT0, policy));
  EXPECT_EQ(rejected.next.order.status, OrderStatus::kRejected);
}

TEST(LifecycleDetailTest, InvoiceCommandCarriesTheShippedQuantities) {
  OrderPolicy policy = Policy(true);
  std::optional<OrderAggregate> s =
      std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next;
  for (const auto& in : {Checked(), Sale()})
    s = std::get<Decision>(Decide(s, in, kT0, policy)).next;
  auto d = std::get<Decision>(Decide(s, ShipPart(), kT0, policy));
  ASSERT_EQ(d.commands.size(), 1u);
  const Command& c = d.commands[0];
  EXPECT_EQ(c.destination, "erp");
  EXPECT_EQ(c.idempotency_key, "invoice-ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF-e1");
  EXPECT_NE(c.payload.find(R"("reference":"ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF/e1")"),
            std::string::npos);
  EXPECT_NE(c.payload.find(R"("sale":"42")"), std::string::npos);
  EXPECT_NE(
      c.payload.find(
          R"({"line_id":"L1","position":0,"sku":"SKU-RED","quantity":1,"unit_price":"12.50"})"),
      std::string::npos)
      << c.payload;
  EXPECT_EQ(c.payload.find("SKU-BLUE"), std::string::npos);
  EXPECT_EQ(c.sequence, "erp");  // never held up by the node's commands
}

TEST(LifecycleDetailTest, SequencesKeepNodeErpAndTimersApart) {
  OrderPolicy policy = Policy(true);
  std::optional<OrderAggregate> s =
      std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next;
  for (const auto& in : {Checked(), Sale()})
    s = std::get<Decision>(Decide(s, in, kT0, policy)).next;
  auto d = std::get<Decision>(Decide(s, Cancel(), kT0, policy));
  ASSERT_EQ(d.commands.size(), 2u);
  EXPECT_EQ(d.commands[0].sequence, "node:tpl-east");  // node.cancel follows the dispatch
  EXPECT_EQ(d.commands[1].sequence, "erp");            // erp.cancel_sale does not wait for the node
  auto held = std::get<Decision>(
      Decide(std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next,
             CheckedOverCredit(), kT0, policy));
  EXPECT_EQ(held.commands[0].sequence, held.commands[0].idempotency_key);
}

TEST(LifecycleDetailTest, ReturnWindowCountsFromDeliveryAndCreditCarriesTheReceivedUnits) {
  OrderPolicy policy = Policy(true);
  std::optional<OrderAggregate> s;
  for (const auto& in : {Submit(), Checked(), Sale(), Ack(), ShipAll(), Delivered()}) {
    s = std::get<Decision>(Decide(s, in, kT0, policy)).next;
  }
  // Delivered at kT0 (the milestone's own time): day 30 is in, day 31 is out.
  auto in_time = Decide(s, ReturnReq(), kT0 + std::chrono::hours(24 * 30), policy);
  ASSERT_TRUE(std::holds_alternative<Decision>(in_time));
  auto late = Decide(s, ReturnReq(), kT0 + std::chrono::hours(24 * 31), policy);
  ASSERT_TRUE(std::holds_alternative<Rejection>(late));
  EXPECT_NE(std::get<Rejection>(late).errors.at(0).detail.find("return window of 30 days closed"),
            std::string::npos);
  s = std::get<Decision>(in_time).next;
  auto received = std::get<Decision>(Decide(s, Receipt(), kT0, policy));
  ASSERT_EQ(received.commands.size(), 1u);
  const Command& c = received.commands[0];
  EXPECT_EQ(c.idempotency_key, "credit-ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF-ret_1");
  EXPECT_NE(c.payload.find(R"("reference":"ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF/ret_1")"),
            std::string::npos);
  EXPECT_NE(
      c.payload.find(
          R"({"line_id":"L1","position":0,"sku":"SKU-RED","quantity":1,"unit_price":"12.50"})"),
      std::string::npos)
      << c.payload;
  EXPECT_NE(received.events[1].data.find(R"("sku":"SKU-RED","quantity":1,"condition":"sellable")"),
            std::string::npos)
      << received.events[1].data;
  EXPECT_EQ(received.next.flow.returns.at("ret_1").status, "received");
}

TEST(LifecycleDetailTest, SlaTimersOpenAnExceptionOnlyWhenThePromiseIsMissed) {
  OrderPolicy policy = Policy(false);
  policy.slas["tpl-east"] = {std::chrono::minutes(30), std::chrono::hours(24)};
  auto submitted = std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy));
  ASSERT_EQ(submitted.commands.size(), 3u);  // dispatch, then the two SLA timers
  EXPECT_EQ(submitted.commands[1].type, "timer");
  EXPECT_EQ(submitted.commands[1].not_before, kT0 + std::chrono::minutes(30));
  EXPECT_EQ(submitted.commands[2].not_before, kT0 + std::chrono::hours(24));
  EXPECT_NE(submitted.commands[1].sequence, submitted.commands[2].sequence);
  const OrderAggregate allocated = submitted.next;
  TimerFired ack_due{"sla-ack", kT0 + std::chrono::minutes(30)};
  // Missed: no acknowledgement by the deadline.
  auto missed = std::get<Decision>(Decide(allocated, ack_due, ack_due.due, policy));
  ASSERT_EQ(missed.events.size(), 2u);
  EXPECT_EQ(missed.events[0].type, "order.sla_missed");
  EXPECT_EQ(missed.next.flow.exception->reason, "sla-ack-missed");
  EXPECT_EQ(missed.next.order.status, OrderStatus::kAllocated);  // the order goes on
  // Kept: acknowledged in time, the timer changes nothing.
  auto acked = std::get<Decision>(Decide(allocated, Ack(), kT0 + std::chrono::minutes(5), policy));
  EXPECT_TRUE(std::get<Decision>(Decide(acked.next, ack_due, ack_due.due, policy)).events.empty());
  // Stale: a timer of an earlier allocation changes nothing.
  TimerFired stale{"sla-ack", kT0 + std::chrono::minutes(29)};
  EXPECT_TRUE(std::get<Decision>(Decide(allocated, stale, stale.due, policy)).events.empty());
  // Ship SLA: fully shipped in time keeps it; not shipped opens it.
  TimerFired ship_due{"sla-ship", kT0 + std::chrono::hours(24)};
  auto shipped = std::get<Decision>(Decide(acked.next, ShipAll(), kT0, policy));
  EXPECT_TRUE(
      std::get<Decision>(Decide(shipped.next, ship_due, ship_due.due, policy)).events.empty());
  auto late = std::get<Decision>(Decide(acked.next, ship_due, ship_due.due, policy));
  EXPECT_EQ(late.next.flow.exception->reason, "sla-ship-missed");
}

TEST(LifecycleDetailTest, EveryFlowStateMemberSurvivesTheStore) {
  OrderFlowState f;
  TimePoint t = kT0;
  auto next = [&t] { return t += std::chrono::seconds(1); };
  f.customer = "web:C-7";
  f.erp_sale = "42";
  f.validated_at = next();
  f.accepted_at = next();
  f.held_at = next();
  f.hold_reason = "credit";
  f.hold_rule = "big-order";
  f.hold_until = next();
  f.released_at = next();
  f.released_by = "timer";
  f.rejected_at = next();
  f.reject_reason = "price";
  f.backordered_at = next();
  f.reroutes = 2;
  f.allocations = {Allocation{"tpl-east", {"L1"}, "WH-1", next(), next(), next(), next()},
                   Allocation{"tpl-west", {"L2"}, "", next(), {}, {}, {}}};
  f.shipped = {{"L1", 2}};
  f.shipments = {"e1", "e2"};
  f.received_at = next();
  f.allocated_at = next();
  f.dispatched_at = next();
  f.shipped_at = next();
  f.picked_at = next();
  f.packed_at = next();
  f.delivered_at = next();
  f.milestones = {"m-1"};
  f.invoices = {{"e1", "INV-1"}, {"e2", ""}};
  f.paid = {{"e1", next()}};
  f.closed_at = next();
  f.cancel_requested_at = next();
  f.cancel_requested_by = "shop";
  f.cancel_reason = "x";
  f.cancelled_at = next();
  f.node_cancelled_at = next();
  f.sale_cancelled_at = next();
  f.exception = FlowException{"node.cancel-failed", "node:tpl-west: refused", next(), "node.cancel",
                              "tpl-west"};
  ReturnState r;
  r.status = "received";
  r.authorized = {{"L1", 1}};
  r.received = {{"L1", 1}};
  r.condition = {{"L1", "sellable"}};
  r.node = "tpl-east";
  r.credit_note = "CN-1";
  f.returns["ret_1"] = r;
  auto back = DecodeFlowState(EncodeFlowState(f));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, f);
  // Rows written before the orchestration members (version 1) and before splits (version 2)
  // still decode: their one node becomes one allocation of the whole order.
  EXPECT_TRUE(
      DecodeFlowState(R"({"v":1,"node":"a","node_ref":"","shipped":{},"shipments":[]})").ok());
  auto v2 = DecodeFlowState(
      R"({"v":2,"node":"a","node_ref":"R-1","allocated_at":5,"dispatched_at":6,"shipped":{}})");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(
      v2->allocations,
      (std::vector<Allocation>{Allocation{"a", {}, "R-1", FromUnixMicros(5), FromUnixMicros(6)}}));
  EXPECT_FALSE(DecodeFlowState(R"({"v":4})").ok());
}

TEST(LifecycleDetailTest, ASplitSendsEachNodeItsLinesAndTimesEachNodesSla) {
  OrderPolicy policy = Policy(false);
  policy.routing.require_stock = policy.routing.allow_split = true;
  policy.routing.rules.push_back(RoutingRule{.nodes = {"tpl-east", "tpl-west"}});
  policy.slas["tpl-east"] = {std::chrono::hours(1), {}};
  policy.slas["tpl-west"] = {std::chrono::hours(2), {}};
  auto d = std::get<Decision>(Decide(std::nullopt, SubmitSplit(), kT0, policy));
  const auto& allocations = d.next.flow.allocations;
  ASSERT_EQ(allocations.size(), 2u);
  EXPECT_EQ(allocations[0].node, "tpl-east");
  EXPECT_EQ(allocations[0].lines, std::vector<std::string>{"L1"});
  EXPECT_EQ(allocations[1].node, "tpl-west");
  EXPECT_EQ(allocations[1].lines, std::vector<std::string>{"L2"});
  EXPECT_EQ(d.next.flow.Nodes(), "tpl-east+tpl-west");
  ASSERT_EQ(d.commands.size(), 4u);  // two dispatches, then one ack timer per node
  EXPECT_EQ(d.commands[0].destination, "node:tpl-east");
  EXPECT_NE(d.commands[0].payload.find("\"SKU-RED\""), std::string::npos);
  EXPECT_EQ(d.commands[0].payload.find("\"SKU-BLUE\""), std::string::npos);
  EXPECT_EQ(d.commands[1].destination, "node:tpl-west");
  EXPECT_EQ(d.commands[1].payload.find("\"SKU-RED\""), std::string::npos);
  EXPECT_NE(d.commands[1].payload.find("\"SKU-BLUE\""), std::string::npos);
  EXPECT_NE(d.events[1].data.find("\"line_ids\":[\"L1\"]"), std::string::npos) << d.events[1].data;
  EXPECT_EQ(d.commands[3].not_before, kT0 + std::chrono::hours(2));
  // East acknowledged, west did not: only west's timer raises an exception, owned by west.
  auto acked = std::get<Decision>(Decide(d.next, Ack(), kT0, policy)).next;
  auto east_due = Decide(acked, TimerFired{"sla-ack", kT0 + std::chrono::hours(1), "tpl-east"},
                         kT0 + std::chrono::hours(1), policy);
  EXPECT_TRUE(std::get<Decision>(east_due).events.empty());
  auto west_due = std::get<Decision>(
      Decide(acked, TimerFired{"sla-ack", kT0 + std::chrono::hours(2), "tpl-west"},
             kT0 + std::chrono::hours(2), policy));
  ASSERT_TRUE(west_due.next.flow.exception.has_value());
  EXPECT_EQ(ExceptionOwner(*west_due.next.flow.exception, west_due.next.flow), "node:tpl-west");
  EXPECT_EQ(ExceptionActions(*west_due.next.flow.exception),
            (std::vector<std::string>{"reroute", "cancel", "resolve"}));
  // A dead dispatch at west is owned by west, and east's ack does not close it.
  auto dead =
      std::get<Decision>(Decide(d.next, DispatchDeadLettered{"tpl-west", "HTTP 400"}, kT0, policy))
          .next;
  EXPECT_EQ(ExceptionOwner(*dead.flow.exception, dead.flow), "node:tpl-west");
  auto east_ack = std::get<Decision>(Decide(dead, Ack(), kT0, policy)).next;
  EXPECT_TRUE(east_ack.flow.exception.has_value());
  auto west_ack = std::get<Decision>(Decide(east_ack, AckWest(), kT0, policy)).next;
  EXPECT_FALSE(west_ack.flow.exception.has_value());
}

TEST(LifecycleDetailTest, ASplitShareMovesAloneAndLeavesOtherNodesAlone) {
  OrderPolicy policy = Policy(false);
  policy.routing.require_stock = policy.routing.allow_split = true;
  policy.routing.rules.push_back(RoutingRule{.nodes = {"tpl-east", "tpl-west"}});
  auto decide = [&](const OrderAggregate& s, OrderInput in) {
    auto r = Decide(s, in, kT0, policy);
    EXPECT_TRUE(std::holds_alternative<Decision>(r)) << std::get<Rejection>(r).status.ToString();
    return std::get<Decision>(r);
  };
  auto s = std::get<Decision>(Decide(std::nullopt, SubmitSplit(), kT0, policy)).next;
  // West's dispatch died; east shipped its line. West's share still moves (its lines did not
  // ship), without a cancel to west (it never had the order); east's share cannot move.
  s = decide(s, DispatchDeadLettered{"tpl-west", "HTTP 400"}).next;
  s = decide(s, ShipEastLine()).next;
  auto moved = decide(s, MoveWestToNorth());
  EXPECT_EQ(Types(moved.commands), std::vector<std::string>{command::kDispatch});
  EXPECT_FALSE(moved.next.flow.exception.has_value());  // it was west's
  EXPECT_EQ(moved.next.flow.Nodes(), "tpl-east+tpl-north");
  auto east = Decide(s, Rerouted{"tpl-north", "ops:kim", "x", "tpl-east"}, kT0, policy);
  EXPECT_EQ(std::get<Rejection>(east).status.code(), StatusCode::kConflict);
  // Moving east's share leaves an exception about west open.
  auto fresh = std::get<Decision>(Decide(std::nullopt, SubmitSplit(), kT0, policy)).next;
  fresh = decide(fresh, DispatchDeadLettered{"tpl-west", "HTTP 400"}).next;
  auto east_moved = decide(fresh, Rerouted{"tpl-north", "ops:kim", "x", "tpl-east"});
  ASSERT_TRUE(east_moved.next.flow.exception.has_value());
  EXPECT_EQ(east_moved.next.flow.exception->node, "tpl-west");
  // West confirms it let go of a re-routed share: recorded, but it changes no allocation.
  auto ack = decide(moved.next, CompensationDone{command::kNodeCancel, "tpl-west"});
  EXPECT_EQ(Types(ack.events), std::vector<std::string>{"order.node_cancelled"});
  EXPECT_EQ(ack.next.flow, moved.next.flow);
}

TEST(LifecycleDetailTest, AFraudReleaseIsNotACreditOverride) {
  OrderPolicy policy = Policy(true);
  policy.fraud_rules = {FraudRule{.name = "big", .min_total = *Decimal::Parse("1")}};
  auto s = std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy)).next;
  s = std::get<Decision>(Decide(s, Release(), kT0, policy)).next;
  auto checked = std::get<Decision>(Decide(s, Checked(), kT0, policy));
  ASSERT_EQ(Types(checked.commands), std::vector<std::string>{command::kErpSale});
  EXPECT_EQ(checked.commands[0].payload.find("\"released\""), std::string::npos);
  // A released credit hold is one.
  auto held = std::get<Decision>(Decide(s, CheckedOverCredit(), kT0, policy)).next;
  auto released = std::get<Decision>(Decide(held, Release(), kT0, policy));
  EXPECT_NE(released.commands[0].payload.find("\"released\":true"), std::string::npos);
}

TEST(LifecycleDetailTest, FraudRulesMatchOnEveryConditionTheyGive) {
  Order o = TwoLineOrder();  // 33.00, web, ships to US, no bill-to
  FraudRule big{.name = "big", .min_total = *Decimal::Parse("33.00")};
  FraudRule abroad{.name = "abroad", .countries = {"CA", "MX"}};
  FraudRule web_abroad{.name = "web-abroad", .countries = {"US"}, .channels = {"web"}};
  FraudRule differ{.name = "differ", .ship_bill_country_differ = true};
  FraudRule empty{.name = "empty"};
  auto m = MatchFraudRule(o, {empty, abroad, big});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->rule, "big");
  EXPECT_EQ(m->why, "grand total 33.00 at or above 33.00");
  m = MatchFraudRule(o, {web_abroad});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->why, "ships to US; channel web");
  EXPECT_FALSE(MatchFraudRule(o, {differ, empty, abroad}).has_value());  // no bill-to
  o.bill_to = o.ship_to;
  o.bill_to->country = "DE";
  m = MatchFraudRule(o, {differ});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->why, "ships to US, bills to DE");
  o.totals.grand_total = *Decimal::Parse("32.99");
  EXPECT_FALSE(MatchFraudRule(o, {big}).has_value());
  // The hold names the rule; the state keeps which rule held it.
  OrderPolicy policy = Policy(true);
  policy.fraud_rules = {big};
  auto d = std::get<Decision>(Decide(std::nullopt, Submit(), kT0, policy));
  EXPECT_EQ(d.next.flow.hold_rule, "big");
  EXPECT_EQ(d.next.flow.hold_reason, "fraud rule big: grand total 33.00 at or above 33.00");
  EXPECT_NE(d.events[1].data.find("\"rule\":\"big\""), std::string::npos);
}

TEST(LifecycleDetailTest, CustomerCodeFallsBackToEmailThenName) {
  Order o = TwoLineOrder();
  EXPECT_EQ(CustomerCode(o), "web:C-7");
  o.customer.external_ref.clear();
  EXPECT_EQ(CustomerCode(o), "web:ada@example.com");
  o.customer.email.clear();
  EXPECT_EQ(CustomerCode(o), "web:Ada Lovelace");
}

}  // namespace
}  // namespace crossdock
