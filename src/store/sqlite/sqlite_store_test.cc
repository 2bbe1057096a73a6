#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <random>

#include "model/order_generator.h"
#include "store/sqlite/migrations.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("crossdock_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    SqliteStoreOptions opts;
    opts.path = (dir_ / "crossdock.db").string();
    auto s = SqliteStore::Open(opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  OrderRecord MakeOrder(const std::string& id, const std::string& ref) {
    OrderRecord rec;
    rec.order = gen_.Next();
    rec.order.id = id;
    rec.order.external_ref = ref;
    rec.order.partner = "shop";
    rec.order.status = OrderStatus::kReceived;
    rec.order.created_at = rec.order.updated_at = FromUnixMicros(1'790'000'000'000'000);
    rec.flow_state = "{}";
    return rec;
  }
  OutboxItem MakeItem(const std::string& aggregate, const std::string& key) {
    OutboxItem it;
    it.aggregate_type = "order";
    it.aggregate_id = aggregate;
    it.type = "node.dispatch";
    it.destination = "node:tpl";
    it.idempotency_key = key;
    it.payload = "{}";
    it.created_at = it.next_attempt_at = FromUnixMicros(1000);
    return it;
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  OrderGenerator gen_{3, "web", "T"};
};

TEST_F(SqliteStoreTest, MigratesToLatestVersion) {
  auto db = sqlite::Db::Open((dir_ / "crossdock.db").string(), true);
  ASSERT_TRUE(db.ok());
  auto s = (*db)->Prepare("PRAGMA user_version");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(*(*s)->Step());
  EXPECT_EQ((*s)->Int(0), sqlite::LatestSchemaVersion());
}

TEST_F(SqliteStoreTest, OrderInsertReadUpdateAndPersistAcrossReopen) {
  OrderRecord rec = MakeOrder("ord_1", "R1");
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTx& tx) { return tx.InsertOrder(rec); }).ok());
  auto got = store_->GetOrder("ord_1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->order, rec.order);
  EXPECT_EQ((*got)->version, 1);

  // Optimistic concurrency: a stale version is a conflict.
  OrderRecord stale = **got;
  Status st = store_->WriteAndWait([&](WriteTx& tx) {
    OrderRecord fresh = **got;
    fresh.order.status = OrderStatus::kAllocated;
    CROSSDOCK_RETURN_IF_ERROR(tx.UpdateOrder(fresh));
    return tx.UpdateOrder(stale);
  });
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  // The failed job was rolled back as a whole.
  EXPECT_EQ((*store_->GetOrder("ord_1"))->version, 1);

  Reopen();
  auto again = store_->GetOrder("ord_1");
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->order, rec.order);
}

TEST_F(SqliteStoreTest, ExternalRefIsUniquePerChannel) {
  OrderRecord a = MakeOrder("ord_a", "SAME");
  OrderRecord b = MakeOrder("ord_b", "SAME");
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTx& tx) { return tx.InsertOrder(a); }).ok());
  Status st = store_->WriteAndWait([&](WriteTx& tx) { return tx.InsertOrder(b); });
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  std::optional<std::string> found;
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    auto r = tx.FindOrderByExternalRef("web", "SAME");
                    if (!r.ok()) return r.status();
                    found = *r;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(found, "ord_a");
}

TEST_F(SqliteStoreTest, FailingJobRollsBackAloneInItsGroup) {
  // Queue many jobs at once so they share groups; every third fails after writing.
  std::vector<std::future<Status>> results;
  std::vector<std::shared_ptr<std::promise<Status>>> promises;
  for (int i = 0; i < 60; ++i) {
    auto p = std::make_shared<std::promise<Status>>();
    results.push_back(p->get_future());
    store_->Write(
        [this, i](WriteTx& tx) {
          OrderRecord rec = MakeOrder("ord_" + std::to_string(i), "G" + std::to_string(i));
          CROSSDOCK_RETURN_IF_ERROR(tx.InsertOrder(rec));
          if (i % 3 == 0) return InvalidArgument("refused");
          return Status::Ok();
        },
        [p](Status s) { p->set_value(std::move(s)); });
  }
  for (int i = 0; i < 60; ++i) {
    Status s = results[i].get();
    EXPECT_EQ(s.ok(), i % 3 != 0) << i;
    auto got = store_->GetOrder("ord_" + std::to_string(i));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->has_value(), i % 3 != 0) << i;
  }
  EXPECT_LE(store_->groups_committed(), 61u);
}

