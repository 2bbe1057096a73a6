#include "flows/command_answers.h"

#include "codecs/json_reader.h"

namespace crossdock {

namespace {

using json_reader::element;

// The first of `keys` that is a string member of a node's JSON answer; empty when none is or
// the answer is not JSON.
std::string StringMember(std::string_view body, std::initializer_list<const char*> keys) {
  FieldErrors errors;
  auto doc = json_reader::Parse(body, 16, errors);
  if (!doc) return "";
  std::string_view value;
  for (const char* key : keys) {
    if (!(*doc)[key].get_string().get(value)) return std::string(value);
  }
  return "";
}

// "node_ref" (or "id"): the node's own reference for the order.
std::string NodeRefFrom(std::string_view body) {
  return StringMember(body, {"node_ref", "id"});
}

// "transmitted": what a connector handed over without the node's acknowledgment yet.
std::string TransmittedFrom(std::string_view body) {
  return StringMember(body, {"transmitted"});
}

CommandFailed Unreadable(const OutboxItem& item, const FieldErrors& errors) {
  std::string detail = "unreadable answer";
  if (!errors.empty()) detail += " at " + errors[0].pointer + ": " + errors[0].detail;
  return CommandFailed{item.type, item.destination, detail};
}

// Reads the fields of a JSON object answer with `field`; unknown keys are ignored (partners
// may add fields). Returns the errors.
FieldErrors ReadObject(std::string_view body,
                       const std::function<void(json_reader::Reader&, std::string_view, element,
                                                const std::string&)>& field) {
  FieldErrors errors;
  auto doc = json_reader::Parse(body, 16, errors);
  if (!doc) return errors;
  json_reader::Reader r(errors);
  r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
    field(r, k, v, p);
    return true;
  });
  return errors;
}

OrderInput CheckAnswer(const OutboxItem& item, std::string_view body) {
  ErpChecked in;
  bool has_customer = false;
  FieldErrors errors = ReadObject(
      body, [&](json_reader::Reader& r, std::string_view k, element v, const std::string& p) {
        has_customer |= k == "customer";
        ReadErpCheckedMember(r, k, v, p, in);  // members it does not know are ignored
      });
  if (errors.empty() && !has_customer) errors.push_back({"/customer", "is required"});
  if (!errors.empty()) return Unreadable(item, errors);
  return in;
}

// Reads one required string field of an answer.
OrderInput StringAnswer(const OutboxItem& item, std::string_view body, std::string_view key,
                        const std::function<OrderInput(std::string)>& make) {
  std::string value;
  FieldErrors errors = ReadObject(
      body, [&](json_reader::Reader& r, std::string_view k, element v, const std::string& p) {
        if (k == key) r.String(v, p, value);
      });
  if (errors.empty() && value.empty()) {
    errors.push_back({"/" + std::string(key), "is required"});
  }
  if (!errors.empty()) return Unreadable(item, errors);
  return make(std::move(value));
}

// A field of the command's own payload (written by the decider, so well-formed).
std::string PayloadField(const OutboxItem& item, std::string_view key) {
  FieldErrors errors;
  auto doc = json_reader::Parse(item.payload, 64, errors);
  if (!doc) return "";
  std::string_view v;
  if (!(*doc)[key].get_string().get(v)) return std::string(v);
  int64_t n = 0;
  if (!(*doc)[key].get_int64().get(n)) return std::to_string(n);
  return "";
}

}  // namespace

bool ReadErpCheckedMember(json_reader::Reader& r, std::string_view k, element v,
                          const std::string& p, ErpChecked& in) {
  if (k == "customer") {
    r.String(v, p, in.customer);
  } else if (k == "prices") {
    r.ForEachField(v, p, [&](std::string_view sku, element price, const std::string& pp) {
      r.Amount(price, pp, in.prices[std::string(sku)]);
      return true;
    });
  } else if (k == "unknown_skus") {
    r.ForEachItem(v, p, [&](element sku, const std::string& ip) {
      r.String(sku, ip, in.unknown_skus.emplace_back());
    });
  } else if (k == "credit_limit") {
    if (!v.is_null()) r.Amount(v, p, in.credit_limit.emplace());
  } else if (k == "credit_used") {
    r.Amount(v, p, in.credit_used);
  } else {
    return false;
  }
  return true;
}

std::string NodeOf(const OutboxItem& item) {
  constexpr std::string_view kPrefix = "node:";
  std::string_view d = item.destination;
  return d.substr(0, kPrefix.size()) == kPrefix ? std::string(d.substr(kPrefix.size()))
                                                : std::string(d);
}

std::string SequenceId(const std::string& order_id, const std::string& sequence) {
  return sequence.empty() ? order_id : order_id + "/" + sequence;
}

std::string OrderIdOf(const OutboxItem& item) {
  // "<order id>" or "<order id>/<sequence>" (SequenceId).
  return item.aggregate_id.substr(0, item.aggregate_id.find('/'));
}

OrderInput InputFromAnswer(const OutboxItem& item, std::string_view body) {
  const std::string& t = item.type;
  if (t == command::kDispatch) {
    // {"transmitted": "<what was sent>"}: handed over, the node acknowledges later.
    std::string transmitted = TransmittedFrom(body);
    if (!transmitted.empty()) return DispatchTransmitted{NodeOf(item), transmitted};
    return DispatchAcknowledged{NodeOf(item), NodeRefFrom(body)};
  }
  if (t == command::kErpCheck) return CheckAnswer(item, body);
  if (t == command::kErpSale) {
    return StringAnswer(item, body, "sale", [](std::string s) { return ErpSaleCreated{s}; });
  }
  if (t == command::kErpInvoice) {
    std::string shipment = PayloadField(item, "shipment");
    return StringAnswer(item, body, "invoice", [&](std::string s) {
      return InvoicePosted{shipment, s};
    });
  }
  if (t == command::kErpCredit) {
    std::string return_id = PayloadField(item, "return_id");
    return StringAnswer(item, body, "credit_note", [&](std::string s) {
      return CreditPosted{return_id, s};
    });
  }
  if (t == command::kNodeCancel) return CompensationDone{t, NodeOf(item)};
  if (t == command::kErpCancelSale) return CompensationDone{t};
  if (t == command::kTimer) {
    std::string due = PayloadField(item, "due");
    int64_t micros = 0;
    for (char c : due) micros = micros * 10 + (c - '0');
    return TimerFired{PayloadField(item, "kind"), FromUnixMicros(micros),
                      PayloadField(item, "node")};
  }
  return CommandFailed{t, item.destination, "no reaction is defined for command type " + t};
}

OrderInput InputFromFailure(const OutboxItem& item, const std::string& error) {
  if (item.type == command::kDispatch) return DispatchDeadLettered{NodeOf(item), error};
  return CommandFailed{item.type, item.destination, error};
}

}  // namespace crossdock
