// The canonical Order: what every channel's order becomes inside Crossdock.
// Amounts are exact decimals in the order's currency; totals must add up (see validation.h).
// Server-owned fields (id, status, partner, created_at, updated_at) are set by Crossdock and
// refused in writes. Plain value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/money.h"
#include "base/status.h"

namespace crossdock {

// Where an order is in its lifecycle. The transitions are owned by flows/order_decider.h.
// docs/lifecycle.md draws the diagram.
enum class OrderStatus {
  kReceived,     // stored; being checked against the ERP (or not yet routed)
  kValidated,    // the ERP check passed; its sale is being created
  kAccepted,     // the ERP accepted it (its sale exists); not yet routed
  kHeld,         // a credit or fraud rule holds it until an operator or a timer releases it
  kBackordered,  // no node can fill it now
  kAllocated,    // routed to a node; dispatch command queued in the outbox
  kDispatched,   // the node acknowledged the order
  kPartiallyShipped,
  kShipped,
  kDelivered,  // the carrier delivered every shipment
  kInvoiced,   // an ERP invoice is posted for every shipment
  kClosed,     // shipped, delivered and invoiced: nothing more will happen
  kCancelled,
  kRejected,
};
std::string_view OrderStatusName(OrderStatus s);
Result<OrderStatus> ParseOrderStatus(std::string_view name);

struct Address {
  std::string name;
  std::string company;
  std::string line1;
  std::string line2;
  std::string city;
  std::string region;  // state / province code
  std::string postal_code;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string phone;
  std::string email;
  friend bool operator==(const Address&, const Address&) = default;
};

struct Customer {
  std::string external_ref;  // the channel's customer id, optional
  std::string name;
  std::string email;
  std::string phone;
  friend bool operator==(const Customer&, const Customer&) = default;
};

// A discount or tax on a line or a shipping charge. Always a positive amount; discounts
// subtract, taxes add.
struct Adjustment {
  std::string code;  // "TENOFF", "State Tax"
  Decimal amount;
  friend bool operator==(const Adjustment&, const Adjustment&) = default;
};

struct OrderLine {
  std::string line_id;  // unique within the order; the channel's line id or "1", "2", …
  std::string sku;
  std::string description;
  int64_t quantity = 0;
  Decimal unit_price;
  std::vector<Adjustment> discounts;
  std::vector<Adjustment> taxes;
  friend bool operator==(const OrderLine&, const OrderLine&) = default;
};

struct ShippingCharge {
  std::string method;  // "Standard Ground"
  Decimal amount;
  std::vector<Adjustment> taxes;
  friend bool operator==(const ShippingCharge&, const ShippingCharge&) = default;
};

// subtotal = Σ quantity × unit_price; discount_total = Σ line discounts;
// tax_total = Σ line taxes + Σ shipping taxes; shipping_total = Σ shipping amounts;
// grand_total = subtotal − discount_total + tax_total + shipping_total.
struct OrderTotals {
  Decimal subtotal;
  Decimal discount_total;
  Decimal tax_total;
  Decimal shipping_total;
  Decimal grand_total;
  friend bool operator==(const OrderTotals&, const OrderTotals&) = default;
};

struct Order {
  // Server-owned.
  std::string id;  // "ord_<ULID>"; empty before intake
  std::optional<OrderStatus> status;
  std::string partner;  // the partner whose credential submitted it
  std::optional<TimePoint> created_at;
  std::optional<TimePoint> updated_at;

  // Client-supplied.
  std::string channel;       // "shopify", "b2b-portal"
  std::string external_ref;  // the channel's order number; unique per channel
  std::string currency;      // ISO 4217
  std::optional<TimePoint> placed_at;
  std::string service_level;  // "standard", "express"; empty = standard
  Customer customer;
  Address ship_to;
  std::optional<Address> bill_to;
  std::vector<OrderLine> lines;
  std::vector<ShippingCharge> shipping;
  OrderTotals totals;
  std::string notes;

  friend bool operator==(const Order&, const Order&) = default;
};

}  // namespace crossdock
