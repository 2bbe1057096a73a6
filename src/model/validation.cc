#include "model/validation.h"

#include <algorithm>
#include <set>

#include "model/gs1.h"

namespace crossdock {

namespace {

std::string At(std::string_view base, std::string_view field) {
  return std::string(base) + "/" + std::string(field);
}
std::string At(std::string_view base, std::string_view field, size_t index) {
  return At(base, field) + "/" + std::to_string(index);
}

class Checker {
 public:
  Checker(FieldErrors& errors, const OrderLimits& limits) : errors_(errors), limits_(limits) {}

  void Add(std::string pointer, std::string detail) {
    errors_.push_back({std::move(pointer), std::move(detail)});
  }
  void Required(const std::string& pointer, const std::string& value) {
    if (value.empty()) Add(pointer, "is required");
    Text(pointer, value);
  }
  void Text(const std::string& pointer, const std::string& value) {
    if (value.size() > limits_.max_text_length) {
      Add(pointer, "is longer than " + std::to_string(limits_.max_text_length) + " bytes");
    }
  }
  // Amounts on the wire may not be more precise than the currency allows.
  void Amount(const std::string& pointer, Decimal d, int minor_units, bool allow_zero = true) {
    if (d.micros() < 0) Add(pointer, "must not be negative");
    if (!allow_zero && d.micros() == 0) Add(pointer, "must be greater than zero");
    if (minor_units >= 0 && d.FractionDigits() > minor_units) {
      Add(pointer, "has more than " + std::to_string(minor_units) + " decimals for the currency");
    }
  }
  void Adjustments(const std::string& base, std::string_view field,
                   const std::vector<Adjustment>& list, int minor_units) {
    if (list.size() > limits_.max_adjustments_per_line) {
      Add(At(base, field),
          "has more than " + std::to_string(limits_.max_adjustments_per_line) + " entries");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      std::string p = At(base, field, i);
      Text(At(p, "code"), list[i].code);
      Amount(At(p, "amount"), list[i].amount, minor_units);
    }
  }
  void AddressRules(const std::string& base, const Address& a) {
    Required(At(base, "line1"), a.line1);
    Required(At(base, "city"), a.city);
    Text(At(base, "name"), a.name);
    Text(At(base, "company"), a.company);
    Text(At(base, "line2"), a.line2);
    Text(At(base, "region"), a.region);
    Text(At(base, "postal_code"), a.postal_code);
    Text(At(base, "phone"), a.phone);
    Text(At(base, "email"), a.email);
    bool country_ok = a.country.size() == 2 && a.country[0] >= 'A' && a.country[0] <= 'Z' &&
                      a.country[1] >= 'A' && a.country[1] <= 'Z';
    if (!country_ok) Add(At(base, "country"), "must be an ISO 3166-1 alpha-2 code such as \"US\"");
  }

