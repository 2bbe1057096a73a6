#include "flows/reconcile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <set>

#include "base/random.h"
#include "flows/reconcile_job.h"
#include "flows/stock_exceptions.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;
const TimePoint kT = FromUnixMicros(1'795'000'000'000'000);

TEST(ReconcileTest, EveryDifferenceIsADiscrepancyValuedAndActedOnByPolicy) {
  std::vector<InventoryCount> snapshot = {
      {"A", "n", 10, kT}, {"B", "n", 7, kT}, {"C", "n", 0, kT}, {"E", "n", 4, kT}};
  std::map<std::string, int64_t> ledger = {{"A", 10}, {"B", 9}, {"C", 3}, {"D", 5}};
  std::map<std::string, Decimal> costs = {{"B", *Decimal::Parse("2.50")},
                                          {"E", *Decimal::Parse("1.25")}};
  auto r = CompareSnapshot("n", kT, snapshot, ledger, costs, ReconcilePolicy{2});
  EXPECT_EQ(r.skus, 5);  // A B C D E
  EXPECT_EQ(r.matched, 1);
  ASSERT_EQ(r.discrepancies.size(), 4u);
  EXPECT_EQ(r.discrepancies[0].sku, "B");
  EXPECT_EQ(r.discrepancies[0].difference(), -2);
  EXPECT_EQ(r.discrepancies[0].value, *Decimal::Parse("5"));
  EXPECT_TRUE(r.discrepancies[0].adjusted);   // 2 ≤ 2
  EXPECT_FALSE(r.discrepancies[1].adjusted);  // C: 3 short
  EXPECT_EQ(r.discrepancies[2].sku, "D");     // missing from a full snapshot: counted 0
  EXPECT_EQ(r.discrepancies[2].difference(), -5);
  EXPECT_EQ(r.discrepancies[3].sku, "E");  // unknown to the ledger
  EXPECT_EQ(r.units_over, 4);
  EXPECT_EQ(r.units_short, 10);
  EXPECT_EQ(r.value_over, *Decimal::Parse("5"));
  EXPECT_EQ(r.value_short, *Decimal::Parse("5"));
  EXPECT_EQ(r.adjusted, 1);
  EXPECT_EQ(r.for_review, 3);
  std::string csv = ReconcileReportCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "sku,ledger,counted,difference,value,action");
  EXPECT_NE(csv.find("B,9,7,-2,5.00,adjusted\r\n"), std::string::npos);
  EXPECT_NE(csv.find("D,5,0,-5,,review\r\n"), std::string::npos);
}

