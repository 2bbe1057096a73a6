// docs/reliability.md R10: the replay corpus. Every history in tests/replay/histories holds a
// policy, a sequence of decider inputs and, for each, the outcome recorded when the history was
// made (status, flow state, events and commands, or the refusal). The current build must reproduce
// every outcome: status, events and commands byte for byte, and the flow state as the same state
// (histories recorded before a state encoding changed hold the older encoding, which must decode
// to what the current build decides): 0 divergences.
//
// The corpus is recorded by this file from the scripts in kScenarios, played on real orders
// (the golden canonical, Shopify, WooCommerce and Amazon fixtures):
//   CROSSDOCK_REPLAY_RECORD=1 build/bin/flows_test --gtest_filter='Replay*'
// Re-record only on purpose (a deliberate change of behaviour), and review the diff.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "base/json.h"
#include "codecs/amazon_order.h"
#include "codecs/canonical_json.h"
#include "codecs/shopify_order.h"
#include "codecs/woocommerce_order.h"
#include "flows/history_codec.h"
#include "flows/order_state.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = fs::path(CROSSDOCK_SOURCE_DIR) / "tests/replay/histories";
const fs::path kGolden = fs::path(CROSSDOCK_SOURCE_DIR) / "tests/golden";
const TimePoint kStart = FromUnixMicros(1'795'000'000'000'000);  // 2026-11-18

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One scripted history: a fixture order, ERP or not, and the steps (see Interpreter).
struct Scenario {
  const char* name;
  const char* fixture;  // canonical | shopify | woocommerce | amazon
  bool erp;
  const char* script;
};

constexpr Scenario kScenarios[] = {
    {"happy-path-no-erp", "canonical", false, "submit ack ship:all delivered"},
    {"happy-path-erp", "shopify", true,
     "submit check sale ack picked packed ship:all invoices delivered"},
    {"split-shipment-erp", "canonical", true,
     "submit check sale ack ship:half ship:all invoices delivered"},
    {"three-part-shipment", "woocommerce", true,
     "submit check sale ack ship:first ship:half ship:all invoices delivered"},
    {"ship-before-ack", "amazon", false, "submit ship:all ack delivered"},
    {"late-packed-after-shipped", "shopify", false, "submit ack picked ship:all packed delivered"},
    {"duplicate-milestones", "woocommerce", false,
     "submit ack picked picked ship:all delivered delivered"},
    {"delivered-before-invoices", "canonical", true,
     "submit check sale ack ship:all delivered invoices"},
    {"invoice-before-second-shipment", "canonical", true,
     "submit check sale ack ship:half invoice:1 ship:all invoice:2 delivered"},
    {"unknown-sku-rejected", "shopify", true, "submit check:unknown cancel ack"},
    {"price-outside-tolerance", "woocommerce", true, "submit check:price sale sale_cancelled"},
    {"credit-hold-operator-release", "canonical", true,
     "submit check:credit release sale ack ship:all invoices delivered"},
    {"credit-hold-timer-release", "amazon", true,
     "submit check:credit timer:stale timer sale ack ship:all invoices"},
    {"credit-hold-cancelled", "shopify", true, "submit check:credit cancel release timer"},
    {"cancel-before-erp-answer", "woocommerce", true, "submit cancel check sale sale_cancelled"},
    {"cancel-after-sale", "canonical", true,
     "submit check sale cancel node_cancelled sale_cancelled"},
    {"cancel-after-ack-no-erp", "amazon", false, "submit ack cancel node_cancelled cancel"},
    {"cancel-refused-after-shipment", "canonical", false, "submit ack ship:half cancel ship:all"},
    {"shipment-races-cancel", "canonical", false, "submit ack cancel ship:all resolve"},
    {"dispatch-dead-then-retried", "woocommerce", false, "submit dead ack ship:all delivered"},
    {"dispatch-dead-then-rerouted", "shopify", false,
     "submit dead reroute:tpl-west ack ship:all delivered"},
    {"reroute-after-ack", "amazon", false, "submit ack reroute:tpl-east ack ship:all"},
    {"reroute-refused-after-shipment", "canonical", false, "submit ack ship:half reroute:tpl-west"},
    {"erp-sale-refused-then-resolved", "canonical", true,
     "submit check fail:erp.sale resolve cancel sale_cancelled"},
    {"erp-sale-refused-then-succeeds", "shopify", true, "submit check fail:erp.sale sale ack"},
    {"invoice-failed-then-posted", "woocommerce", true,
     "submit check sale ack ship:all fail:erp.invoice invoices delivered"},
    {"over-shipment-refused", "amazon", false, "submit ack ship:over ship:all"},
    {"ack-from-wrong-node", "canonical", false, "submit ack:tpl-west ack ship:all"},
    {"repeated-erp-answers", "shopify", true, "submit check check sale sale ack ship:all invoices"},
    {"release-when-not-held", "woocommerce", true, "submit check release sale"},
    {"node-cancel-failed", "canonical", false, "submit ack cancel fail:node.cancel resolve"},
    {"partial-then-delivered-early", "amazon", true,
     "submit check sale ack ship:half delivered ship:all invoices"},
    {"resolve-without-exception", "shopify", false, "submit resolve ack ship:all delivered"},
    {"return-restocked-and-credited", "canonical", true,
     "submit check sale ack ship:all invoices delivered return:damaged receive:sellable "
     "receive:sellable credited"},
    {"return-damaged-no-erp", "woocommerce", false,
     "submit ack ship:all delivered return:not_wanted receive:damaged"},
    {"return-refused-reason-then-accepted", "shopify", false,
     "submit ack ship:all return:colour return:damaged receive:sellable"},
    {"backorder-then-stock-arrives", "canonical", false,
     "submit:backorder reallocate:short reallocate:stock ack ship:all delivered"},
    {"split-over-two-nodes-erp", "canonical", true,
     "submit:split check sale ack@tpl-west ack@tpl-east ship:all@tpl-east invoices "
     "delivered@tpl-east ship:half@tpl-west ship:all@tpl-west invoices delivered@tpl-west"},
    {"split-cancelled-at-both-nodes", "woocommerce", false,
     "submit:split ack@tpl-east cancel node_cancelled@tpl-west node_cancelled@tpl-east "
     "ship:all@tpl-east resolve"},
    {"split-share-rerouted", "shopify", false,
     "submit:split ack@tpl-east reroute:tpl-north reroute:tpl-north@tpl-west ack@tpl-west "
     "ack@tpl-north ship:all@tpl-east ship:all@tpl-north delivered@tpl-east delivered@tpl-north"},
    {"fraud-hold-released-then-checked", "amazon", true,
     "submit:fraud timer release check sale ack ship:all invoices delivered"},
    {"fraud-hold-cancelled-no-erp", "woocommerce", false, "submit:fraud cancel release ack"},
};

Order FixtureOrder(const std::string& fixture) {
  if (fixture == "canonical") {
    DecodeOptions opt;
    auto d = DecodeOrder(ReadText(kGolden / "canonical/order_full.json"), opt);
    return *d.value;
  }
  if (fixture == "shopify") {
    return *DecodeShopifyOrder(ReadText(kGolden / "shopify/order_two_lines.json")).value;
  }
  if (fixture == "woocommerce") {
    return *DecodeWooCommerceOrder(ReadText(kGolden / "woocommerce/order_with_skus.json")).value;
  }
  return *DecodeAmazonOrder(ReadText(kGolden / "amazon/order_unshipped.json")).value;
}

OrderPolicy ScenarioPolicy(bool erp, bool stock, bool split, bool fraud) {
  OrderPolicy p;
  p.routing.default_node = "tpl-east";
  p.routing.require_stock = stock || split;
  p.routing.backorder = stock || split;
  p.routing.allow_split = split;
  p.returns.window_days = 30;
  p.returns.reasons = {"damaged", "not_wanted"};
  p.routing.rules.push_back({"amazon", "", "", "tpl-west"});
  if (split) p.routing.rules.push_back(RoutingRule{.nodes = {"tpl-east", "tpl-west"}});
  if (fraud) p.fraud_rules.push_back({"any-order", *Decimal::Parse("0.01"), {}, {}, false});
  if (erp) {
    p.erp.destination = "erp";
    p.erp.price_tolerance_percent = *Decimal::Parse("2");
    p.erp.hold_timeout = std::chrono::hours(4);
  }
  return p;
}

// Turns a script token into the decider input it stands for, given the state so far.
class Interpreter {
 public:
  Interpreter(Order order, std::string order_id) : order_(std::move(order)) {
    order_.id = std::move(order_id);
    order_.partner = "shop";
  }

  // A token is "head[:arg][@node]": @node says which node reports (else the order's first).
  std::vector<OrderInput> Inputs(const std::string& full_token,
                                 const std::optional<OrderAggregate>& state) {
    std::string token = full_token.substr(0, full_token.find('@'));
    std::string at = full_token.find('@') == std::string::npos
                         ? ""
                         : full_token.substr(full_token.find('@') + 1);
    std::string head = token.substr(0, token.find(':'));
    std::string arg = token.find(':') == std::string::npos ? "" : token.substr(token.find(':') + 1);
    const OrderFlowState* f = state ? &state->flow : nullptr;
    std::string node = !at.empty()                    ? at
                       : f && !f->allocations.empty() ? f->allocations[0].node
                                                      : "tpl-east";
    if (head == "submit" && arg == "split") {
      // East has the first line's SKU, west every other line's: neither has all.
      RoutingFacts facts;
      for (size_t i = 0; i < order_.lines.size(); ++i) {
        const OrderLine& l = order_.lines[i];
        facts.on_hand[i == 0 ? "tpl-east" : "tpl-west"][l.sku] += l.quantity;
      }
      split_stock_ = facts;
      return {SubmitOrder{order_, facts}};
    }
    if (head == "submit") return {SubmitOrder{order_, {}}};
    if (head == "reallocate") {
      Reallocate r;
      for (const auto& l : order_.lines) {
        r.facts.on_hand["tpl-east"][l.sku] = arg == "stock" ? l.quantity : l.quantity - 1;
      }
      return {r};
    }
    if (head == "return") {
      const OrderLine& l = order_.lines.front();
      return {ReturnRequested{"ret_" + std::to_string(++returns_), {{l.line_id, 1, arg}}}};
    }
    if (head == "receive") {
      const OrderLine& l = order_.lines.front();
      return {ReturnReceived{"ret_" + std::to_string(returns_), node, {{l.line_id, 1, arg}}}};
    }
    if (head == "credited") {
      return {CreditPosted{"ret_" + std::to_string(returns_), "CN-" + std::to_string(returns_)}};
    }
    if (head == "check") return {Check(arg)};
    if (head == "sale") return {ErpSaleCreated{"SO-" + order_.external_ref, split_stock_}};
    if (head == "release") return {HoldReleased{"operator:ops", "customer paid upfront"}};
    if (head == "timer") {
      TimePoint due = f && f->hold_until ? *f->hold_until : kStart;
      if (arg == "stale") due -= std::chrono::hours(1);
      return {TimerFired{"hold", due}};
    }
    if (head == "ack") return {DispatchAcknowledged{arg.empty() ? node : arg, "REF-" + node}};
    if (head == "dead") return {DispatchDeadLettered{node, "HTTP 422: unknown item"}};
    if (head == "ship") return {ShipmentConfirmed{Ship(arg, state, node)}};
    if (head == "picked" || head == "packed" || head == "delivered") {
      std::string id = "m-" + head + (at.empty() ? "" : "-" + at);
      return {MilestoneReported{head, node, id, kStart + std::chrono::hours(30)}};
    }
    if (head == "invoice") {
      size_t i = static_cast<size_t>(std::stoi(arg)) - 1;
      return {InvoicePosted{f->shipments.at(i), "INV-" + arg}};
    }
    if (head == "invoices") {
      std::vector<OrderInput> all;
      for (size_t i = 0; i < f->shipments.size(); ++i) {
        if (f->invoices.count(f->shipments[i]) && !f->invoices.at(f->shipments[i]).empty())
          continue;
        all.push_back(InvoicePosted{f->shipments[i], "INV-" + std::to_string(i + 1)});
      }
      return all;
    }
    if (head == "cancel") return {CancelRequested{"shop", "customer changed their mind"}};
    if (head == "node_cancelled") return {CompensationDone{command::kNodeCancel, at}};
    if (head == "sale_cancelled") return {CompensationDone{command::kErpCancelSale}};
    if (head == "fail") {
      std::string dest = arg.rfind("erp.", 0) == 0 ? "erp" : "node:" + node;
      return {CommandFailed{arg, dest, "HTTP 422: refused"}};
    }
    if (head == "resolve") return {ExceptionResolved{"operator:ops", "handled by phone"}};
    if (head == "reroute") return {Rerouted{arg, "operator:ops", "node unavailable", at}};
    ADD_FAILURE() << "unknown token " << token;
    return {};
  }

 private:
  OrderInput Check(const std::string& arg) {
    ErpChecked c;
    c.customer = CustomerCode(order_);
    for (const auto& l : order_.lines) c.prices[l.sku] = l.unit_price;
    const OrderLine& first = order_.lines.front();
    if (arg == "unknown") {
      c.prices.erase(first.sku);
      c.unknown_skus.push_back(first.sku);
    } else if (arg == "price") {
      Decimal lower = Decimal::FromMicros(first.unit_price.micros() * 8 / 10);
      c.prices[first.sku] = lower;
    } else if (arg == "credit") {
      c.credit_limit = Decimal::FromMicros(order_.totals.grand_total.micros() / 2);
      c.credit_used = Decimal::FromInt(1);
    }
    return c;
  }

  Shipment Ship(const std::string& how, const std::optional<OrderAggregate>& state,
                const std::string& node) {
    Shipment s;
    s.order_id = order_.id;
    s.node = node;
    s.partner_event_id = "e" + std::to_string(++shipments_);
    s.carrier = "UPS";
    s.tracking_number = "1ZREPLAY" + std::to_string(shipments_);
    Package p;
    const Allocation* a = state ? state->flow.AllocationAt(node) : nullptr;
    for (size_t i = 0; i < order_.lines.size(); ++i) {
      const OrderLine& l = order_.lines[i];
      if (a && !a->Ships(l.line_id)) continue;  // another node's line
      int64_t done = 0;
      if (state) {
        auto it = state->flow.shipped.find(l.line_id);
        if (it != state->flow.shipped.end()) done = it->second;
      }
      int64_t left = l.quantity - done;
      int64_t q = left == 0        ? 0
                  : how == "half"  ? std::max<int64_t>(1, left / 2)
                  : how == "first" ? (i == 0 ? left : 0)
                  : how == "over"  ? left + 1
                                   : left;
      if (q > 0) p.lines.push_back({l.line_id, l.sku, q});
    }
    s.packages.push_back(p);
    return s;
  }

  Order order_;
  RoutingFacts split_stock_;  // what a later ERP sale routes with
  int shipments_ = 0;
  int returns_ = 0;
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

// Records one scenario as a history file.
void Record(const Scenario& sc, int index) {
  char id[40];
  std::snprintf(id, sizeof id, "ord_01KREPLAY%016d", index);
  Interpreter interp(FixtureOrder(sc.fixture), id);
  std::string script = sc.script;
  OrderPolicy policy = ScenarioPolicy(sc.erp, script.find(":backorder") != std::string::npos,
                                      script.find(":split") != std::string::npos,
                                      script.find(":fraud") != std::string::npos);
  std::optional<OrderAggregate> state;
  JsonWriter w;
  w.StartObject().Field("name", sc.name).Field("fixture", sc.fixture).Field("script", sc.script);
  w.Key("policy").Raw(EncodePolicy(policy)).Field("start", ToUnixMicros(kStart));
  w.Key("steps").StartArray();
  int minute = 0;
  for (const auto& token : Split(sc.script)) {
    for (const auto& input : interp.Inputs(token, state)) {
      TimePoint now = kStart + std::chrono::minutes(++minute);
      DecideResult r = Decide(state, input, now, policy);
      if (auto* d = std::get_if<Decision>(&r)) state = d->next;
      w.StartObject().Field("step", token).Field("at", ToUnixMicros(now));
      w.Key("input").Raw(EncodeInput(input)).Key("outcome").Raw(EncodeOutcome(r)).EndObject();
    }
  }
  w.EndArray().EndObject();
  char file[64];
  std::snprintf(file, sizeof file, "%02d-%s.json", index, sc.name);
  std::ofstream(kCorpus / file) << w.Take() << "\n";
}

TEST(ReplayCorpus, RecordWhenAsked) {
  if (!std::getenv("CROSSDOCK_REPLAY_RECORD")) GTEST_SKIP() << "set CROSSDOCK_REPLAY_RECORD=1";
  fs::create_directories(kCorpus);
  int i = 0;
  for (const auto& sc : kScenarios) Record(sc, ++i);
}

// Outcomes recorded by an older version hold the flow state in that version's encoding: the
// states must decode to the same state; everything else (status, events, commands) must match
// byte for byte.
bool SameOutcome(const std::string& got, simdjson::dom::element want) {
  simdjson::dom::parser parser;
  simdjson::dom::element now;
  simdjson::dom::object recorded;
  if (parser.parse(got).get(now) || want.get_object().get(recorded)) return false;
  size_t members = 0;
  for (auto [key, value] : recorded) {
    ++members;
    simdjson::dom::element mine;
    if (now[key].get(mine)) return false;
    if (key != "state") {
      if (simdjson::minify(mine) != simdjson::minify(value)) return false;
      continue;
    }
    auto a = DecodeFlowState(simdjson::minify(value));
    auto b = DecodeFlowState(simdjson::minify(mine));
    if (!a.ok() || !b.ok() || !(*a == *b)) return false;
  }
  simdjson::dom::object all;
  return !now.get_object().get(all) && all.size() == members;
}

TEST(ReplayCorpus, EveryHistoryReproducesItsStatesAndCommands) {
  int histories = 0, steps = 0, divergences = 0;
  std::set<std::string> shapes;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::string text = ReadText(entry.path());
    simdjson::dom::parser parser;
    simdjson::dom::element doc, policy_json, steps_json;
    ASSERT_FALSE(parser.parse(text).get(doc)) << "not JSON";
    ASSERT_FALSE(doc["policy"].get(policy_json));
    ASSERT_FALSE(doc["steps"].get(steps_json));
    auto policy = DecodePolicy(simdjson::minify(policy_json));
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    std::optional<OrderAggregate> state;
    simdjson::dom::array step_list;
    ASSERT_FALSE(steps_json.get_array().get(step_list));
    for (simdjson::dom::element step : step_list) {
      simdjson::dom::element input_json, outcome_json;
      int64_t at = 0;
      std::string_view token;
      ASSERT_FALSE(step["input"].get(input_json));
      ASSERT_FALSE(step["outcome"].get(outcome_json));
      ASSERT_FALSE(step["at"].get_int64().get(at));
      ASSERT_FALSE(step["step"].get_string().get(token));
      std::string recorded_input = simdjson::minify(input_json);
      auto input = DecodeInput(recorded_input);
      ASSERT_TRUE(input.ok()) << input.status().ToString();
      DecideResult r = Decide(state, *input, FromUnixMicros(at), *policy);
      std::string got = EncodeOutcome(r);
      std::string want = simdjson::minify(outcome_json);
      if (got != want && !SameOutcome(got, outcome_json)) {
        ++divergences;
        ADD_FAILURE() << "step " << steps << " (" << token << ") diverges\n  recorded: " << want
                      << "\n  now:      " << got;
      }
      // The encoded input is stable too (what a history holds round-trips).
      EXPECT_EQ(EncodeInput(*input), recorded_input);
      if (auto* d = std::get_if<Decision>(&r)) {
        // What the store keeps of the state comes back whole.
        auto stored = DecodeFlowState(EncodeFlowState(d->next.flow));
        ASSERT_TRUE(stored.ok()) << stored.status().ToString();
        EXPECT_EQ(*stored, d->next.flow) << "flow state does not round-trip at step " << steps;
        state = d->next;
      }
      ++steps;
    }
    std::string_view name;
    ASSERT_FALSE(doc["name"].get_string().get(name));
    shapes.insert(std::string(name));
    ++histories;
  }
  std::cout << "replay corpus: " << histories << " histories, " << steps << " steps, "
            << divergences << " divergences\n";
  EXPECT_GE(histories, 30);
  EXPECT_EQ(shapes.size(), static_cast<size_t>(histories));
  EXPECT_EQ(divergences, 0);
}

TEST(HistoryCodec, RefusesUnknownTypesAndMembersWithPointers) {
  EXPECT_EQ(DecodeInput(R"({"type":"teleport"})").status().message(),
            "/type: unknown input type \"teleport\"");
  EXPECT_EQ(DecodeInput(R"({"type":"hold_released","by":"x","extra":1})").status().message(),
            "/extra: is not a known property");
  EXPECT_FALSE(DecodeInput(R"({"type":"timer_fired","due":"soon"})").ok());
  EXPECT_FALSE(DecodeInput("{").ok());
  EXPECT_FALSE(DecodePolicy(R"({"routing":{"rules":[{"nodes":"x"}]}})").ok());
}

}  // namespace
}  // namespace crossdock
