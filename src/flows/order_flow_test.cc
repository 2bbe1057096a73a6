#include "flows/order_flow.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "codecs/canonical_json.h"
#include "flows/order_state.h"
#include "model/order_generator.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

class OrderFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crossdock_flow_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open({(dir_ / "db").string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_,
                                        OrderFlowOptions{RoutingPolicy{{}, "tpl-east"}});
  }
  void TearDown() override {
    flow_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // `random`: the trace ids' source; each thread that submits needs its own.
  SubmitOutcome Submit(const Order& o, const std::string& key, const std::string& hash,
                       Random* random = nullptr) {
    std::promise<Result<SubmitOutcome>> p;
    SubmitRequest req{o, "shop", key, hash, TraceContext::NewRoot(random ? *random : random_)};
    flow_->Submit(
        req,
        [](const Order& o, const std::string& json) {
          return StoredResponse{201, json, "/v1/orders/" + o.id};
        },
        [&](Result<SubmitOutcome> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SubmitOutcome{};
  }
  ShipmentOutcome Ship(const Shipment& s) {
    std::promise<Result<ShipmentOutcome>> p;
    flow_->ApplyShipment("tpl-east", s, TraceContext::NewRoot(random_),
                         [&](Result<ShipmentOutcome> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ShipmentOutcome{};
  }

  // Counts for every (node, SKU) in `facts`, as the nodes would report them.
  void PutStock(const RoutingFacts& facts) {
    ASSERT_TRUE(
        store_
            ->WriteAndWait([&](WriteTx& tx) {
              for (const auto& [node, skus] : facts.on_hand) {
                for (const auto& [sku, qty] : skus) {
                  auto put = tx.PutInventoryLevel({sku, node, qty, clock_.Now(), clock_.Now()});
                  if (!put.ok()) return put.status();
                }
              }
              return Status::Ok();
            })
            .ok());
  }
  // Every node's position of `sku`.
  std::map<std::string, InventoryLevel> Stock(const std::string& sku) {
    std::map<std::string, InventoryLevel> out;
    auto levels = store_->GetInventory(sku);
    EXPECT_TRUE(levels.ok());
    if (levels.ok()) {
      for (const auto& l : *levels) out[l.node] = l;
    }
    return out;
  }

  fs::path dir_;
  ManualClock clock_;
  SeededRandom random_{1};
  IdGenerator ids_{clock_, random_};
  MetricsRegistry metrics_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<OrderFlow> flow_;
  OrderGenerator gen_{21, "web", "F"};
};

TEST_F(OrderFlowTest, SubmitPersistsOrderHistoryEventsAndOutboxTogether) {
  Order o = gen_.Next();
  SubmitOutcome out = Submit(o, "k1", "h1");
  ASSERT_EQ(out.kind, SubmitOutcome::Kind::kCreated);
  EXPECT_EQ(out.response.status, 201);
  auto rec = store_->GetOrder(out.order_id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->order.status, OrderStatus::kAllocated);
  EXPECT_EQ((*rec)->order.partner, "shop");
  EXPECT_EQ(store_->GetHistory(out.order_id)->size(), 2u);
  auto events = store_->ReadEvents(0, 10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].type, "dev.crossdock.order.allocated.v1");
  EXPECT_EQ((*events)[1].subject, out.order_id);
  EXPECT_EQ(store_->Stats()->outbox_pending, 1);
  EXPECT_EQ(metrics_.GetCounter("crossdock_orders_received_total", "").value(), 1u);
}

TEST_F(OrderFlowTest, IdempotencyReplayMismatchAndDuplicateExternalRef) {
  Order o = gen_.Next();
  SubmitOutcome first = Submit(o, "k1", "h1");
  SubmitOutcome replay = Submit(o, "k1", "h1");
  EXPECT_EQ(replay.kind, SubmitOutcome::Kind::kReplayed);
  EXPECT_EQ(replay.response.body, first.response.body);
  EXPECT_EQ(replay.response.location, first.response.location);
  EXPECT_EQ(Submit(o, "k1", "h2").kind, SubmitOutcome::Kind::kKeyReused);
  SubmitOutcome dup = Submit(o, "k2", "h1");
  EXPECT_EQ(dup.kind, SubmitOutcome::Kind::kDuplicateExternalRef);
  EXPECT_EQ(dup.order_id, first.order_id);
  EXPECT_EQ(store_->Stats()->orders, 1);
  EXPECT_EQ(store_->Stats()->outbox_pending, 1);
}

TEST_F(OrderFlowTest, AckThenShipmentAppliedOnceByPartnerEventId) {
  Order o = gen_.Next();
  SubmitOutcome created = Submit(o, "k1", "h1");
  // Delivery claims the command and reports success in one transaction.
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    auto items = tx.ClaimOutbox(clock_.Now(),
                                                clock_.Now() + std::chrono::seconds(30), 10, {});
                    if (!items.ok()) return items.status();
                    EXPECT_EQ(items->size(), 1u);
                    CROSSDOCK_RETURN_IF_ERROR(tx.CompleteOutbox((*items)[0].id, 1));
                    return flow_->OnDelivered(tx, (*items)[0], R"({"node_ref":"WH-77"})");
                  })
                  .ok());
  auto rec = store_->GetOrder(created.order_id);
  EXPECT_EQ((*rec)->order.status, OrderStatus::kDispatched);

  Shipment s;
  s.order_id = created.order_id;
  s.partner_event_id = "ship-1";
  Package p;
  for (const auto& l : (*rec)->order.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
  s.packages.push_back(p);
  ShipmentOutcome a = Ship(s);
  EXPECT_FALSE(a.duplicate);
  EXPECT_EQ(a.status, "shipped");
  ShipmentOutcome b = Ship(s);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(store_->GetHistory(created.order_id)->back().type, "order.shipped");
  EXPECT_EQ(store_->GetHistory(created.order_id)->size(), 4u);
  EXPECT_EQ(metrics_.GetCounter("crossdock_orders_shipped_total", "").value(), 1u);
}

TEST_F(OrderFlowTest, RejectedShipmentLeavesNoDedupMark) {
  Order o = gen_.Next();
  SubmitOutcome created = Submit(o, "k1", "h1");
  Shipment s;
  s.order_id = created.order_id;
  s.partner_event_id = "ship-1";
  s.packages.push_back({"", "", "", {{"nope", "", 1}}});
  ShipmentOutcome bad = Ship(s);
  ASSERT_TRUE(bad.rejection.has_value());
  EXPECT_EQ(bad.rejection->errors[0].pointer, "/packages/0/lines/0/line_id");
  // The corrected resend with the same event id is applied, not treated as a duplicate.
  s.packages[0].lines = {{o.lines[0].line_id, o.lines[0].sku, 1}};
  ShipmentOutcome good = Ship(s);
  EXPECT_FALSE(good.duplicate);
  EXPECT_FALSE(good.rejection.has_value());
}

TEST_F(OrderFlowTest, ShipmentForUnknownOrderIsNotFound) {
  Shipment s;
  s.order_id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  s.partner_event_id = "x";
  s.packages.push_back({"", "", "", {{"1", "", 1}}});
  ShipmentOutcome out = Ship(s);
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->status.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A split order is stored whole (its dispatches carry only each node's lines), is visible to
// both nodes, and its two dispatches go out side by side (one sequence per node).
TEST_F(OrderFlowTest, ASplitOrderIsStoredWholeAndDispatchedToEachNode) {
  OrderPolicy policy;
  policy.routing.rules.push_back(RoutingRule{.nodes = {"tpl-east", "tpl-west"}});
  policy.routing.require_stock = policy.routing.allow_split = true;
  OrderFlowOptions options{policy};
  options.routing_facts = [](const Order& o, bool) {
    RoutingFacts f;  // east has the first line's units, west everything else
    for (size_t i = 0; i < o.lines.size(); ++i) {
      f.on_hand[i == 0 ? "tpl-east" : "tpl-west"][o.lines[i].sku] += o.lines[i].quantity;
    }
    return f;
  };
  flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, options);
  Order o = gen_.Next();
  while (o.lines.size() < 2) o = gen_.Next();
  PutStock(options.routing_facts(o, true));  // the ledger agrees with the facts
  SubmitOutcome out = Submit(o, "k-split", "h-split");
  auto rec = store_->GetOrder(out.order_id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->order.lines.size(), o.lines.size());
  EXPECT_EQ((*rec)->parties, (std::vector<std::string>{"shop", "tpl-east", "tpl-west"}));
  auto flow = DecodeFlowState((*rec)->flow_state);
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->Nodes(), "tpl-east+tpl-west");
  std::vector<OutboxItem> claimed;
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTx& tx) {
                    auto c = tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::minutes(1),
                                            10, {});
                    if (!c.ok()) return c.status();
                    claimed = *c;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].destination, "node:tpl-east");
  EXPECT_EQ(claimed[1].destination, "node:tpl-west");
  auto east = DecodeOrder(claimed[0].payload,
                          DecodeOptions{.allow_server_fields = true, .validate = false});
  ASSERT_TRUE(east.value.has_value());
  EXPECT_EQ(east.value->lines.size(), 1u);
  EXPECT_EQ(east.value->lines[0].line_id, o.lines[0].line_id);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// No oversell under concurrent orders: 40 orders for the last 10 units arrive at once from
