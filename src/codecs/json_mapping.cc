#include "codecs/json_mapping.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "codecs/json_reader.h"
#include "model/validation.h"

namespace crossdock {

namespace {

using json_reader::element;

const std::set<std::string>& OrderFields() {
  static const std::set<std::string> k = [] {
    std::set<std::string> s = {"external_ref",    "currency",       "placed_at",
                               "service_level",   "notes",          "customer.external_ref",
                               "customer.name",   "customer.email", "customer.phone",
                               "shipping.method", "shipping.amount"};
    for (const char* party : {"ship_to.", "bill_to."}) {
      for (const char* f : {"name", "company", "line1", "line2", "city", "region", "postal_code",
                            "country", "phone", "email"}) {
        s.insert(std::string(party) + f);
      }
    }
    return s;
  }();
  return k;
}

const std::set<std::string>& LineFields() {
  static const std::set<std::string> k = {"line_id", "sku", "description", "quantity",
                                          "unit_price"};
  return k;
}

// One evaluated value and the document pointer it came from ("" for a constant).
struct Value {
  std::optional<std::string> text;
  std::string from;
};

// The JSON value at `pointer` as text: strings as they are, numbers and booleans as written;
// nullopt when absent or null. Objects and arrays are an error.
std::optional<std::string> Scalar(element root, const std::string& pointer, FieldErrors& errors,
                                  const std::string& where) {
  element v;
  if (root.at_pointer(pointer).get(v)) return std::nullopt;
  if (v.is_null()) return std::nullopt;
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  if (v.is_number() || v.is_bool()) return simdjson::minify(v);
  errors.push_back({where, "is an object or an array where a value is mapped"});
  return std::nullopt;
}

class Evaluator {
 public:
  Evaluator(const JsonOrderMapping& m, FieldErrors& errors) : m_(m), errors_(errors) {}

  // `base`: the prefix of reported pointers (the line item's pointer, or "").
  Value Eval(const MappingExpr& e, element root, const std::string& base) {
    Value out;
    switch (e.kind) {
      case MappingExpr::Kind::kConst:
        out.text = e.value;
        break;
      case MappingExpr::Kind::kPointer:
        out.from = base + e.pointer;
        out.text = Scalar(root, e.pointer, errors_, out.from);
        break;
      case MappingExpr::Kind::kConcat: {
        std::string joined;
        bool any = false;
        for (const auto& part : e.parts) {
          Value v = Eval(part, root, base);
          if (v.text) {
            joined += *v.text;
            any = any || part.kind != MappingExpr::Kind::kConst;
          }
          if (out.from.empty()) out.from = v.from;
        }
        if (any) out.text = joined;
        break;
      }
    }
    if (!out.text && e.fallback) out.text = *e.fallback;
    if (out.text && !e.transform.empty()) {
      std::string& t = *out.text;
      if (e.transform == "upper") {
        std::transform(t.begin(), t.end(), t.begin(),
                       [](unsigned char c) { return std::toupper(c); });
      } else if (e.transform == "lower") {
        std::transform(t.begin(), t.end(), t.begin(),
                       [](unsigned char c) { return std::tolower(c); });
      } else if (e.transform == "trim") {
        size_t a = t.find_first_not_of(" \t\r\n"), b = t.find_last_not_of(" \t\r\n");
        t = a == std::string::npos ? "" : t.substr(a, b - a + 1);
      }
    }
    if (out.text && !e.lookup.empty()) {
      auto table = m_.lookups.find(e.lookup);
      auto hit = table == m_.lookups.end() ? nullptr : &table->second;
      auto it = hit ? hit->find(*out.text) : decltype(hit->find(*out.text)){};
      if (!hit || it == hit->end()) {
        errors_.push_back({out.from.empty() ? base : out.from,
                           "'" + *out.text + "' is not in lookup '" + e.lookup + "'"});
        out.text.reset();
      } else {
        out.text = it->second;
      }
    }
    return out;
  }

