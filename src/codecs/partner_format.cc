#include "codecs/partner_format.h"

#include "codecs/amazon_order.h"
#include "codecs/canonical_json.h"
#include "codecs/shopify_order.h"
#include "codecs/woocommerce_order.h"

namespace crossdock {

Decoded<Order> DecodePartnerOrder(std::string_view document, const PartnerFormat& f) {
  if (f.format == "shopify") {
    ShopifyDecodeOptions o;
    o.channel = f.channel;
    o.max_depth = f.max_depth;
    o.limits = f.limits;
    return DecodeShopifyOrder(document, o);
  }
  if (f.format == "woocommerce") {
    WooCommerceDecodeOptions o;
    o.channel = f.channel;
    o.max_depth = f.max_depth;
    o.limits = f.limits;
    return DecodeWooCommerceOrder(document, o);
  }
  if (f.format == "amazon") {
    AmazonDecodeOptions o;
    o.channel = f.channel;
    o.max_depth = f.max_depth;
    o.limits = f.limits;
    return DecodeAmazonOrder(document, o);
  }
  if (f.format == "canonical") {
    DecodeOptions o;
    o.max_depth = f.max_depth;
    o.limits = f.limits;
    return DecodeOrder(document, o);
  }
  if (f.format == "mapping" && f.mapping) {
    return MapJsonOrder(document, *f.mapping, f.max_depth, f.limits);
  }
  Decoded<Order> none;
  none.errors.push_back({"", "the partner has no order format (partners[].format or .mapping)"});
  return none;
}

}  // namespace crossdock
