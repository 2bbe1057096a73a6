#include "codecs/shopify_order.h"

#include <algorithm>

#include "codecs/json_reader.h"

namespace crossdock {

namespace {

using json_reader::Child;
using json_reader::element;

// Shopify is lenient about types in old payloads: ids are numbers, amounts are strings, and
// absent values are often null. These readers accept exactly those shapes.
class ShopifyReader {
 public:
  explicit ShopifyReader(FieldErrors& errors) : r_(errors) {}

  bool Has(element obj, std::string_view key, element& out) {
    if (!obj.is_object()) return false;
    auto v = obj.get_object().at_key(key);
    if (v.error()) return false;
    out = v.value();
    return !out.is_null();
  }
  // A string field; null or absent gives "".
  std::string Text(element obj, std::string_view key, const std::string& pointer) {
    element v;
    if (!Has(obj, key, v)) return "";
    std::string out;
    r_.String(v, Child(pointer, key), out);
    return out;
  }
  // An id: a JSON integer or a string of digits.
  std::string Id(element obj, std::string_view key, const std::string& pointer) {
    element v;
    if (!Has(obj, key, v)) return "";
    if (v.is_string()) return std::string(v.get_string().value());
    if (v.is_int64() || v.is_uint64()) {
      return v.is_int64() ? std::to_string(v.get_int64().value())
                          : std::to_string(v.get_uint64().value());
    }
    r_.Error(Child(pointer, key), "must be an integer or a string id");
    return "";
  }
  // A money amount: Shopify sends decimal strings ("199.00"). Negative amounts are refused:
  // refunds and credits arrive as their own documents, not as negative order amounts.
  Decimal Money(element obj, std::string_view key, const std::string& pointer) {
    element v;
    Decimal d;
    if (!Has(obj, key, v)) return d;
    r_.Amount(v, Child(pointer, key), d);
    if (d.micros() < 0) {
      r_.Error(Child(pointer, key), "must not be negative");
      return Decimal();
    }
    return d;
  }
  void ForEach(element obj, std::string_view key, const std::string& pointer,
               const std::function<void(element, const std::string&)>& item) {
    element v;
    if (!Has(obj, key, v)) return;
    r_.ForEachItem(v, Child(pointer, key), item);
  }
  json_reader::Reader& reader() { return r_; }

 private:
  json_reader::Reader r_;
};

Address ReadAddress(ShopifyReader& s, element a, const std::string& p) {
  Address out;
  out.name = s.Text(a, "name", p);
  if (out.name.empty()) {
    std::string first = s.Text(a, "first_name", p), last = s.Text(a, "last_name", p);
    out.name = first.empty() ? last : last.empty() ? first : first + " " + last;
  }
  out.company = s.Text(a, "company", p);
  out.line1 = s.Text(a, "address1", p);
  out.line2 = s.Text(a, "address2", p);
  out.city = s.Text(a, "city", p);
  out.region = s.Text(a, "province_code", p);
  out.postal_code = s.Text(a, "zip", p);
  out.country = s.Text(a, "country_code", p);
  out.phone = s.Text(a, "phone", p);
  return out;
}

void ReadTaxes(ShopifyReader& s, element obj, const std::string& p, std::vector<Adjustment>& out) {
  s.ForEach(obj, "tax_lines", p, [&](element t, const std::string& tp) {
    Adjustment a{s.Text(t, "title", tp), s.Money(t, "price", tp)};
    if (a.amount.micros() != 0) out.push_back(std::move(a));
  });
}

// Adds `d` to `sum`; false on overflow.
bool Accumulate(Decimal& sum, Decimal d) {
  return Decimal::Add(sum, d, sum);
}

// The Shopify pointer for a canonical one, so errors point into the document the partner sent.
std::string ShopifyPointer(const std::string& base, std::string_view canonical) {
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"/ship_to", "/shipping_address"}, {"/bill_to", "/billing_address"},
      {"/lines", "/line_items"},         {"/shipping", "/shipping_lines"},
      {"/external_ref", "/id"},          {"/notes", "/note"}};
  static constexpr std::pair<std::string_view, std::string_view> kLeaves[] = {
      {"line1", "address1"},    {"line2", "address2"},       {"region", "province_code"},
      {"postal_code", "zip"},   {"country", "country_code"}, {"unit_price", "price"},
      {"description", "title"}, {"method", "title"},         {"amount", "price"}};
  std::string out(canonical);
  for (auto [from, to] : kPrefixes) {
    if (canonical.substr(0, from.size()) == from &&
        (canonical.size() == from.size() || canonical[from.size()] == '/')) {
      out = std::string(to) + std::string(canonical.substr(from.size()));
      break;
    }
  }
  auto slash = out.rfind('/');
  std::string_view leaf = std::string_view(out).substr(slash + 1);
  for (auto [from, to] : kLeaves) {
    if (leaf == from) {
      out = out.substr(0, slash + 1) + std::string(to);
      break;
    }
  }
  return base + out;
}

}  // namespace

