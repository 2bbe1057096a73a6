#include "codecs/shopify_order.h"

#include <algorithm>

#include "codecs/json_reader.h"
#include "codecs/partner_json.h"

namespace crossdock {

namespace {

using json_reader::Child;
using json_reader::element;

using partner_json::Accumulate;
using ShopifyReader = partner_json::Reader;

Address ReadAddress(ShopifyReader& s, element a, const std::string& p) {
  Address out;
  out.name = s.Text(a, "name", p);
  if (out.name.empty()) {
    out.name = partner_json::FullName(s.Text(a, "first_name", p), s.Text(a, "last_name", p));
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

// The Shopify pointer for a canonical one, so errors point into the document the partner sent.
std::string ShopifyPointer(const std::string& base, std::string_view canonical) {
  return partner_json::MapPointer(base, canonical,
                                  {{"/ship_to", "/shipping_address"},
                                   {"/bill_to", "/billing_address"},
                                   {"/lines", "/line_items"},
                                   {"/shipping", "/shipping_lines"},
                                   {"/external_ref", "/id"},
                                   {"/notes", "/note"}},
                                  {{"line1", "address1"},
                                   {"line2", "address2"},
                                   {"region", "province_code"},
                                   {"postal_code", "zip"},
                                   {"country", "country_code"},
                                   {"unit_price", "price"},
                                   {"description", "title"},
                                   {"method", "title"},
                                   {"amount", "price"}});
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
  } else if (root.is_object() && root.get_object().size() == 1) {
    // Another Shopify resource in its wrapper ({"refund": …}): say what it is.
    std::string_view key = (*root.get_object().begin()).key;
    for (std::string_view other :
         {"orders", "draft_order", "refund", "transaction", "fulfillment", "fulfillments",
          "fulfillment_event", "fulfillment_order", "fulfillment_orders", "fulfillment_request",
          "inventory_level", "inventory_levels"}) {
      if (key == other) {
        out.errors.push_back({"/" + std::string(key),
                              "is a Shopify " + std::string(key) + " document, not an order"});
        return out;
      }
    }
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
    o.customer.name = partner_json::FullName(s.Text(c, "first_name", p), s.Text(c, "last_name", p));
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