// four threads, each decided on stale facts that promise all 10 to every order. The writer
// re-decides on the stock its transaction sees: exactly 10 are allocated, 30 wait for stock,
// and the ledger reserves 10. A cancellation releases a unit, which a waiting order then takes.
TEST_F(OrderFlowTest, ConcurrentOrdersNeverReserveMoreThanIsOnHand) {
  OrderPolicy policy;
  policy.routing.default_node = "tpl-east";
  policy.routing.require_stock = policy.routing.backorder = true;
  OrderFlowOptions options{policy};
  options.routing_facts = [](const Order&, bool) {
    RoutingFacts f;
    f.on_hand["tpl-east"]["LAST-UNITS"] = 10;  // stale: never less
    return f;
  };
  flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, options);
  RoutingFacts stock;
  stock.on_hand["tpl-east"]["LAST-UNITS"] = 10;
  PutStock(stock);
  std::vector<Order> orders;
  for (int i = 0; i < 40; ++i) {
    Order o = gen_.Next();
    o.lines.resize(1);
    o.lines[0].sku = "LAST-UNITS";
    o.lines[0].quantity = 1;
    orders.push_back(o);
  }
  std::vector<std::thread> threads;
  std::vector<SubmitOutcome> outcomes(orders.size());
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      SeededRandom random(100 + t);
      for (size_t i = t; i < orders.size(); i += 4) {
        outcomes[i] =
            Submit(orders[i], "k-" + std::to_string(i), "h-" + std::to_string(i), &random);
      }
    });
  }
  for (auto& th : threads) th.join();
  int allocated = 0, backordered = 0;
  std::string first_allocated;
  for (const auto& out : outcomes) {
    ASSERT_EQ(out.kind, SubmitOutcome::Kind::kCreated);
    auto rec = store_->GetOrder(out.order_id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    OrderStatus s = *(*rec)->order.status;
    if (s == OrderStatus::kAllocated) {
      ++allocated;
      if (first_allocated.empty()) first_allocated = out.order_id;
    }
    if (s == OrderStatus::kBackordered) ++backordered;
  }
  EXPECT_EQ(allocated, 10);
  EXPECT_EQ(backordered, 30);
  InventoryLevel east = Stock("LAST-UNITS").at("tpl-east");
  EXPECT_EQ(east.on_hand, 10);
  EXPECT_EQ(east.reserved, 10);
  // A cancellation releases its unit; the next backorder retry takes it, and no more.
  std::promise<Result<CancelOutcome>> cancelled;
  flow_->RequestCancel(first_allocated, CancelRequested{"shop", "changed mind"},
                       TraceContext::NewRoot(random_),
                       [&](Result<CancelOutcome> r) { cancelled.set_value(std::move(r)); });
  ASSERT_TRUE(cancelled.get_future().get().ok());
  EXPECT_EQ(Stock("LAST-UNITS").at("tpl-east").reserved, 9);
  std::promise<Result<int>> retried;
  flow_->RetryBackorders([&](Result<int> r) { retried.set_value(std::move(r)); });
  auto n = retried.get_future().get();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Stock("LAST-UNITS").at("tpl-east").reserved, 10);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A retry (same Idempotency-Key, same body) of an order that took the last units gets the
