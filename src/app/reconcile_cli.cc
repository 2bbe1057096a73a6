#include "app/reconcile_cli.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/csv_mapping.h"
#include "app/input_file.h"
#include "app/server.h"
#include "base/json.h"
#include "base/metrics.h"
#include "base/random.h"
#include "delivery/erp/financial_reconciler.h"
#include "delivery/erp/tryton_connector.h"
#include "flows/reconcile_job.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {

namespace {

// "[#####.....] compare 40960/100000" on a terminal, redrawn in place; nothing otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void Show(const char* stage, size_t done, size_t total) {
    if (!enabled_) return;
    constexpr int kWidth = 30;
    int filled = total > 0 ? static_cast<int>(kWidth * done / total) : kWidth;
    std::fprintf(
        stderr, "\r  [%s%s] %-7s %zu/%zu ", std::string(static_cast<size_t>(filled), '#').c_str(),
        std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), stage, done, total);
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
};

// sku,unit_cost (header row, any order of columns).
Result<std::map<std::string, Decimal>> ReadUnitCosts(const std::string& path,
                                                     std::vector<CsvError>& errors) {
  auto text = ReadCommandInput(path, "reconcile");
  if (!text) return InvalidArgument(path + ": unreadable");
  CsvTable t = ParseCsv(*text);
  errors = t.errors;
  std::map<std::string, Decimal> out;
  if (t.records.empty()) return out;
  int sku = -1, cost = -1;
  for (size_t i = 0; i < t.records[0].size(); ++i) {
    if (t.records[0][i] == "sku") sku = static_cast<int>(i);
    if (t.records[0][i] == "unit_cost") cost = static_cast<int>(i);
  }
  if (sku < 0 || cost < 0) {
    errors.push_back({1, 0, "", "the header needs the columns sku and unit_cost"});
    return out;
  }
  for (size_t r = 1; r < t.records.size(); ++r) {
    const auto& rec = t.records[r];
    if (rec.size() <= static_cast<size_t>(std::max(sku, cost))) {
      errors.push_back({t.lines[r], 0, "", "too few fields"});
      continue;
    }
    auto d = Decimal::Parse(rec[cost]);
    if (!d.ok() || d->micros() < 0) {
      errors.push_back({t.lines[r], cost + 1, "unit_cost", "not an amount at least 0"});
      continue;
    }
    out[rec[sku]] = *d;
  }
  return out;
}

// The store a server made at the configured data_dir; an error when there is none yet.
Result<std::unique_ptr<SqliteStore>> OpenExistingStore(const Config& config) {
  SqliteStoreOptions so;
  so.path = StorePathOf(config);
  if (!std::filesystem::exists(so.path)) return NotFound("no store at " + so.path);
  return SqliteStore::Open(so);
}

void PrintErrors(const std::string& file, const std::vector<CsvError>& errors, bool json) {
  if (json) {
    JsonWriter w;
    w.StartObject().Field("file", file).Key("errors").StartArray();
    for (const auto& e : errors) {
      w.StartObject().Field("line", e.line).Field("column", e.column);
      w.Field("column_name", e.column_name).Field("detail", e.message).EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
    return;
  }
  for (const auto& e : errors) std::cerr << file << ": " << e.ToString() << "\n";
}

}  // namespace

namespace {

int RunFinancial(const ReconcileCommand& cmd, const Config& config) {
  auto fail = [](const std::string& msg) {
    std::cerr << "crossdock reconcile financial: " << msg << "\n";
    return 2;
  };
  if (config.erp.kind != "tryton") {
    return fail("needs an ERP that lists its invoices: erp.kind tryton");
  }
  FinancialReconciliation job = FinancialJobOf(config);
  if (cmd.window_days == 0 || cmd.window_days < -1) return fail("--window-days: at least 1");
  if (cmd.window_days > 0) job.window = std::chrono::hours(24 * cmd.window_days);
  if (cmd.grace_minutes >= 0) job.grace = std::chrono::minutes(cmd.grace_minutes);
  if (!cmd.tolerance.empty()) {
    auto t = Decimal::Parse(cmd.tolerance);
    if (!t.ok() || t->micros() < 0) return fail("--tolerance: a decimal amount, at least 0");
    job.tolerance = *t;
  }
  job.dry_run = cmd.dry_run;
  auto store = OpenExistingStore(config);
  if (!store.ok()) return fail(store.status().message());
  SystemRandom random;
  IdGenerator ids(SystemClock::Instance(), random);
  MetricsRegistry metrics;
  OrderFlowOptions flow_options;
  flow_options.policy = OrderPolicyOf(config);
  OrderFlow flow(**store, SystemClock::Instance(), ids, metrics, flow_options);
  std::shared_ptr<TrytonConnector> erp = TrytonConnectorOf(config);
  ProgressBar bar(!cmd.json && isatty(STDERR_FILENO) != 0);
  auto started = std::chrono::steady_clock::now();
  auto run = RunFinancialReconciliation(
      **store, &flow, *erp, SystemClock::Instance(), ids, job,
      [&](const char* stage, size_t done, size_t total) { bar.Show(stage, done, total); });
  if (!run.ok()) return fail(run.status().message());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const FinancialReport& r = run->report;
  if (cmd.json) {
    // The stored report (summary and every finding), with what this run did.
    std::string report = FinancialReportJson(r, run->id);
    report.pop_back();
    JsonWriter tail;
    tail.StartObject().Field("dry_run", cmd.dry_run).Field("exceptions", run->exceptions);
    tail.Key("seconds").Double(seconds).EndObject();
    std::cout << report << "," << tail.Take().substr(1) << "\n";
  } else {
    std::cout << "reconciled invoices: " << r.shipments << " shipments, " << r.invoices
              << " ERP invoices, " << r.matched << " matched, " << r.pending
              << " within the grace period, " << r.findings.size() << " discrepancies\n";
    for (const auto& f : r.findings)
      std::cout << "  " << f.kind << " " << f.reference << ": " << f.detail << "\n";
    if (cmd.dry_run) {
      std::cout << "dry run: no exception opened, nothing kept\n";
    } else {
      std::cout << run->exceptions << " exceptions opened; report " << run->id
                << " (GET /v1/admin/reconciliations/" << run->id << ")\n";
    }
  }
  return r.findings.empty() ? 0 : 1;
}

}  // namespace

