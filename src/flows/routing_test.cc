#include "flows/routing.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(RoutingTest, FirstMatchingRuleWinsElseDefault) {
  RoutingPolicy p{
      {{"", "CA", "", "tpl-north"}, {"b2b", "", "", "dc-own"}, {"", "", "express", "tpl-fast"}},
      "tpl-east"};
  Order o;
  o.channel = "web";
  o.ship_to.country = "US";
  EXPECT_EQ(Route(o, p)->node, "tpl-east");
  EXPECT_EQ(Route(o, p)->why, "default node");
  o.service_level = "express";
  EXPECT_EQ(Route(o, p)->node, "tpl-fast");
  EXPECT_EQ(Route(o, p)->why, "rule 3 (service_level=express)");
  o.channel = "b2b";
  EXPECT_EQ(Route(o, p)->node, "dc-own");
  o.ship_to.country = "CA";
  EXPECT_EQ(Route(o, p)->node, "tpl-north");
}

TEST(RoutingTest, NoMatchAndNoDefaultIsNotFound) {
  RoutingPolicy p{{{"", "CA", "", "tpl-north"}}, ""};
  Order o;
  o.ship_to.country = "US";
  auto r = Route(o, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

Order TwoLines() {
  Order o;
  o.channel = "web";
  o.ship_to.country = "US";
  o.ship_to.region = "NV";
  o.lines = {{"1", "SKU-A", "", 5, {}, {}, {}}, {"2", "SKU-B", "", 1, {}, {}, {}}};
  return o;
}

TEST(RoutingTest, RegionRuleRanksCandidatesByPriorityThenCost) {
  RoutingPolicy p;
  RoutingRule west;
  west.ship_to_region = "NV";
  west.nodes = {"tpl-reno", "dc-vegas", "tpl-la"};
  p.rules = {west};
  p.preferences["tpl-la"] = {0, *Decimal::Parse("4.10")};
  p.preferences["dc-vegas"] = {0, *Decimal::Parse("3.20")};
  p.preferences["tpl-reno"] = {1, *Decimal::Parse("1.00")};  // cheapest, but a lower priority
  auto r = Route(TwoLines(), p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->node, "dc-vegas");
  EXPECT_EQ(r->why, "rule 1 (region=NV)");
}

TEST(RoutingTest, UnhealthyAndOutOfStockNodesAreSkippedWithReasons) {
  RoutingPolicy p;
  RoutingRule all;
  all.nodes = {"a", "b", "c"};
  p.rules = {all};
  p.require_stock = true;
  RoutingFacts f;
  f.unhealthy = {"a"};
  f.on_hand["b"] = {{"SKU-A", 4}, {"SKU-B", 9}};
  f.on_hand["c"] = {{"SKU-A", 5}, {"SKU-B", 1}};
  auto r = Route(TwoLines(), p, f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->node, "c");
  EXPECT_EQ(r->why, "rule 1 (any order); skipped a: circuit open; b: 4 of SKU-A on hand, 5 needed");
  // Health can be ignored by policy.
  p.skip_unhealthy = false;
  f.on_hand["a"] = {{"SKU-A", 50}, {"SKU-B", 50}};
  EXPECT_EQ(Route(TwoLines(), p, f)->node, "a");
}

TEST(RoutingTest, StockShortfallIsToldApartFromOtherObstacles) {
  RoutingPolicy p;
  p.default_node = "a";
  p.require_stock = true;
  bool short_of_stock = false;
  auto r = Route(TwoLines(), p, {}, &short_of_stock);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(short_of_stock);
  EXPECT_EQ(r.status().message(),
            "no candidate of default node can take the order: a: 0 of SKU-A on hand, 5 needed");
  // A node with the stock whose circuit is open is kept when it is the only one: the order
  // waits in its outbox rather than being refused.
  RoutingFacts down;
  down.unhealthy = {"a"};
  down.on_hand["a"] = {{"SKU-A", 5}, {"SKU-B", 1}};
  auto kept = Route(TwoLines(), p, down, &short_of_stock);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->node, "a");
  EXPECT_EQ(kept->why, "default node; every candidate's circuit is open, kept a");
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST(RoutingTest, SplitsByLineOnlyWhenAllowedAndEveryLineFindsANode) {
  RoutingPolicy p;
  p.rules = {RoutingRule{.nodes = {"tpl-reno", "dc-vegas"}}};
  p.require_stock = true;
  RoutingFacts facts;
  facts.on_hand["tpl-reno"] = {{"SKU-A", 5}};  // line 1 (5 × A) only
  facts.on_hand["dc-vegas"] = {{"SKU-B", 9}};  // line 2 (1 × B) only
  bool stock_short = false;
  EXPECT_FALSE(Route(TwoLines(), p, facts, &stock_short).ok());  // splits not allowed
  EXPECT_TRUE(stock_short);
  p.allow_split = true;
  auto r = Route(TwoLines(), p, facts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->node, "");
  EXPECT_EQ(r->parts, (std::vector<RoutePart>{{"tpl-reno", {"1"}}, {"dc-vegas", {"2"}}}));
  EXPECT_EQ(DescribeParts(r->parts), "tpl-reno[1]+dc-vegas[2]");
  EXPECT_NE(r->why.find("split tpl-reno[1]+dc-vegas[2]"), std::string::npos) << r->why;
  // A node named twice is one candidate: it never takes two shares of its one stock.
  p.rules = {RoutingRule{.node = "tpl-reno", .nodes = {"tpl-reno", "dc-vegas"}}};
  facts.on_hand["tpl-reno"] = {{"SKU-A", 5}, {"SKU-B", 0}};
  Order twice = TwoLines();
  twice.lines[1].sku = "SKU-A";  // 5 × A and 1 × A: reno has 5
  twice.lines[1].quantity = 1;
  facts.on_hand["dc-vegas"]["SKU-A"] = 1;
  r = Route(twice, p, facts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->parts, (std::vector<RoutePart>{{"tpl-reno", {"1"}}, {"dc-vegas", {"2"}}}));
  p.rules = {RoutingRule{.nodes = {"tpl-reno", "dc-vegas"}}};
  facts.on_hand["tpl-reno"] = {{"SKU-A", 5}};
  facts.on_hand["dc-vegas"] = {{"SKU-B", 9}};
  // A node with every line still takes the whole order.
  facts.on_hand["dc-vegas"]["SKU-A"] = 5;
  r = Route(TwoLines(), p, facts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->parts, (std::vector<RoutePart>{{"dc-vegas", {}}}));
  // An unhealthy node takes no share; a line nobody can fill means no split at all.
  facts.on_hand["dc-vegas"].erase("SKU-A");
  facts.unhealthy = {"dc-vegas"};
  stock_short = false;
  r = Route(TwoLines(), p, facts, &stock_short);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no split covers every line"), std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A channel's stock policy: its orders go to its own nodes only, and no further than its
// available to promise (the nodes' stock less the safety stock) reaches.
TEST(RoutingTest, AChannelSellsFromItsNodesAndKeepsItsSafetyStock) {
  RoutingPolicy p;
  p.rules = {{"", "", "", "", "", {"east", "west"}}};
  p.require_stock = true;
  p.channels["web"] = {{"west"}, 2, std::nullopt};
  Order o;
  o.channel = "web";
  o.lines = {{"1", "SKU-A", "", 3}};
  RoutingFacts facts;
  facts.on_hand["east"] = {{"SKU-A", 100}};
  facts.on_hand["west"] = {{"SKU-A", 5}};
  auto r = Route(o, p, facts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->node, "west");
  EXPECT_EQ(r->why, "rule 1 (any order); skipped east: does not sell to channel web");
  // 4 at west less 2 held back leaves 2 to promise: 3 is short of stock, though east has 100.
  facts.on_hand["west"]["SKU-A"] = 4;
  bool short_of_stock = false;
  auto shortage = Route(o, p, facts, &short_of_stock);
  ASSERT_FALSE(shortage.ok());
  EXPECT_TRUE(short_of_stock);
  EXPECT_EQ(shortage.status().message(),
            "no candidate of rule 1 (any order) can take the order: channel web may promise 2 "
            "of SKU-A (safety stock 2), 3 needed");
  // Another channel is not bound by web's policy.
  o.channel = "b2b";
  EXPECT_EQ(Route(o, p, facts)->node, "east");
  // Without require_stock the channel's policy is not applied: stock is not known.
  p.require_stock = false;
  o.channel = "web";
  EXPECT_EQ(Route(o, p, facts)->node, "east");
}

TEST(RoutingTest, AChannelsBackorderFlagOverridesThePolicys) {
  RoutingPolicy p;
  p.backorder = false;
  p.channels["web"] = {{}, 0, true};
  p.channels["b2b"] = {{}, 0, std::nullopt};
  p.channels["edi"] = {{}, 0, false};
  EXPECT_TRUE(BackorderAllowed(p, "web"));
  EXPECT_FALSE(BackorderAllowed(p, "b2b"));
  EXPECT_FALSE(BackorderAllowed(p, "other"));
  p.backorder = true;
  EXPECT_TRUE(BackorderAllowed(p, "b2b"));
  EXPECT_TRUE(BackorderAllowed(p, "other"));
  EXPECT_FALSE(BackorderAllowed(p, "edi"));
}

}  // namespace
}  // namespace crossdock