// answer of the first request, even though its own reservation now leaves no stock.
TEST_F(OrderFlowTest, ARetryOfAnOrderThatTookTheLastUnitsIsReplayed) {
  OrderPolicy policy;
  policy.routing.default_node = "tpl-east";
  policy.routing.require_stock = true;  // and no backorder: no stock is a refusal
  OrderFlowOptions options{policy};
  Order o = gen_.Next();
  o.lines.resize(1);
  o.lines[0].quantity = 3;
  RoutingFacts stock;
  stock.on_hand["tpl-east"][o.lines[0].sku] = 3;
  options.routing_facts = [this](const Order& order, bool) {
    RoutingFacts f;  // what the ledger says now (available)
    for (const auto& [node, level] : Stock(order.lines[0].sku)) {
      f.on_hand[node][level.sku] = level.available();
    }
    return f;
  };
  flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, options);
  PutStock(stock);
  SubmitOutcome first = Submit(o, "k-last", "h-last");
  ASSERT_EQ(first.kind, SubmitOutcome::Kind::kCreated);
  SubmitOutcome again = Submit(o, "k-last", "h-last");
  EXPECT_EQ(again.kind, SubmitOutcome::Kind::kReplayed);
  EXPECT_EQ(again.response.status, 201);
  EXPECT_EQ(again.response.body, first.response.body);
  // Another order for the same units is refused, and its key stays free.
  Order other = gen_.Next();
  other.lines = o.lines;
  SubmitOutcome refused = Submit(other, "k-other", "h-other");
  EXPECT_EQ(refused.kind, SubmitOutcome::Kind::kRejected);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A channel's safety stock holds under concurrent orders: 40 one-unit web orders for 10 units,
