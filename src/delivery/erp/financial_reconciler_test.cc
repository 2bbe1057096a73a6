#include "delivery/erp/financial_reconciler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "codecs/canonical_json.h"
#include "flows/order_state.h"
#include "model/order_generator.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

// The ERP's side, as listed: a fixed set of invoices.
class ListedInvoices final : public ErpPoller {
 public:
  std::vector<ErpInvoiceChange> invoices;
  TimePoint asked_since{};
  Result<std::vector<ErpInvoiceChange>> InvoicesChangedSince(TimePoint since) override {
    asked_since = since;
    return invoices;
  }
  Result<std::vector<ErpShipmentChange>> ShipmentsChangedSince(TimePoint) override {
    return std::vector<ErpShipmentChange>{};
  }
};

class FinancialReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crossdock_fin_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open({(dir_ / "db").string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, OrderFlowOptions{});
  }
  void TearDown() override {
    flow_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  // Stores a shipped order whose shipment `shipment` of every line is invoiced through the ERP,
  // as the flow records it: the flow state's invoices and an order.shipped history entry.
  Order StoreShipped(const std::string& shipment) {
    Order o = gen_.Next();
    o.id = ids_.Next("ord");
    o.status = OrderStatus::kShipped;
    o.partner = "shop";
    o.created_at = o.updated_at = clock_.Now();
    OrderFlowState f;
    f.invoices[shipment] = "";
    Shipment s;
    s.order_id = o.id;
    s.node = "tpl-east";
    s.partner_event_id = shipment;
    Package p;
    for (const auto& l : o.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
    s.packages.push_back(p);
    JsonWriter w;
    w.StartObject().Key("shipment");
    WriteShipment(w, s);
    w.EndObject();
    OrderRecord rec;
    rec.order = o;
    rec.flow_state = EncodeFlowState(f);
    rec.parties = {"shop"};
    HistoryEntry h{0, clock_.Now(), "order.shipped", w.Take(), ""};
    EXPECT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) {
                      CROSSDOCK_RETURN_IF_ERROR(tx.InsertOrder(rec));
                      return tx.AppendHistory(o.id, h);
                    })
                    .ok());
    return o;
  }
  static Decimal Value(const Order& o) {
    Decimal total;
    for (const auto& l : o.lines) {
      Decimal v;
      Decimal::MulInt(l.unit_price, l.quantity, v);
      Decimal::Add(total, v, total);
    }
    return total;
  }

  fs::path dir_;
  ManualClock clock_;
  SeededRandom random_{5};
  IdGenerator ids_{clock_, random_};
  MetricsRegistry metrics_;
  OrderGenerator gen_{9, "shop", "FIN"};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<OrderFlow> flow_;
  ListedInvoices erp_;
};

TEST_F(FinancialReconcilerTest, ValuesShipmentsFromTheHistoryAndRaisesAnExceptionPerFinding) {
  Order right = StoreShipped("s-1");
  Order missing = StoreShipped("s-2");
  Order off = StoreShipped("s-3");
  clock_.Advance(std::chrono::hours(2));
  Decimal over;
  Decimal::Add(Value(off), *Decimal::Parse("1.00"), over);
  erp_.invoices = {{right.id + "/s-1", "10", "posted", clock_.Now(), Value(right)},
                   {off.id + "/s-3", "11", "posted", clock_.Now(), over}};
  FinancialReconciliation job;
  auto run = RunFinancialReconciliation(*store_, flow_.get(), erp_, clock_, ids_, job);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(erp_.asked_since, clock_.Now() - job.window);
  EXPECT_EQ(run->report.shipments, 3);
  EXPECT_EQ(run->report.matched, 1);
  ASSERT_EQ(run->report.findings.size(), 2u);
  EXPECT_EQ(run->exceptions, 2);
  for (const auto& [order, reason] : {std::pair{missing.id, "reconcile-shipped_not_invoiced"},
                                      std::pair{off.id, "reconcile-amount_mismatch"}}) {
    auto state = DecodeFlowState((*store_->GetOrder(order))->flow_state);
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(state->exception.has_value()) << order;
    EXPECT_EQ(state->exception->reason, reason);
  }
  auto kept = store_->GetReconciliation(run->id);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->kind, "financial");
  EXPECT_NE((*kept)->report_csv.find("amount_mismatch," + off.id), std::string::npos);

  // The same findings again open nothing new; a dry run keeps nothing.
  auto again = RunFinancialReconciliation(*store_, flow_.get(), erp_, clock_, ids_, job);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exceptions, 0);
  job.dry_run = true;
  auto dry = RunFinancialReconciliation(*store_, nullptr, erp_, clock_, ids_, job);
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->id.empty());
  EXPECT_EQ(dry->report.findings.size(), 2u);
  EXPECT_EQ(store_->ListReconciliations(10)->size(), 2u);
}

}  // namespace
}  // namespace crossdock
