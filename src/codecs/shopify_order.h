// Shopify order JSON (REST Admin API `order` object, which is also the body of the
// `orders/create` webhook) → canonical Order. Shopify sends many fields Crossdock does not use;
// they are ignored. The fields that are used are checked strictly, and every error names its
// JSON pointer in the Shopify document. Stateless; thread-safe.
//
// Mapping (docs/formats-partners.md):
//   id → external_ref            currency → currency           created_at → placed_at
//   customer.id/first+last name/email/phone → customer          note → notes
//   shipping_address / billing_address → ship_to / bill_to (country_code, province_code)
//   line_items[i] → lines[i]: id → line_id, sku, title → description, quantity,
//     price → unit_price, discount_allocations[].amount → discounts, tax_lines → taxes
//   shipping_lines[j] → shipping[j]: title → method, price → amount, tax_lines → taxes
// Order-level amounts Shopify reports without allocating them to lines (total_discounts or
// total_tax beyond the line and shipping entries) are booked on the first line with the code
// "order" so the canonical totals equal Shopify's; the computed grand total must equal
// total_price, or the order is refused at /total_price.
#pragma once

#include <string>
#include <string_view>

#include "codecs/decoded.h"
#include "model/order.h"
#include "model/validation.h"

namespace crossdock {

struct ShopifyDecodeOptions {
  std::string channel = "shopify";  // the canonical channel name of this store
  int max_depth = 32;
  OrderLimits limits;
};

// `json` is the order object itself, or `{"order": {...}}` as the REST API wraps it.
Decoded<Order> DecodeShopifyOrder(std::string_view json, const ShopifyDecodeOptions& options = {});

}  // namespace crossdock
