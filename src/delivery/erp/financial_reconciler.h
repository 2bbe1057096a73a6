// The financial reconciliation job (flows/financial_reconcile.h for the rules): collects the
// invoices Crossdock expects — every shipment of an order invoiced through the ERP, valued at
// the order's unit prices from the shipment recorded in the order's history — asks the ERP for
// its customer invoices changed since the window's start, compares, opens an exception
// ("reconcile-<kind>") on each order a finding names (unless a dry run), and keeps the run with
// its JSON and CSV reports (GET /v1/admin/reconciliations, kind "financial"). Runs on the
// caller's thread; FinancialReconcileLoop runs it on a schedule.
#pragma once

#include <functional>

#include "base/clock.h"
#include "base/id.h"
#include "base/log.h"
#include "base/periodic_task.h"
#include "delivery/connector.h"
#include "flows/financial_reconcile.h"
#include "flows/order_flow.h"
#include "store/store.h"

namespace crossdock {

struct FinancialReconciliation {
  Duration window = std::chrono::hours(24 * 7);  // shipments and invoices this far back
  Duration grace = std::chrono::hours(1);
  Decimal tolerance;
  bool dry_run = false;  // compare and report only: no exception opened, nothing kept
};

struct FinancialRun {
  std::string id;  // "" for a dry run
  FinancialReport report;
  int64_t exceptions = 0;  // findings that opened or refreshed an order's exception
};

// `flow` may be null for a dry run. `progress(stage, done, total)`: "orders", then "raise".
Result<FinancialRun> RunFinancialReconciliation(
    Store& store, OrderFlow* flow, ErpPoller& erp, const Clock& clock, IdGenerator& ids,
    const FinancialReconciliation& job,
    const std::function<void(const char*, size_t, size_t)>& progress = {});

// Runs the job every `interval` on its own thread (the first run one interval after Start).
class FinancialReconcileLoop {
 public:
  FinancialReconcileLoop(Store& store, OrderFlow& flow, ErpPoller& erp, const Clock& clock,
                         IdGenerator& ids, Logger& log, FinancialReconciliation job,
                         std::chrono::minutes interval);
  ~FinancialReconcileLoop();
  void Start();
  void Stop();

 private:
  Store& store_;
  OrderFlow& flow_;
  ErpPoller& erp_;
  const Clock& clock_;
  IdGenerator& ids_;
  Logger& log_;
  FinancialReconciliation job_;
  std::chrono::minutes interval_;
  PeriodicTask task_;
};

}  // namespace crossdock
