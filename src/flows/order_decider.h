// The order lifecycle as a pure decider: Decide(state, input, now, policy) → (new state, events,
// commands). No I/O, no clock reads, no randomness: the same inputs always give the same
// outputs, so stored histories can be replayed against new code (tests/replay).
//
// The state is a set of facts (checked by the ERP, accepted, held, allocated, acknowledged,
// shipped per line, delivered, invoiced per shipment, cancelled …) and the status is derived
// from them (DeriveStatus), so inputs may arrive in any order: a late "packed" after "shipped",
// or an acknowledgement after the first shipment, is recorded but never moves the status back.
//
//   received ─ERP check─▶ (rejected | held ─release─▶) ─ERP sale─▶ accepted ─route─▶ allocated
//   allocated ─node ack─▶ dispatched ─shipments─▶ partially_shipped ─▶ shipped
//   shipped ─delivery─▶ delivered ─invoice per shipment─▶ closed   (or invoiced, then delivered)
//   any state before the first shipment ─cancel─▶ cancelled, with compensation commands
// Without an ERP (ErpPolicy::destination empty) an order is accepted at intake.
// docs/lifecycle.md draws the whole diagram and lists every input.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/money.h"
#include "base/status.h"
#include "flows/routing.h"
#include "model/field_error.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

// An order that cannot proceed without an operator: why, and since when.
struct FlowException {
  // "no-route", "shipped-after-cancel", or "<command type>-failed" (node.dispatch-failed,
  // erp.sale-failed, …) for a command refused for good or retried until it gave up.
  std::string reason;
  std::string detail;
  TimePoint since{};
  std::string command;  // the failed command's type; its later success closes the exception
  std::string node;     // the node the failed command went to, for node commands
  friend bool operator==(const FlowException&, const FlowException&) = default;
};

// One node's share of an allocated order. An order goes to one node, unless the routing
// policy allows splits and no single node has every line: then each node ships its lines.
struct Allocation {
  std::string node;
  std::vector<std::string> lines;         // line ids this node ships; empty = every line
  std::string node_ref;                   // the node's own reference, once acknowledged
  std::optional<TimePoint> allocated_at;  // its SLA timers count from here
  std::optional<TimePoint> acknowledged_at;
  std::optional<TimePoint> delivered_at;        // the carrier delivered this node's shipments
  std::optional<TimePoint> cancelled_at;        // the node confirmed the order's cancellation
  std::optional<TimePoint> dispatch_failed_at;  // its dispatch was dead-lettered; its ack clears
  // Handed over without an acknowledgment yet (an X12 node's 940 file; the 997 acknowledges).
  std::optional<TimePoint> transmitted_at;
  bool Ships(const std::string& line_id) const;
  friend bool operator==(const Allocation&, const Allocation&) = default;
};

// A return (RMA) of the order, as the flow tracks it.
struct ReturnState {
  std::string status;                            // authorized → received → credited
  std::map<std::string, int64_t> authorized;     // line_id → units allowed back
  std::map<std::string, int64_t> received;       // line_id → units that arrived at the node
  std::map<std::string, std::string> condition;  // line_id → "sellable", "damaged", …
  std::string node;                              // where it was received
  std::string credit_note;                       // the ERP's credit note reference
  friend bool operator==(const ReturnState&, const ReturnState&) = default;
};

