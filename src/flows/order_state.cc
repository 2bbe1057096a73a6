#include "flows/order_state.h"

#include "base/json.h"
#include "codecs/json_reader.h"

namespace crossdock {

std::string EncodeFlowState(const OrderFlowState& s) {
  JsonWriter w;
  w.StartObject();
  w.Field("v", 1);
  w.Field("node", s.node);
  w.Field("node_ref", s.node_ref);
  w.Key("shipped").StartObject();
  for (const auto& [line, qty] : s.shipped) w.Field(line, qty);
  w.EndObject();
  w.Key("shipments").StartArray();
  for (const auto& id : s.shipments) w.String(id);
  w.EndArray();
  auto time = [&](const char* key, const std::optional<TimePoint>& t) {
    if (t) w.Field(key, ToUnixMicros(*t));
  };
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
  r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
    if (k == "v") {
      int64_t version = 0;
      r.Int(v, p, version);
      if (version != 1) r.Error(p, "unsupported flow state version");
    } else if (k == "node")
      r.String(v, p, s.node);
    else if (k == "node_ref")
      r.String(v, p, s.node_ref);
    else if (k == "shipped") {
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
    else
      return false;
    return true;
  });
  if (!errors.empty()) return Internal("flow state " + errors[0].pointer + ": " + errors[0].detail);
  return s;
}

}  // namespace crossdock
