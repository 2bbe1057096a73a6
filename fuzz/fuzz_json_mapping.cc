// Fuzzes the declarative mapping engine (codecs/json_mapping.h) with a mapping that uses every
// kind of expression (pointers, constants, concatenation, defaults, lookups, transforms).
// Invariants: never crash; a refused document says where; a mapped order is a valid canonical
// order that round-trips through canonical JSON, and its SKUs come from the lookup only.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/canonical_json.h"
#include "codecs/json_mapping.h"

namespace {

crossdock::MappingExpr P(const char* pointer) {
  crossdock::MappingExpr e;
  e.pointer = pointer;
  return e;
}

const crossdock::JsonOrderMapping& Mapping() {
  static const crossdock::JsonOrderMapping m = [] {
    using crossdock::MappingExpr;
    crossdock::JsonOrderMapping m;
    m.channel = "fuzz";
    m.lookups["sku"] = {{"A-100", "SKU-RED"}, {"A-300", "SKU-GREEN"}};
    m.fields["external_ref"] = P("/orderNumber");
    MappingExpr currency = P("/currency");
    currency.fallback = "USD";
    currency.transform = "upper";
    m.fields["currency"] = currency;
    m.fields["placed_at"] = P("/createdAt");
    MappingExpr name;
    name.kind = MappingExpr::Kind::kConcat;
    MappingExpr space;
    space.kind = MappingExpr::Kind::kConst;
    space.value = " ";
    name.parts = {P("/buyer/firstName"), space, P("/buyer/lastName")};
    m.fields["customer.name"] = name;
    m.fields["ship_to.line1"] = P("/shipTo/street");
    m.fields["ship_to.city"] = P("/shipTo/city");
    MappingExpr country = P("/shipTo/country");
    country.fallback = "US";
    m.fields["ship_to.country"] = country;
    m.fields["shipping.amount"] = P("/shipping/charge");
    m.lines = "/items";
    m.line_fields["line_id"] = P("/lineNo");
    MappingExpr sku = P("/partNumber");
    sku.lookup = "sku";
    m.line_fields["sku"] = sku;
    MappingExpr text = P("/text");
    text.transform = "trim";
    m.line_fields["description"] = text;
    m.line_fields["quantity"] = P("/qty");
    m.line_fields["unit_price"] = P("/price");
    return m;
  }();
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = crossdock::MapJsonOrder(text, Mapping());
  if (!d.ok()) {
    if (d.errors.empty()) std::abort();
    return 0;
  }
  for (const auto& l : d.value->lines) {
    if (l.sku != "SKU-RED" && l.sku != "SKU-GREEN") std::abort();
  }
  auto back = crossdock::DecodeOrder(crossdock::EncodeOrder(*d.value));
  if (!back.ok() || !(*back.value == *d.value)) std::abort();
  return 0;
}
