#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace crossdock {
namespace {

constexpr const char* kGood = R"(
listen: 127.0.0.1:9000
data_dir: /tmp/cd
log_level: warning
store: {synchronous: FULL}
partners:
  - {id: webshop, kind: channel, api_keys: [k-one, k-two]}
  - {id: tpl-east, kind: 3pl, api_key_files: [east.key]}
nodes:
  - id: tpl-east
    url: http://127.0.0.1:9101/orders
    api_key: node-secret
    timeout_ms: 2500
    retry: {initial_backoff_ms: 50, max_attempts: 5}
routing:
  default_node: tpl-east
  rules: [{country: CA, node: tpl-east}]
subscribers:
  - {id: bi, url: "http://127.0.0.1:9200/hook", secret: whsec_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE}
)";

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("crossdock_cfg_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "east.key") << "file-secret\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, ParsesEverySectionAndReadsSecretFiles) {
  auto c = ParseConfig(kGood, dir_.string());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->log_level, Severity::kWarning);
  ASSERT_EQ(c->partners.size(), 2u);
  EXPECT_EQ(c->partners[0].api_keys.size(), 2u);
  EXPECT_EQ(c->partners[1].kind, PartnerKind::kThirdPartyLogistics);
  EXPECT_EQ(c->partners[1].api_keys[0], "file-secret");
  ASSERT_EQ(c->nodes.size(), 1u);
  EXPECT_EQ(c->nodes[0].endpoint.id, "node:tpl-east");
  EXPECT_EQ(c->nodes[0].endpoint.timeout.count(), 2500);
  EXPECT_EQ(c->nodes[0].endpoint.retry.max_attempts, 5);
  EXPECT_EQ(c->routing.rules[0].ship_to_country, "CA");
  EXPECT_TRUE(ValidateConfig(*c).ok());
}

TEST_F(ConfigTest, UnknownKeysAndBadValuesAreNamedByPath) {
  std::string bad = std::string(kGood) + "colour: blue\n";
  bad.replace(bad.find("kind: 3pl"), 9, "kind: 4pl");
  bad.replace(bad.find("timeout_ms"), 10, "timeout_xx");
  auto c = ParseConfig(bad, dir_.string());
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("colour: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("partners[1].kind"), std::string::npos) << m;
  EXPECT_NE(m.find("nodes[0].timeout_xx: unknown key"), std::string::npos) << m;
}

TEST_F(ConfigTest, YamlSyntaxErrorNamesLine) {
  auto c = ParseConfig("listen: [unclosed\n", dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("line"), std::string::npos);
}

TEST_F(ConfigTest, CrossChecksRoutingAgainstNodes) {
  auto c = ParseConfig(kGood, dir_.string());
  c->routing.default_node = "nowhere";
  Status st = ValidateConfig(*c);
  EXPECT_NE(st.message().find("routing.default_node: no node 'nowhere'"), std::string::npos);
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  auto c = ParseConfig(kGood, dir_.string());
  setenv("CROSSDOCK_LISTEN", "0.0.0.0:7000", 1);
  setenv("CROSSDOCK_DATA_DIR", "/var/lib/crossdock", 1);
  ASSERT_TRUE(ApplyEnvironment(*c).ok());
  unsetenv("CROSSDOCK_LISTEN");
  unsetenv("CROSSDOCK_DATA_DIR");
  EXPECT_EQ(c->listen, "0.0.0.0:7000");
  EXPECT_EQ(c->data_dir, "/var/lib/crossdock");
}

TEST_F(ConfigTest, RedactedDumpHasNoSecrets) {
  auto c = ParseConfig(kGood, dir_.string());
  std::string dump = c->Redacted();
  for (const char* secret : {"k-one", "k-two", "file-secret", "node-secret", "FAKEFAKEFAKE"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(dump.find("<redacted>"), std::string::npos);
  EXPECT_NE(dump.find("tpl-east"), std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST_F(ConfigTest, RefusesSharedKeysEmptyIdsAndNonListSections) {
  auto c = ParseConfig(kGood, dir_.string());
  ASSERT_TRUE(c.ok());
  c->partners[1].api_keys.push_back("k-one");  // also webshop's key
  c->subscribers.push_back(c->subscribers[0]);
  Status st = ValidateConfig(*c);
  EXPECT_NE(st.message().find("'tpl-east' shares an API key"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("k-one"), std::string::npos) << "a key must never be printed";
  EXPECT_NE(st.message().find("subscribers: duplicate id 'bi'"), std::string::npos);
  auto bad = ParseConfig(
      "partners: [{id: a, api_keys: [k]}]\nsubscribers: {id: x}\nrouting: {rules: {node: a}}\n",
      dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("subscribers: must be a list"), std::string::npos);
  EXPECT_NE(bad.status().message().find("routing.rules: must be a list"), std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST_F(ConfigTest, ReadsBreakerAndQuotaPolicies) {
  auto c = ParseConfig(R"(
partners: [{id: a, api_keys: [k]}]
nodes:
  - id: tpl
    url: http://127.0.0.1:1/orders
    breaker: {consecutive_failures: 3, open_base_ms: 500, open_max_ms: 8000}
    quota: {per_minute: 40, burst: 40, max_in_flight: 15, call_limit_header: X-Shopify-Shop-Api-Call-Limit}
)",
                       dir_.string());
  ASSERT_TRUE(c.ok()) << c.status().message();
  const Endpoint& ep = c->nodes[0].endpoint;
  EXPECT_EQ(ep.breaker.consecutive_failures, 3);
  EXPECT_EQ(ep.breaker.open_base.count(), 500);
  EXPECT_NEAR(ep.quota.per_second, 40.0 / 60, 1e-9);
  EXPECT_EQ(ep.quota.max_in_flight, 15);
  EXPECT_EQ(ep.quota.call_limit_header, "X-Shopify-Shop-Api-Call-Limit");
  auto bad = ParseConfig(
      "partners: [{id: a, api_keys: [k]}]\nnodes: [{id: t, url: \"http://h:1/\", breaker: "
      "{failure_rate: 2, windw: 3}}]\n",
      dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nodes[0].breaker.failure_rate"), std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("nodes[0].breaker.windw: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST_F(ConfigTest, PartnerScopesAndQuotas) {
  auto c = ParseConfig(R"(
partners:
  - {id: portal, kind: channel, api_keys: [k1], scopes: [orders:read, orders:write], quota: {per_minute: 600, burst: 20}}
  - {id: bad, kind: channel, api_keys: [k2], scopes: [orders:delete]}
)",
                       dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("partners[1].scopes: unknown scope 'orders:delete'"),
            std::string::npos)
      << c.status().message();
  auto good = ParseConfig(R"(
partners:
  - {id: portal, kind: channel, api_keys: [k1], scopes: [orders:read, orders:write], quota: {per_minute: 600, burst: 20}}
)",
                          dir_.string());
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(good->partners[0].scopes, (std::set<std::string>{"orders:read", "orders:write"}));
  EXPECT_DOUBLE_EQ(good->partners[0].quota.per_second, 10.0);
  EXPECT_DOUBLE_EQ(good->partners[0].quota.burst, 20.0);
}

}  // namespace
}  // namespace crossdock
