#include "flows/order_state.h"

#include "base/json.h"
#include "codecs/json_reader.h"

namespace crossdock {

std::string EncodeFlowState(const OrderFlowState& s) {
  JsonWriter w;
  w.StartObject();
  // Version 3: allocations per node (splits). Version 2 (orchestration members: reroutes,
  // paid, returns …) and version 1 rows decode too: their one "node" becomes one allocation.
  w.Field("v", 3);
  w.Key("shipped").StartObject();
  for (const auto& [line, qty] : s.shipped) w.Field(line, qty);
  w.EndObject();
  w.Key("shipments").StartArray();
  for (const auto& id : s.shipments) w.String(id);
  w.EndArray();
  auto time = [&](const char* key, const std::optional<TimePoint>& t) {
    if (t) w.Field(key, ToUnixMicros(*t));
  };
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) w.Field(key, v);
  };
  if (!s.allocations.empty()) {
    w.Key("allocations").StartArray();
    for (const auto& a : s.allocations) {
      w.StartObject().Field("node", a.node);
      if (!a.lines.empty()) {
        w.Key("lines").StartArray();
        for (const auto& l : a.lines) w.String(l);
        w.EndArray();
      }
      text("node_ref", a.node_ref);
      time("allocated_at", a.allocated_at);
      time("acknowledged_at", a.acknowledged_at);
      time("delivered_at", a.delivered_at);
      time("cancelled_at", a.cancelled_at);
      time("dispatch_failed_at", a.dispatch_failed_at);
      time("transmitted_at", a.transmitted_at);
      w.EndObject();
    }
    w.EndArray();
  }
  text("customer", s.customer);
  text("erp_sale", s.erp_sale);
  time("validated_at", s.validated_at);
  time("accepted_at", s.accepted_at);
  time("held_at", s.held_at);
  text("hold_reason", s.hold_reason);
  text("hold_rule", s.hold_rule);
  time("hold_until", s.hold_until);
  time("released_at", s.released_at);
  text("released_by", s.released_by);
  time("rejected_at", s.rejected_at);
  text("reject_reason", s.reject_reason);
  time("backordered_at", s.backordered_at);
  if (s.reroutes > 0) w.Field("reroutes", static_cast<int64_t>(s.reroutes));
  time("picked_at", s.picked_at);
  time("packed_at", s.packed_at);
  time("delivered_at", s.delivered_at);
  if (!s.milestones.empty()) {
    w.Key("milestones").StartArray();
    for (const auto& id : s.milestones) w.String(id);
    w.EndArray();
  }
  if (!s.invoices.empty()) {
    w.Key("invoices").StartObject();
    for (const auto& [shipment, invoice] : s.invoices) w.Field(shipment, invoice);
    w.EndObject();
  }
  if (!s.paid.empty()) {
    w.Key("paid").StartObject();
    for (const auto& [shipment, at] : s.paid) w.Field(shipment, ToUnixMicros(at));
    w.EndObject();
  }
  time("closed_at", s.closed_at);
  time("cancelled_at", s.cancelled_at);
  time("node_cancelled_at", s.node_cancelled_at);
  time("sale_cancelled_at", s.sale_cancelled_at);
  if (s.exception) {
    w.Key("exception").StartObject();
    w.Field("reason", s.exception->reason);
    w.Field("detail", s.exception->detail);
    w.Field("since", ToUnixMicros(s.exception->since));
    text("command", s.exception->command);
    text("node", s.exception->node);
    w.EndObject();
  }
  if (!s.returns.empty()) {
    auto counts = [&](const char* key, const std::map<std::string, int64_t>& m) {
      w.Key(key).StartObject();
      for (const auto& [line, qty] : m) w.Field(line, qty);
      w.EndObject();
    };
    w.Key("returns").StartObject();
    for (const auto& [id, r] : s.returns) {
      w.Key(id).StartObject().Field("status", r.status);
      counts("authorized", r.authorized);
      counts("received", r.received);
      w.Key("condition").StartObject();
      for (const auto& [line, c] : r.condition) w.Field(line, c);
      w.EndObject();
      text("node", r.node);
      text("credit_note", r.credit_note);
      w.EndObject();
    }
    w.EndObject();
  }
  time("received_at", s.received_at);
  time("allocated_at", s.allocated_at);
  time("dispatched_at", s.dispatched_at);
  time("shipped_at", s.shipped_at);
  if (s.cancel_requested_at) {
    time("cancel_requested_at", s.cancel_requested_at);
    w.Field("cancel_requested_by", s.cancel_requested_by);
    w.Field("cancel_reason", s.cancel_reason);
  }
  w.EndObject();
  return w.Take();
}

