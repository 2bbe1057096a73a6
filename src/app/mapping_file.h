// A declarative order mapping from its YAML file (codecs/json_mapping.h; docs/formats-partners.md,
// "Declarative mappings"):
//
//   channel: acme
//   lookups: {sku: {ACME-1: SKU-1}, ship_method: {GRND: standard}}
//   order:                              # canonical field: expression
//     external_ref: /orderNumber        # a JSON pointer
//     currency: {const: USD}
//     ship_to.country: {pointer: /shipTo/country, default: US, transform: upper}
//     service_level: {pointer: /shipping/method, lookup: ship_method}
//     customer.name: {concat: [/buyer/first, " ", /buyer/last]}   # "/…" pointers, else text
//   lines:
//     each: /items                      # the array of line items; pointers below are its items'
//     sku: {pointer: /partNumber, lookup: sku}
//     quantity: /qty
//     unit_price: /price
//
// Every fault is named by its YAML path (unknown key, field or lookup, a pointer not starting
// with "/").
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "base/status.h"
#include "codecs/json_mapping.h"

namespace crossdock {

Result<JsonOrderMapping> JsonOrderMappingOf(const YAML::Node& y, const std::string& where);
Result<JsonOrderMapping> LoadJsonOrderMapping(const std::string& path);

}  // namespace crossdock
