#include "codecs/woocommerce_order.h"

#include <map>

#include "codecs/partner_json.h"

namespace crossdock {

namespace {

using json_reader::element;
using partner_json::Accumulate;

Address ReadAddress(partner_json::Reader& r, element a, const std::string& p) {
  Address out;
  out.name = partner_json::FullName(r.Text(a, "first_name", p), r.Text(a, "last_name", p));
  out.company = r.Text(a, "company", p);
  out.line1 = r.Text(a, "address_1", p);
  out.line2 = r.Text(a, "address_2", p);
  out.city = r.Text(a, "city", p);
  out.region = r.Text(a, "state", p);
  out.postal_code = r.Text(a, "postcode", p);
  out.country = r.Text(a, "country", p);
  out.phone = r.Text(a, "phone", p);
  out.email = r.Text(a, "email", p);
  return out;
}

std::string WooPointer(const std::string& base, std::string_view canonical) {
  return partner_json::MapPointer(base, canonical,
                                  {{"/ship_to", "/shipping"},
                                   {"/bill_to", "/billing"},
                                   {"/lines", "/line_items"},
                                   {"/shipping", "/shipping_lines"},
                                   {"/external_ref", "/id"},
                                   {"/notes", "/customer_note"}},
                                  {{"line_id", "id"},
                                   {"name", "first_name"},
                                   {"line1", "address_1"},
                                   {"line2", "address_2"},
                                   {"region", "state"},
                                   {"postal_code", "postcode"},
                                   {"unit_price", "subtotal"},
                                   {"description", "name"},
                                   {"method", "method_title"},
                                   {"amount", "total"}});
}

}  // namespace

Decoded<Order> DecodeWooCommerceOrder(std::string_view json,
                                      const WooCommerceDecodeOptions& options) {
  Decoded<Order> out;
  auto doc = json_reader::Parse(json, options.max_depth, out.errors);
  if (!doc) {
    out.syntax_error = true;
    return out;
  }
  partner_json::Reader r(out.errors);
  element root = *doc;
  const std::string base;
  if (!root.is_object()) {
    out.errors.push_back({"", "must be a WooCommerce order object"});
    return out;
  }
  Order o;
  o.channel = options.channel;
  o.external_ref = r.Id(root, "id", base);
  if (o.external_ref.empty()) out.errors.push_back({"/id", "is required"});
  o.currency = r.Text(root, "currency", base);
  if (std::string created = r.Text(root, "date_created_gmt", base); !created.empty()) {
    auto t = ParseRfc3339(created.find('Z') == std::string::npos ? created + "Z" : created);
    if (t.ok())
      o.placed_at = *t;
    else
      out.errors.push_back({"/date_created_gmt", "is not a date-time: " + t.status().message()});
  }
  o.notes = r.Text(root, "customer_note", base);
  // Only a paid order waiting for fulfilment is taken: order.created also fires for pending,
  // failed and on-hold orders, and cancelled, refunded or completed ones have nothing to ship.
  if (std::string status = r.Text(root, "status", base);
      !status.empty() && status != "processing") {
    out.errors.push_back({"/status", "is '" + status + "': only processing orders are shipped"});
  }
  if (element prices;
      r.Has(root, "prices_include_tax", prices) && prices.is_bool() && prices.get_bool().value()) {
    out.errors.push_back({"/prices_include_tax", "tax-inclusive prices are not mapped"});
  }
  element billing, shipping;
  bool has_billing = r.Has(root, "billing", billing);
  if (has_billing) {
    Address b = ReadAddress(r, billing, "/billing");
    o.customer.name = b.name;
    o.customer.email = b.email;
    o.customer.phone = b.phone;
    b.email.clear();
    if (!b.line1.empty()) o.bill_to = b;
  }
  if (std::string customer = r.Id(root, "customer_id", base); customer != "0") {
    o.customer.external_ref = customer;
  }
  if (r.Has(root, "shipping", shipping)) {
    o.ship_to = ReadAddress(r, shipping, "/shipping");
    o.ship_to.email.clear();
    if (o.ship_to.phone.empty()) o.ship_to.phone = o.customer.phone;
  } else {
    out.errors.push_back({"/shipping", "is required: Crossdock ships orders"});
  }
  // Tax labels by rate id, to name each line's tax.
  std::map<std::string, std::string> tax_labels;
  r.ForEach(root, "tax_lines", base, [&](element t, const std::string& tp) {
    tax_labels[r.Id(t, "rate_id", tp)] = r.Text(t, "label", tp);
  });
  auto tax_name = [&](element item, const std::string& p) {
    std::string name = "tax";
    r.ForEach(item, "taxes", p, [&](element t, const std::string& tp) {
      auto it = tax_labels.find(r.Id(t, "id", tp));
      if (it != tax_labels.end() && !it->second.empty() && name == "tax") name = it->second;
    });
    return name;
  };
  r.ForEach(root, "line_items", base, [&](element li, const std::string& p) {
    OrderLine line;
    line.line_id = r.Id(li, "id", p);
    if (line.line_id.empty()) line.line_id = std::to_string(o.lines.size() + 1);
    line.sku = r.Text(li, "sku", p);
    if (line.sku.empty()) {
      out.errors.push_back({p + "/sku", "is empty: the product has no SKU to map it by"});
    }
    line.description = r.Text(li, "name", p);
    line.quantity = r.Integer(li, "quantity", p);
    Decimal subtotal = r.Money(li, "subtotal", p);
    Decimal total = r.Money(li, "total", p);
    if (line.quantity > 0) {
      if (subtotal.micros() % line.quantity != 0) {
        out.errors.push_back(
            {p + "/subtotal",
             "does not divide into " + std::to_string(line.quantity) + " equal unit prices"});
      } else {
        line.unit_price = Decimal::FromMicros(subtotal.micros() / line.quantity);
      }
    }
    if (total.micros() > subtotal.micros()) {
      out.errors.push_back({p + "/total", "is more than the subtotal"});
    } else if (total.micros() < subtotal.micros()) {
      line.discounts.push_back(
          {"discount", Decimal::FromMicros(subtotal.micros() - total.micros())});
    }
    if (Decimal tax = r.Money(li, "total_tax", p); tax.micros() != 0) {
      line.taxes.push_back({tax_name(li, p), tax});
    }
    o.lines.push_back(std::move(line));
  });
  if (o.lines.empty()) out.errors.push_back({"/line_items", "must have at least one item"});
  r.ForEach(root, "shipping_lines", base, [&](element sl, const std::string& p) {
    ShippingCharge c;
    c.method = r.Text(sl, "method_title", p);
    c.amount = r.Money(sl, "total", p);
    if (Decimal tax = r.Money(sl, "total_tax", p); tax.micros() != 0) {
      c.taxes.push_back({tax_name(sl, p), tax});
    }
    o.shipping.push_back(std::move(c));
  });
  if (element fees;
      r.Has(root, "fee_lines", fees) && fees.is_array() && fees.get_array().size() > 0) {
    out.errors.push_back({"/fee_lines", "fees are not mapped"});
  }
  if (!out.errors.empty()) return out;
  auto totals = ComputeTotals(o);
  if (!totals.ok()) {
    out.errors.push_back({"", totals.status().message()});
    return out;
  }
  o.totals = *totals;
  // WooCommerce's own figures must agree with the lines.
  auto check = [&](const char* key, Decimal computed) {
    element v;
    if (!r.Has(root, key, v)) return;
    Decimal stated = r.Money(root, key, base);
    if (stated.micros() != computed.micros()) {
      out.errors.push_back(
          {std::string("/") + key,
           "is " + stated.ToString() + " but the lines add up to " + computed.ToString()});
    }
  };
  check("discount_total", o.totals.discount_total);
  check("total_tax", o.totals.tax_total);
  check("shipping_total", o.totals.shipping_total);
  check("total", o.totals.grand_total);
  for (auto& e : ValidateOrder(o, options.limits)) {
    out.errors.push_back({WooPointer(base, e.pointer), e.detail});
  }
  if (out.errors.empty()) out.value = std::move(o);
  return out;
}

}  // namespace crossdock