TEST_F(SqliteStoreTest, HistoryIsNumberedPerOrder) {
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    for (const char* id : {"ord_x", "ord_x", "ord_y", "ord_x"}) {
                      HistoryEntry e{0, FromUnixMicros(5), "order.received", "{}", "t"};
                      CROSSDOCK_RETURN_IF_ERROR(tx.AppendHistory(id, e));
                    }
                    return Status::Ok();
                  })
                  .ok());
  auto h = store_->GetHistory("ord_x");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[2].seq, 3);
  EXPECT_EQ(store_->GetHistory("ord_y")->size(), 1u);
}

TEST_F(SqliteStoreTest, OutboxClaimsInOrderPerAggregateWithLeases) {
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    for (auto [agg, key] : {std::pair{"A", "a1"}, {"A", "a2"}, {"B", "b1"}}) {
                      OutboxItem it = MakeItem(agg, key);
                      CROSSDOCK_RETURN_IF_ERROR(tx.EnqueueOutbox(it));
                    }
                    return Status::Ok();
                  })
                  .ok());
  TimePoint now = FromUnixMicros(2000);
  TimePoint lease = FromUnixMicros(10'000);
  std::vector<OutboxItem> claimed;
  auto claim = [&](TimePoint at, std::vector<std::string> excluded = {}) {
    claimed.clear();
    ASSERT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) {
                      auto r = tx.ClaimOutbox(at, lease, 10, excluded);
                      if (!r.ok()) return r.status();
                      claimed = *r;
                      return Status::Ok();
                    })
                    .ok());
  };
  claim(now);
  ASSERT_EQ(claimed.size(), 2u);  // a1 and b1; a2 waits behind a1
  EXPECT_EQ(claimed[0].idempotency_key, "a1");
  EXPECT_EQ(claimed[1].idempotency_key, "b1");
  claim(now);
  EXPECT_TRUE(claimed.empty());   // leased
  claim(FromUnixMicros(10'001));  // leases expired: a crashed worker's items come back
  ASSERT_EQ(claimed.size(), 2u);
  int64_t a1 = claimed[0].id;
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTx& tx) { return tx.CompleteOutbox(a1, 1); }).ok());
  claim(FromUnixMicros(20'001));
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].idempotency_key, "a2");

  // Retry later moves the due time; dead letters block their aggregate.
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    CROSSDOCK_RETURN_IF_ERROR(tx.RetryOutboxLater(
                        claimed[0].id, 1, FromUnixMicros(50'000), "503", false));
                    return tx.DeadLetterOutbox(claimed[1].id, 3, "422 forever", false);
                  })
                  .ok());
  auto due = store_->NextOutboxDue();
  ASSERT_TRUE(due.ok() && due->has_value());
  EXPECT_EQ(ToUnixMicros(**due), 50'000);
  auto st = store_->Stats();
  EXPECT_EQ(st->outbox_pending, 1);
  EXPECT_EQ(st->outbox_dead, 1);
}