// Flow state kept beside the canonical order (stored as JSON, see order_state.h).
struct OrderFlowState {
  // ERP stage.
  std::string customer;                   // the ERP customer code (see CustomerCode)
  std::string erp_sale;                   // the ERP's sale reference, once created
  std::optional<TimePoint> validated_at;  // the ERP check passed
  std::optional<TimePoint> accepted_at;   // the ERP sale exists
  std::optional<TimePoint> held_at;
  std::string hold_reason;
  std::string hold_rule;  // the fraud rule that holds the order; empty = a credit hold
  std::optional<TimePoint> hold_until;  // the hold timer's due time; empty = operator only
  std::optional<TimePoint> released_at;
  std::string released_by;
  std::optional<TimePoint> rejected_at;
  std::string reject_reason;
  // Fulfilment.
  std::optional<TimePoint> backordered_at;  // no node had the stock; waiting for it
  int reroutes = 0;  // operator re-routes so far (keeps each dispatch's key distinct)
  std::vector<Allocation> allocations;     // one per node (several when split)
  std::map<std::string, int64_t> shipped;  // line_id → quantity shipped so far
  std::vector<std::string> shipments;      // partner event ids applied, in order
  std::optional<TimePoint> received_at;
  std::optional<TimePoint> allocated_at;
  std::optional<TimePoint> dispatched_at;  // every allocated node acknowledged ("released")
  std::optional<TimePoint> shipped_at;     // fully shipped
  std::optional<TimePoint> picked_at;      // first "picked" milestone
  std::optional<TimePoint> packed_at;      // first "packed" milestone
  std::optional<TimePoint> delivered_at;   // the carrier delivered every node's shipments
  std::vector<std::string> milestones;     // milestone event ids applied, in order
  // Invoicing: shipment event id → ERP invoice reference ("" while the invoice is requested).
  std::map<std::string, std::string> invoices;
  std::map<std::string, TimePoint> paid;  // shipment → when its invoice was seen paid
  std::optional<TimePoint> closed_at;
  // Cancellation: requested by `cancel_requested_by` for `cancel_reason`; the order is cancelled
  // at once and its compensations (cancel at the node, cancel the ERP sale) are queued.
  std::optional<TimePoint> cancel_requested_at;
  std::string cancel_requested_by;
  std::string cancel_reason;
  std::optional<TimePoint> cancelled_at;
  std::optional<TimePoint> node_cancelled_at;  // every node confirmed the cancellation
  std::optional<TimePoint> sale_cancelled_at;  // the ERP sale is cancelled
  std::optional<FlowException> exception;      // open exception, if any
  std::map<std::string, ReturnState> returns;  // return id → its state
  // The allocation at `node`, or null.
  const Allocation* AllocationAt(const std::string& node) const;
  Allocation* AllocationAt(const std::string& node);
  // The allocated nodes, for display: "tpl-east", or "tpl-east+tpl-west" for a split.
  std::string Nodes() const;
  friend bool operator==(const OrderFlowState&, const OrderFlowState&) = default;
};

struct OrderAggregate {
  Order order;  // status lives in order.status
  OrderFlowState flow;
};

// Policy ----------------------------------------------------------------------------------------
// How the ERP takes part. With an empty destination there is no ERP: orders are accepted at
// intake and nothing is invoiced.
struct ErpPolicy {
  std::string destination;  // outbox destination of ERP commands ("erp")
  // A channel's unit price may differ from the ERP's price by at most this many percent
  // (0 = must match exactly).
  Decimal price_tolerance_percent;
  // Over the customer's credit limit: hold the order (true) or reject it (false).
  bool hold_over_credit = true;
  // A hold is released by a timer after this long; zero = only an operator releases it.
  Duration hold_timeout{};
};

// Which returns are authorized (an RMA is issued at once) and which are refused.
struct ReturnPolicy {
  int window_days = 0;               // days after delivery (else shipment); 0 = no limit
  std::vector<std::string> reasons;  // accepted reason codes; empty = any
  // Conditions in which received goods go back to stock (a restock event); others do not.
  std::vector<std::string> restock_conditions = {"sellable"};
};

// A fraud rule holds a matching order at intake, before the ERP sees it, until an operator
// releases it. Every condition given must hold; the first matching rule wins.
struct FraudRule {
  std::string name;
  std::optional<Decimal> min_total;       // grand total at or above this
  std::vector<std::string> countries;     // ship-to country is one of these
  std::vector<std::string> channels;      // the order came from one of these channels
  bool ship_bill_country_differ = false;  // ship-to and bill-to countries differ
  friend bool operator==(const FraudRule&, const FraudRule&) = default;
};

// The first rule that matches `o`: its name, and what matched ("grand total 900.00 at or
// above 500.00; ships to NG").
struct FraudMatch {
  std::string rule;
  std::string why;
};
std::optional<FraudMatch> MatchFraudRule(const Order& o, const std::vector<FraudRule>& rules);

// What each node promised (its partner's SLA): a durable timer checks each allocation and
// shipment against it; a miss opens an exception (the order itself goes on).
struct NodeSla {
  Duration dispatch_ack{};  // acknowledge a dispatched order within this; zero = no timer
  Duration ship{};          // ship it fully within this after allocation; zero = no timer
};

