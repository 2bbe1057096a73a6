// A partner's order documents read as its configuration says: one of the built-in codecs, the
// canonical format, or its declarative mapping (codecs/json_mapping.h). Shared by the signed
// webhooks (an order.created delivery's data) and the CLI (convert --from <partner id>,
// partner check). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codecs/decoded.h"
#include "codecs/json_mapping.h"
#include "model/order.h"
#include "model/validation.h"

namespace crossdock {

struct PartnerFormat {
  std::string format;   // "" (none), "shopify", "woocommerce", "amazon", "canonical", "mapping"
  std::string channel;  // the canonical channel of its orders (a mapping names its own)
  std::optional<JsonOrderMapping> mapping;  // format "mapping"
  int max_depth = 32;
  OrderLimits limits;
};

// The document as a canonical order; an error at "" when the partner has no format.
Decoded<Order> DecodePartnerOrder(std::string_view document, const PartnerFormat& format);

}  // namespace crossdock