TEST_F(SqliteStoreTest, IdempotencyInboundDedupEventsAndOffsets) {
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    CROSSDOCK_RETURN_IF_ERROR(tx.PutIdempotency(
                        {"shop", "k1", "h", 201, "{}", "/v1/orders/x", FromUnixMicros(1)}));
                    EventRecord e{0,
                                  "evt_1",
                                  "/crossdock/orders",
                                  "dev.crossdock.order.received.v1",
                                  "ord_1",
                                  FromUnixMicros(9),
                                  "{}",
                                  ""};
                    CROSSDOCK_RETURN_IF_ERROR(tx.AppendEvent(e));
                    EXPECT_EQ(e.seq, 1);
                    auto first = tx.MarkInboundSeen("node:tpl", "ev-1", FromUnixMicros(1));
                    auto second = tx.MarkInboundSeen("node:tpl", "ev-1", FromUnixMicros(2));
                    EXPECT_TRUE(first.ok() && *first);
                    EXPECT_TRUE(second.ok() && !*second);
                    auto rec = tx.GetIdempotency("shop", "k1");
                    EXPECT_TRUE(rec.ok() && rec->has_value() && (*rec)->status_code == 201);
                    auto other = tx.GetIdempotency("other-partner", "k1");
                    EXPECT_TRUE(other.ok() && !other->has_value());
                    return tx.SetSubscriberOffset("hook", 1);
                  })
                  .ok());
  EXPECT_EQ(*store_->GetSubscriberOffset("hook"), 1);
  EXPECT_EQ(*store_->GetSubscriberOffset("nobody"), 0);
  auto events = store_->ReadEvents(0, 10);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "dev.crossdock.order.received.v1");
  EXPECT_TRUE(store_->ReadEvents(1, 10)->empty());
}

TEST_F(SqliteStoreTest, ExclusionParkingReplayDiscardAuditAndQuotaState) {
  int64_t a = 0, b = 0;
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    OutboxItem x = MakeItem("A", "a1");
                    OutboxItem y = MakeItem("B", "b1");
                    y.destination = "node:other";
                    CROSSDOCK_RETURN_IF_ERROR(tx.EnqueueOutbox(x));
                    CROSSDOCK_RETURN_IF_ERROR(tx.EnqueueOutbox(y));
                    a = x.id;
                    b = y.id;
                    return Status::Ok();
                  })
                  .ok());
  TimePoint now = FromUnixMicros(2000), lease = FromUnixMicros(10'000);
  std::vector<OutboxItem> claimed;
  auto claim = [&](TimePoint at, std::vector<std::string> excluded) {
    claimed.clear();
    ASSERT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) {
                      auto r = tx.ClaimOutbox(at, lease, 10, excluded);
                      if (!r.ok()) return r.status();
                      claimed = *r;
                      return Status::Ok();
                    })
                    .ok());
  };
  claim(now, {"node:tpl"});  // an open breaker's destination is left alone
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, b);
  // Parking puts an item back without counting an attempt.
  ASSERT_TRUE(
      store_->WriteAndWait([&](WriteTx& tx) { return tx.ParkOutbox(b, FromUnixMicros(50'000)); })
          .ok());
  claim(FromUnixMicros(40'000), {});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a);
  EXPECT_EQ((*store_->GetOutboxItem(b))->attempts, 0);

  // Dead-letter A, list it, replay it with a new payload (same key), then dead-letter and discard.
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    return tx.DeadLetterOutbox(a, 3, "HTTP 422: bad", false);
                  })
                  .ok());
  DeadLetterFilter f;
  EXPECT_EQ(store_->ListDeadLetters(f)->size(), 1u);
  f.error_class = "http_5xx";
  EXPECT_TRUE(store_->ListDeadLetters(f)->empty());
  f.error_class = "http_4xx";
  f.destination = "node:tpl";
  EXPECT_EQ(store_->ListDeadLetters(f)->size(), 1u);
  EXPECT_EQ(ErrorClassOf("UNAVAILABLE: connect refused"), "transport");
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    return tx.ReplayDeadLetter(a, FromUnixMicros(60'000),
                                               std::string(R"({"fixed":true})"));
                  })
                  .ok());
  auto replayed = *store_->GetOutboxItem(a);
  EXPECT_EQ(replayed->state, OutboxState::kPending);
  EXPECT_EQ(replayed->attempts, 0);
  EXPECT_EQ(replayed->idempotency_key, "a1");
  EXPECT_EQ(replayed->payload, R"({"fixed":true})");
  EXPECT_EQ(store_->WriteAndWait([&](WriteTx& tx) { return tx.DiscardDeadLetter(a, "x"); }).code(),
            StatusCode::kNotFound);  // not dead any more
  ASSERT_TRUE(
      store_
          ->WriteAndWait([&](WriteTx& tx) {
            CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(a, 1, "HTTP 422: bad", false));
            CROSSDOCK_RETURN_IF_ERROR(tx.DiscardDeadLetter(a, "customer cancelled by phone"));
            AuditRecord r{0, FromUnixMicros(1), "ops", "dead_letter.discard", "outbox:1", "{}"};
            CROSSDOCK_RETURN_IF_ERROR(tx.AppendAudit(r));
            EXPECT_EQ(r.seq, 1);
            return tx.SaveQuotaState({"node:tpl", 3.5, FromUnixMicros(7)});
          })
          .ok());
  EXPECT_EQ((*store_->GetOutboxItem(a))->state, OutboxState::kDiscarded);
  EXPECT_EQ(store_->ListAudit(10)->at(0).action, "dead_letter.discard");
  auto quotas = store_->LoadQuotaStates();
  ASSERT_EQ(quotas->size(), 1u);
  EXPECT_DOUBLE_EQ(quotas->at(0).tokens, 3.5);
}

