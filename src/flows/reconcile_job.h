// The inventory reconciliation job: compares a node's full snapshot with the ledger's
// positions at the node as of the snapshot's time (on hand now less what changed it since; a
// SKU counted after the snapshot is not compared), applies the policy's automatic corrections
// as counts dated as of the snapshot (flows/reconcile.h) and keeps the run with its JSON and
// CSV reports in the store (GET /v1/admin/reconciliations). Runs on the caller's thread.
#pragma once

#include <functional>

#include "base/clock.h"
#include "base/id.h"
#include "codecs/csv.h"
#include "flows/reconcile.h"
#include "store/store.h"

namespace crossdock {

struct InventoryReconciliation {
  std::string node;
  TimePoint as_of{};
  std::vector<InventoryCount> snapshot;
  std::map<std::string, Decimal> unit_costs;
  ReconcilePolicy policy;
  bool dry_run = false;  // compare and report only: nothing is adjusted or kept
};

struct ReconciliationRun {
  std::string id;  // "" for a dry run
  ReconcileReport report;
};

// The job for a node's CSV snapshot (codecs/csv.h): only the node's rows when the mapping has a
// node column (`other_nodes` counts the rest), as of `as_of` when given, else the newest row's
// time. InvalidArgument when no row is the node's, or when automatic corrections are asked of
// a snapshot without a time (no `as_of` and no as_of column): corrections dated at the wrong
// time could undo shipments made since the count.
Result<InventoryReconciliation> SnapshotReconciliation(
    std::vector<InventoryCount> counts, const CsvInventoryMapping& mapping, const std::string& node,
    std::optional<TimePoint> as_of, const ReconcilePolicy& policy, size_t& other_nodes);

// `progress(stage, done, total)`: stage "compare" then "adjust".
Result<ReconciliationRun> RunInventoryReconciliation(
    Store& store, const Clock& clock, IdGenerator& ids, const InventoryReconciliation& job,
    const std::function<void(const char*, size_t, size_t)>& progress = {});

}  // namespace crossdock