 private:
  FieldErrors& errors_;
  const OrderLimits& limits_;
};

bool Sum(Decimal& acc, Decimal d) {
  return Decimal::Add(acc, d, acc);
}

}  // namespace

Result<OrderTotals> ComputeTotals(const Order& order) {
  OrderTotals t;
  for (const auto& line : order.lines) {
    Decimal ext;
    if (!Decimal::MulInt(line.unit_price, line.quantity, ext) || !Sum(t.subtotal, ext)) {
      return InvalidArgument("line amounts overflow");
    }
    for (const auto& d : line.discounts) {
      if (!Sum(t.discount_total, d.amount)) return InvalidArgument("discounts overflow");
    }
    for (const auto& x : line.taxes) {
      if (!Sum(t.tax_total, x.amount)) return InvalidArgument("taxes overflow");
    }
  }
  for (const auto& s : order.shipping) {
    if (!Sum(t.shipping_total, s.amount)) return InvalidArgument("shipping overflows");
    for (const auto& x : s.taxes) {
      if (!Sum(t.tax_total, x.amount)) return InvalidArgument("taxes overflow");
    }
  }
  Decimal neg_discount = Decimal::FromMicros(-t.discount_total.micros());
  t.grand_total = t.subtotal;
  if (!Sum(t.grand_total, neg_discount) || !Sum(t.grand_total, t.tax_total) ||
      !Sum(t.grand_total, t.shipping_total)) {
    return InvalidArgument("grand total overflows");
  }
  return t;
}

FieldErrors ValidateOrder(const Order& o, const OrderLimits& limits) {
  FieldErrors errors;
  Checker c(errors, limits);
  c.Required("/channel", o.channel);
  c.Required("/external_ref", o.external_ref);
  c.Text("/service_level", o.service_level);
  c.Text("/notes", o.notes);
  int minor = -1;  // unknown currency: skip precision checks, report the currency
  if (auto cur = FindCurrency(o.currency); cur.ok()) {
    minor = cur->minor_units;
  } else {
    c.Add("/currency", "must be an active ISO 4217 code such as \"USD\"");
  }
  c.Text("/customer/name", o.customer.name);
  c.Text("/customer/email", o.customer.email);
  c.Text("/customer/external_ref", o.customer.external_ref);
  c.Text("/customer/phone", o.customer.phone);
  c.AddressRules("/ship_to", o.ship_to);
  if (o.bill_to) c.AddressRules("/bill_to", *o.bill_to);

  if (o.lines.empty()) c.Add("/lines", "must have at least one line");
  if (o.lines.size() > limits.max_lines) {
    c.Add("/lines", "has more than " + std::to_string(limits.max_lines) + " lines");
  }
  std::set<std::string> line_ids;
  for (size_t i = 0; i < o.lines.size(); ++i) {
    const OrderLine& l = o.lines[i];
    std::string p = At("", "lines", i);
    c.Required(At(p, "line_id"), l.line_id);
    if (!l.line_id.empty() && !line_ids.insert(l.line_id).second) {
      c.Add(At(p, "line_id"), "repeats line_id \"" + l.line_id + "\"");
    }
    c.Required(At(p, "sku"), l.sku);
    c.Text(At(p, "description"), l.description);
    if (l.quantity <= 0) c.Add(At(p, "quantity"), "must be at least 1");
    if (l.quantity > limits.max_quantity) {
      c.Add(At(p, "quantity"), "must be at most " + std::to_string(limits.max_quantity));
    }
    c.Amount(At(p, "unit_price"), l.unit_price, -1);
    c.Adjustments(p, "discounts", l.discounts, minor);
    c.Adjustments(p, "taxes", l.taxes, minor);
  }
  for (size_t i = 0; i < o.shipping.size(); ++i) {
    std::string p = At("", "shipping", i);
    c.Text(At(p, "method"), o.shipping[i].method);
    c.Amount(At(p, "amount"), o.shipping[i].amount, minor);
    c.Adjustments(p, "taxes", o.shipping[i].taxes, minor);
  }

  auto computed = ComputeTotals(o);
  if (!computed.ok()) {
    c.Add("/totals", computed.status().message());
  } else {
    auto check = [&](const char* name, Decimal given, Decimal want) {
      if (given != want) {
        c.Add(std::string("/totals/") + name,
              "is " + given.ToString() + " but the lines add up to " + want.ToString());
      }
    };
    check("subtotal", o.totals.subtotal, computed->subtotal);
    check("discount_total", o.totals.discount_total, computed->discount_total);
    check("tax_total", o.totals.tax_total, computed->tax_total);
    check("shipping_total", o.totals.shipping_total, computed->shipping_total);
    check("grand_total", o.totals.grand_total, computed->grand_total);
    if (computed->grand_total.micros() < 0) c.Add("/totals/grand_total", "must not be negative");
  }
  return errors;
}

std::vector<ShippedLine> Shipment::ShippedLines() const {
  std::vector<ShippedLine> out;
  for (const auto& pkg : packages) {
    for (const auto& l : pkg.lines) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const ShippedLine& s) { return s.line_id == l.line_id; });
      if (it == out.end()) {
        out.push_back(l);
      } else {
        it->quantity += l.quantity;
      }
    }
  }
  return out;
}

FieldErrors ValidateShipment(const Shipment& s) {
  FieldErrors errors;
  OrderLimits limits;
  Checker c(errors, limits);
  c.Required("/order_id", s.order_id);
  c.Required("/partner_event_id", s.partner_event_id);
  c.Text("/carrier", s.carrier);
  c.Text("/service", s.service);
  c.Text("/tracking_number", s.tracking_number);
  if (s.packages.empty()) c.Add("/packages", "must have at least one package");
  for (size_t i = 0; i < s.packages.size(); ++i) {
    const Package& pkg = s.packages[i];
    std::string p = At("", "packages", i);
    if (!pkg.sscc.empty()) {
      if (Status st = ValidateSscc(pkg.sscc); !st.ok()) c.Add(At(p, "sscc"), st.message());
    }
    if (!pkg.weight_kg.empty()) {
      auto w = Decimal::Parse(pkg.weight_kg);
      if (!w.ok() || w->micros() < 0) c.Add(At(p, "weight_kg"), "must be a non-negative decimal");
    }
    if (pkg.lines.empty()) c.Add(At(p, "lines"), "must have at least one line");
    for (size_t j = 0; j < pkg.lines.size(); ++j) {
      std::string lp = At(p, "lines", j);
      c.Required(At(lp, "line_id"), pkg.lines[j].line_id);
      if (pkg.lines[j].quantity <= 0) c.Add(At(lp, "quantity"), "must be at least 1");
    }
  }
  return errors;
}

}  // namespace crossdock