TEST_F(SqliteStoreTest, ListOrdersFiltersByPartyStatusAndChannelInIdOrder) {
  std::vector<std::string> ids = {"ord_A", "ord_B", "ord_C", "ord_D"};
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) -> Status {
                    for (size_t i = 0; i < ids.size(); ++i) {
                      OrderRecord r = MakeOrder(ids[i], "ref" + std::to_string(i));
                      r.parties = {i % 2 ? "shop-b" : "shop-a", "tpl-east"};
                      r.order.status = i == 3 ? OrderStatus::kShipped : OrderStatus::kAllocated;
                      CROSSDOCK_RETURN_IF_ERROR(tx.InsertOrder(r));
                    }
                    return Status::Ok();
                  })
                  .ok());
  auto page = [&](OrderQuery q) {
    std::vector<std::string> out;
    auto r = store_->ListOrders(q);
    EXPECT_TRUE(r.ok());
    for (const auto& o : *r) out.push_back(o.order.id);
    return out;
  };
  EXPECT_EQ(page({"shop-a", "", "", "", 50}), (std::vector<std::string>{"ord_A", "ord_C"}));
  EXPECT_EQ(page({"shop-b", "", "", "", 50}), (std::vector<std::string>{"ord_B", "ord_D"}));
  EXPECT_EQ(page({"tpl-east", "", "", "", 2}), (std::vector<std::string>{"ord_A", "ord_B"}));
  EXPECT_EQ(page({"tpl-east", "", "", "ord_B", 2}), (std::vector<std::string>{"ord_C", "ord_D"}));
  EXPECT_EQ(page({"", "shipped", "", "", 50}), (std::vector<std::string>{"ord_D"}));
  EXPECT_TRUE(page({"shop", "", "", "", 50}).empty());  // no prefix matches: "shop" ≠ "shop-a"
  auto one = store_->GetOrder("ord_B");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->parties, (std::vector<std::string>{"shop-b", "tpl-east"}));
}

TEST_F(SqliteStoreTest, ReturnsAndInventoryLevels) {
  ReturnRecord ret{"ret_1",
                   "ord_A",
                   "shop",
                   {"shop", "tpl"},
                   "requested",
                   FromUnixMicros(5),
                   R"({"id":"ret_1"})"};
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTx& tx) { return tx.InsertReturn(ret); }).ok());
  EXPECT_EQ(store_->WriteAndWait([&](WriteTx& tx) { return tx.InsertReturn(ret); }).code(),
            StatusCode::kAlreadyExists);
  auto got = store_->GetReturn("ret_1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->parties, ret.parties);
  EXPECT_EQ((*got)->body, ret.body);

  // A report older than the stored one never overwrites it.
  auto put = [&](int64_t on_hand, int64_t as_of) {
    bool applied = false;
    EXPECT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) -> Status {
                      auto r = tx.PutInventoryLevel(
                          {"SKU1", "tpl", on_hand, FromUnixMicros(as_of), FromUnixMicros(9)});
                      if (!r.ok()) return r.status();
                      applied = *r;
                      return Status::Ok();
                    })
                    .ok());
    return applied;
  };
  EXPECT_TRUE(put(10, 100));
  EXPECT_TRUE(put(7, 200));
  EXPECT_FALSE(put(50, 150));  // stale
  EXPECT_FALSE(put(50, 200));  // same time: the first report stands
  auto levels = store_->GetInventory("SKU1");
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 1u);
  EXPECT_EQ((*levels)[0].on_hand, 7);
}

