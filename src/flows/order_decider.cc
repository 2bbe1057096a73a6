#include "flows/order_decider.h"

#include <algorithm>
#include <functional>

#include "base/json.h"
#include "codecs/canonical_json.h"

namespace crossdock {

namespace {

std::string EventData(const Order& o, const std::function<void(JsonWriter&)>& extra = {}) {
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", o.id);
  w.Field("channel", o.channel);
  w.Field("external_ref", o.external_ref);
  w.Field("status", OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
  if (extra) extra(w);
  w.EndObject();
  return w.Take();
}

Rejection Reject(Status s, FieldErrors errors = {}) {
  return Rejection{std::move(s), std::move(errors)};
}

bool IsOneOf(OrderStatus s, std::initializer_list<OrderStatus> set) {
  for (auto x : set) {
    if (x == s) return true;
  }
  return false;
}

DecideResult OnSubmit(const SubmitOrder& in, TimePoint now, const RoutingPolicy& routing) {
  auto node = Route(in.order, routing);
  if (!node.ok()) {
    return Reject(InvalidArgument("no node can fulfil the order"),
                  {{"/ship_to/country", node.status().message()}});
  }
  Decision d;
  OrderAggregate& next = d.next;
  next.order = in.order;
  next.order.status = OrderStatus::kAllocated;
  next.order.created_at = now;
  next.order.updated_at = now;
  next.flow.node = *node;
  next.flow.received_at = now;
  next.flow.allocated_at = now;

  Order received = next.order;
  received.status = OrderStatus::kReceived;
  d.events.push_back({"order.received", EventData(received)});
  d.events.push_back(
      {"order.allocated", EventData(next.order, [&](JsonWriter& w) { w.Field("node", *node); })});
  d.commands.push_back({*node, "dispatch-" + next.order.id + "-" + *node, EncodeOrder(next.order)});
  return d;
}

DecideResult OnAck(const OrderAggregate& cur, const DispatchAcknowledged& in, TimePoint now) {
  Decision d;
  d.next = cur;
  if (in.node != cur.flow.node) {
    return Reject(Conflict("acknowledgement from node '" + in.node + "' but the order is at '" +
                           cur.flow.node + "'"));
  }
  if (cur.flow.dispatched_at) return d;  // duplicate ack: nothing new
  d.next.flow.node_ref = in.node_ref;
  d.next.flow.dispatched_at = now;
  d.next.order.updated_at = now;
  if (cur.order.status == OrderStatus::kAllocated) {
    d.next.order.status = OrderStatus::kDispatched;
  }
  // Late acks (after a shipment) are recorded without moving the state back.
  d.events.push_back({"order.dispatched", EventData(d.next.order, [&](JsonWriter& w) {
                        w.Field("node", in.node);
                        w.Field("node_ref", in.node_ref);
                      })});
  return d;
}

DecideResult OnDeadLetter(const OrderAggregate& cur, const DispatchDeadLettered& in,
                          TimePoint now) {
  Decision d;
  d.next = cur;
  d.next.order.updated_at = now;
  d.events.push_back({"order.dispatch_failed", EventData(cur.order, [&](JsonWriter& w) {
                        w.Field("node", in.node);
                        w.Field("error", in.error);
                      })});
  return d;
}

DecideResult OnShipment(const OrderAggregate& cur, const ShipmentConfirmed& in, TimePoint now) {
  const Shipment& s = in.shipment;
  const Order& o = cur.order;
  OrderStatus status = o.status.value_or(OrderStatus::kReceived);
  if (s.node != cur.flow.node) {
    return Reject(NotFound("order " + o.id + " is not allocated to node '" + s.node + "'"));
  }
  if (!IsOneOf(status, {OrderStatus::kAllocated, OrderStatus::kDispatched,
                        OrderStatus::kPartiallyShipped})) {
    return Reject(Conflict("order " + o.id + " is " + std::string(OrderStatusName(status)) +
                           " and cannot take a shipment"));
  }
  FieldErrors errors;
  std::map<std::string, int64_t> shipped = cur.flow.shipped;
  for (size_t i = 0; i < s.packages.size(); ++i) {
    for (size_t j = 0; j < s.packages[i].lines.size(); ++j) {
      const ShippedLine& sl = s.packages[i].lines[j];
      std::string p = "/packages/" + std::to_string(i) + "/lines/" + std::to_string(j);
      auto line = std::find_if(o.lines.begin(), o.lines.end(),
                               [&](const OrderLine& l) { return l.line_id == sl.line_id; });
      if (line == o.lines.end()) {
        errors.push_back({p + "/line_id", "order " + o.id + " has no line \"" + sl.line_id + "\""});
        continue;
      }
      if (!sl.sku.empty() && sl.sku != line->sku) {
        errors.push_back({p + "/sku", "line \"" + sl.line_id + "\" is SKU " + line->sku});
      }
      shipped[sl.line_id] += sl.quantity;
      if (shipped[sl.line_id] > line->quantity) {
        errors.push_back({p + "/quantity", "ships more than the " + std::to_string(line->quantity) +
                                               " ordered on line \"" + sl.line_id + "\""});
      }
    }
  }
  if (!errors.empty()) return Reject(InvalidArgument("shipment does not match the order"), errors);

  Decision d;
  d.next = cur;
  d.next.flow.shipped = shipped;
  d.next.flow.shipments.push_back(s.partner_event_id);
  d.next.order.updated_at = now;
  bool complete = std::all_of(o.lines.begin(), o.lines.end(), [&](const OrderLine& l) {
    auto it = shipped.find(l.line_id);
    return it != shipped.end() && it->second >= l.quantity;
  });
  d.next.order.status = complete ? OrderStatus::kShipped : OrderStatus::kPartiallyShipped;
  if (complete) d.next.flow.shipped_at = now;
  d.events.push_back({complete ? "order.shipped" : "order.partially_shipped",
                      EventData(d.next.order, [&](JsonWriter& w) {
                        w.Key("shipment");
                        WriteShipment(w, s);
                      })});
  return d;
}

DecideResult OnCancel(const OrderAggregate& cur, const CancelRequested& in, TimePoint now) {
  OrderStatus status = cur.order.status.value_or(OrderStatus::kReceived);
  if (!IsOneOf(status, {OrderStatus::kReceived, OrderStatus::kAllocated, OrderStatus::kDispatched,
                        OrderStatus::kCancelled})) {
    return Reject(Conflict("order " + cur.order.id + " is " + std::string(OrderStatusName(status)) +
                           " and can no longer be cancelled"));
  }
  Decision d;
  d.next = cur;
  if (cur.flow.cancel_requested_at || status == OrderStatus::kCancelled) return d;  // repeated
  d.next.flow.cancel_requested_at = now;
  d.next.flow.cancel_requested_by = in.partner;
  d.next.flow.cancel_reason = in.reason;
  d.next.order.updated_at = now;
  d.events.push_back({"order.cancel_requested", EventData(d.next.order, [&](JsonWriter& w) {
                        w.Field("requested_by", in.partner);
                        w.Field("reason", in.reason);
                        if (!cur.flow.node.empty()) w.Field("node", cur.flow.node);
                      })});
  return d;
}

}  // namespace

DecideResult Decide(const std::optional<OrderAggregate>& current, const OrderInput& input,
                    TimePoint now, const RoutingPolicy& routing) {
  if (const auto* submit = std::get_if<SubmitOrder>(&input)) {
    if (current) return Reject(Conflict("order " + current->order.id + " already exists"));
    return OnSubmit(*submit, now, routing);
  }
  if (!current) return Reject(NotFound("order not found"));
  if (const auto* ack = std::get_if<DispatchAcknowledged>(&input))
    return OnAck(*current, *ack, now);
  if (const auto* dl = std::get_if<DispatchDeadLettered>(&input)) {
    return OnDeadLetter(*current, *dl, now);
  }
  if (const auto* cancel = std::get_if<CancelRequested>(&input)) {
    return OnCancel(*current, *cancel, now);
  }
  return OnShipment(*current, std::get<ShipmentConfirmed>(input), now);
}

}  // namespace crossdock