Result<OrderFlowState> DecodeFlowState(std::string_view json) {
  using json_reader::element;
  FieldErrors errors;
  auto doc = json_reader::Parse(json, 8, errors);
  if (!doc) return Internal("flow state is not JSON");
  json_reader::Reader r(errors);
  OrderFlowState s;
  auto time = [&](element v, const std::string& p, std::optional<TimePoint>& out) {
    int64_t micros = 0;
    r.Int(v, p, micros);
    out = FromUnixMicros(micros);
  };
  std::string legacy_node, legacy_ref;  // versions 1 and 2: the one node
  r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
    if (k == "v") {
      int64_t version = 0;
      r.Int(v, p, version);
      if (version < 1 || version > 3) r.Error(p, "unsupported flow state version");
    } else if (k == "node")
      r.String(v, p, legacy_node);
    else if (k == "node_ref")
      r.String(v, p, legacy_ref);
    else if (k == "allocations") {
      r.ForEachItem(v, p, [&](element av, const std::string& ap) {
        Allocation& a = s.allocations.emplace_back();
        r.ForEachField(av, ap, [&](std::string_view ak, element fv, const std::string& fp) {
          if (ak == "node")
            r.String(fv, fp, a.node);
          else if (ak == "lines") {
            r.ForEachItem(fv, fp, [&](element l, const std::string& lp) {
              r.String(l, lp, a.lines.emplace_back());
            });
          } else if (ak == "node_ref")
            r.String(fv, fp, a.node_ref);
          else if (ak == "allocated_at")
            time(fv, fp, a.allocated_at);
          else if (ak == "acknowledged_at")
            time(fv, fp, a.acknowledged_at);
          else if (ak == "delivered_at")
            time(fv, fp, a.delivered_at);
          else if (ak == "cancelled_at")
            time(fv, fp, a.cancelled_at);
          else if (ak == "dispatch_failed_at")
            time(fv, fp, a.dispatch_failed_at);
          else if (ak == "transmitted_at")
            time(fv, fp, a.transmitted_at);
          else
            return false;
          return true;
        });
      });
    } else if (k == "shipped") {
      r.ForEachField(v, p, [&](std::string_view line, element q, const std::string& lp) {
        r.Int(q, lp, s.shipped[std::string(line)]);
        return true;
      });
    } else if (k == "shipments") {
      r.ForEachItem(v, p, [&](element id, const std::string& ip) {
        r.String(id, ip, s.shipments.emplace_back());
      });
    } else if (k == "received_at")
      time(v, p, s.received_at);
    else if (k == "allocated_at")
      time(v, p, s.allocated_at);
    else if (k == "dispatched_at")
      time(v, p, s.dispatched_at);
    else if (k == "shipped_at")
      time(v, p, s.shipped_at);
    else if (k == "cancel_requested_at")
      time(v, p, s.cancel_requested_at);
    else if (k == "cancel_requested_by")
      r.String(v, p, s.cancel_requested_by);
    else if (k == "cancel_reason")
      r.String(v, p, s.cancel_reason);
    else if (k == "customer")
      r.String(v, p, s.customer);
    else if (k == "erp_sale")
      r.String(v, p, s.erp_sale);
    else if (k == "validated_at")
      time(v, p, s.validated_at);
    else if (k == "accepted_at")
      time(v, p, s.accepted_at);
    else if (k == "held_at")
      time(v, p, s.held_at);
    else if (k == "hold_reason")
      r.String(v, p, s.hold_reason);
    else if (k == "hold_rule")
      r.String(v, p, s.hold_rule);
    else if (k == "hold_until")
      time(v, p, s.hold_until);
    else if (k == "released_at")
      time(v, p, s.released_at);
    else if (k == "released_by")
      r.String(v, p, s.released_by);
    else if (k == "rejected_at")
      time(v, p, s.rejected_at);
    else if (k == "reject_reason")
      r.String(v, p, s.reject_reason);
    else if (k == "returns") {
      r.ForEachField(v, p, [&](std::string_view id, element rv, const std::string& rp) {
        ReturnState& ret = s.returns[std::string(id)];
        r.ForEachField(rv, rp, [&](std::string_view rk, element fv, const std::string& fp) {
          auto counts = [&](std::map<std::string, int64_t>& m) {
            r.ForEachField(fv, fp, [&](std::string_view line, element q, const std::string& qp) {
              r.Int(q, qp, m[std::string(line)]);
              return true;
            });
          };
          if (rk == "status")
            r.String(fv, fp, ret.status);
          else if (rk == "authorized")
            counts(ret.authorized);
          else if (rk == "received")
            counts(ret.received);
          else if (rk == "condition") {
            r.ForEachField(fv, fp, [&](std::string_view line, element c, const std::string& cp) {
              r.String(c, cp, ret.condition[std::string(line)]);
              return true;
            });
          } else if (rk == "node")
            r.String(fv, fp, ret.node);
          else if (rk == "credit_note")
            r.String(fv, fp, ret.credit_note);
          else
            return false;
          return true;
        });
        return true;
      });
    } else if (k == "paid") {
      r.ForEachField(v, p, [&](std::string_view shipment, element at, const std::string& ap) {
        std::optional<TimePoint> t;
        time(at, ap, t);
        s.paid[std::string(shipment)] = *t;
        return true;
      });
    } else if (k == "reroutes") {
      int64_t n = 0;
      r.Int(v, p, n);
      s.reroutes = static_cast<int>(n);
    } else if (k == "backordered_at")
      time(v, p, s.backordered_at);
    else if (k == "picked_at")
      time(v, p, s.picked_at);
    else if (k == "packed_at")
      time(v, p, s.packed_at);
    else if (k == "delivered_at")
      time(v, p, s.delivered_at);
    else if (k == "milestones") {
      r.ForEachItem(v, p, [&](element id, const std::string& ip) {
        r.String(id, ip, s.milestones.emplace_back());
      });
    } else if (k == "invoices") {
      r.ForEachField(v, p, [&](std::string_view shipment, element inv, const std::string& ip) {
        r.String(inv, ip, s.invoices[std::string(shipment)]);
        return true;
      });
    } else if (k == "closed_at")
      time(v, p, s.closed_at);
    else if (k == "cancelled_at")
      time(v, p, s.cancelled_at);
    else if (k == "node_cancelled_at")
      time(v, p, s.node_cancelled_at);
    else if (k == "sale_cancelled_at")
      time(v, p, s.sale_cancelled_at);
    else if (k == "exception") {
      FlowException e;
      r.ForEachField(v, p, [&](std::string_view ek, element ev, const std::string& ep) {
        if (ek == "reason")
          r.String(ev, ep, e.reason);
        else if (ek == "detail")
          r.String(ev, ep, e.detail);
        else if (ek == "command")
          r.String(ev, ep, e.command);
        else if (ek == "node")
          r.String(ev, ep, e.node);
        else if (ek == "since") {
          int64_t micros = 0;
          r.Int(ev, ep, micros);
          e.since = FromUnixMicros(micros);
        } else
          return false;
        return true;
      });
      s.exception = e;
    } else
      return false;
    return true;
  });
  if (!errors.empty()) return Internal("flow state " + errors[0].pointer + ": " + errors[0].detail);
  if (!legacy_node.empty() && s.allocations.empty()) {
    s.allocations.push_back(Allocation{legacy_node,
                                       {},
                                       legacy_ref,
                                       s.allocated_at,
                                       s.dispatched_at,
                                       s.delivered_at,
                                       s.node_cancelled_at});
  }
  return s;
}

}  // namespace crossdock
