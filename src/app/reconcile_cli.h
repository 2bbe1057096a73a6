// `crossdock reconcile inventory --node N --snapshot FILE`: compares a node's full stock
// snapshot (CSV, with the partner's column mapping) with the stock ledger, corrects the small
// differences by policy (--auto-adjust-max) as adjustment events, keeps the run and its JSON
// and CSV reports in the store (GET /v1/admin/reconciliations), and prints a summary; with
// --json one JSON object. A progress bar on a terminal (stderr).
//
// `crossdock reconcile financial`: compares the invoices Crossdock expects (one per shipment)
// with the ERP's (erp.kind tryton), opens an exception on each order out of step, keeps the
// report and prints a summary (delivery/erp/financial_reconciler.h).
#pragma once

#include <cstdint>
#include <string>

#include "app/config.h"

namespace crossdock {

struct ReconcileCommand {
  std::string what;        // "inventory" or "financial"
  std::string node;        // a configured node
  std::string snapshot;    // CSV file, or - for stdin
  std::string mapping;     // YAML column mapping (default columns sku,on_hand)
  std::string as_of;       // RFC 3339; default: the newest row's as_of, else now
  std::string unit_costs;  // CSV sku,unit_cost: the report values the differences
  int64_t auto_adjust_max = 0;
  // financial: overrides of the erp section's reconcile_* settings (-1 = the configured one)
  int64_t window_days = -1;
  int64_t grace_minutes = -1;
  std::string tolerance;
  bool dry_run = false;
  bool json = false;
};

// Exit codes: 0 the run is done (its report printed); 1 the snapshot or unit-cost file is
// malformed (each error with its line and column), or (financial) discrepancies were found;
// 2 bad usage, unknown node, store or ERP error.
int RunReconcileCommand(const ReconcileCommand& command, const Config& config);

}  // namespace crossdock
