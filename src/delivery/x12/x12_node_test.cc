#include "delivery/x12/x12_node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "codecs/x12.h"
#include "flows/order_state.h"
#include "model/order_generator.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

class QuietLogger final : public Logger {
 public:
  void Write(Severity, std::string_view, std::initializer_list<LogField>) override {}
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A 3PL's X12: the interchange it would send (sender TPLEDI, receiver CROSSDOCK).
class PartnerFile {
 public:
  explicit PartnerFile(std::string functional_id, int control)
      : b_(X12Delimiters{}, {"ZZ", "TPLEDI"}, {"ZZ", "CROSSDOCK"}), control_(control) {
    b_.StartGroup(std::move(functional_id), "TPLEDI", "CROSSDOCK", std::to_string(control),
                  "004010", "20261128", "1200");
  }
  PartnerFile& Set(std::string code) {
    b_.StartSet(std::move(code), "0001");
    return *this;
  }
  PartnerFile& Add(std::string id, std::vector<std::string> elements) {
    b_.Add(std::move(id), std::move(elements));
    return *this;
  }
  std::string Bytes() {
    return SerializeX12(b_.Finish(std::to_string(control_), "261128", "1200", false));
  }

 private:
  X12Builder b_;
  int control_;
};

class X12NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crossdock_x12_node_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open({(dir_ / "db").string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    OrderFlowOptions flow_options{RoutingPolicy{{}, "tpl-edi"}};
    flow_options.on_stock_changed = [this](const std::vector<std::string>& skus, TimePoint) {
      std::lock_guard lock(reported_mu_);
      reported_.insert(reported_.end(), skus.begin(), skus.end());
    };
    flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, flow_options);
    options_.node = "tpl-edi";
    options_.profile.receiver = {"ZZ", "TPLEDI"};
    options_.folder = (dir_ / "edi").string();
    transport_ = std::make_shared<FolderTransport>(options_.folder);
    ASSERT_TRUE(transport_->Prepare().ok());
    connector_ = std::make_unique<X12NodeConnector>(options_, transport_, *store_, clock_);
    inbox_ = std::make_unique<X12InboxLoop>(options_, transport_, *flow_, *store_, clock_, metrics_,
                                            log_);
  }
  void TearDown() override {
    inbox_.reset();
    flow_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string Submit(const Order& o) {
    std::promise<Result<SubmitOutcome>> p;
    flow_->Submit(
        SubmitRequest{o, "shop", o.external_ref, "h", TraceContext::NewRoot(random_)},
        [](const Order& o, const std::string& json) {
          return StoredResponse{201, json, "/v1/orders/" + o.id};
        },
        [&](Result<SubmitOutcome> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->order_id : "";
  }
  // Claims the order's dispatch command, runs it through the connector and records the answer
  // as the dispatcher would.
  ClientResponse Dispatch() {
    std::optional<OutboxItem> item;
    EXPECT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) {
                      auto items = tx.ClaimOutbox(clock_.Now(), clock_.Now() + kLease, 1, {});
                      if (!items.ok()) return items.status();
                      if (!items->empty()) item = (*items)[0];
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_TRUE(item.has_value());
    if (!item) return {};
    auto answer = connector_->Execute(*item);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    if (!answer.ok()) return {};
    if (answer->status == 200) {
      EXPECT_TRUE(store_
                      ->WriteAndWait([&](WriteTx& tx) {
                        CROSSDOCK_RETURN_IF_ERROR(tx.CompleteOutbox(item->id, 1));
                        return flow_->OnDelivered(tx, *item, answer->body);
                      })
                      .ok());
    }
    last_item_ = *item;
    return *answer;
  }
  OrderRecord Order_(const std::string& id) { return **store_->GetOrder(id); }
  OrderFlowState Flow(const std::string& id) { return *DecodeFlowState(Order_(id).flow_state); }
  void Drop(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / "edi" / "inbound" / name, std::ios::binary) << bytes;
  }
  fs::path Edi(const std::string& sub) { return dir_ / "edi" / sub; }

  static constexpr auto kLease = std::chrono::seconds(30);
  fs::path dir_;
  ManualClock clock_;
  SeededRandom random_{7};
  IdGenerator ids_{clock_, random_};
  MetricsRegistry metrics_;
  QuietLogger log_;
  OrderGenerator gen_{3, "shop", "EDI"};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<OrderFlow> flow_;
  X12NodeOptions options_;
  std::shared_ptr<FolderTransport> transport_;
  std::unique_ptr<X12NodeConnector> connector_;
  std::unique_ptr<X12InboxLoop> inbox_;
  std::mutex reported_mu_;
  std::vector<std::string> reported_;  // SKUs the flow was told of (on_stock_changed)
  OutboxItem last_item_;
};

TEST_F(X12NodeTest, DispatchWritesOne940AndA997AcknowledgesIt) {
  Order o = gen_.Next();
  std::string id = Submit(o);
  ClientResponse answer = Dispatch();
  EXPECT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("940 interchange 000000001, group 1"), std::string::npos);
  ASSERT_EQ(Names(Edi("outbound")), std::vector<std::string>{"tpl-edi-940-000000001.x12"});
  EXPECT_EQ(Names(Edi("archive/sent")), Names(Edi("outbound")));
  std::string bytes = ReadFile(Edi("outbound") / "tpl-edi-940-000000001.x12");
  X12Document doc = ParseX12(bytes);
  ASSERT_TRUE(doc.ok());
  const X12Transaction& set = doc.interchanges[0].groups[0].sets[0];
  EXPECT_EQ(set.Code(), "940");
  EXPECT_EQ(set.body[0].Element(2), id);  // W0502

  // Handed over, not acknowledged: the order waits for the 997.
  OrderFlowState f = Flow(id);
  ASSERT_EQ(f.allocations.size(), 1u);
  EXPECT_TRUE(f.allocations[0].transmitted_at.has_value());
  EXPECT_FALSE(f.allocations[0].acknowledged_at.has_value());
  EXPECT_EQ(Order_(id).order.status, OrderStatus::kAllocated);

  // A retry of the same command writes the same interchange and takes no new numbers.
  auto again = connector_->Execute(last_item_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->body, answer.body);
  EXPECT_EQ(ReadFile(Edi("outbound") / "tpl-edi-940-000000001.x12"), bytes);
  auto sent = store_->ListX12Transmissions("tpl-edi", 10);
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_TRUE((*sent)[0].sent_at.has_value());

  // The 3PL's 997, built from what it received.
  X12Interchange ack = Build997(doc.interchanges[0], {}, "000000077", "77", "261128", "1205");
  Drop("ack-1.x12", SerializeX12(ack));
  auto took = inbox_->PollOnce();
  ASSERT_TRUE(took.ok()) << took.status().ToString();
  EXPECT_EQ(*took, 1);
  EXPECT_EQ(Order_(id).order.status, OrderStatus::kDispatched);
  EXPECT_EQ(Names(Edi("archive/received")), std::vector<std::string>{"ack-1.x12"});
  EXPECT_TRUE(Names(Edi("inbound")).empty());
  // A 997 is not acknowledged: nothing new went out.
  EXPECT_EQ(Names(Edi("outbound")).size(), 1u);
  sent = store_->ListX12Transmissions("tpl-edi", 10);
  EXPECT_EQ((*sent)[0].ack, "A");
}

TEST_F(X12NodeTest, A945ShipsTheOrderAndIsAcknowledgedOnce) {
  Order o = gen_.Next();
  std::string id = Submit(o);
  Dispatch();
  PartnerFile advice("SW", 40);
  advice.Set("945").Add("W06", {"F", id, "20261128", "SHP-1"}).Add("W27", {"M", "UPSN"});
  advice.Add("N9", {"CN", "1Z999"});
  for (size_t i = 0; i < o.lines.size(); ++i) {
    const OrderLine& l = o.lines[i];
    std::string q = std::to_string(l.quantity);
    advice.Add("LX", {std::to_string(i + 1)});
    advice.Add("W12", {"CC", q, q, "0", "EA", "", "", l.sku});
    advice.Add("N9", {"LI", l.line_id});
  }
  std::string bytes = advice.Bytes();
  Drop("945-a.x12", bytes);
  ASSERT_TRUE(inbox_->PollOnce().ok());
  EXPECT_EQ(Order_(id).order.status, OrderStatus::kShipped);
  // Our 997 for the 3PL's group went out beside the 940.
  auto out = Names(Edi("outbound"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], "tpl-edi-997-000000002.x12");
  X12Document ack = ParseX12(ReadFile(Edi("outbound") / out[1]));
  ASSERT_TRUE(ack.ok());
  auto read = Read997(ack.interchanges[0]);
  ASSERT_EQ(read.acks.size(), 1u);
  EXPECT_EQ(read.acks[0].group, 40);
  EXPECT_EQ(read.acks[0].status, "A");

  // The same advice resent: applied once (the shipment's id is the same), file archived.
  Drop("945-b.x12", bytes);
  ASSERT_TRUE(inbox_->PollOnce().ok());
  auto history = store_->GetHistory(id);
  int shipments = 0;
  for (const auto& h : *history) shipments += h.type == "order.shipped" ? 1 : 0;
  EXPECT_EQ(shipments, 1);
  EXPECT_EQ(Names(Edi("archive/received")).size(), 2u);
}

// A 945 missing a segment the partner's profile requires, and with a date that is no date, is
// not used: the file goes to failed/ and our 997 rejects the set naming segment and element.
TEST_F(X12NodeTest, ASetWithContentFaultsIsRejectedByOur997) {
  X12NodeOptions strict = options_;
  strict.profile.required_segments["945"] = {"G62"};
  inbox_->Stop();
  inbox_ =
      std::make_unique<X12InboxLoop>(strict, transport_, *flow_, *store_, clock_, metrics_, log_);
  Order o = gen_.Next();
  std::string id = Submit(o);
  Dispatch();
  PartnerFile advice("SW", 41);
  advice.Set("945").Add("W06", {"F", id, "2026-11-28", "SHP-1"}).Add("W27", {"M", "UPSN"});
  for (size_t i = 0; i < o.lines.size(); ++i) {
    const OrderLine& l = o.lines[i];
    std::string q = std::to_string(l.quantity);
    advice.Add("LX", {std::to_string(i + 1)});
    advice.Add("W12", {"CC", q, q, "0", "EA", "", "", l.sku});
    advice.Add("N9", {"LI", l.line_id});
  }
  Drop("945-faulty.x12", advice.Bytes());
  ASSERT_TRUE(inbox_->PollOnce().ok());
  EXPECT_EQ(Order_(id).order.status, OrderStatus::kAllocated);  // nothing of it was used
  EXPECT_EQ(Names(Edi("failed")),
            (std::vector<std::string>{"945-faulty.x12", "945-faulty.x12.error.txt"}));
  std::string why = ReadFile(Edi("failed") / "945-faulty.x12.error.txt");
  EXPECT_NE(why.find("945 without G62 (required by the partner's profile)"), std::string::npos)
      << why;
  EXPECT_NE(why.find("W0603 (Date) '2026-11-28' is not a CCYYMMDD date"), std::string::npos);
  auto out = Names(Edi("outbound"));
  ASSERT_EQ(out.size(), 2u);
  std::string ack = ReadFile(Edi("outbound") / out[1]);
  EXPECT_NE(ack.find("AK3*G62*"), std::string::npos) << ack;
  EXPECT_NE(ack.find("AK3*W06*2**8"), std::string::npos) << ack;  // ST is position 1
  EXPECT_NE(ack.find("AK4*3**8"), std::string::npos) << ack;
  EXPECT_NE(ack.find("AK5*R*5"), std::string::npos) << ack;
  EXPECT_NE(ack.find("AK9*R*1*1*0"), std::string::npos) << ack;
}

TEST_F(X12NodeTest, ARejecting997OpensAnException) {
  std::string id = Submit(gen_.Next());
  Dispatch();
  PartnerFile ack("FA", 9);
  ack.Set("997").Add("AK1", {"OW", "1"}).Add("AK2", {"940", "0001"});
  ack.Add("AK3", {"W01", "7", "", "8"}).Add("AK5", {"R", "5"}).Add("AK9", {"R", "1", "1", "0"});
  Drop("ack.x12", ack.Bytes());
  ASSERT_TRUE(inbox_->PollOnce().ok());
  OrderFlowState f = Flow(id);
  ASSERT_TRUE(f.exception.has_value());
  EXPECT_EQ(f.exception->reason, "node.dispatch-failed");
  EXPECT_NE(f.exception->detail.find("rejected; set 0001 (940) R"), std::string::npos)
      << f.exception->detail;
  // The same 997 again, and an accepting one after it: the first verdict stands, nothing new.
  size_t history = store_->GetHistory(id)->size();
  Drop("ack-again.x12", ack.Bytes());
  PartnerFile late("FA", 10);
  late.Set("997").Add("AK1", {"OW", "1"}).Add("AK9", {"A", "1", "1", "1"});
  Drop("late.x12", late.Bytes());
  ASSERT_TRUE(inbox_->PollOnce().ok());
  EXPECT_EQ(store_->GetHistory(id)->size(), history);
  EXPECT_EQ(Order_(id).order.status, OrderStatus::kAllocated);
  EXPECT_NE(ReadFile(Edi("failed") / "late.x12.error.txt").find("the first stands"),
            std::string::npos);
}

TEST_F(X12NodeTest, StockAdvicesFeedTheLedgerAndAReceiptCountsOnce) {
  PartnerFile count("IB", 50);
  count.Set("846").Add("BIA", {"00", "MM", "INV-1", "20261128", "0900"});
  count.Add("LIN", {"1", "SK", "SKU-A"}).Add("QTY", {"33", "40", "EA"}).Add("QTY", {"17", "42"});
  count.Add("LIN", {"2", "SK", "SKU-B"}).Add("QTY", {"33", "7"});
  Drop("846.x12", count.Bytes());
  PartnerFile receipt("AR", 51);
  receipt.Set("944").Add("W17", {"F", "20261128", "RCV-9", "PO-1"});
  receipt.Add("W07", {"5", "EA", "", "SK", "SKU-B"});
  std::string receipt_bytes = receipt.Bytes();
  Drop("944.x12", receipt_bytes);
  clock_.Advance(std::chrono::hours(24 * 365 * 2));  // "now" after the advices' dates
  ASSERT_TRUE(inbox_->PollOnce().ok());
  auto a = store_->GetInventory("SKU-A");
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].on_hand, 42);  // on hand (17) wins over available (33)
  auto b = store_->GetInventory("SKU-B");
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].on_hand, 7);  // the receipt is dated at midnight, before the 09:00 count
  Drop("944-again.x12", receipt_bytes);
  ASSERT_TRUE(inbox_->PollOnce().ok());
  EXPECT_EQ((*store_->GetInventory("SKU-B"))[0].on_hand, 7);
  EXPECT_EQ(reported_.size(), 3u);  // SKU-A, SKU-B; then SKU-B (receipt) once
}

