#include "delivery/erp/financial_reconciler.h"

#include <future>
#include <map>
#include <set>

#include "flows/order_state.h"

namespace crossdock {

Result<FinancialRun> RunFinancialReconciliation(
    Store& store, OrderFlow* flow, ErpPoller& erp, const Clock& clock, IdGenerator& ids,
    const FinancialReconciliation& job,
    const std::function<void(const char*, size_t, size_t)>& progress) {
  TimePoint started = clock.Now();
  FinancialPolicy policy;
  policy.grace = job.grace;
  policy.tolerance = job.tolerance;
  policy.since = started - job.window;
  // Ask the ERP first: an invoice created while the orders are read then has its shipment.
  auto invoices = erp.InvoicesChangedSince(policy.since);
  if (!invoices.ok()) return invoices.status();
  std::vector<ErpInvoiceRecord> records;
  for (const auto& i : *invoices) records.push_back({i.reference, i.invoice, i.state, i.amount});

  std::vector<ExpectedInvoice> expected;
  std::set<std::string> known;
  OrderQuery q;
  q.limit = 500;
  size_t seen = 0;
  while (true) {
    auto page = store.ListOrders(q);
    if (!page.ok()) return page.status();
    for (const auto& rec : *page) {
      known.insert(rec.order.id);
      auto state = DecodeFlowState(rec.flow_state);
      if (!state.ok() || state->invoices.empty()) continue;
      auto history = store.GetHistory(rec.order.id);
      if (!history.ok()) return history.status();
      auto of_order = ExpectedInvoicesOf(rec.order, *state, *history);
      expected.insert(expected.end(), of_order.begin(), of_order.end());
    }
    seen += page->size();
    bool last = page->size() < static_cast<size_t>(q.limit);
    if (progress) progress("orders", seen, last ? seen : seen + 1);  // total unknown till the end
    if (last) break;
    q.after_id = page->back().order.id;
  }

  FinancialRun run;
  run.report = CompareInvoices(expected, records, started, policy,
                               [&](const std::string& id) { return known.count(id) > 0; });
  if (job.dry_run) return run;
  run.id = ids.Next("rec");
  // One exception per order (an order has one exception slot): its findings together.
  std::map<std::string, ReconcileFinding> by_order;
  for (const auto& f : run.report.findings) {
    if (f.order_id.empty()) continue;
    auto [it, fresh] =
        by_order.try_emplace(f.order_id, ReconcileFinding{f.kind, f.reference, f.detail});
    if (!fresh) it->second.detail += "; " + f.detail;
  }
  size_t done = 0;
  for (auto& [order_id, finding] : by_order) {
    ++done;
    if (!flow) continue;
    std::promise<Result<ActOutcome>> acted;
    flow->Act(order_id, finding, TraceContext{},
              [&](Result<ActOutcome> r) { acted.set_value(std::move(r)); });
    auto outcome = acted.get_future().get();
    if (!outcome.ok()) return outcome.status();
    if (outcome->changed) ++run.exceptions;
    if (progress) progress("raise", done, by_order.size());
  }
  CROSSDOCK_RETURN_IF_ERROR(store.WriteAndWait([&](WriteTx& tx) {
    return tx.InsertReconciliation({run.id, "financial", "", started, clock.Now(),
                                    FinancialReportJson(run.report, run.id),
                                    FinancialReportCsv(run.report)});
  }));
  return run;
}

FinancialReconcileLoop::FinancialReconcileLoop(Store& store, OrderFlow& flow, ErpPoller& erp,
                                               const Clock& clock, IdGenerator& ids, Logger& log,
                                               FinancialReconciliation job,
                                               std::chrono::minutes interval)
    : store_(store),
      flow_(flow),
      erp_(erp),
      clock_(clock),
      ids_(ids),
      log_(log),
      job_(std::move(job)),
      interval_(interval) {}

FinancialReconcileLoop::~FinancialReconcileLoop() {
  Stop();
}

void FinancialReconcileLoop::Start() {
  task_.Start("reconcile", interval_, PeriodicTask::First::kAfterInterval, [this] {
    auto run = RunFinancialReconciliation(store_, &flow_, erp_, clock_, ids_, job_);
    if (!run.ok()) {
      log_.Warn("financial reconciliation failed", {{"error", run.status().message()}});
    } else {
      log_.Info("financial reconciliation done",
                {{"id", run->id},
                 {"discrepancies", std::to_string(run->report.findings.size())},
                 {"exceptions", std::to_string(run->exceptions)}});
    }
  });
}

void FinancialReconcileLoop::Stop() {
  task_.Stop();
}

}  // namespace crossdock
