// Snapshot reconciliation: a node's full count of its stock against the ledger's positions at
// that node. Every SKU whose count differs is a discrepancy (a SKU the snapshot leaves out is
// counted 0; one the ledger lacks has 0 there). A difference of at most the policy's
// auto-adjust units is corrected by an adjustment; a larger one is left for review (the report
// lists it; nothing changes). Pure; thread-compatible.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/money.h"
#include "model/inventory.h"

namespace crossdock {

struct ReconcilePolicy {
  int64_t auto_adjust_max = 0;  // |counted − ledger| up to this is adjusted; 0 = review all
};

struct Discrepancy {
  std::string sku;
  int64_t ledger = 0;            // the ledger's on-hand at the node
  int64_t counted = 0;           // the snapshot's
  std::optional<Decimal> value;  // |difference| × unit cost, when the cost is known
  bool adjusted = false;         // corrected by an adjustment; else left for review
  int64_t difference() const { return counted - ledger; }
};

struct ReconcileReport {
  std::string node;
  TimePoint as_of{};
  int64_t skus = 0;                 // compared: the union of the snapshot's and the ledger's SKUs
  int64_t matched = 0;              // equal on both sides
  int64_t units_over = 0;           // counted above the ledger, in all
  int64_t units_short = 0;          // counted below the ledger, in all
  Decimal value_over, value_short;  // of the SKUs with a known cost
  int64_t adjusted = 0, for_review = 0;
  int64_t newer_counts = 0;  // SKUs not compared: the node counted them after the snapshot
  std::vector<Discrepancy> discrepancies;  // by SKU
};

// `ledger`: SKU → on hand at the node. `unit_costs`: SKU → cost of one unit (may be empty).
// `progress(done, total)` is called now and then while comparing.
ReconcileReport CompareSnapshot(const std::string& node, TimePoint as_of,
                                const std::vector<InventoryCount>& snapshot,
                                const std::map<std::string, int64_t>& ledger,
                                const std::map<std::string, Decimal>& unit_costs,
                                const ReconcilePolicy& policy,
                                const std::function<void(size_t, size_t)>& progress = {});

// The report as JSON (summary and every discrepancy) and as CSV (one row per discrepancy:
// sku,ledger,counted,difference,value,action).
std::string ReconcileReportJson(const ReconcileReport& r, const std::string& id);
std::string ReconcileReportCsv(const ReconcileReport& r);

}  // namespace crossdock