// of which web keeps 3 back, each decided on stale facts that promise all 10, allocate exactly 7,
// and the rest wait (web may backorder though the routing policy does not). An order of a channel
// with no stock policy may take the 3.
TEST_F(OrderFlowTest, ConcurrentOrdersOfAChannelNeverReachIntoItsSafetyStock) {
  OrderPolicy policy;
  policy.routing.default_node = "tpl-east";
  policy.routing.require_stock = true;
  policy.routing.channels["web"] = {{"tpl-east"}, 3, true};
  OrderFlowOptions options{policy};
  options.routing_facts = [](const Order&, bool) {
    RoutingFacts f;
    f.on_hand["tpl-east"]["LAST-UNITS"] = 10;  // stale: never less
    return f;
  };
  flow_ = std::make_unique<OrderFlow>(*store_, clock_, ids_, metrics_, options);
  RoutingFacts stock;
  stock.on_hand["tpl-east"]["LAST-UNITS"] = 10;
  PutStock(stock);
  std::vector<Order> orders;
  for (int i = 0; i < 40; ++i) {
    Order o = gen_.Next();
    o.channel = "web";
    o.lines.resize(1);
    o.lines[0].sku = "LAST-UNITS";
    o.lines[0].quantity = 1;
    orders.push_back(o);
  }
  std::vector<std::thread> threads;
  std::vector<SubmitOutcome> outcomes(orders.size());
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      SeededRandom random(200 + t);
      for (size_t i = t; i < orders.size(); i += 4) {
        outcomes[i] =
            Submit(orders[i], "k-" + std::to_string(i), "h-" + std::to_string(i), &random);
      }
    });
  }
  for (auto& th : threads) th.join();
  int allocated = 0, backordered = 0;
  for (const auto& out : outcomes) {
    ASSERT_EQ(out.kind, SubmitOutcome::Kind::kCreated);
    auto rec = store_->GetOrder(out.order_id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    OrderStatus s = *(*rec)->order.status;
    allocated += s == OrderStatus::kAllocated;
    backordered += s == OrderStatus::kBackordered;
  }
  EXPECT_EQ(allocated, 7);
  EXPECT_EQ(backordered, 33);
  EXPECT_EQ(Stock("LAST-UNITS").at("tpl-east").reserved, 7);
  Order b2b = gen_.Next();
  b2b.channel = "b2b";
  b2b.lines.resize(1);
  b2b.lines[0].sku = "LAST-UNITS";
  b2b.lines[0].quantity = 3;
  SubmitOutcome out = Submit(b2b, "k-b2b", "h-b2b");
  auto rec = store_->GetOrder(out.order_id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ(*(*rec)->order.status, OrderStatus::kAllocated);
  EXPECT_EQ(Stock("LAST-UNITS").at("tpl-east").reserved, 10);
}

}  // namespace
}  // namespace crossdock
