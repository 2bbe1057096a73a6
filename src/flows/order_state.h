// JSON form of OrderFlowState, stored in the orders.flow_state column (docs/formats.md).
// Version 2 (version 1 rows still decode). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "flows/order_decider.h"

namespace crossdock {

std::string EncodeFlowState(const OrderFlowState& state);
Result<OrderFlowState> DecodeFlowState(std::string_view json);

}  // namespace crossdock
