// Amazon Selling Partner API Orders v0 → canonical Order. The input is the getOrder response
// (`{"payload": order}`, or the order object itself) with the getOrderItems payload's
// `OrderItems` array added to the order: a connector fetches both, and an order without its
// items cannot be mapped. Stateless; thread-safe.
//
// Mapping (docs/formats-partners.md):
//   AmazonOrderId → external_ref   PurchaseDate → placed_at
//   ShipmentServiceLevelCategory (lower case) → service_level
//   BuyerInfo.BuyerName/BuyerEmail → customer   ShippingAddress → ship_to
//   OrderItems[i] → lines[i]: OrderItemId → line_id, SellerSKU → sku, Title → description,
//     QuantityOrdered, ItemPrice.Amount / QuantityOrdered → unit_price (ItemPrice is the
//     price of all units and must divide exactly), ItemTax → a tax, PromotionDiscount → a
//     discount; ShippingPrice and ShippingTax of all items → one shipping charge
//   currency: OrderTotal.CurrencyCode (or the items' ItemPrice.CurrencyCode)
// Refused instead of guessed: orders that are not Unshipped — Pending (not yet payable),
// Canceled, Unfulfillable, or already (partly) Shipped — or fulfilled by Amazon (AFN); items
// without SellerSKU; shipping discounts and discount taxes; mixed currencies; an OrderTotal
// that differs from the items.
#pragma once

#include <string>
#include <string_view>

#include "codecs/decoded.h"
#include "model/order.h"
#include "model/validation.h"

namespace crossdock {

struct AmazonDecodeOptions {
  std::string channel = "amazon";
  int max_depth = 32;
  OrderLimits limits;
};

Decoded<Order> DecodeAmazonOrder(std::string_view json, const AmazonDecodeOptions& options = {});

}  // namespace crossdock
