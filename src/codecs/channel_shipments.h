// A canonical shipment in each sales channel's own shape, so the channel can tell its buyer
// (docs/formats-partners.md, "Shipments to channels"). The order gives the channel's order
// number and line ids (canonical line ids are the channel's). Pure; every fault is reported,
// each with the shipment's JSON pointer (or "location_id" / "marketplace_id" for a missing or
// bad option).
//   Shopify      — the REST fulfillment body, {"fulfillment": {location_id, tracking_number,
//                  tracking_numbers, tracking_company, line_items [{id, quantity}],
//                  notify_customer}}, for POST /orders/{order}/fulfillments.json.
//   WooCommerce  — the v3 order update, {"status": "completed" | "processing", "meta_data":
//                  [{"key": "_wc_shipment_tracking_items", "value": [...]}]}, for PUT
//                  /wc/v3/orders/{order} ("completed" when this shipment carries every unit of
//                  the order, else "processing").
//   Amazon       — SP-API Orders v0 confirmShipment bodies, one per package (Amazon takes one
//                  tracking number per request): {"marketplaceId", "packageDetail":
//                  {packageReferenceId, carrierCode, shippingMethod, trackingNumber, shipDate,
//                  orderItems [{orderItemId, quantity}]}}, as a JSON array.
#pragma once

#include <string>

#include "codecs/decoded.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

struct ChannelShipmentOptions {
  std::string shopify_location_id;    // Shopify: the location the goods left from (digits)
  std::string amazon_marketplace_id;  // Amazon: required, e.g. "ATVPDKIKX0DER"
  bool notify_customer = true;        // Shopify
};

// The body, or every fault (value unset).
Decoded<std::string> EncodeShopifyFulfillment(const Shipment& s, const Order& order,
                                              const ChannelShipmentOptions& options);
Decoded<std::string> EncodeWooCommerceOrderUpdate(const Shipment& s, const Order& order);
Decoded<std::string> EncodeAmazonShipmentConfirmations(const Shipment& s, const Order& order,
                                                       const ChannelShipmentOptions& options);

}  // namespace crossdock