TEST_F(SqliteStoreTest, AnX12TransmissionKeepsItsNumbersAndTakesTheFirst997) {
  auto prepare = [&](const std::string& key, const std::string& order) {
    X12Transmission t;
    Status st = store_->WriteAndWait([&](WriteTx& tx) -> Status {
      auto r = tx.PrepareX12Transmission({key, "tpl-edi", order, "940", 0, 0, FromUnixMicros(5)});
      if (!r.ok()) return r.status();
      t = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return t;
  };
  X12Transmission first = prepare("dispatch-o1-tpl-edi", "o1");
  EXPECT_EQ(first.interchange, 1);
  EXPECT_EQ(first.group, 1);
  EXPECT_FALSE(first.sent_at.has_value());
  X12Transmission again = prepare("dispatch-o1-tpl-edi", "o1");  // a retried command
  EXPECT_EQ(again.interchange, 1);
  EXPECT_EQ(prepare("dispatch-o2-tpl-edi", "o2").interchange, 2);
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    return tx.MarkX12Sent("dispatch-o1-tpl-edi", FromUnixMicros(9));
                  })
                  .ok());
  EXPECT_EQ(prepare("dispatch-o1-tpl-edi", "o1").sent_at, FromUnixMicros(9));
  auto ack = [&](int64_t group, const std::string& verdict) {
    std::optional<X12Transmission> t;
    EXPECT_TRUE(store_
                    ->WriteAndWait([&](WriteTx& tx) -> Status {
                      auto r = tx.AckX12Group("tpl-edi", group, verdict, FromUnixMicros(20));
                      if (!r.ok()) return r.status();
                      t = *r;
                      return Status::Ok();
                    })
                    .ok());
    return t;
  };
  auto acked = ack(2, "A");
  ASSERT_TRUE(acked.has_value());
  EXPECT_EQ(acked->order_id, "o2");
  EXPECT_TRUE(acked->newly_acked);
  auto later = ack(2, "R");
  EXPECT_EQ(later->ack, "A");  // the first verdict stands
  EXPECT_FALSE(later->newly_acked);
  EXPECT_FALSE(ack(77, "A").has_value());
  Reopen();
  auto listed = store_->ListX12Transmissions("tpl-edi", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].order_id, "o2");
  EXPECT_EQ((*listed)[0].acked_at, FromUnixMicros(20));
  EXPECT_EQ((*listed)[1].sent_at, FromUnixMicros(9));
}

