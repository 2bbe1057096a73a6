// Business validation of canonical objects. Pure; reports every error with its JSON pointer.
// Structural errors (wrong JSON types, unknown properties) are the decoder's job; these rules
// hold for any Order or Shipment however it was built.
#pragma once

#include <cstddef>

#include "model/field_error.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

// Size bounds on client-supplied orders.
struct OrderLimits {
  size_t max_lines = 500;
  size_t max_adjustments_per_line = 20;
  size_t max_text_length = 512;
  int64_t max_quantity = 1'000'000;
};

// Recomputes the totals from lines and shipping. InvalidArgument on arithmetic overflow.
Result<OrderTotals> ComputeTotals(const Order& order);

// Every rule an order must satisfy before it is accepted. Empty when valid.
FieldErrors ValidateOrder(const Order& order, const OrderLimits& limits = {});

// Every rule a shipment confirmation must satisfy on its own (not against its order).
FieldErrors ValidateShipment(const Shipment& shipment);

}  // namespace crossdock