Decoded<Order> DecodeShopifyOrder(std::string_view json, const ShopifyDecodeOptions& options) {
  Decoded<Order> out;
  auto doc = json_reader::Parse(json, options.max_depth, out.errors);
  if (!doc) {
    out.syntax_error = true;
    return out;
  }
  ShopifyReader s(out.errors);
  element root = *doc;
  std::string base;
  if (element inner; s.Has(root, "order", inner)) {
    root = inner;
    base = "/order";
  }
  if (!root.is_object()) {
    out.errors.push_back({base, "must be a Shopify order object"});
    return out;
  }
  Order o;
  o.channel = options.channel;
  o.external_ref = s.Id(root, "id", base);
  if (o.external_ref.empty()) out.errors.push_back({base + "/id", "is required"});
  o.currency = s.Text(root, "currency", base);
  if (element t; s.Has(root, "created_at", t))
    s.reader().Time(t, base + "/created_at", o.placed_at);
  o.notes = s.Text(root, "note", base);
  if (element c; s.Has(root, "customer", c)) {
    std::string p = base + "/customer";
    o.customer.external_ref = s.Id(c, "id", p);
    std::string first = s.Text(c, "first_name", p), last = s.Text(c, "last_name", p);
    o.customer.name = first.empty() ? last : last.empty() ? first : first + " " + last;
    o.customer.email = s.Text(c, "email", p);
    o.customer.phone = s.Text(c, "phone", p);
  }
  if (o.customer.email.empty()) o.customer.email = s.Text(root, "email", base);
  if (element a; s.Has(root, "shipping_address", a)) {
    o.ship_to = ReadAddress(s, a, base + "/shipping_address");
  } else {
    out.errors.push_back({base + "/shipping_address", "is required: Crossdock ships orders"});
  }
  if (element a; s.Has(root, "billing_address", a)) {
    o.bill_to = ReadAddress(s, a, base + "/billing_address");
  }
  s.ForEach(root, "line_items", base, [&](element li, const std::string& p) {
    OrderLine line;
    line.line_id = s.Id(li, "id", p);
    if (line.line_id.empty()) line.line_id = std::to_string(o.lines.size() + 1);
    line.sku = s.Text(li, "sku", p);
    if (line.sku.empty()) out.errors.push_back({p + "/sku", "is required (an unmapped product)"});
    line.description = s.Text(li, "title", p);
    if (element q; s.Has(li, "quantity", q)) s.reader().Int(q, p + "/quantity", line.quantity);
    line.unit_price = s.Money(li, "price", p);
    s.ForEach(li, "discount_allocations", p, [&](element d, const std::string& dp) {
      Adjustment a{"discount", s.Money(d, "amount", dp)};
      if (a.amount.micros() != 0) line.discounts.push_back(std::move(a));
    });
    ReadTaxes(s, li, p, line.taxes);
    o.lines.push_back(std::move(line));
  });
  if (o.lines.empty()) out.errors.push_back({base + "/line_items", "must have at least one item"});
  s.ForEach(root, "shipping_lines", base, [&](element sl, const std::string& p) {
    ShippingCharge c;
    c.method = s.Text(sl, "title", p);
    c.amount = s.Money(sl, "price", p);
    ReadTaxes(s, sl, p, c.taxes);
    o.shipping.push_back(std::move(c));
  });
  if (!out.errors.empty()) return out;

  // Order-level discounts and taxes not allocated to lines go on the first line (see header).
  Decimal line_discounts, line_taxes;
  bool fits = true;
  for (const auto& l : o.lines) {
    for (const auto& a : l.discounts) fits = fits && Accumulate(line_discounts, a.amount);
    for (const auto& a : l.taxes) fits = fits && Accumulate(line_taxes, a.amount);
  }
  for (const auto& c : o.shipping) {
    for (const auto& a : c.taxes) fits = fits && Accumulate(line_taxes, a.amount);
  }
  if (!fits) {
    out.errors.push_back({base + "/line_items", "discounts or taxes add up beyond any amount"});
    return out;
  }
  Decimal total_discounts = s.Money(root, "total_discounts", base);
  Decimal total_tax = s.Money(root, "total_tax", base);
  if (!out.errors.empty()) return out;
  // Both sides are non-negative here, so the differences below cannot overflow.
  if (total_discounts.micros() > line_discounts.micros()) {
    std::string code = "order";
    s.ForEach(root, "discount_codes", base, [&](element d, const std::string& dp) {
      if (code == "order") code = s.Text(d, "code", dp);
    });
    o.lines[0].discounts.push_back(
        {code.empty() ? "order" : code,
         Decimal::FromMicros(total_discounts.micros() - line_discounts.micros())});
  }
  if (total_tax.micros() > line_taxes.micros()) {
    std::string title = "order";
    s.ForEach(root, "tax_lines", base, [&](element t, const std::string& tp) {
      if (title == "order") title = s.Text(t, "title", tp);
    });
    o.lines[0].taxes.push_back({title.empty() ? "order" : title,
                                Decimal::FromMicros(total_tax.micros() - line_taxes.micros())});
  }
  auto totals = ComputeTotals(o);
  if (!totals.ok()) {
    out.errors.push_back({base, totals.status().message()});
    return out;
  }
  o.totals = *totals;
  if (element tp; s.Has(root, "total_line_items_price", tp)) {
    Decimal stated = s.Money(root, "total_line_items_price", base);
    if (stated.micros() != o.totals.subtotal.micros()) {
      out.errors.push_back({base + "/total_line_items_price", "is " + stated.ToString() +
                                                                  " but the line items add up to " +
                                                                  o.totals.subtotal.ToString()});
    }
  }
  if (element tp; s.Has(root, "total_price", tp)) {
    Decimal stated = s.Money(root, "total_price", base);
    if (stated.micros() != o.totals.grand_total.micros()) {
      out.errors.push_back({base + "/total_price", "is " + stated.ToString() +
                                                       " but the lines, discounts, taxes and "
                                                       "shipping add up to " +
                                                       o.totals.grand_total.ToString()});
    }
  }
  // The canonical rules (address, currency, limits) apply to the result.
  for (auto& e : ValidateOrder(o, options.limits)) {
    out.errors.push_back({ShopifyPointer(base, e.pointer), e.detail});
  }
  if (out.errors.empty()) out.value = std::move(o);
  return out;
}

}  // namespace crossdock
