// WooCommerce REST API v3 order JSON (also the body of the order.created webhook) →
// canonical Order. Unused fields are ignored; used ones are checked, with errors pointing into
// the WooCommerce document. Stateless; thread-safe.
//
// Mapping (docs/formats-partners.md):
//   id → external_ref   currency   date_created_gmt (UTC, no zone in Woo) → placed_at
//   customer_id (0 = guest: none), billing name/email/phone → customer   customer_note → notes
//   shipping → ship_to, billing → bill_to (address_1/2, city, state, postcode, country)
//   line_items[i] → lines[i]: id → line_id, sku, name → description, quantity,
//     subtotal / quantity → unit_price (must divide exactly), subtotal − total → a discount,
//     total_tax → a tax named by its tax_lines label
//   shipping_lines[j] → shipping[j]: method_title, total, total_tax
// Refused instead of guessed: a status other than processing (unpaid, on hold, cancelled,
// refunded or completed orders are not shipped), an empty sku, fee lines, tax-inclusive prices,
// and stated totals
// (total, discount_total, total_tax, shipping_total) that differ from the lines.
#pragma once

#include <string>
#include <string_view>

#include "codecs/decoded.h"
#include "model/order.h"
#include "model/validation.h"

namespace crossdock {

struct WooCommerceDecodeOptions {
  std::string channel = "woocommerce";
  int max_depth = 32;
  OrderLimits limits;
};

Decoded<Order> DecodeWooCommerceOrder(std::string_view json,
                                      const WooCommerceDecodeOptions& options = {});

}  // namespace crossdock
