#include "flows/reconcile_job.h"

#include <set>

namespace crossdock {

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
  std::vector<const Discrepancy*> adjust;
  for (const auto& d : run.report.discrepancies) {
    if (d.adjusted) adjust.push_back(&d);
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
