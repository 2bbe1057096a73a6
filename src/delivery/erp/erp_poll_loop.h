// ErpPollLoop: delta polling of an ERP that sends no webhooks (Tryton). Every `interval` it asks
// the ERP for invoices changed since the last poll minus an overlap window (clocks and commit
// order differ between the two systems; the overlap makes a late-committed change still seen),
// feeds each paid invoice to the order flow as InvoicePaid (the flow ignores what it has seen),
// then asks for the customer shipments of its own warehouses (nodes of kind tryton) changed in
// the same window and reports their progress as milestones (picked, packed) and, once done, as
// the node's shipment, and stores the new cursor, so a restart goes on where it stopped.
// Thread-safe Start/Stop.
#pragma once

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/periodic_task.h"
#include "delivery/connector.h"
#include "flows/order_flow.h"
#include "store/store.h"

namespace crossdock {

struct ErpPollOptions {
  std::chrono::seconds interval{60};
  std::chrono::seconds overlap{120};
  std::string cursor_name = "erp-poll";  // where the cursor is kept (subscriber offsets)
};

class ErpPollLoop {
 public:
  ErpPollLoop(ErpPoller& erp, OrderFlow& flow, Store& store, const Clock& clock,
              MetricsRegistry& metrics, Logger& log, ErpPollOptions options);
  ~ErpPollLoop();
  void Start();
  void Stop();
  // One poll, now (tests and the loop). Returns how many changes were handed on (paid invoices,
  // milestones and shipments, the known ones included).
  Result<int> PollOnce();

 private:
  // Hands one warehouse shipment's progress to the flow; refusals are logged and skipped.
  Status ReportShipment(const ErpShipmentChange& c, int& handed);
  // Waits for an Act; NotFound and refusals are not errors (someone else's, or stale).
  Status ActAndWait(const std::string& order_id, OrderInput input);
  ErpPoller& erp_;
  OrderFlow& flow_;
  Store& store_;
  const Clock& clock_;
  Logger& log_;
  ErpPollOptions options_;
  Counter& polls_;
  Counter& failures_;
  PeriodicTask task_;
};

}  // namespace crossdock
