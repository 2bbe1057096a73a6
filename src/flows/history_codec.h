// The JSON form of decider inputs, policies and decisions: what a recorded order history
// holds (tests/replay, docs/reliability.md R10). Replaying a history re-runs Decide() on each
// recorded input and compares the encoded outcome with the recorded one, byte for byte.
// Decoding is strict (unknown members are errors, with their JSON pointer); pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "flows/order_decider.h"

namespace crossdock {

std::string EncodeInput(const OrderInput& input);
// InvalidArgument naming the pointer of the first fault.
Result<OrderInput> DecodeInput(std::string_view json);

std::string EncodePolicy(const OrderPolicy& policy);
Result<OrderPolicy> DecodePolicy(std::string_view json);

// {"status", "events": [{"type", "data"}], "commands": [...]} for a decision, or
// {"refused": "<code>", "message"} for a rejection.
std::string EncodeOutcome(const DecideResult& result);

}  // namespace crossdock
