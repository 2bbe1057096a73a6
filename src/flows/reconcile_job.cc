#include "flows/reconcile_job.h"

#include <set>

namespace crossdock {

Result<InventoryReconciliation> SnapshotReconciliation(
    std::vector<InventoryCount> counts, const CsvInventoryMapping& mapping, const std::string& node,
    std::optional<TimePoint> as_of, const ReconcilePolicy& policy, size_t& other_nodes) {
  InventoryReconciliation job;
  job.node = node;
  job.policy = policy;
  other_nodes = 0;
  TimePoint newest{};
  for (auto& c : counts) {
    // A snapshot with a node column may list other nodes too: only this one's rows count.
    if (!mapping.node.empty() && c.node != node) {
      ++other_nodes;
      continue;
    }
    newest = std::max(newest, c.as_of);
    job.snapshot.push_back(std::move(c));
  }
  if (job.snapshot.empty()) {
    return InvalidArgument(
        "no rows for node " + node +
        (other_nodes ? " (" + std::to_string(other_nodes) + " rows of other nodes)" : "") +
        "; nothing was compared");
  }
  if (policy.auto_adjust_max > 0 && !as_of && mapping.as_of.empty()) {
    return InvalidArgument(
        "automatic corrections need the snapshot's time: an as-of time, or an as_of column");
  }
  job.as_of = as_of.value_or(newest);
  return job;
}

Result<ReconciliationRun> RunInventoryReconciliation(
    Store& store, const Clock& clock, IdGenerator& ids, const InventoryReconciliation& job,
    const std::function<void(const char*, size_t, size_t)>& progress) {
  TimePoint started = clock.Now();
  // The ledger as of the snapshot's time: on hand now, less what changed it since. A SKU the
  // node counted after the snapshot is not compared (the snapshot is older than what we know).
  auto positions = store.ListInventoryAt(job.node);
  if (!positions.ok()) return positions.status();
  auto since = store.OnHandChangesAfter(job.node, job.as_of);
  if (!since.ok()) return since.status();
  std::map<std::string, int64_t> ledger;
  std::set<std::string> newer;
  for (const auto& p : *positions) {
    if (p.as_of > job.as_of) {
      newer.insert(p.sku);
      continue;
    }
    auto later = since->find(p.sku);
    ledger[p.sku] = p.on_hand - (later == since->end() ? 0 : later->second);
  }
  std::vector<InventoryCount> snapshot;
  for (const auto& c : job.snapshot) {
    if (!newer.count(c.sku)) snapshot.push_back(c);
  }
  ReconciliationRun run;
  run.report = CompareSnapshot(job.node, job.as_of, snapshot, ledger, job.unit_costs, job.policy,
                               [&](size_t done, size_t total) {
                                 if (progress) progress("compare", done, total);
                               });
  run.report.newer_counts = static_cast<int64_t>(newer.size());
  if (job.dry_run) return run;
  run.id = ids.Next("rec");
  std::vector<const Discrepancy*> adjust, review;
  for (const auto& d : run.report.discrepancies) {
    (d.adjusted ? adjust : review).push_back(&d);
  }
  // Open stock exceptions at the node that this run settles: their SKU was compared and is
  // not left for review again (it matched, or was corrected).
  std::set<std::string> for_review;
  for (const Discrepancy* d : review) for_review.insert(d->sku);
  std::vector<StockException> settled;
  for (int64_t after = 0;;) {
    auto open = store.ListStockExceptions({job.node, true, 1000, after});
    if (!open.ok()) return open.status();
    for (const auto& e : *open) {
      if (!newer.count(e.sku) && !for_review.count(e.sku)) settled.push_back(e);
    }
    if (open->size() < 1000) break;
    after = open->back().id;
  }
  // Adjustments in batches of one transaction each, the run's record with the last.
  constexpr size_t kBatch = 5000;
  size_t done = 0;
  do {
    size_t end = std::min(adjust.size(), done + kBatch);
    bool last = end == adjust.size();
    Status st = store.WriteAndWait([&](WriteTx& tx) -> Status {
      // A correction is the snapshot's count as of its time: what changed the stock since
      // stays applied on top, and a newer count is never overwritten.
      for (size_t i = done; i < end; ++i) {
        const Discrepancy& d = *adjust[i];
        auto put = tx.PutInventoryLevel({d.sku, job.node, d.counted, job.as_of, clock.Now()});
        if (!put.ok()) return put.status();
      }
      if (!last) return Status::Ok();
      // Differences too large to correct are each an exception for an operator.
      for (const Discrepancy* d : review) {
        StockException e;
        e.node = job.node;
        e.sku = d->sku;
        e.ledger = d->ledger;
        e.counted = d->counted;
        e.as_of = job.as_of;
        e.run_id = run.id;
        e.opened_at = clock.Now();
        CROSSDOCK_RETURN_IF_ERROR(tx.OpenStockException(e));
      }
      for (const auto& e : settled) {
        Status st = tx.ResolveStockException(e.id, "settled", "reconcile:" + run.id, clock.Now());
        if (!st.ok() && st.code() != StatusCode::kConflict) return st;  // an operator was first
      }
      ReconciliationRecord rec{run.id,
                               "inventory",
                               job.node,
                               started,
                               clock.Now(),
                               ReconcileReportJson(run.report, run.id),
                               ReconcileReportCsv(run.report)};
      return tx.InsertReconciliation(rec);
    });
    if (!st.ok()) return st;
    done = end;
    if (progress) progress("adjust", done, adjust.size());
  } while (done < adjust.size());
  return run;
}

}  // namespace crossdock
