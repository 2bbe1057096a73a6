#include "model/order.h"

namespace crossdock {

namespace {
constexpr std::pair<OrderStatus, std::string_view> kNames[] = {
    {OrderStatus::kReceived, "received"},     {OrderStatus::kAllocated, "allocated"},
    {OrderStatus::kDispatched, "dispatched"}, {OrderStatus::kPartiallyShipped, "partially_shipped"},
    {OrderStatus::kShipped, "shipped"},       {OrderStatus::kCancelled, "cancelled"},
    {OrderStatus::kRejected, "rejected"},
};
}  // namespace

std::string_view OrderStatusName(OrderStatus s) {
  for (const auto& [v, n] : kNames) {
    if (v == s) return n;
  }
  return "unknown";
}

Result<OrderStatus> ParseOrderStatus(std::string_view name) {
  for (const auto& [v, n] : kNames) {
    if (n == name) return v;
  }
  return InvalidArgument("unknown order status '" + std::string(name) + "'");
}

}  // namespace crossdock
