// Declarative mappings: a partner's own JSON order format read into a canonical order by a
// mapping written as data (a YAML file the app layer loads into a JsonOrderMapping; docs/
// formats-partners.md, "Declarative mappings"), for partners without a built-in codec. Each
// canonical field is an expression over the partner document: a JSON pointer, a constant, a
// concatenation, with a default for an absent value, a lookup table (SKU, ship method, location
// cross-references) and a simple transform. A value a lookup does not have is an error at its
// pointer, never a guess; so is a value of the wrong kind. Totals are computed from the lines,
// and the order is validated as any canonical order, each fault named by the partner
// document's pointer where the field came from one. Pure; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/decoded.h"
#include "model/order.h"
#include "model/validation.h"

namespace crossdock {

struct MappingExpr {
  enum class Kind { kPointer, kConst, kConcat };
  Kind kind = Kind::kPointer;
  std::string pointer;                  // kPointer: RFC 6901, from the document (or the line item)
  std::string value;                    // kConst; a literal part of a kConcat
  std::vector<MappingExpr> parts;       // kConcat
  std::optional<std::string> fallback;  // used when the pointer finds nothing (or null)
  std::string lookup;                   // a table of JsonOrderMapping::lookups applied last
  std::string transform;                // "", "upper", "lower" or "trim"
};

struct JsonOrderMapping {
  std::string channel;  // the canonical orders' channel
  std::map<std::string, std::map<std::string, std::string>> lookups;
  // Canonical order field → expression. Fields: external_ref, currency, placed_at,
  // service_level, notes, customer.{external_ref,name,email,phone},
  // ship_to.{name,company,line1,line2,city,region,postal_code,country,phone,email},
  // bill_to.{…same…} (an order has a bill_to only when one is mapped), shipping.method,
  // shipping.amount (one shipping charge).
  std::map<std::string, MappingExpr> fields;
  std::string lines;  // pointer to the array of line items
  // Line field → expression, pointers from the item: line_id, sku, description, quantity,
  // unit_price. Without line_id a line is numbered from 1.
  std::map<std::string, MappingExpr> line_fields;
};

// The fields a mapping may set ("" when `field` is one), else why not.
std::string CheckMappableField(const std::string& field, bool line);

Decoded<Order> MapJsonOrder(std::string_view json, const JsonOrderMapping& mapping,
                            int max_depth = 32, const OrderLimits& limits = {});

}  // namespace crossdock
