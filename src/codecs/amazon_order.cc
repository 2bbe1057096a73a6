#include "codecs/amazon_order.h"

#include <cctype>

#include "codecs/partner_json.h"

namespace crossdock {

namespace {

using json_reader::Child;
using json_reader::element;
using partner_json::Accumulate;

// An Amazon Money object {"CurrencyCode": "USD", "Amount": "10.00"} at `key`; absent gives 0.
// Records the currency seen, refusing a second one.
Decimal ReadMoney(partner_json::Reader& r, element obj, std::string_view key,
                  const std::string& pointer, std::string& currency) {
  element m;
  if (!r.Has(obj, key, m)) return Decimal();
  std::string p = Child(pointer, key);
  std::string code = r.Text(m, "CurrencyCode", p);
  if (!code.empty()) {
    if (currency.empty())
      currency = code;
    else if (code != currency)
      r.Error(p + "/CurrencyCode", "is " + code + " but the order is in " + currency);
  }
  return r.Money(m, "Amount", p);
}

std::string AmazonPointer(const std::string& base, std::string_view canonical) {
  return partner_json::MapPointer(base, canonical,
                                  {{"/ship_to", "/ShippingAddress"},
                                   {"/lines", "/OrderItems"},
                                   {"/external_ref", "/AmazonOrderId"},
                                   {"/currency", "/OrderTotal/CurrencyCode"}},
                                  {{"line_id", "OrderItemId"},
                                   {"email", "BuyerEmail"},
                                   {"name", "Name"},
                                   {"line1", "AddressLine1"},
                                   {"line2", "AddressLine2"},
                                   {"city", "City"},
                                   {"region", "StateOrRegion"},
                                   {"postal_code", "PostalCode"},
                                   {"country", "CountryCode"},
                                   {"sku", "SellerSKU"},
                                   {"quantity", "QuantityOrdered"},
                                   {"unit_price", "ItemPrice"},
                                   {"description", "Title"}});
}

}  // namespace

Decoded<Order> DecodeAmazonOrder(std::string_view json, const AmazonDecodeOptions& options) {
  Decoded<Order> out;
  auto doc = json_reader::Parse(json, options.max_depth, out.errors);
  if (!doc) {
    out.syntax_error = true;
    return out;
  }
  partner_json::Reader r(out.errors);
  element root = *doc;
  std::string base;
  if (element payload; r.Has(root, "payload", payload)) {
    root = payload;
    base = "/payload";
  }
  if (!root.is_object()) {
    out.errors.push_back({base, "must be an Amazon order object"});
    return out;
  }
  Order o;
  o.channel = options.channel;
  o.external_ref = r.Text(root, "AmazonOrderId", base);
  if (o.external_ref.empty()) out.errors.push_back({base + "/AmazonOrderId", "is required"});
  std::string status = r.Text(root, "OrderStatus", base);
  if (status == "Pending" || status == "PendingAvailability") {
    out.errors.push_back({base + "/OrderStatus", "is " + status +
                                                     ": not yet payable; Amazon releases the "
                                                     "order for shipping as Unshipped"});
  } else if (status == "Canceled" || status == "Unfulfillable") {
    out.errors.push_back({base + "/OrderStatus", "is " + status + ": nothing to ship"});
  } else if (status == "Shipped" || status == "PartiallyShipped" ||
             status == "InvoiceUnconfirmed") {
    out.errors.push_back({base + "/OrderStatus", "is " + status +
                                                     ": shipped (at least in part) already; only "
                                                     "Unshipped orders are taken"});
  }
  if (r.Text(root, "FulfillmentChannel", base) == "AFN") {
    out.errors.push_back({base + "/FulfillmentChannel", "is AFN: Amazon fulfils this order"});
  }
  if (element t; r.Has(root, "PurchaseDate", t)) {
    r.reader().Time(t, base + "/PurchaseDate", o.placed_at);
  }
  o.service_level = r.Text(root, "ShipmentServiceLevelCategory", base);
  for (char& c : o.service_level)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (element buyer; r.Has(root, "BuyerInfo", buyer)) {
    std::string p = base + "/BuyerInfo";
    o.customer.name = r.Text(buyer, "BuyerName", p);
    o.customer.email = r.Text(buyer, "BuyerEmail", p);
  }
  if (element a; r.Has(root, "ShippingAddress", a)) {
    std::string p = base + "/ShippingAddress";
    o.ship_to.name = r.Text(a, "Name", p);
    o.ship_to.line1 = r.Text(a, "AddressLine1", p);
    o.ship_to.line2 = r.Text(a, "AddressLine2", p);
    o.ship_to.city = r.Text(a, "City", p);
    o.ship_to.region = r.Text(a, "StateOrRegion", p);
    o.ship_to.postal_code = r.Text(a, "PostalCode", p);
    o.ship_to.country = r.Text(a, "CountryCode", p);
    o.ship_to.phone = r.Text(a, "Phone", p);
  } else {
    out.errors.push_back({base + "/ShippingAddress", "is required: Crossdock ships orders"});
  }
  std::string currency;
  Decimal shipping, shipping_tax;
  bool fits = true;
  element items;
  if (!r.Has(root, "OrderItems", items)) {
    out.errors.push_back({base + "/OrderItems",
                          "is required: add the getOrderItems payload's OrderItems to the order"});
  }
  r.ForEach(root, "OrderItems", base, [&](element it, const std::string& p) {
    OrderLine line;
    line.line_id = r.Text(it, "OrderItemId", p);
    line.sku = r.Text(it, "SellerSKU", p);
    if (line.sku.empty()) out.errors.push_back({p + "/SellerSKU", "is required"});
    line.description = r.Text(it, "Title", p);
    line.quantity = r.Integer(it, "QuantityOrdered", p);
    Decimal price = ReadMoney(r, it, "ItemPrice", p, currency);
    if (line.quantity > 0) {
      if (price.micros() % line.quantity != 0) {
        out.errors.push_back(
            {p + "/ItemPrice/Amount",
             "does not divide into " + std::to_string(line.quantity) + " equal unit prices"});
      } else {
        line.unit_price = Decimal::FromMicros(price.micros() / line.quantity);
      }
    }
    if (Decimal tax = ReadMoney(r, it, "ItemTax", p, currency); tax.micros() != 0) {
      line.taxes.push_back({"tax", tax});
    }
    if (Decimal promo = ReadMoney(r, it, "PromotionDiscount", p, currency); promo.micros() != 0) {
      line.discounts.push_back({"promotion", promo});
    }
    fits = fits && Accumulate(shipping, ReadMoney(r, it, "ShippingPrice", p, currency));
    fits = fits && Accumulate(shipping_tax, ReadMoney(r, it, "ShippingTax", p, currency));
    for (const char* unmapped :
         {"ShippingDiscount", "ShippingDiscountTax", "PromotionDiscountTax"}) {
      if (ReadMoney(r, it, unmapped, p, currency).micros() != 0) {
        out.errors.push_back({p + "/" + unmapped,
                              "is not mapped (it would change the tax or "
                              "shipping the order states)"});
      }
    }
    o.lines.push_back(std::move(line));
  });
  if (!fits) out.errors.push_back({base + "/OrderItems", "shipping adds up beyond any amount"});
  Decimal stated = ReadMoney(r, root, "OrderTotal", base, currency);
  if (!out.errors.empty()) return out;
  o.currency = currency;
  if (shipping.micros() != 0 || shipping_tax.micros() != 0) {
    ShippingCharge c{
        "Amazon " + (o.service_level.empty() ? std::string("standard") : o.service_level),
        shipping,
        {}};
    if (shipping_tax.micros() != 0) c.taxes.push_back({"tax", shipping_tax});
    o.shipping.push_back(std::move(c));
  }
  auto totals = ComputeTotals(o);
  if (!totals.ok()) {
    out.errors.push_back({base, totals.status().message()});
    return out;
  }
  o.totals = *totals;
  if (element t; r.Has(root, "OrderTotal", t) && stated.micros() != o.totals.grand_total.micros()) {
    out.errors.push_back({base + "/OrderTotal/Amount", "is " + stated.ToString() +
                                                           " but the items add up to " +
                                                           o.totals.grand_total.ToString()});
  }
  for (auto& e : ValidateOrder(o, options.limits)) {
    out.errors.push_back({AmazonPointer(base, e.pointer), e.detail});
  }
  if (out.errors.empty()) out.value = std::move(o);
  return out;
}

}  // namespace crossdock
