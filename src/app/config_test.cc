#include "app/config.h"

#include "app/mapping_file.h"

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
  - {id: bi, url: "http://127.0.0.1:9200/hook", secret: TESTONLYFAKEFAKEFAKEFAKE}
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

TEST_F(ConfigTest, X12NodesReadTheirProfileAndFolder) {
  auto c = ParseConfig(
      "partners: [{id: s, api_keys: [k]}]\n"
      "nodes: [{id: tpl-edi, kind: x12, x12: {folder: edi/tpl, sender: \"ZZ:US\", receiver: "
      "\"01:123456789\", version: \"005010\", replace_delimiters_with: \" \", "
      "newline_after_segment: false, ack_timeout_s: 1800, required_segments: {\"945\": [W27, "
      "N9]}}}]\nrouting: {default_node: tpl-edi}\n",
      dir_.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const X12NodeConfig& x = c->nodes[0].x12;
  EXPECT_EQ(x.profile.required_segments.at("945"), (std::vector<std::string>{"W27", "N9"}));
  EXPECT_EQ(x.folder, dir_.string() + "/edi/tpl");
  EXPECT_EQ(x.profile.sender.qualifier, "ZZ");
  EXPECT_EQ(x.profile.sender.id, "US");
  EXPECT_EQ(x.profile.receiver.qualifier, "01");
  EXPECT_EQ(x.profile.receiver.id, "123456789");
  EXPECT_EQ(x.profile.isa_version, "00501");
  EXPECT_EQ(x.profile.gs_version, "005010");
  EXPECT_EQ(x.profile.delimiters.repetition, '^');
  EXPECT_EQ(x.profile.delimiters.suffix, "");
  EXPECT_EQ(x.profile.replacement, ' ');
  EXPECT_EQ(x.ack_timeout_s, 1800);
  EXPECT_NE(c->Redacted().find("tpl-edi"), std::string::npos);

  auto bad = ParseConfig(
      "partners: [{id: s, api_keys: [k]}]\n"
      "nodes: [{id: a, kind: x12}, {id: b, kind: x12, url: \"http://h:1/o\", x12: {folder: f, "
      "receiver: \"TOOLONGQUALIFIER:X\", version: \"003020\", segment_terminator: \"~~\"}}, "
      "{id: c, kind: x12, x12: {folder: f, receiver: \"ZZ:C\"}}, {id: d, x12: {folder: g}}]\n"
      "routing: {default_node: a}\n",
      dir_.string());
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  for (const char* want :
       {"nodes[0].x12: a node of kind x12 needs its x12 profile",
        "nodes[1].url: an x12 node has none (it uses x12.folder)",
        "nodes[1].x12.receiver: must be QUALIFIER:ID",
        "nodes[1].x12.version: must be 004010 or 005010",
        "nodes[1].x12.segment_terminator: must be one character", "nodes[3].x12: only for kind x12",
        "nodes[3].x12.receiver: is required"}) {
    EXPECT_NE(m.find(want), std::string::npos) << want << " in " << m;
  }
  auto clash = ParseConfig(
      "partners: [{id: s, api_keys: [k]}]\nnodes: [{id: a, kind: x12, x12: {folder: f, receiver: "
      "\"ZZ:A\", component_separator: \"*\", replace_delimiters_with: \"~\"}}]\n"
      "routing: {default_node: a}\n",
      dir_.string());
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("separators must differ"), std::string::npos);
  EXPECT_NE(clash.status().message().find("replace_delimiters_with: must not be a separator"),
            std::string::npos);
  auto shared = ParseConfig(
      "partners: [{id: s, api_keys: [k]}]\nnodes: [{id: a, kind: x12, x12: {folder: f, receiver: "
      "\"ZZ:A\"}}, {id: b, kind: x12, x12: {folder: f, receiver: \"ZZ:B\"}}]\n"
      "routing: {default_node: a}\n",
      dir_.string());
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  Status checked = ValidateConfig(*shared);
  EXPECT_NE(checked.message().find("'a' and 'b' share x12.folder"), std::string::npos)
      << checked.message();
}