// Done when (#7): reconciliation finds every seeded discrepancy in a 100,000-SKU snapshot.
// The real store holds 100,000 positions at the node; the snapshot agrees except for 1,000
// seeded differences (some small, some large, some SKUs missing from either side).
TEST(ReconcileJobTest, FindsEverySeededDiscrepancyIn100kSkusAndAdjustsBySizes) {
  fs::path dir = fs::temp_directory_path() / ("crossdock_reconcile_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto opened = SqliteStore::Open({(dir / "db").string()});
  ASSERT_TRUE(opened.ok());
  auto store = std::move(*opened);
  constexpr int kSkus = 100'000;
  std::mt19937_64 rng(7);
  std::vector<InventoryCount> snapshot;
  ASSERT_TRUE(store
                  ->WriteAndWait([&](WriteTx& tx) -> Status {
                    for (int i = 0; i < kSkus; ++i) {
                      char sku[16];
                      std::snprintf(sku, sizeof sku, "SKU%06d", i);
                      int64_t qty = static_cast<int64_t>(rng() % 500);
                      auto put = tx.PutInventoryLevel({sku, "wh-1", qty, kT, kT});
                      if (!put.ok()) return put.status();
                      snapshot.push_back({sku, "wh-1", qty, kT});
                    }
                    return Status::Ok();
                  })
                  .ok());
  std::map<std::string, int64_t> seeded;  // SKU → the difference seeded
  while (seeded.size() < 1000) {
    size_t i = rng() % snapshot.size();
    InventoryCount& c = snapshot[i];
    if (seeded.count(c.sku)) continue;
    int64_t delta = static_cast<int64_t>(rng() % 20) - 10;
    if (delta == 0 || c.on_hand + delta < 0) continue;
    c.on_hand += delta;
    seeded[c.sku] = delta;
  }
  // Ten SKUs the snapshot leaves out (counted 0) and ten the ledger never saw.
  for (int i = 0; i < 10; ++i) {
    auto it = std::find_if(snapshot.begin(), snapshot.end(), [&](const InventoryCount& c) {
      return !seeded.count(c.sku) && c.on_hand > 0;
    });
    seeded[it->sku] = -it->on_hand;
    snapshot.erase(it);
    std::string sku = "NEW" + std::to_string(i);
    snapshot.push_back({sku, "wh-1", 3, kT});
    seeded[sku] = 3;
  }
  ManualClock clock(kT + std::chrono::hours(1));
  SeededRandom random(3);
  IdGenerator ids(clock, random);
  InventoryReconciliation job;
  job.node = "wh-1";
  job.as_of = kT + std::chrono::minutes(30);
  job.snapshot = snapshot;
  job.policy.auto_adjust_max = 5;
  size_t compare_calls = 0;
  auto started = std::chrono::steady_clock::now();
  auto run =
      RunInventoryReconciliation(*store, clock, ids, job, [&](const char* stage, size_t, size_t) {
        if (std::string(stage) == "compare") ++compare_calls;
      });
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const ReconcileReport& r = run->report;
  std::map<std::string, int64_t> found;
  for (const auto& d : r.discrepancies) found[d.sku] = d.difference();
  EXPECT_EQ(found, seeded);
  EXPECT_EQ(r.skus, kSkus + 10);
  EXPECT_EQ(r.matched, kSkus + 10 - static_cast<int64_t>(seeded.size()));
  EXPECT_GT(compare_calls, 10u);  // progress is reported on the way
  int64_t small = 0;
  for (const auto& [sku, delta] : seeded) small += std::llabs(delta) <= 5;
  EXPECT_EQ(r.adjusted, small);
  // The small ones are corrected in the ledger; the large ones are left as they were.
  for (const auto& [sku, delta] : seeded) {
    auto levels = store->GetInventory(sku);
    ASSERT_TRUE(levels.ok());
    int64_t on_hand = levels->empty() ? 0 : (*levels)[0].on_hand;
    auto counted = std::find_if(snapshot.begin(), snapshot.end(),
                                [&](const InventoryCount& c) { return c.sku == sku; });
    int64_t count = counted == snapshot.end() ? 0 : counted->on_hand;
    EXPECT_EQ(on_hand, std::llabs(delta) <= 5 ? count : count - delta) << sku;
  }
  // Each large one is an exception for an operator, and only those.
  std::set<std::string> large, raised;
  for (const auto& [sku, delta] : seeded) {
    if (std::llabs(delta) > 5) large.insert(sku);
  }
  for (int64_t after = 0;;) {
    auto page = store->ListStockExceptions({"wh-1", true, 1000, after});
    ASSERT_TRUE(page.ok());
    for (const auto& e : *page) raised.insert(e.sku);
    if (page->size() < 1000) break;
    after = page->back().id;
  }
  EXPECT_EQ(raised, large);
  auto kept = store->GetReconciliation(run->id);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_NE((*kept)->report_json.find("\"discrepancies\":" + std::to_string(seeded.size())),
            std::string::npos);
  auto listed = store->ListReconciliations(10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  // The list holds each run's head only: valid JSON with the summary, no discrepancy rows.
  const std::string& head = (*listed)[0].report_json;
  EXPECT_EQ(head.find("\"discrepancies\":["), std::string::npos);
  EXPECT_EQ(head.back(), '}');
  EXPECT_NE(head.find("\"summary\":{"), std::string::npos);
  std::cout << "reconciliation: " << kSkus << " SKUs, " << r.discrepancies.size()
            << " discrepancies found of " << seeded.size() << " seeded, " << r.adjusted
            << " adjusted, in " << seconds << " s\n";
  store.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// The ledger is compared as of the snapshot's time: a shipment after the snapshot is not a
// surplus, and a SKU the node counted after the snapshot is not compared at all.
TEST(ReconcileJobTest, ComparesAsOfTheSnapshotAndSkipsNewerCounts) {
  fs::path dir =
      fs::temp_directory_path() / ("crossdock_reconcile_asof_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto opened = SqliteStore::Open({(dir / "db").string()});
  ASSERT_TRUE(opened.ok());
  auto store = std::move(*opened);
  const TimePoint t0 = kT, t1 = kT + std::chrono::hours(1), t2 = kT + std::chrono::hours(2);
  ASSERT_TRUE(store
                  ->WriteAndWait([&](WriteTx& tx) -> Status {
                    CROSSDOCK_RETURN_IF_ERROR(
                        tx.PutInventoryLevel({"SHIPPED", "wh", 100, t0, t0}).status());
                    CROSSDOCK_RETURN_IF_ERROR(
                        tx.ApplyStock({"SHIPPED", "wh", StockChange::Kind::kReserve, 10, t0, "o"}));
                    CROSSDOCK_RETURN_IF_ERROR(
                        tx.ApplyStock({"SHIPPED", "wh", StockChange::Kind::kConsume, 10, t2, "o"}));
                    return tx.PutInventoryLevel({"RECOUNTED", "wh", 7, t2, t2}).status();
                  })
                  .ok());
  ManualClock clock(t2);
  SeededRandom random(1);
  IdGenerator ids(clock, random);
  InventoryReconciliation job;
  job.node = "wh";
  job.as_of = t1;  // taken before the shipment and before the recount
  job.snapshot = {{"SHIPPED", "wh", 100, t1}, {"RECOUNTED", "wh", 50, t1}};
  job.policy.auto_adjust_max = 100;
  auto run = RunInventoryReconciliation(*store, clock, ids, job);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->report.discrepancies.empty());  // 100 as of t1 on both sides
  EXPECT_EQ(run->report.matched, 1);
  EXPECT_EQ(run->report.newer_counts, 1);
  auto recounted = store->GetInventory("RECOUNTED");
  EXPECT_EQ((*recounted)[0].on_hand, 7);  // the newer count stands
  auto shipped = store->GetInventory("SHIPPED");
  EXPECT_EQ((*shipped)[0].on_hand, 90);
  store.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A difference beyond the automatic threshold is an exception: one per node and SKU (a later
// run updates it), settled by a later run that matches, applied or dismissed by an operator
// (audited); a snapshot older than the node's latest count cannot be applied.
TEST(ReconcileJobTest, LargeDifferencesBecomeExceptionsAnOperatorResolves) {
  fs::path dir =
      fs::temp_directory_path() / ("crossdock_stock_exceptions_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto opened = SqliteStore::Open({(dir / "db").string()});
  ASSERT_TRUE(opened.ok());
  auto store = std::move(*opened);
  const TimePoint t0 = kT;
  ASSERT_TRUE(
      store
          ->WriteAndWait([&](WriteTx& tx) -> Status {
            for (const char* sku : {"A", "B", "C"}) {
              CROSSDOCK_RETURN_IF_ERROR(tx.PutInventoryLevel({sku, "wh", 10, t0, t0}).status());
            }
            return Status::Ok();
          })
          .ok());
  ManualClock clock(t0 + std::chrono::hours(1));
  SeededRandom random(1);
  IdGenerator ids(clock, random);
  auto reconcile = [&](TimePoint as_of, std::vector<InventoryCount> counts) {
    InventoryReconciliation job;
    job.node = "wh";
    job.as_of = as_of;
    job.snapshot = std::move(counts);
    job.policy.auto_adjust_max = 5;
    auto run = RunInventoryReconciliation(*store, clock, ids, job);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? run->id : "";
  };
  auto open = [&] {
    auto list = store->ListStockExceptions({"wh", true, 100, 0});
    EXPECT_TRUE(list.ok());
    std::map<std::string, StockException> by_sku;
    for (const auto& e : *list) by_sku[e.sku] = e;
    return by_sku;
  };
  const TimePoint t1 = t0 + std::chrono::minutes(10), t2 = t0 + std::chrono::minutes(20);
  std::string first = reconcile(t1, {{"A", "wh", 30, t1}, {"B", "wh", 0, t1}, {"C", "wh", 50, t1}});
  auto after_first = open();
  ASSERT_EQ(after_first.size(), 3u);
  EXPECT_EQ(after_first["A"].ledger, 10);
  EXPECT_EQ(after_first["A"].counted, 30);
  EXPECT_EQ(after_first["A"].run_id, first);
  // The second run finds A further off (the same exception, updated) and C as the ledger has it.
  std::string second =
      reconcile(t2, {{"A", "wh", 40, t2}, {"B", "wh", 0, t2}, {"C", "wh", 10, t2}});
  auto after_second = open();
  ASSERT_EQ(after_second.size(), 2u);
  EXPECT_EQ(after_second["A"].id, after_first["A"].id);
  EXPECT_EQ(after_second["A"].counted, 40);
  EXPECT_EQ(after_second["A"].run_id, second);
  auto c = store->ListStockExceptions({"wh", false, 100, 0});
  ASSERT_TRUE(c.ok());
  auto settled = std::find_if(c->begin(), c->end(), [](auto& e) { return e.sku == "C"; });
  ASSERT_NE(settled, c->end());
  EXPECT_EQ(settled->resolution, "settled");
  EXPECT_EQ(settled->resolved_by, "reconcile:" + second);
  // Applying A stores the count as of the snapshot; a second resolution is refused.
  auto applied = ResolveStockException(*store, clock, after_second["A"].id,
                                       StockExceptionAction::kApply, "ops", "recounted by hand");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->resolution, "applied");
  EXPECT_EQ((*store->GetInventory("A"))[0].on_hand, 40);
  auto again = ResolveStockException(*store, clock, after_second["A"].id,
                                     StockExceptionAction::kDismiss, "ops", "");
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  // B: the node counted it after the snapshot, so the snapshot's 0 is stale: it cannot be
  // applied, only dismissed.
  ASSERT_TRUE(
      store
          ->WriteAndWait([&](WriteTx& tx) {
            return tx.PutInventoryLevel({"B", "wh", 12, t2 + std::chrono::minutes(1), clock.Now()})
                .status();
          })
          .ok());
  auto stale = ResolveStockException(*store, clock, after_second["B"].id,
                                     StockExceptionAction::kApply, "ops", "");
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("newer than the snapshot"), std::string::npos)
      << stale.status().message();
  EXPECT_EQ((*store->GetInventory("B"))[0].on_hand, 12);
  ASSERT_TRUE(ResolveStockException(*store, clock, after_second["B"].id,
                                    StockExceptionAction::kDismiss, "ops", "late count")
                  .ok());
  EXPECT_TRUE(open().empty());
  EXPECT_EQ(ResolveStockException(*store, clock, 999, StockExceptionAction::kApply, "ops", "")
                .status()
                .code(),
            StatusCode::kNotFound);
  auto audit = store->ListAudit(10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  std::set<std::string> actions;
  for (const auto& a : *audit) actions.insert(a.action);
  EXPECT_EQ(actions, (std::set<std::string>{"stock_exception.apply", "stock_exception.dismiss"}));
  store.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace crossdock
