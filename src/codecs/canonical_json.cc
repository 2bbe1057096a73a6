#include "codecs/canonical_json.h"

#include "codecs/json_reader.h"

namespace crossdock {

using json_reader::Child;
using json_reader::element;
using json_reader::Reader;

namespace {

bool IsServerField(std::string_view key) {
  return key == "id" || key == "status" || key == "partner" || key == "created_at" ||
         key == "updated_at";
}

void ReadAdjustments(Reader& r, element el, const std::string& p, std::vector<Adjustment>& out) {
  r.ForEachItem(el, p, [&](element item, const std::string& ip) {
    Adjustment a;
    std::vector<std::string_view> seen;
    bool is_object =
        r.ForEachField(item, ip, [&](std::string_view k, element v, const std::string& fp) {
          seen.push_back(k);
          if (k == "code")
            r.String(v, fp, a.code);
          else if (k == "amount")
            r.Amount(v, fp, a.amount);
          else
            return false;
          return true;
        });
    if (is_object) r.Require(ip, {"amount"}, seen);
    out.push_back(std::move(a));
  });
}

void ReadAddress(Reader& r, element el, const std::string& p, Address& a) {
  r.ForEachField(el, p, [&](std::string_view k, element v, const std::string& fp) {
    if (k == "name")
      r.String(v, fp, a.name);
    else if (k == "company")
      r.String(v, fp, a.company);
    else if (k == "line1")
      r.String(v, fp, a.line1);
    else if (k == "line2")
      r.String(v, fp, a.line2);
    else if (k == "city")
      r.String(v, fp, a.city);
    else if (k == "region")
      r.String(v, fp, a.region);
    else if (k == "postal_code")
      r.String(v, fp, a.postal_code);
    else if (k == "country")
      r.String(v, fp, a.country);
    else if (k == "phone")
      r.String(v, fp, a.phone);
    else if (k == "email")
      r.String(v, fp, a.email);
    else
      return false;
    return true;
  });
}

void ReadCustomer(Reader& r, element el, const std::string& p, Customer& c) {
  r.ForEachField(el, p, [&](std::string_view k, element v, const std::string& fp) {
    if (k == "external_ref")
      r.String(v, fp, c.external_ref);
    else if (k == "name")
      r.String(v, fp, c.name);
    else if (k == "email")
      r.String(v, fp, c.email);
    else if (k == "phone")
      r.String(v, fp, c.phone);
    else
      return false;
    return true;
  });
}

void ReadLine(Reader& r, element el, const std::string& p, OrderLine& l) {
  std::vector<std::string_view> seen;
  bool is_object = r.ForEachField(el, p, [&](std::string_view k, element v, const std::string& fp) {
    seen.push_back(k);
    if (k == "line_id")
      r.String(v, fp, l.line_id);
    else if (k == "sku")
      r.String(v, fp, l.sku);
    else if (k == "description")
      r.String(v, fp, l.description);
    else if (k == "quantity")
      r.Int(v, fp, l.quantity);
    else if (k == "unit_price")
      r.Amount(v, fp, l.unit_price);
    else if (k == "discounts")
      ReadAdjustments(r, v, fp, l.discounts);
    else if (k == "taxes")
      ReadAdjustments(r, v, fp, l.taxes);
    else
      return false;
    return true;
  });
  if (is_object) r.Require(p, {"line_id", "sku", "quantity", "unit_price"}, seen);
}

void ReadShipping(Reader& r, element el, const std::string& p, ShippingCharge& s) {
  std::vector<std::string_view> seen;
  bool is_object = r.ForEachField(el, p, [&](std::string_view k, element v, const std::string& fp) {
    seen.push_back(k);
    if (k == "method")
      r.String(v, fp, s.method);
    else if (k == "amount")
      r.Amount(v, fp, s.amount);
    else if (k == "taxes")
      ReadAdjustments(r, v, fp, s.taxes);
    else
      return false;
    return true;
  });
  if (is_object) r.Require(p, {"amount"}, seen);
}

void ReadTotals(Reader& r, element el, const std::string& p, OrderTotals& t) {
  std::vector<std::string_view> seen;
  bool is_object = r.ForEachField(el, p, [&](std::string_view k, element v, const std::string& fp) {
    seen.push_back(k);
    if (k == "subtotal")
      r.Amount(v, fp, t.subtotal);
    else if (k == "discount_total")
      r.Amount(v, fp, t.discount_total);
    else if (k == "tax_total")
      r.Amount(v, fp, t.tax_total);
    else if (k == "shipping_total")
      r.Amount(v, fp, t.shipping_total);
    else if (k == "grand_total")
      r.Amount(v, fp, t.grand_total);
    else
      return false;
    return true;
  });
  if (is_object) r.Require(p, {"subtotal", "grand_total"}, seen);
}

template <typename T>
Decoded<T> Finish(T value, FieldErrors errors) {
  Decoded<T> out;
  if (errors.empty()) {
    out.value = std::move(value);
  } else {
    out.errors = std::move(errors);
  }
  return out;
}

}  // namespace

Decoded<Order> DecodeOrder(std::string_view json, const DecodeOptions& options) {
  FieldErrors errors;
  auto doc = json_reader::Parse(json, options.max_depth, errors);
  if (!doc) {
    Decoded<Order> out;
    out.errors = std::move(errors);
    out.syntax_error = true;
    return out;
  }
  Reader r(errors);
  Order o;
  std::vector<std::string_view> seen;
  bool is_object =
      r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
        seen.push_back(k);
        if (IsServerField(k) && !options.allow_server_fields) {
          r.Error(p, "is set by Crossdock and must not be sent");
          return true;
        }
        if (k == "id")
          r.String(v, p, o.id);
        else if (k == "status") {
          std::string s;
          r.String(v, p, s);
          if (auto st = ParseOrderStatus(s); st.ok())
            o.status = *st;
          else if (!s.empty())
            r.Error(p, st.status().message());
        } else if (k == "partner")
          r.String(v, p, o.partner);
        else if (k == "created_at")
          r.Time(v, p, o.created_at);
        else if (k == "updated_at")
          r.Time(v, p, o.updated_at);
        else if (k == "channel")
          r.String(v, p, o.channel);
        else if (k == "external_ref")
          r.String(v, p, o.external_ref);
        else if (k == "currency")
          r.String(v, p, o.currency);
        else if (k == "placed_at")
          r.Time(v, p, o.placed_at);
        else if (k == "service_level")
          r.String(v, p, o.service_level);
        else if (k == "notes")
          r.String(v, p, o.notes);
        else if (k == "customer")
          ReadCustomer(r, v, p, o.customer);
        else if (k == "ship_to")
          ReadAddress(r, v, p, o.ship_to);
        else if (k == "bill_to")
          ReadAddress(r, v, p, o.bill_to.emplace());
        else if (k == "lines") {
          r.ForEachItem(v, p, [&](element item, const std::string& ip) {
            if (o.lines.size() >= options.limits.max_lines) {
              if (o.lines.size() == options.limits.max_lines) {
                r.Error(p, "has more than " + std::to_string(options.limits.max_lines) + " lines");
                o.lines.emplace_back();  // sentinel so the error is reported once
              }
              return;
            }
            ReadLine(r, item, ip, o.lines.emplace_back());
          });
        } else if (k == "shipping") {
          r.ForEachItem(v, p, [&](element item, const std::string& ip) {
            ReadShipping(r, item, ip, o.shipping.emplace_back());
          });
        } else if (k == "totals")
          ReadTotals(r, v, p, o.totals);
        else
          return false;
        return true;
      });
  if (is_object) {
    r.Require("", {"channel", "external_ref", "currency", "ship_to", "lines", "totals"}, seen);
  }
  if (errors.empty() && options.validate) {
    FieldErrors more = ValidateOrder(o, options.limits);
    errors.insert(errors.end(), more.begin(), more.end());
  }
  return Finish(std::move(o), std::move(errors));
}

