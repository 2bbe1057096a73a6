#include "delivery/snapshot_inbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

class QuietLogger final : public Logger {
 public:
  void Write(Severity, std::string_view, std::initializer_list<LogField>) override {}
};

class SnapshotInboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crossdock_snapshot_inbox_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open({(dir_ / "db").string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    // The ledger: SKU-A..D 10 each at tpl-east, counted at t0.
    ASSERT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) -> Status {
                      for (const char* sku : {"SKU-A", "SKU-B", "SKU-C", "SKU-D"}) {
                        CROSSDOCK_RETURN_IF_ERROR(
                            tx.PutInventoryLevel({sku, "tpl-east", 10, t0_, t0_}).status());
                      }
                      return Status::Ok();
                    })
                    .ok());
    SnapshotFolder config;
    config.folder = (dir_ / "snapshots").string();
    config.mapping.delimiter = ';';
    config.mapping.sku = "Item";
    config.mapping.on_hand = "Qty";
    config.policy.auto_adjust_max = 2;
    inbox_ = std::make_unique<SnapshotInbox>(
        "tpl-east", config, *store_, clock_, ids_, metrics_, log_,
        [this](const std::vector<std::string>& skus, TimePoint at) {
          corrected_.insert(corrected_.end(), skus.begin(), skus.end());
          corrected_at_ = at;
        });
    ASSERT_TRUE(inbox_->Prepare().ok());
  }
  void TearDown() override {
    inbox_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  // Writes inbound/<name>, last written at `written`.
  void Drop(const std::string& name, const std::string& text, TimePoint written) {
    fs::path p = dir_ / "snapshots" / "inbound" / name;
    std::ofstream(p, std::ios::binary) << text;
    fs::last_write_time(p, std::chrono::file_clock::from_sys(written));
  }
  int64_t OnHand(const std::string& sku) {
    auto levels = store_->GetInventory(sku);
    return levels.ok() && !levels->empty() ? (*levels)[0].on_hand : -1;
  }
  uint64_t Files(const char* outcome) {
    return metrics_
        .GetCounter("crossdock_snapshot_files_total", "",
                    std::string("node=\"tpl-east\",outcome=\"") + outcome + "\"")
        .value();
  }

  fs::path dir_;
  const TimePoint t0_ = TimePoint(std::chrono::seconds(1'800'000'000));
  ManualClock clock_{t0_ + std::chrono::hours(2)};
  SeededRandom random_{7};
  IdGenerator ids_{clock_, random_};
  MetricsRegistry metrics_;
  QuietLogger log_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SnapshotInbox> inbox_;
  std::vector<std::string> corrected_;
  TimePoint corrected_at_{};
};

// A snapshot in the partner's own columns is reconciled as of the file's time: small
// differences corrected, a large one an exception; the file is archived and the run kept.
TEST_F(SnapshotInboxTest, ASnapshotFileIsReconciledAsOfItsTimeAndArchived) {
  TimePoint written = t0_ + std::chrono::hours(1);
  Drop("east-20261128.csv", "Item;Qty;Bin\nSKU-A;10;A1\nSKU-B;11;A2\nSKU-C;30;A3\nSKU-D;8;A4\n",
       written);
  auto n = inbox_->PollOnce();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(OnHand("SKU-A"), 10);
  EXPECT_EQ(OnHand("SKU-B"), 11);  // corrected
  EXPECT_EQ(OnHand("SKU-C"), 10);  // 20 off: left to an operator
  EXPECT_EQ(OnHand("SKU-D"), 8);   // corrected
  EXPECT_EQ(corrected_, (std::vector<std::string>{"SKU-B", "SKU-D"}));
  EXPECT_EQ(corrected_at_, written);
  auto exceptions = store_->ListStockExceptions({"tpl-east", true, 10, 0});
  ASSERT_TRUE(exceptions.ok());
  ASSERT_EQ(exceptions->size(), 1u);
  EXPECT_EQ((*exceptions)[0].sku, "SKU-C");
  EXPECT_EQ((*exceptions)[0].counted, 30);
  EXPECT_EQ((*exceptions)[0].as_of, written);
  auto runs = store_->ListReconciliations(10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].node, "tpl-east");
  EXPECT_EQ((*exceptions)[0].run_id, (*runs)[0].id);
  EXPECT_TRUE(fs::exists(dir_ / "snapshots" / "archive" / "received" / "east-20261128.csv"));
  EXPECT_TRUE(fs::is_empty(dir_ / "snapshots" / "inbound"));
  EXPECT_EQ(Files("reconciled"), 1u);
  // Nothing waits: a second pass does nothing.
  EXPECT_EQ(*inbox_->PollOnce(), 0);
}

// A file that cannot be read, or has nothing of the node's, goes to failed/ with the reason
// naming line and column; nothing is reconciled.
TEST_F(SnapshotInboxTest, AnUnreadableSnapshotGoesToFailedWithItsFaults) {
  TimePoint written = t0_ + std::chrono::hours(1);
  Drop("bad.csv", "Item;Qty\nSKU-A;lots\nSKU-B;-\n", written);
  Drop("headers.csv", "sku,on_hand\nSKU-A,1\n", written + std::chrono::seconds(1));
  auto n = inbox_->PollOnce();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  fs::path failed = dir_ / "snapshots" / "failed";
  std::ifstream in(failed / "bad.csv.error.txt");
  std::stringstream why;
  why << in.rdbuf();
  EXPECT_NE(why.str().find("line 2, column 2 (Qty)"), std::string::npos) << why.str();
  EXPECT_NE(why.str().find("line 3, column 2 (Qty)"), std::string::npos) << why.str();
  EXPECT_TRUE(fs::exists(failed / "headers.csv"));
  EXPECT_TRUE(fs::exists(failed / "headers.csv.error.txt"));
  EXPECT_EQ(OnHand("SKU-A"), 10);
  EXPECT_TRUE(store_->ListReconciliations(10)->empty());
  EXPECT_EQ(Files("failed"), 2u);
  EXPECT_EQ(Files("reconciled"), 0u);
}

}  // namespace
}  // namespace crossdock