 private:
  const JsonOrderMapping& m_;
  FieldErrors& errors_;
};

std::string* OrderField(Order& o, const std::string& f) {
  static const std::map<std::string, std::string Address::*> kAddress = {
      {"name", &Address::name},
      {"company", &Address::company},
      {"line1", &Address::line1},
      {"line2", &Address::line2},
      {"city", &Address::city},
      {"region", &Address::region},
      {"postal_code", &Address::postal_code},
      {"country", &Address::country},
      {"phone", &Address::phone},
      {"email", &Address::email}};
  if (f == "external_ref") return &o.external_ref;
  if (f == "currency") return &o.currency;
  if (f == "service_level") return &o.service_level;
  if (f == "notes") return &o.notes;
  if (f == "customer.external_ref") return &o.customer.external_ref;
  if (f == "customer.name") return &o.customer.name;
  if (f == "customer.email") return &o.customer.email;
  if (f == "customer.phone") return &o.customer.phone;
  if (f.rfind("ship_to.", 0) == 0) return &(o.ship_to.*kAddress.at(f.substr(8)));
  if (f.rfind("bill_to.", 0) == 0) {
    if (!o.bill_to) o.bill_to.emplace();
    return &(*o.bill_to.*kAddress.at(f.substr(8)));
  }
  return nullptr;
}

// "ship_to.country" → "/ship_to/country" (the canonical pointer ValidateOrder reports).
std::string CanonicalPointer(const std::string& field) {
  std::string p = "/" + field;
  std::replace(p.begin(), p.end(), '.', '/');
  return p;
}

}  // namespace

std::string CheckMappableField(const std::string& field, bool line) {
  if ((line ? LineFields() : OrderFields()).count(field)) return "";
  return line ? "is not a line field (line_id, sku, description, quantity, unit_price)"
              : "is not a mappable order field";
}

Decoded<Order> MapJsonOrder(std::string_view json, const JsonOrderMapping& m, int max_depth,
                            const OrderLimits& limits) {
  Decoded<Order> out;
  auto doc = json_reader::Parse(json, max_depth, out.errors);
  if (!doc) {
    out.syntax_error = true;
    return out;
  }
  FieldErrors& errors = out.errors;
  Evaluator eval(m, errors);
  Order o;
  o.channel = m.channel;
  // Canonical pointer → the partner pointer its value came from, to name faults where they are.
  std::map<std::string, std::string> source;
  std::optional<std::string> shipping_method, shipping_amount;
  std::string shipping_from;
  for (const auto& [field, expr] : m.fields) {
    Value v = eval.Eval(expr, *doc, "");
    source[CanonicalPointer(field)] = v.from;
    if (!v.text) continue;
    if (field == "placed_at") {
      auto t = ParseRfc3339(*v.text);
      if (t.ok()) {
        o.placed_at = *t;
      } else {
        errors.push_back({v.from, "'" + *v.text + "' is not an RFC 3339 time"});
      }
    } else if (field == "shipping.method") {
      shipping_method = v.text;
    } else if (field == "shipping.amount") {
      shipping_amount = v.text;
      shipping_from = v.from;
    } else if (std::string* target = OrderField(o, field)) {
      *target = *v.text;
    }
  }
  if (shipping_amount || shipping_method) {
    ShippingCharge charge;
    charge.method = shipping_method.value_or("");
    if (shipping_amount) {
      auto amount = Decimal::Parse(*shipping_amount);
      if (amount.ok()) {
        charge.amount = *amount;
      } else {
        errors.push_back({shipping_from, "'" + *shipping_amount + "' is not a decimal amount"});
      }
    }
    o.shipping.push_back(charge);
  }
  element items;
  if (m.lines.empty() || doc->at_pointer(m.lines).get(items) || !items.is_array()) {
    errors.push_back({m.lines.empty() ? "" : m.lines, "must be the array of line items"});
  } else {
    size_t index = 0;
    for (element item : items.get_array()) {
      std::string base = m.lines + "/" + std::to_string(index);
      OrderLine l;
      for (const auto& [field, expr] : m.line_fields) {
        Value v = eval.Eval(expr, item, base);
        source[CanonicalPointer("lines/" + std::to_string(index) + "/" + field)] = v.from;
        if (!v.text) continue;
        if (field == "quantity") {
          const std::string& q = *v.text;
          if (q.empty() || q.size() > 12 ||
              q.find_first_not_of("0123456789") != std::string::npos) {
            errors.push_back({v.from, "'" + q + "' is not a whole number of units"});
          } else {
            l.quantity = std::stoll(q);
          }
        } else if (field == "unit_price") {
          auto price = Decimal::Parse(*v.text);
          if (price.ok()) {
            l.unit_price = *price;
          } else {
            errors.push_back({v.from, "'" + *v.text + "' is not a decimal amount"});
          }
        } else if (field == "line_id") {
          l.line_id = *v.text;
        } else if (field == "sku") {
          l.sku = *v.text;
        } else if (field == "description") {
          l.description = *v.text;
        }
      }
      if (l.line_id.empty() && !m.line_fields.count("line_id"))
        l.line_id = std::to_string(index + 1);
      o.lines.push_back(std::move(l));
      ++index;
    }
  }
  if (!errors.empty()) return out;
  if (auto totals = ComputeTotals(o); totals.ok()) o.totals = *totals;
  for (auto& e : ValidateOrder(o, limits)) {
    // Named where the value came from when it came from the document, else as the canonical
    // field the mapping did not (or could not) fill.
    auto it = source.find(e.pointer);
    if (it != source.end() && !it->second.empty()) {
      errors.push_back({it->second, e.detail + " (canonical " + e.pointer + ")"});
    } else {
      errors.push_back({e.pointer, e.detail + " (canonical field; check the mapping)"});
    }
  }
  if (errors.empty()) out.value = std::move(o);
  return out;
}

}  // namespace crossdock