TEST_F(X12NodeTest, AReceiptAfterTheCountAddsToIt) {
  PartnerFile count("IB", 60);
  count.Set("846").Add("BIA", {"00", "MM", "INV-2", "20261127"});
  count.Add("LIN", {"1", "SK", "SKU-C"}).Add("QTY", {"17", "10"});
  Drop("a-846.x12", count.Bytes());
  ASSERT_TRUE(inbox_->PollOnce().ok());
  PartnerFile receipt("AR", 61);
  receipt.Set("944").Add("W17", {"F", "20261128", "RCV-10", "PO-2"});
  receipt.Add("W07", {"6", "EA", "", "SK", "SKU-C"});
  Drop("b-944.x12", receipt.Bytes());
  ASSERT_TRUE(inbox_->PollOnce().ok());
  EXPECT_EQ((*store_->GetInventory("SKU-C"))[0].on_hand, 16);
}

TEST_F(X12NodeTest, UnusableFilesGoToFailedWithTheirReasons) {
  Drop("junk.x12", "this is not X12");
  PartnerFile unknown("FA", 70);
  unknown.Set("997").Add("AK1", {"OW", "999"}).Add("AK9", {"A", "1", "1", "1"});
  Drop("stray-997.x12", unknown.Bytes());
  PartnerFile bad("IB", 71);
  bad.Set("846").Add("BIA", {"00", "MM", "INV-3", "2026-11-28"});
  bad.Add("LIN", {"1", "SK", "SKU-D"}).Add("QTY", {"17", "many"});
  Drop("bad-846.x12", bad.Bytes());
  auto took = inbox_->PollOnce();
  ASSERT_TRUE(took.ok());
  EXPECT_EQ(*took, 3);
  EXPECT_TRUE(Names(Edi("inbound")).empty());
  auto failed = Names(Edi("failed"));
  EXPECT_EQ(failed.size(), 6u);  // each file and its .error.txt
  std::string why = ReadFile(Edi("failed") / "bad-846.x12.error.txt");
  EXPECT_NE(why.find("element 4"), std::string::npos) << why;
  EXPECT_NE(why.find("QTY02"), std::string::npos) << why;
  EXPECT_NE(ReadFile(Edi("failed") / "stray-997.x12.error.txt").find("never sent"),
            std::string::npos);
  EXPECT_TRUE(store_->GetInventory("SKU-D")->empty());
  EXPECT_EQ(
      metrics_.GetCounter("crossdock_x12_files_total", "", "node=\"tpl-edi\",outcome=\"failed\"")
          .value(),
      3u);
}

TEST(FolderTransportTest, PrepareRemovesOnlyOurTemporaryFiles) {
  fs::path root =
      fs::temp_directory_path() / ("crossdock_folder_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  FolderTransport t(root.string());
  ASSERT_TRUE(t.Prepare().ok());
  std::ofstream(root / "outbound" / ".x.x12.tmp") << "half";
  std::ofstream(root / "inbound" / ".partner-writing") << "half";
  ASSERT_TRUE(t.Prepare().ok());
  EXPECT_FALSE(fs::exists(root / "outbound" / ".x.x12.tmp"));
  EXPECT_TRUE(fs::exists(root / "inbound" / ".partner-writing"));
  auto names = t.Inbound();
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());  // a dot-file is still being written
  EXPECT_FALSE(t.Send("../escape", "x").ok());
  fs::remove_all(root);
}

}  // namespace
}  // namespace crossdock
