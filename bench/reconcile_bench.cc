// Reconciliation benchmark: `crossdock reconcile inventory`'s job on a 100,000-SKU snapshot
// with 1 % seeded discrepancies, against the ceiling of reading the same two inputs (parsing
// the CSV and scanning the node's positions with raw SQLite), measured in the same run.
// Prints seconds, SKUs/s, the ratio and the process's peak RSS.
#include <sqlite3.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>

#include "base/json.h"
#include "base/random.h"
#include "codecs/csv.h"
#include "flows/reconcile_job.h"
#include "store/sqlite/sqlite_store.h"

using namespace crossdock;
namespace fs = std::filesystem;

namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Reconciliation benchmark: the inventory reconciliation job on a large snapshot "
      "against the ceiling of reading its inputs, in the same run."};
  int skus = 100000;
  double seeded_share = 0.01;
  app.add_option("--skus", skus, "SKUs in the ledger and the snapshot")->capture_default_str();
  app.add_option("--discrepancies", seeded_share, "Share of SKUs seeded with a difference")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::string tmpl = (fs::temp_directory_path() / "crossdock-recon-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  fs::path dir = tmpl, db = dir / "crossdock.db";
  const TimePoint t = FromUnixMicros(1'795'000'000'000'000);
  std::mt19937_64 rng(5);
  std::string csv = "sku,on_hand\n";
  int seeded = 0;
  {
    auto store = SqliteStore::Open({db.string()});
    if (!store.ok()) return 1;
    Status st = (*store)->WriteAndWait([&](WriteTx& tx) -> Status {
      for (int i = 0; i < skus; ++i) {
        char sku[16];
        std::snprintf(sku, sizeof sku, "SKU%06d", i);
        int64_t qty = static_cast<int64_t>(rng() % 500);
        auto put = tx.PutInventoryLevel({sku, "wh-1", qty, t, t});
        if (!put.ok()) return put.status();
        if (static_cast<double>(rng() % 100000) / 100000.0 < seeded_share) {
          qty += 1 + static_cast<int64_t>(rng() % 9);
          ++seeded;
        }
        csv += std::string(sku) + "," + std::to_string(qty) + "\n";
      }
      return Status::Ok();
    });
    if (!st.ok()) return 1;
  }
  // Ceiling: parse the CSV and scan the node's positions, nothing else.
  auto t0 = std::chrono::steady_clock::now();
  CsvTable table = ParseCsv(csv);
  sqlite3* conn = nullptr;
  sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* scan = nullptr;
  sqlite3_prepare_v2(conn, "SELECT sku, on_hand FROM inventory_levels WHERE node = 'wh-1'", -1,
                     &scan, nullptr);
  int64_t rows = 0;
  while (sqlite3_step(scan) == SQLITE_ROW) rows += sqlite3_column_int64(scan, 1) >= 0;
  sqlite3_finalize(scan);
  sqlite3_close(conn);
  double ceiling = Since(t0);

  // The job: decode with the mapping, compare, adjust (none: review all), keep the report.
  auto store = SqliteStore::Open({db.string()});
  if (!store.ok()) return 1;
  ManualClock clock(t + std::chrono::hours(1));
  SeededRandom random(1);
  IdGenerator ids(clock, random);
  t0 = std::chrono::steady_clock::now();
  CsvInventory inv = DecodeCsvInventory(csv, CsvInventoryMapping{}, t + std::chrono::minutes(5));
  InventoryReconciliation job;
  job.node = "wh-1";
  job.as_of = t + std::chrono::minutes(5);
  job.snapshot = std::move(inv.counts);
  auto run = RunInventoryReconciliation(**store, clock, ids, job);
  double seconds = Since(t0);
  if (!run.ok() || !inv.ok()) {
    std::cerr << "reconcile_bench: the job failed\n";
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  int found = static_cast<int>(run->report.discrepancies.size());
  JsonWriter w;
  w.StartObject().Field("skus", skus).Field("seeded", seeded).Field("found", found);
  w.Key("ceiling_seconds").Double(ceiling).Key("job_seconds").Double(seconds);
  w.Key("job_skus_per_s").Double(skus / seconds).Key("ratio").Double(ceiling / seconds);
  w.Field("peak_rss_kb", static_cast<int64_t>(usage.ru_maxrss)).EndObject();
  std::printf("%d SKUs, %d discrepancies seeded, %d found (%zu CSV rows, %lld positions read)\n",
              skus, seeded, found, table.records.size() - 1, static_cast<long long>(rows));
  std::printf(
      "ceiling (parse CSV + scan positions): %.3f s; job: %.3f s (%.0f SKUs/s); "
      "ratio %.2f; peak RSS %.1f MiB\n",
      ceiling, seconds, skus / seconds, ceiling / seconds, usage.ru_maxrss / 1024.0);
  std::cout << w.Take() << "\n";
  store->reset();
  fs::remove_all(dir);
  return found == seeded ? 0 : 1;
}
