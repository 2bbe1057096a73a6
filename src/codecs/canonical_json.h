// The canonical JSON codec: Order and Shipment ↔ their JSON form (docs/schemas/*.schema.json).
// Decoding is strict: unknown properties, wrong types and, for client writes, server-owned
// properties are errors, each reported with its JSON pointer; amounts are decimal strings.
// Encoding is deterministic (fixed property order, empty optional fields omitted), so
// Decode(Encode(x)) == x. Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "codecs/decoded.h"
#include "model/order.h"
#include "model/shipment.h"
#include "model/validation.h"

namespace crossdock {

struct DecodeOptions {
  // false for client writes: `id`, `status`, `partner`, `created_at`, `updated_at` are refused.
  bool allow_server_fields = false;
  // Run model validation (totals, limits, …) after decoding and report its errors too.
  bool validate = true;
  int max_depth = 32;
  OrderLimits limits;
};

Decoded<Order> DecodeOrder(std::string_view json, const DecodeOptions& options = {});
std::string EncodeOrder(const Order& order);
void WriteOrder(JsonWriter& w, const Order& order);

Decoded<Shipment> DecodeShipment(std::string_view json, const DecodeOptions& options = {});
std::string EncodeShipment(const Shipment& shipment);
void WriteShipment(JsonWriter& w, const Shipment& shipment);

}  // namespace crossdock