struct OrderPolicy {
  RoutingPolicy routing;
  ErpPolicy erp;
  ReturnPolicy returns;
  std::map<std::string, NodeSla> slas;  // node id → its SLA
  std::vector<FraudRule> fraud_rules;
};

// Inputs ----------------------------------------------------------------------------------------
struct SubmitOrder {
  Order order;         // validated; id, partner set by the caller
  RoutingFacts facts;  // stock and node health when routing needs them (set by the runner)
};
// The ERP's facts about an order (answer to an erp.check command).
struct ErpChecked {
  std::string customer;                   // the ERP customer found or created
  std::map<std::string, Decimal> prices;  // SKU → the ERP's unit price
  std::vector<std::string> unknown_skus;  // SKUs the ERP does not sell
  std::optional<Decimal> credit_limit;    // empty = no limit
  Decimal credit_used;                    // receivables and open orders already counted
};
// The ERP sale exists (answer to an erp.sale command).
struct ErpSaleCreated {
  std::string sale;
  RoutingFacts facts;  // set by the runner: the order is routed next
};
// A channel asks to return shipped goods (quantities already checked against what shipped and
// earlier returns). Refused (InvalidArgument, with pointers) outside the policy's window or
// for a reason the policy does not accept; otherwise authorized at once.
struct ReturnRequested {
  std::string return_id;
  struct Line {
    std::string line_id;
    int64_t quantity = 0;
    std::string reason;
  };
  std::vector<Line> lines;
};
// The node received a return's goods. Once per return; a repeat changes nothing.
struct ReturnReceived {
  std::string return_id;
  std::string node;
  struct Line {
    std::string line_id;
    int64_t quantity = 0;
    std::string condition;  // "sellable", "damaged", "defective", …
  };
  std::vector<Line> lines;
};
// The ERP posted the credit note of a return (answer to an erp.credit command).
struct CreditPosted {
  std::string return_id;
  std::string credit_note;
};
// The ERP reports an invoice of the order paid (found by delta polling; Tryton sends no
// webhooks). Once per invoice.
struct InvoicePaid {
  std::string reference;  // "<order id>/<shipment>"
  std::string invoice;
};
// Stock was reported: a backordered order tries to route again.
struct Reallocate {
  RoutingFacts facts;
};
// An operator (or the hold timer) releases a held order.
struct HoldReleased {
  std::string by;
  std::string reason;
  RoutingFacts facts;  // set by the runner: without an ERP a released order is routed next
};
// A durable timer came due.
struct TimerFired {
  std::string kind;  // "hold", "sla-ack", "sla-ship"
  TimePoint due{};
  std::string node;  // SLA timers: whose promise (empty in histories before splits: the first)
};
// A fulfilment milestone other than a shipment. Tolerant of order and of duplicates.
struct MilestoneReported {
  std::string kind;  // "picked", "packed", "delivered"
  std::string node;  // who reports it (checked against the allocation)
  std::string partner_event_id;
  TimePoint at{};  // when it happened, as the partner says
};
// The ERP posted the invoice for one shipment (answer to an erp.invoice command).
struct InvoicePosted {
  std::string shipment;  // the shipment's partner event id
  std::string invoice;   // the ERP's invoice reference
};
// A compensation finished: the node cancelled the order, or the ERP cancelled the sale.
struct CompensationDone {
  std::string command;  // "node.cancel" or "erp.cancel_sale"
  std::string node;     // node.cancel: which node (empty in older histories: every node)
};
// A command to a partner was refused for good, or retried until it gave up: the order needs
// an operator (exception inbox).
struct CommandFailed {
  std::string command;  // outbox type, e.g. "erp.sale"
  std::string destination;
  std::string error;
};
struct DispatchAcknowledged {
  std::string node;
  std::string node_ref;
};
// The dispatch was handed over without the node's acknowledgment yet: an X12 node's 940 was
// written to its folder, and the node acknowledges with a 997 later (DispatchAcknowledged).
// Sets the allocation's transmitted_at once and adds order.transmitted; the status does not
// change and the ack timer (NodeSla::dispatch_ack) runs on.
struct DispatchTransmitted {
  std::string node;
  std::string reference;  // what was sent: "940 interchange 000000012, group 12, file …"
};
// A reconciliation job found the order out of step with the ERP (flows/financial_reconcile.h):
// opens exception "reconcile-<kind>" for an operator; the same finding again changes nothing.
struct ReconcileFinding {
  std::string kind;       // shipped_not_invoiced, invoiced_not_shipped, amount_mismatch
  std::string reference;  // the invoice reference concerned
  std::string detail;
};
struct DispatchDeadLettered {
  std::string node;
  std::string error;
};
struct ShipmentConfirmed {
  Shipment shipment;  // validated on its own; checked against the order here
};
// A channel, portal or operator asks to cancel the order. Refused (Conflict) once anything
// has shipped; a repeated request changes nothing.
struct CancelRequested {
  std::string partner;
  std::string reason;
};
// An operator closes an open exception, having dealt with it outside Crossdock.
struct ExceptionResolved {
  std::string by;
  std::string note;
};
// An operator sends an accepted, unshipped order (or one node's share of a split order) to
// another node. The old node is asked to cancel if it had the order.
struct Rerouted {
  std::string node;
  std::string by;
  std::string reason;
  std::string from;  // the node whose share moves; may be empty unless the order is split
};
using OrderInput =
    std::variant<SubmitOrder, DispatchAcknowledged, DispatchDeadLettered, ShipmentConfirmed,
                 CancelRequested, ErpChecked, ErpSaleCreated, HoldReleased, TimerFired,
                 MilestoneReported, InvoicePosted, CompensationDone, CommandFailed,
                 ExceptionResolved, Rerouted, Reallocate, ReturnRequested, ReturnReceived,
                 CreditPosted, InvoicePaid, DispatchTransmitted, ReconcileFinding>;

