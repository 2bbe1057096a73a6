#include "flows/returns.h"

#include <simdjson.h>

#include <algorithm>

#include "base/json.h"

namespace crossdock {

FieldErrors CheckReturn(const OrderAggregate& order, const std::map<std::string, int64_t>& earlier,
                        const std::vector<ReturnLineRequest>& lines) {
  FieldErrors errors;
  std::map<std::string, int64_t> taken = earlier;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string p = "/lines/" + std::to_string(i);
    const auto& ol = order.order.lines;
    if (std::none_of(ol.begin(), ol.end(),
                     [&](const OrderLine& l) { return l.line_id == lines[i].line_id; })) {
      errors.push_back({p + "/line_id", "order " + order.order.id + " has no such line"});
      continue;
    }
    int64_t& units = taken[lines[i].line_id];
    bool had_earlier = units > 0;
    units += lines[i].quantity;
    auto shipped = order.flow.shipped.find(lines[i].line_id);
    int64_t have = shipped == order.flow.shipped.end() ? 0 : shipped->second;
    if (units > have) {
      errors.push_back({p + "/quantity", std::string(had_earlier ? "with earlier returns, " : "") +
                                             "exceeds the " + std::to_string(have) +
                                             " shipped on this line"});
    }
  }
  return errors;
}

Status AddReturnedQuantities(const std::string& body, std::map<std::string, int64_t>& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array lines;
  if (parser.parse(body).get(doc) || doc["lines"].get_array().get(lines)) {
    return Internal("a stored return does not decode");
  }
  for (auto line : lines) {
    std::string_view id;
    int64_t quantity = 0;
    if (line["line_id"].get_string().get(id) || line["quantity"].get_int64().get(quantity)) {
      return Internal("a stored return line does not decode");
    }
    out[std::string(id)] += quantity;
  }
  return Status::Ok();
}

std::string EncodeReturn(const std::string& id, const std::string& order_id,
                         const std::string& partner, TimePoint created_at,
                         const std::vector<ReturnLineRequest>& lines, const std::string& notes) {
  JsonWriter w;
  w.StartObject();
  w.Field("id", id).Field("order_id", order_id).Field("status", "authorized");
  w.Field("partner", partner).Field("created_at", FormatRfc3339(created_at));
  w.Key("lines").StartArray();
  for (const auto& l : lines) {
    w.StartObject().Field("line_id", l.line_id).Field("quantity", l.quantity);
    w.Field("reason", l.reason).EndObject();
  }
  w.EndArray();
  if (!notes.empty()) w.Field("notes", notes);
  w.EndObject();
  return w.Take();
}

std::string WithProgress(const std::string& stored, const ReturnState& state) {
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (parser.parse(stored).get(doc)) return stored;
  JsonWriter w;
  w.StartObject();
  for (auto kv : doc) {
    w.Key(kv.key);
    if (kv.key == "status") {
      w.String(state.status);
    } else {
      w.Raw(simdjson::minify(kv.value));
    }
  }
  if (!state.received.empty()) {
    w.Key("received").StartArray();
    for (const auto& [line, qty] : state.received) {
      auto c = state.condition.find(line);
      w.StartObject().Field("line_id", line).Field("quantity", qty);
      if (c != state.condition.end()) w.Field("condition", c->second);
      w.EndObject();
    }
    w.EndArray();
    w.Field("node", state.node);
  }
  if (!state.credit_note.empty()) w.Field("credit_note", state.credit_note);
  w.EndObject();
  return w.Take();
}

}  // namespace crossdock