TEST_F(ConfigTest, RoutingPolicyAndErpSections) {
  constexpr const char* kYaml = R"(
partners: [{id: shop, api_keys: [k]}]
nodes:
  - {id: a, url: "http://127.0.0.1:1/o", cancel_url: "http://127.0.0.1:1/c", priority: 1,
     cost: "2.50"}
  - {id: b, url: "http://127.0.0.1:2/o"}
  - {id: dc-own, kind: tryton, warehouse: WH}
routing:
  default_node: a
  require_stock: true
  backorder: true
  allow_split: true
  skip_unhealthy: false
  rules: [{region: NV, service_level: express, nodes: [a, b]}]
fraud:
  rules:
    - {name: big-foreign, min_total: "500", countries: [NG, RU], ship_bill_country_differ: true}
    - {name: marketplace, channels: [amazon]}
erp:
  kind: tryton
  url: "http://127.0.0.1:8000/db/"
  user: admin
  password_file: erp.pass
  price_tolerance_percent: "1.5"
  hold_over_credit: false
  hold_timeout_s: 3600
  create_products: {category: Goods, channels: [catalog]}
)";
  std::ofstream(dir_ / "erp.pass") << "FAKE-erp-password\n";
  auto c = ParseConfig(kYaml, dir_.string());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(ValidateConfig(*c).ok());
  EXPECT_EQ(c->nodes[0].endpoint.cancel_url, "http://127.0.0.1:1/c");
  EXPECT_EQ(c->routing.preferences.at("a").priority, 1);
  EXPECT_EQ(c->routing.preferences.at("a").cost, *Decimal::Parse("2.50"));
  EXPECT_TRUE(c->routing.require_stock && c->routing.backorder && c->routing.allow_split);
  EXPECT_FALSE(c->routing.skip_unhealthy);
  ASSERT_EQ(c->routing.rules.size(), 1u);
  EXPECT_EQ(c->routing.rules[0].ship_to_region, "NV");
  EXPECT_EQ(c->routing.rules[0].nodes, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(c->fraud_rules.size(), 2u);
  EXPECT_EQ(c->fraud_rules[0].name, "big-foreign");
  EXPECT_EQ(c->fraud_rules[0].min_total, *Decimal::Parse("500"));
  EXPECT_EQ(c->fraud_rules[0].countries, (std::vector<std::string>{"NG", "RU"}));
  EXPECT_TRUE(c->fraud_rules[0].ship_bill_country_differ);
  EXPECT_EQ(c->fraud_rules[1].channels, std::vector<std::string>{"amazon"});
  EXPECT_EQ(c->erp.kind, "tryton");
  EXPECT_EQ(c->erp.catalog.product_category, "Goods");
  EXPECT_EQ(c->erp.catalog.product_uom, "Unit");
  EXPECT_EQ(c->erp.catalog.channels, std::vector<std::string>{"catalog"});
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[2].kind, "tryton");
  EXPECT_EQ(c->nodes[2].warehouse, "WH");
  EXPECT_EQ(c->nodes[0].kind, "http");
  EXPECT_EQ(c->erp.password, "FAKE-erp-password");
  EXPECT_EQ(c->erp.policy.destination, "erp");
  EXPECT_EQ(c->erp.policy.price_tolerance_percent, *Decimal::Parse("1.5"));
  EXPECT_FALSE(c->erp.policy.hold_over_credit);
  EXPECT_EQ(c->erp.policy.hold_timeout, std::chrono::seconds(3600));
  EXPECT_EQ(c->erp.endpoint.quota.max_in_flight, 2);
  EXPECT_EQ(c->Redacted().find("FAKE-erp-password"), std::string::npos);
  // Mistakes are named.
  auto bad = ParseConfig(
      "partners: [{id: s, api_keys: [k]}]\nnodes: [{id: a, url: \"http://h:1/o\", warehouse: W},"
      " {id: w, kind: tryton, url: \"http://h:2/o\"}, {id: x, kind: ftp}]\n"
      "routing: {backorder: true, allow_split: true, rules: [{country: CA}]}\nerp: {kind: sap}\n"
      "fraud: {rules: [{name: x}, {min_total: lots}, {name: x, countries: [ng]}]}\n",
      dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("routing.backorder: needs require_stock: true"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("routing.allow_split: needs require_stock: true"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("routing.rules[0].node: a rule needs node or nodes"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("erp.kind: must be tryton or rest"), std::string::npos);
  EXPECT_NE(bad.status().message().find("nodes[0].warehouse: only for kind tryton"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("nodes[1].url: a tryton node has none"), std::string::npos);
  EXPECT_NE(bad.status().message().find("nodes[2].kind: must be http, tryton or x12"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("fraud.rules[0].name: a rule needs at least one condition"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("fraud.rules[1].min_total: must be a decimal amount"),
            std::string::npos);
  EXPECT_NE(bad.status().message().find("fraud.rules[1].name"), std::string::npos);
  EXPECT_NE(bad.status().message().find("fraud.rules[2].name: 'x' again"), std::string::npos);
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

namespace crossdock {
namespace {

class PartnerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("crossdock_pf_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "partners");
    std::filesystem::create_directories(dir_ / "secrets");
  }
  void TearDown() override {
    for (const char* v : {"CROSSDOCK_PARTNER_SHOP_API_KEYS", "CROSSDOCK_PARTNER_SHOP_API_KEYS_FILE",
                          "CREDENTIALS_DIRECTORY"}) {
      unsetenv(v);
    }
    std::filesystem::remove_all(dir_);
  }
  // Writes `text` to `rel` with `mode`.
  std::string Write(const std::string& rel, const std::string& text,
                    std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                  std::filesystem::perms::owner_write) {
    auto p = dir_ / rel;
    std::ofstream(p) << text;
    std::filesystem::permissions(p, mode);
    return p.string();
  }
  std::string Main(const std::string& extra = "") {
    return Write("crossdock.yaml", "partners_dir: partners\n" + extra,
                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                     std::filesystem::perms::others_read);  // no secrets in it: may be 0644
  }
  std::filesystem::path dir_;
};

TEST_F(PartnerFilesTest, OneFilePerPartnerWithWebhooksLimitsAndSla) {
  Write("secrets/shop.key", "FAKE-key-1\nFAKE-key-2\n");
  Write("secrets/shop-hook-old", "FAKE-hook-old\n");
  Write("secrets/shop-hook-new", "FAKE-hook-new\n");
  Write("partners/shop.yaml", R"(
kind: channel
channel: shopify
api_key_files: [../secrets/shop.key]
limits: {max_body_bytes: 65536, max_order_lines: 100}
sla: {dispatch_ack_minutes: 15, ship_hours: 24}
webhooks:
  scheme: shopify
  tolerance_seconds: 3600
  secrets:
    - {file: ../secrets/shop-hook-old, not_after: "2026-12-31T00:00:00Z"}
    - {file: ../secrets/shop-hook-new}
)");
  Write("partners/tpl-east.yaml",
        "id: tpl-east\nkind: 3pl\napi_key_files: [../secrets/shop-hook-new]\n");
  auto c = LoadConfigFile(Main());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->partners.size(), 2u);
  const PartnerConfig& shop = c->partners[0];
  EXPECT_EQ(shop.id, "shop");  // from the file name
  EXPECT_EQ(shop.channel, "shopify");
  EXPECT_EQ(shop.api_keys, (std::vector<std::string>{"FAKE-key-1", "FAKE-key-2"}));
  EXPECT_EQ(shop.limits.max_order_lines, 100u);
  EXPECT_EQ(shop.sla.ship_hours, 24);
  ASSERT_TRUE(shop.webhooks.has_value());
  EXPECT_EQ(shop.webhooks->scheme, WebhookScheme::kShopify);
  ASSERT_EQ(shop.webhooks->secrets.size(), 2u);
  EXPECT_TRUE(shop.webhooks->secrets[0].not_after.has_value());
  EXPECT_EQ(shop.webhooks->secrets[1].secret, "FAKE-hook-new");
  EXPECT_EQ(c->partners[1].kind, PartnerKind::kThirdPartyLogistics);
  // The dump names the source files and hides every secret.
  std::string dump = c->Redacted();
  EXPECT_NE(dump.find("partners/shop.yaml"), std::string::npos);
  for (const char* secret : {"FAKE-key-1", "FAKE-key-2", "FAKE-hook-old", "FAKE-hook-new"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret;
  }
}

TEST_F(PartnerFilesTest, ErrorsNameTheFileAndKey) {
  Write("partners/shop.yaml",
        "id: webshop\napi_keys: [FAKE]\nscopes: [orders:write]\ncolour: red\n");
  Write("partners/b.yaml", "kind: warehouse\n");
  auto c = LoadConfigFile(Main());
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("shop.yaml.id: is 'webshop' but the file is named for 'shop'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("shop.yaml.colour: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("b.yaml.kind"), std::string::npos) << m;
  EXPECT_NE(m.find("b.yaml: needs api_keys, api_key_files or webhooks"), std::string::npos) << m;
}

TEST_F(PartnerFilesTest, InlineSecretInAWorldReadableFileIsRefused) {
  using std::filesystem::perms;
  Write("partners/shop.yaml", "api_keys: [FAKE-inline]\n",
        perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  auto c = LoadConfigFile(Main());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("every user can read"), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().find("FAKE-inline"), std::string::npos);  // never echoed
  // The same file, readable by its owner only, is accepted.
  Write("partners/shop.yaml", "api_keys: [FAKE-inline]\n");
  EXPECT_TRUE(LoadConfigFile(Main()).ok());
  // The main file is checked too.
  std::string main = Write("crossdock.yaml", "partners: [{id: a, api_keys: [FAKE-main]}]\n",
                           perms::owner_read | perms::owner_write | perms::others_read);
  auto m = LoadConfigFile(main);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("partners[0].api_keys"), std::string::npos);
}

TEST_F(PartnerFilesTest, SecretsComeFromFileVariableThenCredentialsThenVariableThenYaml) {
  Write("partners/shop.yaml", "api_keys: [FAKE-yaml]\n");
  auto keys = [&] {
    auto c = LoadConfigFile(Main());
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c->partners[0].api_keys : std::vector<std::string>{};
  };
  EXPECT_EQ(SecretEnvName("partner.shop.api_keys"), "CROSSDOCK_PARTNER_SHOP_API_KEYS");
  EXPECT_EQ(keys(), (std::vector<std::string>{"FAKE-yaml"}));
  setenv("CROSSDOCK_PARTNER_SHOP_API_KEYS", "FAKE-env-1,FAKE-env-2", 1);
  EXPECT_EQ(keys(), (std::vector<std::string>{"FAKE-env-1", "FAKE-env-2"}));
  Write("secrets/partner.shop.api_keys", "FAKE-cred\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "secrets").c_str(), 1);
  EXPECT_EQ(keys(), (std::vector<std::string>{"FAKE-cred"}));
  setenv("CROSSDOCK_PARTNER_SHOP_API_KEYS_FILE", Write("secrets/other", "FAKE-file\n").c_str(), 1);
  EXPECT_EQ(keys(), (std::vector<std::string>{"FAKE-file"}));
  // A variable naming a missing file is an error, not a silent fallback.
  setenv("CROSSDOCK_PARTNER_SHOP_API_KEYS_FILE", (dir_ / "nope").c_str(), 1);
  EXPECT_FALSE(LoadConfigFile(Main()).ok());
}

TEST_F(PartnerFilesTest, StandardWebhookSecretsMustBeWhsec) {
  Write("partners/tpl.yaml",
        "kind: 3pl\nwebhooks: {scheme: standard, secrets: [{value: not-base64!}]}\n");
  auto c = LoadConfigFile(Main());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("whsec_"), std::string::npos) << c.status().message();
  Write("partners/tpl.yaml", "kind: 3pl\nwebhooks: {scheme: carrier-pigeon, secrets: []}\n");
  EXPECT_FALSE(LoadConfigFile(Main()).ok());
}

TEST_F(PartnerFilesTest, ChannelClaimsAndSecretNamesMustNotCollide) {
  Write("partners/a-b.yaml", "channels: [web]\napi_keys: [FAKE-1]\n");
  Write("partners/a_b.yaml", "channel: web\napi_keys: [FAKE-2]\n");
  auto c = LoadConfigFile(Main());
  ASSERT_TRUE(c.ok()) << c.status().message();
  Status st = ValidateConfig(*c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("secret variables collide"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("channel 'web' is claimed by both"), std::string::npos)
      << st.message();
  auto nodes = ParseConfig(
      "partners: [{id: a, api_keys: [k]}]\nnodes: [{id: \"x|y\", url: "
      "\"http://h:1/\"}]\n",
      dir_.string());
  ASSERT_TRUE(nodes.ok());
  EXPECT_FALSE(ValidateConfig(*nodes).ok());
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

class ChannelConfigTest : public ::testing::Test {};

// channels[] sets each channel's stock policy for allocation as well as for its figures.
TEST_F(ChannelConfigTest, AChannelsStockPolicyReachesRouting) {
  auto c = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes:
  - {id: east, url: "http://127.0.0.1:1/o"}
  - {id: west, url: "http://127.0.0.1:1/o"}
routing:
  default_node: east
  require_stock: true
  rules: [{channel: b2b, nodes: [east, west]}]
channels:
  - {id: web, nodes: [west], safety_stock: 4, backorder: true, buffer_percent: 25}
  - {id: b2b}
)",
                       "/tmp");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(ValidateConfig(*c).ok());
  EXPECT_EQ(c->channels[0].buffer_percent, 25);
  OrderPolicy p = OrderPolicyOf(*c);
  ASSERT_EQ(p.routing.channels.size(), 2u);
  EXPECT_EQ(p.routing.channels.at("web"), (ChannelStock{{"west"}, 4, true}));
  // Without nodes of its own a channel sells from the nodes routing sends its orders to.
  EXPECT_EQ(p.routing.channels.at("b2b"), (ChannelStock{{"east", "west"}, 0, std::nullopt}));
  auto nodes = ChannelNodesOf(*c);
  EXPECT_EQ(nodes.at("web"), std::vector<std::string>{"west"});
  EXPECT_EQ(nodes.at(""), std::vector<std::string>{"east"});

  auto bad = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes: [{id: east, url: "http://127.0.0.1:1/o"}]
routing: {default_node: east}
channels: [{id: web, backorder: true, buffer_percent: 120}]
)",
                         "/tmp");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("channels[0].buffer_percent: must be 0 to 100"),
            std::string::npos)
      << bad.status().message();
  auto no_stock = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes: [{id: east, url: "http://127.0.0.1:1/o"}]
routing: {default_node: east}
channels: [{id: web, backorder: true}]
)",
                              "/tmp");
  ASSERT_TRUE(no_stock.ok()) << no_stock.status().ToString();
  EXPECT_NE(ValidateConfig(*no_stock).message().find(
                "channels: 'web' backorder needs routing.require_stock"),
            std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST(SnapshotConfigTest, ANodesSnapshotFolderHasItsOwnColumnMapping) {
  auto c = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes:
  - id: east
    url: "http://127.0.0.1:1/o"
    snapshots:
      folder: drop/east
      mapping: {sku: Item, on_hand: Qty, as_of: Counted, delimiter: ";"}
      auto_adjust_max: 3
      poll_interval_s: 30
routing: {default_node: east}
)",
                       "/etc/crossdock");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(ValidateConfig(*c).ok());
  ASSERT_TRUE(c->nodes[0].snapshots.has_value());
  const SnapshotFolder& s = *c->nodes[0].snapshots;
  EXPECT_EQ(s.folder, "/etc/crossdock/drop/east");
  EXPECT_EQ(s.mapping.sku, "Item");
  EXPECT_EQ(s.mapping.on_hand, "Qty");
  EXPECT_EQ(s.mapping.as_of, "Counted");
  EXPECT_EQ(s.mapping.delimiter, ';');
  EXPECT_EQ(s.policy.auto_adjust_max, 3);
  EXPECT_EQ(s.poll_interval, std::chrono::seconds(30));

  auto bad = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes:
  - id: east
    url: "http://127.0.0.1:1/o"
    snapshots: {mapping: {item: Item}, poll_interval_s: 0}
routing: {default_node: east}
)",
                         "/tmp");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  EXPECT_NE(m.find("nodes[0].snapshots.folder"), std::string::npos) << m;
  EXPECT_NE(m.find("nodes[0].snapshots.mapping: unknown key 'item'"), std::string::npos) << m;
  EXPECT_NE(m.find("poll_interval_s: at least 1"), std::string::npos) << m;

  auto shared = ParseConfig(R"(
partners: [{id: shop, kind: channel, api_keys: [FAKE-KEY]}]
nodes:
  - {id: east, url: "http://127.0.0.1:1/o", snapshots: {folder: /srv/drop}}
  - {id: west, url: "http://127.0.0.1:1/o", snapshots: {folder: /srv/drop}}
routing: {default_node: east}
)",
                            "/tmp");
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_NE(ValidateConfig(*shared).message().find("is also the snapshots.folder of"),
            std::string::npos);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST(ShopifyInventoryConfigTest, LocationsMapToConfiguredNodesAndItemsToSkus) {
  constexpr const char* kYaml = R"(
partners:
  - id: store
    kind: channel
    scopes: [orders:write, inventory:write]
    webhooks: {scheme: shopify, secrets: [{file: secret}]}
    shopify_inventory:
      locations: {"905684977": shop-floor}
      items: {"808950810": SKU-1, 39072856: SKU-2}
nodes: [{id: shop-floor, url: "http://127.0.0.1:1/o"}]
routing: {default_node: shop-floor}
)";
  auto dir =
      std::filesystem::temp_directory_path() / ("crossdock_shopinv_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "secret") << "FAKE-shopify-secret\n";
  auto c = ParseConfig(kYaml, dir.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(ValidateConfig(*c).ok()) << ValidateConfig(*c).ToString();
  const ShopifyInventoryMap& m = c->partners[0].shopify_inventory;
  EXPECT_EQ(m.locations.at("905684977"), "shop-floor");
  EXPECT_EQ(m.items.at("808950810"), "SKU-1");
  EXPECT_EQ(m.items.at("39072856"), "SKU-2");
  std::string wrong = kYaml;
  wrong.replace(wrong.find("905684977\": shop-floor"), 22, "905684977\": elsewhere");
  auto bad = ParseConfig(wrong, dir.string());
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_NE(ValidateConfig(*bad).message().find(
                "shopify_inventory.locations.905684977 names no node 'elsewhere'"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

TEST(MappingFileTest, TheAcmeMappingLoadsAndFaultsAreNamedByTheirYamlPath) {
  auto acme = LoadJsonOrderMapping(std::string(CROSSDOCK_SOURCE_DIR) +
                                   "/tests/golden/mapping/acme/acme.mapping.yaml");
  ASSERT_TRUE(acme.ok()) << acme.status().ToString();
  EXPECT_EQ(acme->channel, "acme-portal");
  EXPECT_EQ(acme->lines, "/items");
  EXPECT_EQ(acme->lookups.at("sku").at("A-100"), "SKU-RED");
  EXPECT_EQ(acme->fields.at("customer.name").kind, MappingExpr::Kind::kConcat);
  EXPECT_EQ(acme->fields.at("customer.name").parts.size(), 3u);
  EXPECT_EQ(acme->line_fields.at("sku").lookup, "sku");

  auto bad = JsonOrderMappingOf(YAML::Load(R"(
channel: x
lookups: {sku: {A: B}}
order:
  external_ref: orderNumber
  ship_to.planet: /p
  currency: {pointer: /c, const: USD}
  notes: {pointer: /n, lookup: colours}
lines:
  sku: {pointer: /s, transform: reverse}
  weight: /w
)"),
                                "m.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  for (const char* want :
       {"m.yaml: order.external_ref: 'orderNumber' is not a JSON pointer (/…); a fixed value is "
        "{const: …}",
        "m.yaml: order.ship_to.planet: is not a mappable order field",
        "m.yaml: order.currency: exactly one of pointer, const and concat",
        "m.yaml: order.notes.lookup: no lookup 'colours'",
        "m.yaml: lines.sku.transform: upper, lower or trim",
        "m.yaml: lines.weight: is not a line field", "m.yaml: lines.each: is required",
        "m.yaml: lines.quantity: is required"}) {
    EXPECT_NE(m.find(want), std::string::npos) << want << "\n" << m;
  }
}

}  // namespace
}  // namespace crossdock
