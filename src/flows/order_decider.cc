#include "flows/order_decider.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "base/json.h"
#include "codecs/canonical_json.h"

namespace crossdock {

namespace {

using Extra = std::function<void(JsonWriter&)>;

std::string EventData(const Order& o, const Extra& extra = {}) {
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

std::string Micros(TimePoint t) {
  return std::to_string(ToUnixMicros(t));
}

bool FullyShipped(const OrderAggregate& a) {
  return !a.order.lines.empty() &&
         std::all_of(a.order.lines.begin(), a.order.lines.end(), [&](const OrderLine& l) {
           auto it = a.flow.shipped.find(l.line_id);
           return it != a.flow.shipped.end() && it->second >= l.quantity;
         });
}

// Every line `a` ships has shipped in full.
bool PartShipped(const OrderAggregate& agg, const Allocation& a) {
  return std::all_of(agg.order.lines.begin(), agg.order.lines.end(), [&](const OrderLine& l) {
    if (!a.Ships(l.line_id)) return true;
    auto it = agg.flow.shipped.find(l.line_id);
    return it != agg.flow.shipped.end() && it->second >= l.quantity;
  });
}

template <typename Member>
bool Every(const OrderFlowState& f, Member m) {
  return !f.allocations.empty() &&
         std::all_of(f.allocations.begin(), f.allocations.end(),
                     [&](const Allocation& a) { return (a.*m).has_value(); });
}

bool AllInvoiced(const OrderFlowState& f) {
  return std::all_of(f.invoices.begin(), f.invoices.end(),
                     [](const auto& kv) { return !kv.second.empty(); });
}

bool IsHeld(const OrderFlowState& f) {
  return f.held_at && !f.released_at && !f.cancelled_at;
}

// A decision under construction: the next state, the events and commands it adds. Every
// event carries the status the order has after the decision, so events are added last
// (Finish) from the facts gathered on the way.
class Builder {
 public:
  Builder(const OrderAggregate& cur, TimePoint now, const OrderPolicy& policy)
      : now_(now), policy_(policy) {
    d_.next = cur;
  }
  OrderAggregate& next() { return d_.next; }
  OrderFlowState& flow() { return d_.next.flow; }
  const OrderFlowState& flow() const { return d_.next.flow; }
  const Order& order() const { return d_.next.order; }
  TimePoint now() const { return now_; }
  const OrderPolicy& policy() const { return policy_; }

  void Event(std::string type, Extra extra = {}) {
    pending_.push_back({std::move(type), std::move(extra)});
  }
  // `step` names the step within the order; the idempotency key is "<step>-<order id>"
  // (plus "-<detail>" when given), stable across retries and replays.
  void Send(std::string type, std::string destination, const std::string& step,
            const std::string& detail, std::string payload,
            std::optional<TimePoint> not_before = std::nullopt) {
    std::string key = step + "-" + order().id + (detail.empty() ? "" : "-" + detail);
    std::string sequence = type == command::kTimer                  ? key
                           : destination == policy_.erp.destination ? "erp"
                                                                    : destination;
    d_.commands.push_back(Command{std::move(type), std::move(destination), std::move(key),
                                  std::move(payload), not_before, std::move(sequence)});
  }
  void OpenException(std::string reason, std::string detail, std::string command = "",
                     std::string node = "") {
    flow().exception = FlowException{std::move(reason), std::move(detail), now_, std::move(command),
                                     std::move(node)};
    const FlowException& e = *flow().exception;
    Event("order.exception", [e](JsonWriter& w) {
      w.Field("reason", e.reason);
      w.Field("detail", e.detail);
    });
  }
  // The command an open exception is about has now succeeded (a replayed dead letter, say);
  // for a node command, at the node the exception is about.
  void CloseExceptionFor(const std::string& command, const std::string& node = "") {
    if (!flow().exception || flow().exception->command != command) return;
    const std::string& at = flow().exception->node;
    if (!at.empty() && !node.empty() && at != node) return;
    std::string reason = flow().exception->reason;
    flow().exception.reset();
    Event("order.exception_resolved", [reason, command](JsonWriter& w) {
      w.Field("reason", reason);
      w.Field("resolved_by", command + " succeeded");
    });
  }

  Decision Finish() {
    Order& o = d_.next.order;
    OrderStatus before = o.status.value_or(OrderStatus::kReceived);
    OrderStatus after = DeriveStatus(d_.next, policy_.erp);
    o.status = after;
    if (after == OrderStatus::kClosed && !d_.next.flow.closed_at) {
      d_.next.flow.closed_at = now_;
      pending_.push_back({"order.closed", {}});
    }
    if (!pending_.empty() || after != before) o.updated_at = now_;
    for (auto& [type, extra] : pending_) d_.events.push_back({type, EventData(o, extra)});
    return std::move(d_);
  }

 private:
  Decision d_;
  TimePoint now_;
  const OrderPolicy& policy_;
  std::vector<std::pair<std::string, Extra>> pending_;
};

bool HasErp(const OrderPolicy& p) {
  return !p.erp.destination.empty();
}

// Durable timers for a node's SLA, counted from its allocation. Each carries its node and due
// time; a timer that comes due after the order moved on (or was re-allocated) does nothing.
void ArmSlaTimers(Builder& b, const std::string& node) {
  auto sla = b.policy().slas.find(node);
  if (sla == b.policy().slas.end()) return;
  auto arm = [&](const char* kind, Duration after) {
    if (after <= Duration::zero()) return;
    TimePoint due = b.now() + after;
    b.Send(command::kTimer, "timer", kind, node + "-" + Micros(due),
           std::string(R"({"kind":")") + kind + R"(","due":)" + Micros(due) + R"(,"node":")" +
               node + "\"}",
           due);
  };
  arm("sla-ack", sla->second.dispatch_ack);
  arm("sla-ship", sla->second.ship);
}

// The order as node `a` receives it: only the lines it ships (totals stay the order's).
std::string DispatchPayload(const Order& o, const Allocation& a) {
  if (a.lines.empty()) return EncodeOrder(o);
  Order part = o;
  std::erase_if(part.lines, [&](const OrderLine& l) { return !a.Ships(l.line_id); });
  return EncodeOrder(part);
}

// Queue the dispatch of `a`; `detail` keeps the key unique (node, plus the re-route round).
void Dispatch(Builder& b, const Allocation& a, const std::string& detail) {
  b.Send(command::kDispatch, "node:" + a.node, "dispatch", detail, DispatchPayload(b.order(), a));
}

// Accepted by the ERP (or without one): route it and queue the dispatch. No node: the order
// waits for stock (backordered) when the policy says so and stock was the only obstacle, else
// it becomes an exception.
void Allocate(Builder& b, const RoutingFacts& facts) {
  bool stock_short = false;
  auto choice = Route(b.order(), b.policy().routing, facts, &stock_short);
  if (!choice.ok()) {
    if (stock_short && BackorderAllowed(b.policy().routing, b.order().channel)) {
      if (!b.flow().backordered_at) {
        b.flow().backordered_at = b.now();
        b.Event("order.backordered",
                [why = choice.status().message()](JsonWriter& w) { w.Field("reason", why); });
      }
      return;
    }
    // Opened once: a later stock report that still finds no node adds nothing.
    if (!b.flow().exception || b.flow().exception->reason != "no-route") {
      b.OpenException("no-route", choice.status().message());
    }
    return;
  }
  if (b.flow().exception && b.flow().exception->reason == "no-route") {
    b.flow().exception.reset();
    b.Event("order.exception_resolved", [](JsonWriter& w) {
      w.Field("reason", "no-route");
      w.Field("resolved_by", "routed");
    });
  }
  b.flow().allocated_at = b.now();
  // Each node receives the order as it stands after this decision.
  b.next().order.status = OrderStatus::kAllocated;
  b.next().order.updated_at = b.now();
  for (const RoutePart& part : choice->parts) {
    b.flow().allocations.push_back(Allocation{part.node, part.lines, "", b.now()});
    b.Event("order.allocated", [part, why = choice->why](JsonWriter& w) {
      w.Field("node", part.node);
      w.Field("why", why);
      if (!part.lines.empty()) {
        w.Key("line_ids").StartArray();
        for (const auto& l : part.lines) w.String(l);
        w.EndArray();
      }
    });
    Dispatch(b, b.flow().allocations.back(), part.node);
  }
  for (const RoutePart& part : choice->parts) ArmSlaTimers(b, part.node);
}

std::string SalePayload(const Builder& b) {
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", b.order().id);
  w.Field("customer", b.flow().customer);
  // The credit limit was overridden on purpose (a released credit hold; a fraud hold's release
  // says nothing about credit).
  if (b.flow().released_at && b.flow().hold_rule.empty()) w.Field("released", true);
  w.Key("order");
  w.Raw(EncodeOrder(b.order()));
  w.EndObject();
  return w.Take();
}

void RequestSale(Builder& b) {
  b.Send(command::kErpSale, b.policy().erp.destination, "sale", "", SalePayload(b));
}

// Holds the order for review when a fraud rule matches; true if it did.
bool ScreenForFraud(Builder& b) {
  auto match = MatchFraudRule(b.order(), b.policy().fraud_rules);
  if (!match) return false;
  OrderFlowState& f = b.flow();
  f.held_at = b.now();
  f.hold_rule = match->rule;
  f.hold_reason = "fraud rule " + match->rule + ": " + match->why;
  b.Event("order.held", [reason = f.hold_reason, rule = f.hold_rule](JsonWriter& w) {
    w.Field("reason", reason);
    w.Field("rule", rule);
  });
  return true;
}

DecideResult OnSubmit(const SubmitOrder& in, TimePoint now, const OrderPolicy& policy) {
  OrderAggregate start;
  start.order = in.order;
  start.order.status = OrderStatus::kReceived;
  start.order.created_at = now;
  start.order.updated_at = now;
  start.flow.received_at = now;
  start.flow.customer = CustomerCode(in.order);
  if (!HasErp(policy)) {
    // No ERP: an order that cannot be routed is refused at intake, before anything is stored,
    // unless it may wait for stock.
    bool stock_short = false;
    auto node = Route(in.order, policy.routing, in.facts, &stock_short);
    if (!node.ok() && !(stock_short && BackorderAllowed(policy.routing, in.order.channel))) {
      return Reject(InvalidArgument("no node can fulfil the order"),
                    {{"/ship_to/country", node.status().message()}});
    }
  }
  Builder b(start, now, policy);
  b.Event("order.received");
  if (ScreenForFraud(b)) return b.Finish();
  if (HasErp(policy)) {
    b.Send(command::kErpCheck, policy.erp.destination, "check", "", SalePayload(b));
  } else {
    b.flow().accepted_at = now;
    Allocate(b, in.facts);
  }
  return b.Finish();
}

// The ERP's facts against the order and the policy: reject, hold or ask for the sale.
void OnChecked(Builder& b, const ErpChecked& in) {
  b.CloseExceptionFor(command::kErpCheck);
  OrderFlowState& f = b.flow();
  // Answered before (a credit hold is open, or was released and validated the order).
  if (f.validated_at || f.rejected_at || IsHeld(f) || f.cancelled_at) return;
  f.customer = in.customer.empty() ? f.customer : in.customer;
  std::vector<std::string> problems;
  for (const auto& sku : in.unknown_skus) problems.push_back("the ERP does not sell SKU " + sku);
  const Decimal tolerance = b.policy().erp.price_tolerance_percent;
  for (const auto& line : b.order().lines) {
    auto it = in.prices.find(line.sku);
    if (it == in.prices.end()) {
      if (std::find(in.unknown_skus.begin(), in.unknown_skus.end(), line.sku) ==
          in.unknown_skus.end()) {
        problems.push_back("the ERP gave no price for SKU " + line.sku);
      }
      continue;
    }
    // |channel − erp| × 100 ≤ erp × tolerance, in micro-units. long double holds every
    // product of two micro-unit amounts exactly enough for this comparison.
    long double diff = static_cast<long double>(line.unit_price.micros()) - it->second.micros();
    if (diff < 0) diff = -diff;
    long double allowed =
        static_cast<long double>(it->second.micros()) * tolerance.micros() / 1'000'000;
    if (diff * 100 > allowed) {
      problems.push_back("line " + line.line_id + ": price " + line.unit_price.ToString(2) +
                         " differs from the ERP's " + it->second.ToString(2) + " for " + line.sku +
                         " by more than " + tolerance.ToString() + "%");
    }
  }
  if (!problems.empty()) {
    f.rejected_at = b.now();
    f.reject_reason = problems.front();
    b.Event("order.rejected", [problems](JsonWriter& w) {
      w.Key("reasons").StartArray();
      for (const auto& p : problems) w.String(p);
      w.EndArray();
    });
    return;
  }
  if (in.credit_limit) {
    Decimal exposure;
    Decimal::Add(in.credit_used, b.order().totals.grand_total, exposure);
    if (exposure > *in.credit_limit) {
      std::string why = "credit limit " + in.credit_limit->ToString(2) +
                        " exceeded: " + in.credit_used.ToString(2) + " used + " +
                        b.order().totals.grand_total.ToString(2) + " ordered";
      if (!b.policy().erp.hold_over_credit) {
        f.rejected_at = b.now();
        f.reject_reason = why;
        b.Event("order.rejected",
                [why](JsonWriter& w) { w.Key("reasons").StartArray().String(why).EndArray(); });
        return;
      }
      f.held_at = b.now();
      f.hold_reason = why;
      f.hold_rule.clear();
      f.released_at.reset();  // an earlier fraud hold's release
      f.released_by.clear();
      Duration timeout = b.policy().erp.hold_timeout;
      if (timeout > Duration::zero()) {
        f.hold_until = b.now() + timeout;
        b.Send(command::kTimer, "timer", "hold", Micros(*f.hold_until),
               R"({"kind":"hold","order_id":")" + b.order().id + R"(","due":)" +
                   Micros(*f.hold_until) + "}",
               f.hold_until);
      }
      b.Event("order.held", [f](JsonWriter& w) {
        w.Field("reason", f.hold_reason);
        if (f.hold_until) w.Field("hold_until", FormatRfc3339(*f.hold_until));
      });
      return;
    }
  }
  f.validated_at = b.now();
  b.Event("order.validated", [c = f.customer](JsonWriter& w) { w.Field("customer", c); });
  RequestSale(b);
}

void OnSaleCreated(Builder& b, const ErpSaleCreated& in) {
  b.CloseExceptionFor(command::kErpSale);
  OrderFlowState& f = b.flow();
  if (f.accepted_at) return;  // a repeated answer
  f.erp_sale = in.sale;
  f.accepted_at = b.now();
  b.Event("order.accepted", [s = in.sale](JsonWriter& w) { w.Field("erp_sale", s); });
  if (f.cancelled_at || f.rejected_at) {
    // Cancelled while the sale was being created (or a sale for an order the check rejected):
    // undo it, never fulfil it.
    b.Send(command::kErpCancelSale, b.policy().erp.destination, "cancel-sale", "", SalePayload(b));
    return;
  }
  Allocate(b, in.facts);
}

// Ends the hold. A credit hold's order is valid: the sale comes next. A fraud hold came before
// the ERP check: the check comes next (or, without an ERP, acceptance and routing).
void Release(Builder& b, const std::string& by, const std::string& reason,
             const RoutingFacts& facts = {}) {
  OrderFlowState& f = b.flow();
  f.released_at = b.now();
  f.released_by = by;
  b.Event("order.released", [by, reason](JsonWriter& w) {
    w.Field("released_by", by);
    w.Field("reason", reason);
  });
  if (f.hold_rule.empty()) {
    f.validated_at = b.now();
    RequestSale(b);
  } else if (HasErp(b.policy())) {
    b.Send(command::kErpCheck, b.policy().erp.destination, "check", "", SalePayload(b));
  } else {
    f.accepted_at = b.now();
    Allocate(b, facts);
  }
}

DecideResult OnRelease(Builder& b, const HoldReleased& in) {
  if (!IsHeld(b.flow())) {
    return Reject(Conflict("order " + b.order().id + " is " +
                           std::string(OrderStatusName(*b.order().status)) + ", not held"));
  }
  Release(b, in.by, in.reason, in.facts);
  return b.Finish();
}

void OnTimer(Builder& b, const TimerFired& in) {
  const OrderFlowState& f = b.flow();
  // Only the timer of the current hold releases it; a stale timer changes nothing.
  if (in.kind == "hold" && IsHeld(f) && f.hold_until && *f.hold_until == in.due) {
    Release(b, "timer", "the hold expired");
    return;
  }
  if (in.kind != "sla-ack" && in.kind != "sla-ship") return;
  // Only for a current allocation (a re-route arms new timers), and only while the promise is
  // still open. Timers recorded before splits name no node: the order's one node.
  const Allocation* a = in.node.empty() ? (f.allocations.empty() ? nullptr : &f.allocations[0])
                                        : f.AllocationAt(in.node);
  if (!a || !a->allocated_at || f.cancelled_at) return;
  auto sla = b.policy().slas.find(a->node);
  if (sla == b.policy().slas.end()) return;
  bool ack = in.kind == "sla-ack";
  Duration promised = ack ? sla->second.dispatch_ack : sla->second.ship;
  if (*a->allocated_at + promised != in.due) return;
  if (ack ? a->acknowledged_at.has_value() : PartShipped(b.next(), *a)) return;
  std::string what = ack ? "acknowledge" : "ship";
  std::string node = a->node;
  std::string detail =
      "node " + node + " did not " + what + " the order by " + FormatRfc3339(in.due);
  b.Event("order.sla_missed", [kind = in.kind, node, detail](JsonWriter& w) {
    w.Field("sla", kind).Field("node", node).Field("detail", detail);
  });
  if (!f.exception) b.OpenException(in.kind + "-missed", detail, "", node);
}

DecideResult OnAck(Builder& b, const DispatchAcknowledged& in) {
  OrderFlowState& f = b.flow();
  Allocation* a = f.AllocationAt(in.node);
  if (!a) {
    return Reject(Conflict("acknowledgement from node '" + in.node + "' but the order is at '" +
                           f.Nodes() + "'"));
  }
  b.CloseExceptionFor(command::kDispatch, in.node);
  if (!a->acknowledged_at) {
    a->node_ref = in.node_ref;
    a->acknowledged_at = b.now();
    a->dispatch_failed_at.reset();
    // Late acks (after a shipment) are recorded without moving the status back.
    b.Event("order.dispatched", [in](JsonWriter& w) {
      w.Field("node", in.node);
      w.Field("node_ref", in.node_ref);
    });
  }
  if (!f.dispatched_at && Every(f, &Allocation::acknowledged_at)) f.dispatched_at = b.now();
  return b.Finish();
}

void OnTransmitted(Builder& b, const DispatchTransmitted& in) {
  Allocation* a = b.flow().AllocationAt(in.node);
  if (!a || a->transmitted_at || a->acknowledged_at) return;  // re-routed away, or known
  a->transmitted_at = b.now();
  b.Event("order.transmitted", [in](JsonWriter& w) {
    w.Field("node", in.node);
    w.Field("reference", in.reference);
  });
}

void OnFinding(Builder& b, const ReconcileFinding& in) {
  std::string reason = "reconcile-" + in.kind;
  const auto& open = b.flow().exception;
  if (open && open->reason == reason && open->detail == in.detail) return;  // known already
  // Another open exception keeps its slot (its command may still close it); the finding stays
  // in the reconciliation's report.
  if (open && open->reason.rfind("reconcile-", 0) != 0) return;
  b.OpenException(reason, in.detail);
}

void OnDeadLetter(Builder& b, const DispatchDeadLettered& in) {
  b.Event("order.dispatch_failed", [in](JsonWriter& w) {
    w.Field("node", in.node);
    w.Field("error", in.error);
  });
  if (Allocation* a = b.flow().AllocationAt(in.node)) a->dispatch_failed_at = b.now();
  b.OpenException(std::string(command::kDispatch) + "-failed", "node:" + in.node + ": " + in.error,
                  command::kDispatch, in.node);
}

std::string InvoicePayload(const Builder& b, const Shipment& s) {
  const Order& o = b.order();
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", o.id);
  w.Field("sale", b.flow().erp_sale);
  w.Field("customer", b.flow().customer);
  w.Field("currency", o.currency);
  w.Field("reference", o.id + "/" + s.partner_event_id);
  w.Field("shipment", s.partner_event_id);
  w.Key("lines").StartArray();
  std::map<std::string, int64_t> qty;
  for (const auto& p : s.packages) {
    for (const auto& l : p.lines) qty[l.line_id] += l.quantity;
  }
  for (size_t i = 0; i < o.lines.size(); ++i) {
    const OrderLine& line = o.lines[i];
    auto it = qty.find(line.line_id);
    if (it == qty.end()) continue;
    w.StartObject();
    w.Field("line_id", line.line_id);
    w.Field("position", static_cast<int64_t>(i));  // the line's place in the ERP sale
    w.Field("sku", line.sku);
    w.Field("quantity", it->second);
    w.Field("unit_price", line.unit_price.ToString(2));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

DecideResult OnShipment(Builder& b, const ShipmentConfirmed& in) {
  const Shipment& s = in.shipment;
  const Order& o = b.order();
  OrderFlowState& f = b.flow();
  const Allocation* at = f.AllocationAt(s.node);
  if (!at) return Reject(NotFound("order " + o.id + " is not allocated to node '" + s.node + "'"));
  if (FullyShipped(b.next()) || f.rejected_at) {
    return Reject(Conflict("order " + o.id + " is " + std::string(OrderStatusName(*o.status)) +
                           " and cannot take a shipment"));
  }
  FieldErrors errors;
  std::map<std::string, int64_t> shipped = f.shipped;
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
      if (!at->Ships(sl.line_id)) {
        auto owner = std::find_if(f.allocations.begin(), f.allocations.end(),
                                  [&](const Allocation& a) { return a.Ships(sl.line_id); });
        errors.push_back({p + "/line_id", "line \"" + sl.line_id + "\" is allocated to node " +
                                              (owner == f.allocations.end() ? "" : owner->node) +
                                              ", not " + s.node});
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

  f.shipped = shipped;
  f.shipments.push_back(s.partner_event_id);
  bool complete = FullyShipped(b.next());
  if (complete) f.shipped_at = b.now();
  b.Event(complete ? "order.shipped" : "order.partially_shipped", [s](JsonWriter& w) {
    w.Key("shipment");
    WriteShipment(w, s);
  });
  if (f.cancelled_at) {
    // The node shipped before it saw the cancellation: the goods are gone. An operator decides
    // (recall, or bill after all); nothing is invoiced automatically.
    b.OpenException("shipped-after-cancel", "node " + s.node + " shipped " + s.partner_event_id +
                                                " after the order was "
                                                "cancelled");
  } else if (HasErp(b.policy())) {
    f.invoices[s.partner_event_id] = "";
    b.Send(command::kErpInvoice, b.policy().erp.destination, "invoice", s.partner_event_id,
           InvoicePayload(b, s));
  }
  return b.Finish();
}

DecideResult OnMilestone(Builder& b, const MilestoneReported& in) {
  OrderFlowState& f = b.flow();
  Allocation* a = f.AllocationAt(in.node);
  if (!a) {
    return Reject(
        NotFound("order " + b.order().id + " is not allocated to node '" + in.node + "'"));
  }
  // Picked and packed count once for the order; delivered once per node, and the order is
  // delivered when every node's goods are.
  std::optional<TimePoint>* slot = in.kind == "picked"      ? &f.picked_at
                                   : in.kind == "packed"    ? &f.packed_at
                                   : in.kind == "delivered" ? &a->delivered_at
                                                            : nullptr;
  if (!slot) return Reject(InvalidArgument("unknown milestone '" + in.kind + "'"));
  if (std::find(f.milestones.begin(), f.milestones.end(), in.partner_event_id) !=
      f.milestones.end()) {
    return b.Finish();  // the same report again
  }
  f.milestones.push_back(in.partner_event_id);
  bool first = !slot->has_value();
  if (first) *slot = in.at;
  if (!f.delivered_at && Every(f, &Allocation::delivered_at)) {
    // The order is delivered when the last node's goods are (reports may come out of order).
    f.delivered_at = in.at;
    for (const auto& a : f.allocations) f.delivered_at = std::max(*f.delivered_at, *a.delivered_at);
  }
  b.Event("order." + in.kind, [in, first](JsonWriter& w) {
    w.Field("node", in.node);
    w.Field("partner_event_id", in.partner_event_id);
    w.Field("at", FormatRfc3339(in.at));
    if (!first) w.Field("repeated", true);
  });
  return b.Finish();
}

void OnInvoice(Builder& b, const InvoicePosted& in) {
  b.CloseExceptionFor(command::kErpInvoice);
  auto& slot = b.flow().invoices[in.shipment];
  if (!slot.empty()) return;  // posted before
  slot = in.invoice;
  b.Event("order.invoiced", [in](JsonWriter& w) {
    w.Field("shipment", in.shipment);
    w.Field("invoice", in.invoice);
  });
}

// Ask node `a` to cancel; `detail` keeps the key unique (node, plus the re-route round).
void SendNodeCancel(Builder& b, const Allocation& a, const std::string& detail,
                    const std::string& reason) {
  JsonWriter w;
  w.StartObject().Field("order_id", b.order().id).Field("node_ref", a.node_ref);
  w.Field("reason", reason).EndObject();
  b.Send(command::kNodeCancel, "node:" + a.node, "cancel", detail, w.Take());
}

DecideResult OnCancel(Builder& b, const CancelRequested& in) {
  OrderFlowState& f = b.flow();
  const Order& o = b.order();
  if (f.cancelled_at) return b.Finish();  // repeated
  if (!f.shipped.empty() || f.rejected_at) {
    return Reject(Conflict("order " + o.id + " is " + std::string(OrderStatusName(*o.status)) +
                           " and can no longer be cancelled"));
  }
  f.cancel_requested_at = b.now();
  f.cancel_requested_by = in.partner;
  f.cancel_reason = in.reason;
  f.cancelled_at = b.now();
  std::string node = f.Nodes();
  b.Event("order.cancel_requested", [in, node](JsonWriter& w) {
    w.Field("requested_by", in.partner);
    w.Field("reason", in.reason);
    if (!node.empty()) w.Field("node", node);
  });
  // Compensation by stage. Commands of one order go out in sequence, so a cancel follows its
  // dispatch; a sale still being created is cancelled when the ERP answers (OnSaleCreated).
  std::vector<std::string> steps;
  for (const Allocation& a : f.allocations) {
    steps.push_back(command::kNodeCancel);
    SendNodeCancel(b, a, a.node, in.reason);
  }
  if (!f.erp_sale.empty()) {
    steps.push_back(command::kErpCancelSale);
    b.Send(command::kErpCancelSale, b.policy().erp.destination, "cancel-sale", "", SalePayload(b));
  }
  b.Event("order.cancelled", [steps](JsonWriter& w) {
    w.Key("compensation").StartArray();
    for (const auto& s : steps) w.String(s);
    w.EndArray();
  });
  return b.Finish();
}

void OnCompensated(Builder& b, const CompensationDone& in) {
  b.CloseExceptionFor(in.command, in.node);
  OrderFlowState& f = b.flow();
  if (in.command != command::kNodeCancel) {
    if (f.sale_cancelled_at) return;
    f.sale_cancelled_at = b.now();
    b.Event("order.sale_cancelled");
    return;
  }
  if (!f.cancelled_at) {
    // A node the order was re-routed away from confirms it let go; the order goes on (and a
    // node the order has since come back to keeps its new allocation).
    if (!in.node.empty()) {
      b.Event("order.node_cancelled",
              [n = in.node](JsonWriter& w) { w.Field("node", n).Field("reason", "re-routed"); });
    }
    return;
  }
  // Histories recorded before splits name no node: the order's one node.
  for (Allocation& a : f.allocations) {
    if ((!in.node.empty() && a.node != in.node) || a.cancelled_at) continue;
    a.cancelled_at = b.now();
    b.Event("order.node_cancelled", [n = a.node](JsonWriter& w) { w.Field("node", n); });
  }
  if (!f.node_cancelled_at && Every(f, &Allocation::cancelled_at)) f.node_cancelled_at = b.now();
}

DecideResult OnReturnRequested(Builder& b, const ReturnRequested& in) {
  OrderFlowState& f = b.flow();
  if (f.returns.count(in.return_id)) return b.Finish();  // the same request again
  const ReturnPolicy& policy = b.policy().returns;
  FieldErrors errors;
  std::optional<TimePoint> since = f.delivered_at ? f.delivered_at : f.shipped_at;
  if (!since && !f.shipments.empty()) since = f.allocated_at;  // partly shipped: be lenient
  if (policy.window_days > 0 && since &&
      b.now() > *since + std::chrono::hours(24) * policy.window_days) {
    errors.push_back({"", "the return window of " + std::to_string(policy.window_days) +
                              " days closed on " +
                              FormatRfc3339(*since + std::chrono::hours(24) * policy.window_days)});
  }
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const auto& accepted = policy.reasons;
    if (!accepted.empty() &&
        std::find(accepted.begin(), accepted.end(), in.lines[i].reason) == accepted.end()) {
      std::string list;
      for (const auto& r : accepted) list += (list.empty() ? "" : ", ") + r;
      errors.push_back({"/lines/" + std::to_string(i) + "/reason",
                        "\"" + in.lines[i].reason + "\" is not an accepted reason (" + list + ")"});
    }
  }
  if (!errors.empty()) return Reject(InvalidArgument("the return policy refuses it"), errors);
  ReturnState& r = f.returns[in.return_id];
  r.status = "authorized";
  for (const auto& l : in.lines) r.authorized[l.line_id] += l.quantity;
  b.Event("order.return_authorized", [in](JsonWriter& w) {
    w.Field("return_id", in.return_id);
    w.Field("rma", in.return_id);
  });
  return b.Finish();
}

std::string CreditPayload(const Builder& b, const std::string& return_id, const ReturnState& r) {
  const Order& o = b.order();
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", o.id).Field("sale", b.flow().erp_sale);
  w.Field("customer", b.flow().customer).Field("currency", o.currency);
  w.Field("reference", o.id + "/" + return_id).Field("return_id", return_id);
  w.Key("lines").StartArray();
  for (size_t i = 0; i < o.lines.size(); ++i) {
    auto it = r.received.find(o.lines[i].line_id);
    if (it == r.received.end() || it->second == 0) continue;
    w.StartObject().Field("line_id", o.lines[i].line_id);
    w.Field("position", static_cast<int64_t>(i)).Field("sku", o.lines[i].sku);
    w.Field("quantity", it->second).Field("unit_price", o.lines[i].unit_price.ToString(2));
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

DecideResult OnReturnReceived(Builder& b, const ReturnReceived& in) {
  OrderFlowState& f = b.flow();
  auto it = f.returns.find(in.return_id);
  if (it == f.returns.end()) {
    return Reject(NotFound("order " + b.order().id + " has no return " + in.return_id));
  }
  ReturnState& r = it->second;
  if (r.status != "authorized") return b.Finish();  // received before: nothing new
  FieldErrors errors;
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const auto& l = in.lines[i];
    auto a = r.authorized.find(l.line_id);
    int64_t allowed = a == r.authorized.end() ? 0 : a->second;
    if (l.quantity > allowed) {
      errors.push_back({"/lines/" + std::to_string(i) + "/quantity",
                        "return " + in.return_id + " authorized " + std::to_string(allowed) +
                            " of line \"" + l.line_id + "\""});
    }
  }
  if (!errors.empty()) return Reject(InvalidArgument("the receipt does not match the RMA"), errors);
  r.status = "received";
  r.node = in.node;
  std::vector<ReturnReceived::Line> restock;
  const auto& sellable = b.policy().returns.restock_conditions;
  for (const auto& l : in.lines) {
    r.received[l.line_id] += l.quantity;
    r.condition[l.line_id] = l.condition;
    if (std::find(sellable.begin(), sellable.end(), l.condition) != sellable.end()) {
      restock.push_back(l);
    }
  }
  const Order& o = b.order();
  auto sku_of = [&o](const std::string& line_id) {
    for (const auto& l : o.lines) {
      if (l.line_id == line_id) return l.sku;
    }
    return std::string();
  };
  b.Event("order.return_received",
          [in](JsonWriter& w) { w.Field("return_id", in.return_id).Field("node", in.node); });
  if (!restock.empty()) {
    // Goods fit to sell again: inventory consumers add them back at the node.
    b.Event("order.restocked", [in, restock, sku_of](JsonWriter& w) {
      w.Field("return_id", in.return_id).Field("node", in.node).Key("lines").StartArray();
      for (const auto& l : restock) {
        w.StartObject().Field("line_id", l.line_id).Field("sku", sku_of(l.line_id));
        w.Field("quantity", l.quantity).Field("condition", l.condition).EndObject();
      }
      w.EndArray();
    });
  }
  if (HasErp(b.policy()) && !f.erp_sale.empty()) {
    b.Send(command::kErpCredit, b.policy().erp.destination, "credit", in.return_id,
           CreditPayload(b, in.return_id, r));
  }
  return b.Finish();
}

void OnCreditPosted(Builder& b, const CreditPosted& in) {
  b.CloseExceptionFor(command::kErpCredit);
  auto it = b.flow().returns.find(in.return_id);
  if (it == b.flow().returns.end() || it->second.status == "credited") return;
  it->second.status = "credited";
  it->second.credit_note = in.credit_note;
  b.Event("order.return_credited", [in](JsonWriter& w) {
    w.Field("return_id", in.return_id).Field("credit_note", in.credit_note);
  });
}

void OnInvoicePaid(Builder& b, const InvoicePaid& in) {
  std::string shipment = in.reference.substr(in.reference.find('/') + 1);
  OrderFlowState& f = b.flow();
  if (!f.invoices.count(shipment) || f.paid.count(shipment)) return;  // unknown, or seen before
  f.paid[shipment] = b.now();
  b.Event("order.invoice_paid", [shipment, in](JsonWriter& w) {
    w.Field("shipment", shipment).Field("invoice", in.invoice);
  });
}

void OnReallocate(Builder& b, const Reallocate& in) {
  const OrderFlowState& f = b.flow();
  if (!f.backordered_at || !f.allocations.empty() || f.cancelled_at || f.rejected_at) return;
  Allocate(b, in.facts);
}

DecideResult OnResolved(Builder& b, const ExceptionResolved& in) {
  if (!b.flow().exception) {
    return Reject(Conflict("order " + b.order().id + " has no open exception"));
  }
  std::string reason = b.flow().exception->reason;
  b.flow().exception.reset();
  b.Event("order.exception_resolved", [reason, in](JsonWriter& w) {
    w.Field("reason", reason);
    w.Field("resolved_by", in.by);
    w.Field("detail", in.note);
  });
  return b.Finish();
}

DecideResult OnRerouted(Builder& b, const Rerouted& in) {
  OrderFlowState& f = b.flow();
  const Order& o = b.order();
  auto refuse = [&](const std::string& why) {
    return Reject(Conflict("order " + o.id + " cannot be re-routed: " + why));
  };
  if (f.rejected_at || f.cancelled_at)
    return refuse("it is " + std::string(OrderStatusName(*o.status)));
  if (!f.accepted_at) return refuse("it is not accepted yet");
  if (f.AllocationAt(in.node)) return refuse("it is at node " + in.node + " already");
  if (f.allocations.size() > 1 && in.from.empty()) {
    return refuse("it is split over " + f.Nodes() + "; name the node to move from");
  }
  Allocation* from = in.from.empty() ? (f.allocations.empty() ? nullptr : &f.allocations[0])
                                     : f.AllocationAt(in.from);
  if (!in.from.empty() && !from) return refuse("it has nothing at node " + in.from);
  Allocation old = from ? *from : Allocation{};
  // Only a share none of whose lines shipped moves (a split's other shares may have shipped).
  for (const auto& [line, qty] : f.shipped) {
    if (qty > 0 && (!from || old.Ships(line))) return refuse("it has shipped");
  }
  ++f.reroutes;
  // Keys stay unique when an order goes back to a node it was at before.
  const std::string round = "r" + std::to_string(f.reroutes);
  if (!old.node.empty() && !old.dispatch_failed_at) {
    // The old node has the order, or will get it (a pending dispatch goes first in its
    // sequence): ask it to cancel. The new dispatch does not wait for that.
    SendNodeCancel(b, old, old.node + "-" + round, "re-routed to " + in.node);
  }
  // The share leaves its node: so does an exception about that node (or no route); another
  // node's or the ERP's stays open.
  if (f.exception && (f.exception->reason == "no-route" || f.exception->node == old.node ||
                      (f.exception->node.empty() && f.exception->command.rfind("node.", 0) == 0))) {
    f.exception.reset();
  }
  f.dispatched_at.reset();
  b.Event("order.rerouted", [o = old.node, in](JsonWriter& w) {
    w.Field("from_node", o);
    w.Field("node", in.node);
    w.Field("by", in.by);
    w.Field("reason", in.reason);
  });
  Allocation moved{in.node, old.lines, "", b.now()};
  if (from) {
    *from = moved;
  } else {
    f.allocations.push_back(moved);
  }
  f.allocated_at = b.now();
  b.next().order.status = OrderStatus::kAllocated;
  b.Event("order.allocated", [n = in.node](JsonWriter& w) {
    w.Field("node", n);
    w.Field("why", "re-routed by an operator");
  });
  Dispatch(b, moved, in.node + "-" + round);
  ArmSlaTimers(b, in.node);
  return b.Finish();
}

void OnFailed(Builder& b, const CommandFailed& in) {
  std::string node = in.destination.rfind("node:", 0) == 0 ? in.destination.substr(5) : "";
  b.OpenException(in.command + "-failed", in.destination + ": " + in.error, in.command, node);
}

}  // namespace

bool Allocation::Ships(const std::string& line_id) const {
  return lines.empty() || std::find(lines.begin(), lines.end(), line_id) != lines.end();
}

const Allocation* OrderFlowState::AllocationAt(const std::string& node) const {
  for (const auto& a : allocations) {
    if (a.node == node) return &a;
  }
  return nullptr;
}

Allocation* OrderFlowState::AllocationAt(const std::string& node) {
  return const_cast<Allocation*>(std::as_const(*this).AllocationAt(node));
}

std::string OrderFlowState::Nodes() const {
  std::string out;
  for (const auto& a : allocations) out += (out.empty() ? "" : "+") + a.node;
  return out;
}

OrderStatus DeriveStatus(const OrderAggregate& a, const ErpPolicy& erp) {
  const OrderFlowState& f = a.flow;
  if (f.rejected_at) return OrderStatus::kRejected;
  if (f.cancelled_at) return OrderStatus::kCancelled;
  if (FullyShipped(a)) {
    bool invoiced = !erp.destination.empty() && !f.invoices.empty() && AllInvoiced(f);
    bool billing_done = erp.destination.empty() || invoiced;
    if (f.delivered_at && billing_done) return OrderStatus::kClosed;
    if (invoiced) return OrderStatus::kInvoiced;
    if (f.delivered_at) return OrderStatus::kDelivered;
    return OrderStatus::kShipped;
  }
  if (!f.shipped.empty()) return OrderStatus::kPartiallyShipped;
  if (f.dispatched_at) return OrderStatus::kDispatched;
  if (!f.allocations.empty()) return OrderStatus::kAllocated;
  if (f.backordered_at) return OrderStatus::kBackordered;
  if (IsHeld(f)) return OrderStatus::kHeld;
  if (f.accepted_at) return OrderStatus::kAccepted;
  if (f.validated_at) return OrderStatus::kValidated;
  return OrderStatus::kReceived;
}

std::string ExceptionOwner(const FlowException& e, const OrderFlowState& f) {
  if (!e.node.empty()) return "node:" + e.node;
  if (e.command.rfind("node.", 0) == 0) return "node:" + f.Nodes();
  if (e.command.rfind("erp.", 0) == 0) return "erp";
  return "operations";
}

std::vector<std::string> ExceptionActions(const FlowException& e) {
  if (e.reason == "shipped-after-cancel") return {"resolve"};
  if (e.reason.rfind("reconcile-", 0) == 0) return {"resolve"};  // settled in the ERP
  // No route, or a node that missed its SLA: send it elsewhere (retrying a timer means nothing).
  if (e.reason == "no-route" || e.reason.rfind("sla-", 0) == 0) {
    return {"reroute", "cancel", "resolve"};
  }
  if (e.command == command::kDispatch) return {"retry", "reroute", "cancel", "resolve"};
  return {"retry", "cancel", "resolve"};
}

std::optional<FraudMatch> MatchFraudRule(const Order& o, const std::vector<FraudRule>& rules) {
  auto listed = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  for (const FraudRule& r : rules) {
    std::vector<std::string> why;
    if (r.min_total) {
      if (o.totals.grand_total < *r.min_total) continue;
      why.push_back("grand total " + o.totals.grand_total.ToString(2) + " at or above " +
                    r.min_total->ToString(2));
    }
    if (!r.countries.empty()) {
      if (!listed(r.countries, o.ship_to.country)) continue;
      why.push_back("ships to " + o.ship_to.country);
    }
    if (!r.channels.empty()) {
      if (!listed(r.channels, o.channel)) continue;
      why.push_back("channel " + o.channel);
    }
    if (r.ship_bill_country_differ) {
      if (!o.bill_to || o.ship_to.country == o.bill_to->country) continue;
      why.push_back("ships to " + o.ship_to.country + ", bills to " + o.bill_to->country);
    }
    if (why.empty()) continue;  // a rule without conditions matches nothing
    std::string text;
    for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
    return FraudMatch{r.name, text};
  }
  return std::nullopt;
}

std::string CustomerCode(const Order& o) {
  const Customer& c = o.customer;
  const std::string& who = !c.external_ref.empty() ? c.external_ref
                           : !c.email.empty()      ? c.email
                                                   : c.name;
  return o.channel + ":" + who;
}

DecideResult Decide(const std::optional<OrderAggregate>& current, const OrderInput& input,
                    TimePoint now, const OrderPolicy& policy) {
  if (const auto* submit = std::get_if<SubmitOrder>(&input)) {
    if (current) return Reject(Conflict("order " + current->order.id + " already exists"));
    return OnSubmit(*submit, now, policy);
  }
  if (!current) return Reject(NotFound("order not found"));
  Builder b(*current, now, policy);
  return std::visit(
      [&](const auto& in) -> DecideResult {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, SubmitOrder>) {
          return Reject(Internal("unreachable"));
        } else if constexpr (std::is_same_v<T, DispatchAcknowledged>) {
          return OnAck(b, in);
        } else if constexpr (std::is_same_v<T, ShipmentConfirmed>) {
          return OnShipment(b, in);
        } else if constexpr (std::is_same_v<T, CancelRequested>) {
          return OnCancel(b, in);
        } else if constexpr (std::is_same_v<T, HoldReleased>) {
          return OnRelease(b, in);
        } else if constexpr (std::is_same_v<T, MilestoneReported>) {
          return OnMilestone(b, in);
        } else if constexpr (std::is_same_v<T, ExceptionResolved>) {
          return OnResolved(b, in);
        } else if constexpr (std::is_same_v<T, Rerouted>) {
          return OnRerouted(b, in);
        } else if constexpr (std::is_same_v<T, ReturnRequested>) {
          return OnReturnRequested(b, in);
        } else if constexpr (std::is_same_v<T, ReturnReceived>) {
          return OnReturnReceived(b, in);
        } else {
          if constexpr (std::is_same_v<T, DispatchDeadLettered>) OnDeadLetter(b, in);
          if constexpr (std::is_same_v<T, ErpChecked>) OnChecked(b, in);
          if constexpr (std::is_same_v<T, ErpSaleCreated>) OnSaleCreated(b, in);
          if constexpr (std::is_same_v<T, TimerFired>) OnTimer(b, in);
          if constexpr (std::is_same_v<T, InvoicePosted>) OnInvoice(b, in);
          if constexpr (std::is_same_v<T, CompensationDone>) OnCompensated(b, in);
          if constexpr (std::is_same_v<T, CommandFailed>) OnFailed(b, in);
          if constexpr (std::is_same_v<T, Reallocate>) OnReallocate(b, in);
          if constexpr (std::is_same_v<T, CreditPosted>) OnCreditPosted(b, in);
          if constexpr (std::is_same_v<T, InvoicePaid>) OnInvoicePaid(b, in);
          if constexpr (std::is_same_v<T, DispatchTransmitted>) OnTransmitted(b, in);
          if constexpr (std::is_same_v<T, ReconcileFinding>) OnFinding(b, in);
          return b.Finish();
        }
      },
      input);
}

}  // namespace crossdock
