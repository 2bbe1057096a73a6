// Connector: carries out outbox commands for a destination that is not a plain webhook-style
// HTTP endpoint — an ERP spoken to over its own API (delivery/erp/tryton_connector.h). The
// dispatcher treats its answer like an HTTP answer, so lanes, breakers, quotas, retries and
// dead letters work the same for every destination:
//   2xx: done (the body is the answer JSON the flow reads, flows/command_answers.h);
//   4xx: refused for good (dead letter; the order gets an exception);
//   5xx, 429 or a failed Result: try again later.
// A connector must make every command safe to repeat (look up before create): the dispatcher
// repeats a command whose outcome it does not know. Thread-safe: called from several workers.
#pragma once

#include <vector>

#include <optional>

#include "base/clock.h"
#include "base/money.h"
#include "base/status.h"
#include "delivery/http_client.h"
#include "store/records.h"

namespace crossdock {

class Connector {
 public:
  virtual ~Connector() = default;
  virtual Result<ClientResponse> Execute(const OutboxItem& item) = 0;
};

// An invoice whose state changed in the ERP (delta polling: ERPs such as Tryton send no
// webhooks).
struct ErpInvoiceChange {
  std::string reference;  // ours: "<order id>/<shipment>"
  std::string invoice;    // the ERP's reference
  std::string state;      // "posted", "paid", "cancelled", …
  TimePoint changed_at;
  std::optional<Decimal> amount;  // the untaxed total, when the ERP reports it
};

// A customer shipment of a warehouse the ERP runs (a node of kind tryton) whose state changed.
struct ErpShipmentChange {
  std::string order_id;
  std::string node;
  std::string shipment;  // the ERP's id
  std::string state;     // "waiting", "assigned", "picked", "packed", "done", "cancelled"
  struct Line {
    std::string sku;
    int64_t quantity = 0;
  };
  std::vector<Line> lines;  // filled once done: what left the warehouse
  TimePoint changed_at;
};

// A connector that can be asked what changed since a time.
class ErpPoller {
 public:
  virtual ~ErpPoller() = default;
  // Crossdock's customer invoices changed at or after `since`.
  virtual Result<std::vector<ErpInvoiceChange>> InvoicesChangedSince(TimePoint since) = 0;
  // Shipments of Crossdock's orders from the ERP's own warehouses, changed at or after `since`.
  virtual Result<std::vector<ErpShipmentChange>> ShipmentsChangedSince(TimePoint since) = 0;
};

// An answer in the connector's HTTP-like terms.
inline ClientResponse ConnectorAnswer(int status, std::string body) {
  ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace crossdock
