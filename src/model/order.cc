#include "model/order.h"

namespace crossdock {

namespace {
constexpr std::pair<OrderStatus, std::string_view> kNames[] = {
    {OrderStatus::kReceived, "received"},
    {OrderStatus::kValidated, "validated"},
    {OrderStatus::kAccepted, "accepted"},
    {OrderStatus::kHeld, "held"},
    {OrderStatus::kBackordered, "backordered"},
    {OrderStatus::kAllocated, "allocated"},
    {OrderStatus::kDispatched, "dispatched"},
    {OrderStatus::kPartiallyShipped, "partially_shipped"},
    {OrderStatus::kShipped, "shipped"},
    {OrderStatus::kDelivered, "delivered"},
    {OrderStatus::kInvoiced, "invoiced"},
    {OrderStatus::kClosed, "closed"},
    {OrderStatus::kCancelled, "cancelled"},
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