TEST_F(SqliteStoreTest, X12ControlNumbersAreNeverReused) {
  auto next = [&](const std::string& partner) {
    X12ControlNumbers n;
    Status st = store_->WriteAndWait([&](WriteTx& tx) -> Status {
      auto r = tx.NextX12ControlNumbers(partner);
      if (!r.ok()) return r.status();
      n = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n.interchange;
  };
  EXPECT_EQ(next("tpl-edi"), 1);
  EXPECT_EQ(next("tpl-edi"), 2);
  EXPECT_EQ(next("other"), 1);  // per partner
  // A transaction that fails gives its number back: nothing used it.
  Status failed = store_->WriteAndWait([&](WriteTx& tx) -> Status {
    auto r = tx.NextX12ControlNumbers("tpl-edi");
    if (!r.ok()) return r.status();
    return Unavailable("the interchange could not be recorded");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(next("tpl-edi"), 3);
  Reopen();  // survives a restart
  EXPECT_EQ(next("tpl-edi"), 4);
  // At the end of the range, an error rather than a wrap to numbers already used.
  store_.reset();  // edit the file directly, as an operator with sqlite3 could
  {
    auto db = sqlite::Db::Open((dir_ / "crossdock.db").string(), false);
    ASSERT_TRUE(db.ok());
    Status st = (*db)->Exec(
        "UPDATE x12_control_numbers SET interchange = 999999999 WHERE partner = 'tpl-edi'");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Reopen();
  Status exhausted = store_->WriteAndWait(
      [&](WriteTx& tx) -> Status { return tx.NextX12ControlNumbers("tpl-edi").status(); });
  EXPECT_EQ(exhausted.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// docs/inventory.md: the stock ledger over random event sequences. Each round makes a random
// history per (SKU, node): counts (some stale, some taken after later shipments), reservations,
// releases, shipments and adjustments, then applies it to a fresh store in two different
// orders. Properties:
//   conservation   shipped = Σ consumed + Σ shipped unreserved; reserved = Σ reserved − Σ released
//   − Σ consumed
//                  (the history never releases more than it reserved); on hand = the newest
//                  count + the adjustments − the consumptions dated after it (all of them
//                  without a count);
//   order          the final positions do not depend on the order of arrival (a stale count
//                  never overwrites a fresh one, a late count never brings back shipped goods).
TEST_F(SqliteStoreTest, StockLedgerConservesAndIgnoresArrivalOrder) {
  struct Event {
    bool count = false;
    StockChange change;    // when not a count
    InventoryLevel level;  // when a count
  };
  std::mt19937_64 rng(20261128);
  int rounds = 0, events_applied = 0;
  for (int round = 0; round < 25; ++round) {
    std::vector<Event> history;
    struct Expect {
      int64_t reserved = 0, shipped = 0;
      std::optional<std::pair<int64_t, int64_t>> newest_count;  // (as_of, on hand)
      std::vector<std::pair<int64_t, int64_t>> on_hand_moves;   // (at, ± units)
    };
    std::map<std::pair<std::string, std::string>, Expect> expect;
    for (int i = 0; i < 120; ++i) {
      std::string sku = "SKU-" + std::to_string(rng() % 3);
      std::string node = "node-" + std::to_string(rng() % 2);
      Expect& e = expect[{sku, node}];
      int64_t at = 1'000 + static_cast<int64_t>(rng() % 10'000);  // times overlap on purpose
      int64_t q = 1 + static_cast<int64_t>(rng() % 5);
      Event ev;
      switch (rng() % 6) {
        case 0:
          ev.count = true;
          ev.level = {sku, node, static_cast<int64_t>(rng() % 100), FromUnixMicros(at),
                      FromUnixMicros(at)};
          // Two counts of one time: the first to arrive stands, so give each its own time.
          if (e.newest_count && e.newest_count->first == at) continue;
          if (!e.newest_count || at > e.newest_count->first)
            e.newest_count = {at, ev.level.on_hand};
          break;
        case 1:
          ev.change = {sku, node, StockChange::Kind::kReserve, q, FromUnixMicros(at), "test"};
          e.reserved += q;
          break;
        case 2:
          if (e.reserved < q) continue;  // never release what is not reserved
          ev.change = {sku, node, StockChange::Kind::kRelease, q, FromUnixMicros(at), "test"};
          e.reserved -= q;
          break;
        case 3:
          if (e.reserved < q) continue;  // shipments consume reserved units
          ev.change = {sku, node, StockChange::Kind::kConsume, q, FromUnixMicros(at), "test"};
          e.reserved -= q;
          e.shipped += q;
          e.on_hand_moves.push_back({at, -q});
          break;
        case 4:  // units that left without a reservation (shipped after a cancellation)
          ev.change = {sku, node, StockChange::Kind::kShip, q, FromUnixMicros(at), "test"};
          e.shipped += q;
          e.on_hand_moves.push_back({at, -q});
          break;
        default: {
          int64_t signed_q = rng() % 2 ? q : -q;
          ev.change = {sku, node, StockChange::Kind::kAdjust, signed_q, FromUnixMicros(at), "test"};
          e.on_hand_moves.push_back({at, signed_q});
        }
      }
      history.push_back(ev);
    }
    // Reservation events must stay in order (a release follows its reservation); counts,
    // shipments and adjustments may arrive in any order: shuffle those among themselves.
    auto apply_all = [&](const std::vector<Event>& events) {
      Reopen();
      for (const auto& ev : events) {
        Status st = store_->WriteAndWait([&](WriteTx& tx) -> Status {
          if (!ev.count) return tx.ApplyStock(ev.change);
          return tx.PutInventoryLevel(ev.level).status();
        });
        ASSERT_TRUE(st.ok()) << st.ToString();
      }
      ++events_applied;
    };
    auto positions = [&] {
      std::map<std::pair<std::string, std::string>, InventoryLevel> out;
      for (int s = 0; s < 3; ++s) {
        auto levels = store_->GetInventory("SKU-" + std::to_string(s));
        EXPECT_TRUE(levels.ok());
        for (const auto& l : *levels) out[{l.sku, l.node}] = l;
      }
      return out;
    };
    fs::remove_all(dir_ / "crossdock.db");
    apply_all(history);
    auto first = positions();
    std::vector<Event> shuffled = history;
    std::vector<size_t> movable;
    for (size_t i = 0; i < shuffled.size(); ++i) {
      auto k = shuffled[i].change.kind;
      if (shuffled[i].count || k == StockChange::Kind::kAdjust) movable.push_back(i);
    }
    std::vector<Event> moved;
    for (size_t i : movable) moved.push_back(shuffled[i]);
    std::shuffle(moved.begin(), moved.end(), rng);
    for (size_t j = 0; j < movable.size(); ++j) shuffled[movable[j]] = moved[j];
    store_.reset();
    fs::remove_all(dir_ / "crossdock.db");
    apply_all(shuffled);
    auto second = positions();
    for (const auto& [key, e] : expect) {
      SCOPED_TRACE(key.first + "@" + key.second + " round " + std::to_string(round));
      ASSERT_TRUE(first.count(key) || (e.reserved == 0 && e.shipped == 0 && !e.newest_count &&
                                       e.on_hand_moves.empty()));
      if (!first.count(key)) continue;
      const InventoryLevel& got = first.at(key);
      EXPECT_EQ(got.reserved, e.reserved);
      EXPECT_EQ(got.shipped, e.shipped);
      int64_t on_hand = e.newest_count ? e.newest_count->second : 0;
      for (const auto& [at, q] : e.on_hand_moves) {
        if (!e.newest_count || at > e.newest_count->first) on_hand += q;
      }
      EXPECT_EQ(got.on_hand, on_hand);
      ASSERT_TRUE(second.count(key));
      EXPECT_EQ(second.at(key).on_hand, got.on_hand) << "arrival order changed the on-hand";
      EXPECT_EQ(second.at(key).shipped, got.shipped);
      EXPECT_EQ(second.at(key).reserved, got.reserved);
    }
    ++rounds;
  }
  std::cout << "stock ledger: " << rounds << " random histories, each applied in " << 2
            << " orders (" << events_applied << " runs), every position conserved\n";
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST_F(SqliteStoreTest, AChannelsAcknowledgedFiguresAreKeptPerSku) {
  auto record = [&](const std::string& channel, const std::string& sku, int64_t value) {
    Status st = store_->WriteAndWait(
        [&](WriteTx& tx) { return tx.RecordPublication(channel, sku, value, FromUnixMicros(9)); });
    EXPECT_TRUE(st.ok()) << st.ToString();
  };
  record("web", "SKU-1", 5);
  record("web", "SKU-2", 0);
  record("web", "SKU-1", 3);  // the newer acknowledgement replaces the older
  record("b2b", "SKU-1", 40);
  auto web = store_->ListPublications("web");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(*web, (std::map<std::string, int64_t>{{"SKU-1", 3}, {"SKU-2", 0}}));
  EXPECT_EQ(store_->ListPublications("b2b")->at("SKU-1"), 40);
  EXPECT_TRUE(store_->ListPublications("none")->empty());
}

}  // namespace
}  // namespace crossdock