int RunReconcileCommand(const ReconcileCommand& cmd, const Config& config) {
  auto fail = [](const std::string& msg) {
    std::cerr << "crossdock reconcile: " << msg << "\n";
    return 2;
  };
  if (cmd.what == "financial") return RunFinancial(cmd, config);
  if (cmd.what != "inventory") return fail("what to reconcile: inventory or financial");
  if (cmd.node.empty()) return fail("inventory: --node is required");
  if (cmd.snapshot.empty()) return fail("inventory: --snapshot is required");
  bool known = false;
  for (const auto& n : config.nodes) known = known || n.id == cmd.node;
  if (!known) return fail("--node: no node '" + cmd.node + "' in the configuration");
  CsvInventoryMapping mapping;
  if (!cmd.mapping.empty()) {
    auto loaded = LoadCsvInventoryMapping(cmd.mapping);
    if (!loaded.ok()) return fail(loaded.status().message());
    mapping = *loaded;
  }
  const TimePoint now = SystemClock::Instance().Now();
  std::optional<TimePoint> as_of;
  if (!cmd.as_of.empty()) {
    auto t = ParseRfc3339(cmd.as_of);
    if (!t.ok()) return fail("--as-of: " + t.status().message());
    as_of = *t;
  }
  auto text = ReadCommandInput(cmd.snapshot, "reconcile");
  if (!text) return 2;
  CsvInventory inv = DecodeCsvInventory(*text, mapping, as_of.value_or(now));
  if (!inv.ok()) {
    PrintErrors(cmd.snapshot, inv.errors, cmd.json);
    return 1;
  }
  // Corrections are dated as of the snapshot: without its time they could undo shipments made
  // since it was taken.
  if (cmd.auto_adjust_max > 0 && !as_of && mapping.as_of.empty()) {
    return fail("--auto-adjust-max needs the snapshot's time: --as-of, or an as_of column");
  }
  size_t other_nodes = 0;
  auto prepared = SnapshotReconciliation(std::move(inv.counts), mapping, cmd.node, as_of,
                                         {cmd.auto_adjust_max}, other_nodes);
  if (!prepared.ok()) {
    std::cerr << cmd.snapshot << ": " << prepared.status().message() << "\n";
    return 1;
  }
  InventoryReconciliation job = std::move(*prepared);
  job.dry_run = cmd.dry_run;
  if (!cmd.unit_costs.empty()) {
    std::vector<CsvError> errors;
    auto costs = ReadUnitCosts(cmd.unit_costs, errors);
    if (!costs.ok()) return fail(costs.status().message());
    if (!errors.empty()) {
      PrintErrors(cmd.unit_costs, errors, cmd.json);
      return 1;
    }
    job.unit_costs = std::move(*costs);
  }
  auto store = OpenExistingStore(config);
  if (!store.ok()) return fail(store.status().message());
  SystemRandom random;
  IdGenerator ids(SystemClock::Instance(), random);
  ProgressBar bar(!cmd.json && isatty(STDERR_FILENO) != 0);
  auto started = std::chrono::steady_clock::now();
  auto run = RunInventoryReconciliation(
      **store, SystemClock::Instance(), ids, job,
      [&](const char* stage, size_t done, size_t total) { bar.Show(stage, done, total); });
  if (!run.ok()) return fail(run.status().message());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const ReconcileReport& r = run->report;
  if (cmd.json) {
    JsonWriter w;
    w.StartObject().Field("id", run->id).Field("node", r.node);
    w.Field("as_of", FormatRfc3339(r.as_of)).Field("dry_run", cmd.dry_run);
    w.Field("skus", r.skus).Field("matched", r.matched);
    w.Field("discrepancies", static_cast<int64_t>(r.discrepancies.size()));
    w.Field("units_over", r.units_over).Field("units_short", r.units_short);
    w.Field("value_over", r.value_over.ToString(2)).Field("value_short", r.value_short.ToString(2));
    w.Field("adjusted", cmd.dry_run ? 0 : r.adjusted).Field("for_review", r.for_review);
    w.Field("newer_counts", r.newer_counts);
    w.Field("rows_of_other_nodes", static_cast<int64_t>(other_nodes));
    w.Key("seconds").Double(seconds).EndObject();
    std::cout << w.Take() << "\n";
    return 0;
  }
  std::cout << "reconciled " << r.node << " as of " << FormatRfc3339(r.as_of) << ": " << r.skus
            << " SKUs, " << r.matched << " matched, " << r.discrepancies.size()
            << " discrepancies (" << r.units_over << " units over, " << r.units_short
            << " short; value " << r.value_over.ToString(2) << " over, "
            << r.value_short.ToString(2) << " short)\n";
  if (cmd.dry_run) {
    std::cout << "dry run: " << r.adjusted << " would be adjusted, " << r.for_review
              << " left for review; nothing was changed or kept\n";
  } else {
    std::cout << r.adjusted << " adjusted, " << r.for_review << " left for review; report "
              << run->id << " (GET /v1/admin/reconciliations/" << run->id << ")\n";
  }
  if (other_nodes) std::cout << other_nodes << " rows of other nodes skipped\n";
  return 0;
}

}  // namespace crossdock
