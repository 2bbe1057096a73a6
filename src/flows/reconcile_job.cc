#include "flows/reconcile_job.h"

namespace crossdock {

Result<ReconciliationRun> RunInventoryReconciliation(
    Store& store, const Clock& clock, IdGenerator& ids, const InventoryReconciliation& job,
    const std::function<void(const char*, size_t, size_t)>& progress) {
  TimePoint started = clock.Now();
  auto positions = store.ListInventoryAt(job.node);
  if (!positions.ok()) return positions.status();
  std::map<std::string, int64_t> ledger;
  for (const auto& p : *positions) ledger[p.sku] = p.on_hand;
  ReconciliationRun run;
  run.report = CompareSnapshot(job.node, job.as_of, job.snapshot, ledger, job.unit_costs,
                               job.policy, [&](size_t done, size_t total) {
                                 if (progress) progress("compare", done, total);
                               });
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
      for (size_t i = done; i < end; ++i) {
        const Discrepancy& d = *adjust[i];
        CROSSDOCK_RETURN_IF_ERROR(
            tx.ApplyStock({d.sku, job.node, StockChange::Kind::kAdjust, d.difference(), job.as_of,
                           "reconcile:" + run.id}));
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
