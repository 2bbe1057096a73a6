// The order lifecycle as a pure decider: Decide(state, input, now) → (new state, events,
// commands). No I/O, no clock reads, no randomness: the same inputs always give the same
// outputs, so stored histories can be replayed against new code.
//
//   received ──route──▶ allocated ──node ack──▶ dispatched ──shipment──▶ partially_shipped
//                                 └───────────── shipment ─────────────▶ shipped
// A cancellation request is recorded in any state before the first shipment.
// A shipment may arrive before the node's acknowledgement is recorded (partners are not
// ordered); late acknowledgements are recorded but never move the state back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "flows/routing.h"
#include "model/field_error.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

// Flow state kept beside the canonical order (stored as JSON, see order_state.h).
struct OrderFlowState {
  std::string node;                        // allocated node
  std::string node_ref;                    // the node's own reference, once acknowledged
  std::map<std::string, int64_t> shipped;  // line_id → quantity shipped so far
  std::vector<std::string> shipments;      // partner event ids applied, in order
  std::optional<TimePoint> received_at;
  std::optional<TimePoint> allocated_at;
  std::optional<TimePoint> dispatched_at;  // node acknowledged ("released")
  std::optional<TimePoint> shipped_at;     // fully shipped
  // A cancellation was requested (by `cancel_requested_by`, for `cancel_reason`). Acting on it
  // at the node and in the ERP is the orchestration's compensation step; until then the
  // request is recorded and shown, and a shipment that still arrives is applied.
  std::optional<TimePoint> cancel_requested_at;
  std::string cancel_requested_by;
  std::string cancel_reason;
  friend bool operator==(const OrderFlowState&, const OrderFlowState&) = default;
};

struct OrderAggregate {
  Order order;  // status lives in order.status
  OrderFlowState flow;
};

// Inputs ----------------------------------------------------------------------------------------
struct SubmitOrder {
  Order order;  // validated; id, partner set by the caller
};
struct DispatchAcknowledged {
  std::string node;
  std::string node_ref;
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
using OrderInput = std::variant<SubmitOrder, DispatchAcknowledged, DispatchDeadLettered,
                                ShipmentConfirmed, CancelRequested>;

// Outputs ---------------------------------------------------------------------------------------
// Something that happened; becomes a history entry and a CloudEvent.
struct DomainEvent {
  std::string type;  // short type: "order.received"; CloudEvent type dev.crossdock.<type>.v1
  std::string data;  // JSON object
  friend bool operator==(const DomainEvent&, const DomainEvent&) = default;
};
// A request to a partner; becomes an outbox item.
struct DispatchToNode {
  std::string node;
  std::string idempotency_key;  // stable for this order and node
  std::string payload;          // JSON body for the node
  friend bool operator==(const DispatchToNode&, const DispatchToNode&) = default;
};

struct Decision {
  OrderAggregate next;
  std::vector<DomainEvent> events;
  std::vector<DispatchToNode> commands;
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
                    TimePoint now, const RoutingPolicy& routing);

}  // namespace crossdock