namespace {

void WriteIf(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.Field(key, value);
}

void WriteAdjustments(JsonWriter& w, std::string_view key, const std::vector<Adjustment>& list,
                      int minor) {
  if (list.empty()) return;
  w.Key(key).StartArray();
  for (const auto& a : list) {
    w.StartObject();
    WriteIf(w, "code", a.code);
    w.Field("amount", a.amount.ToString(minor));
    w.EndObject();
  }
  w.EndArray();
}

void WriteAddress(JsonWriter& w, std::string_view key, const Address& a) {
  w.Key(key).StartObject();
  WriteIf(w, "name", a.name);
  WriteIf(w, "company", a.company);
  WriteIf(w, "line1", a.line1);
  WriteIf(w, "line2", a.line2);
  WriteIf(w, "city", a.city);
  WriteIf(w, "region", a.region);
  WriteIf(w, "postal_code", a.postal_code);
  WriteIf(w, "country", a.country);
  WriteIf(w, "phone", a.phone);
  WriteIf(w, "email", a.email);
  w.EndObject();
}

}  // namespace

void WriteOrder(JsonWriter& w, const Order& o) {
  auto cur = FindCurrency(o.currency);
  int minor = cur.ok() ? cur->minor_units : 0;
  w.StartObject();
  WriteIf(w, "id", o.id);
  if (o.status) w.Field("status", OrderStatusName(*o.status));
  WriteIf(w, "partner", o.partner);
  if (o.created_at) w.Field("created_at", FormatRfc3339(*o.created_at));
  if (o.updated_at) w.Field("updated_at", FormatRfc3339(*o.updated_at));
  w.Field("channel", o.channel);
  w.Field("external_ref", o.external_ref);
  w.Field("currency", o.currency);
  if (o.placed_at) w.Field("placed_at", FormatRfc3339(*o.placed_at));
  WriteIf(w, "service_level", o.service_level);
  if (!(o.customer == Customer{})) {
    w.Key("customer").StartObject();
    WriteIf(w, "external_ref", o.customer.external_ref);
    WriteIf(w, "name", o.customer.name);
    WriteIf(w, "email", o.customer.email);
    WriteIf(w, "phone", o.customer.phone);
    w.EndObject();
  }
  WriteAddress(w, "ship_to", o.ship_to);
  if (o.bill_to) WriteAddress(w, "bill_to", *o.bill_to);
  w.Key("lines").StartArray();
  for (const auto& l : o.lines) {
    w.StartObject();
    w.Field("line_id", l.line_id);
    w.Field("sku", l.sku);
    WriteIf(w, "description", l.description);
    w.Field("quantity", l.quantity);
    w.Field("unit_price", l.unit_price.ToString(minor));
    WriteAdjustments(w, "discounts", l.discounts, minor);
    WriteAdjustments(w, "taxes", l.taxes, minor);
    w.EndObject();
  }
  w.EndArray();
  if (!o.shipping.empty()) {
    w.Key("shipping").StartArray();
    for (const auto& s : o.shipping) {
      w.StartObject();
      WriteIf(w, "method", s.method);
      w.Field("amount", s.amount.ToString(minor));
      WriteAdjustments(w, "taxes", s.taxes, minor);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("totals").StartObject();
  w.Field("subtotal", o.totals.subtotal.ToString(minor));
  w.Field("discount_total", o.totals.discount_total.ToString(minor));
  w.Field("tax_total", o.totals.tax_total.ToString(minor));
  w.Field("shipping_total", o.totals.shipping_total.ToString(minor));
  w.Field("grand_total", o.totals.grand_total.ToString(minor));
  w.EndObject();
  WriteIf(w, "notes", o.notes);
  w.EndObject();
}

std::string EncodeOrder(const Order& order) {
  JsonWriter w;
  WriteOrder(w, order);
  return w.Take();
}

Decoded<Shipment> DecodeShipment(std::string_view json, const DecodeOptions& options) {
  FieldErrors errors;
  auto doc = json_reader::Parse(json, options.max_depth, errors);
  if (!doc) {
    Decoded<Shipment> out;
    out.errors = std::move(errors);
    out.syntax_error = true;
    return out;
  }
  Reader r(errors);
  Shipment s;
  std::vector<std::string_view> seen;
  bool is_object =
      r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
        seen.push_back(k);
        if (k == "id") {
          if (!options.allow_server_fields)
            r.Error(p, "is set by Crossdock and must not be sent");
          else
            r.String(v, p, s.id);
        } else if (k == "order_id")
          r.String(v, p, s.order_id);
        else if (k == "node") {
          // The node is named by the URL it posts to; a second, possibly different value is
          // refused.
          if (!options.allow_server_fields)
            r.Error(p, "is taken from the URL and must not be sent");
          else
            r.String(v, p, s.node);
        } else if (k == "partner_event_id")
          r.String(v, p, s.partner_event_id);
        else if (k == "shipped_at")
          r.Time(v, p, s.shipped_at);
        else if (k == "carrier")
          r.String(v, p, s.carrier);
        else if (k == "service")
          r.String(v, p, s.service);
        else if (k == "tracking_number")
          r.String(v, p, s.tracking_number);
        else if (k == "packages") {
          r.ForEachItem(v, p, [&](element item, const std::string& ip) {
            Package& pkg = s.packages.emplace_back();
            r.ForEachField(item, ip, [&](std::string_view pk, element pv, const std::string& pp) {
              if (pk == "sscc")
                r.String(pv, pp, pkg.sscc);
              else if (pk == "tracking_number")
                r.String(pv, pp, pkg.tracking_number);
              else if (pk == "weight_kg")
                r.String(pv, pp, pkg.weight_kg);
              else if (pk == "lines") {
                r.ForEachItem(pv, pp, [&](element li, const std::string& lp) {
                  ShippedLine& line = pkg.lines.emplace_back();
                  std::vector<std::string_view> lseen;
                  bool obj = r.ForEachField(
                      li, lp, [&](std::string_view lk, element lv, const std::string& fp) {
                        lseen.push_back(lk);
                        if (lk == "line_id")
                          r.String(lv, fp, line.line_id);
                        else if (lk == "sku")
                          r.String(lv, fp, line.sku);
                        else if (lk == "quantity")
                          r.Int(lv, fp, line.quantity);
                        else
                          return false;
                        return true;
                      });
                  if (obj) r.Require(lp, {"line_id", "quantity"}, lseen);
                });
              } else
                return false;
              return true;
            });
          });
        } else
          return false;
        return true;
      });
  if (is_object) r.Require("", {"order_id", "partner_event_id", "packages"}, seen);
  if (errors.empty() && options.validate) {
    FieldErrors more = ValidateShipment(s);
    errors.insert(errors.end(), more.begin(), more.end());
  }
  return Finish(std::move(s), std::move(errors));
}

void WriteShipment(JsonWriter& w, const Shipment& s) {
  w.StartObject();
  WriteIf(w, "id", s.id);
  w.Field("order_id", s.order_id);
  WriteIf(w, "node", s.node);
  w.Field("partner_event_id", s.partner_event_id);
  if (s.shipped_at) w.Field("shipped_at", FormatRfc3339(*s.shipped_at));
  WriteIf(w, "carrier", s.carrier);
  WriteIf(w, "service", s.service);
  WriteIf(w, "tracking_number", s.tracking_number);
  w.Key("packages").StartArray();
  for (const auto& pkg : s.packages) {
    w.StartObject();
    WriteIf(w, "sscc", pkg.sscc);
    WriteIf(w, "tracking_number", pkg.tracking_number);
    WriteIf(w, "weight_kg", pkg.weight_kg);
    w.Key("lines").StartArray();
    for (const auto& l : pkg.lines) {
      w.StartObject();
      w.Field("line_id", l.line_id);
      WriteIf(w, "sku", l.sku);
      w.Field("quantity", l.quantity);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::string EncodeShipment(const Shipment& shipment) {
  JsonWriter w;
  WriteShipment(w, shipment);
  return w.Take();
}

}  // namespace crossdock