// Command types (outbox item types).
namespace command {
inline constexpr const char* kDispatch = "node.dispatch";
inline constexpr const char* kNodeCancel = "node.cancel";
inline constexpr const char* kErpCheck = "erp.check";
inline constexpr const char* kErpSale = "erp.sale";
inline constexpr const char* kErpInvoice = "erp.invoice";
inline constexpr const char* kErpCancelSale = "erp.cancel_sale";
inline constexpr const char* kErpCredit = "erp.credit";
inline constexpr const char* kTimer = "timer";
}  // namespace command

// Outputs ---------------------------------------------------------------------------------------
// Something that happened; becomes a history entry and a CloudEvent.
struct DomainEvent {
  std::string type;  // short type: "order.received"; CloudEvent type dev.crossdock.<type>.v1
  std::string data;  // JSON object
  friend bool operator==(const DomainEvent&, const DomainEvent&) = default;
};
// A request to a partner (or a durable timer); becomes an outbox item.
struct Command {
  std::string type;                     // see namespace command
  std::string destination;              // "node:<id>", "erp", "timer"
  std::string idempotency_key;          // stable for this order and step
  std::string payload;                  // JSON body
  std::optional<TimePoint> not_before;  // timers: when it comes due
  // Commands of one sequence go out one at a time, in order; sequences of an order are
  // independent. A node's commands share its sequence ("node:<id>": dispatch, then cancel);
  // ERP commands have "erp", so a node that refuses a cancellation never holds up the ERP's;
  // each timer has its own.
  std::string sequence;
  friend bool operator==(const Command&, const Command&) = default;
};

struct Decision {
  OrderAggregate next;
  std::vector<DomainEvent> events;
  std::vector<Command> commands;
};

// Why an input cannot be applied. Conflict: the state forbids it (409); InvalidArgument: the
// input contradicts the order (422, with field errors).
struct Rejection {
  Status status;
  FieldErrors errors;
};

using DecideResult = std::variant<Decision, Rejection>;

// `current` is empty only for SubmitOrder.
DecideResult Decide(const std::optional<OrderAggregate>& current, const OrderInput& input,
                    TimePoint now, const OrderPolicy& policy);

// The status an aggregate's facts add up to.
OrderStatus DeriveStatus(const OrderAggregate& a, const ErpPolicy& erp);

// Who must act on an open exception ("node:<id>", "erp" or "operations"), and what an operator
// can do about it (the actions of POST /v1/admin/orders/{id}/actions).
std::string ExceptionOwner(const FlowException& e, const OrderFlowState& f);
std::vector<std::string> ExceptionActions(const FlowException& e);

// The ERP customer code of an order: "<channel>:<customer ref>", falling back to the e-mail
// address, then the name.
std::string CustomerCode(const Order& o);

}  // namespace crossdock
