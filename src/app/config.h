// Config: everything `crossdock serve` needs, loaded from one YAML file (plus, optionally, one
// YAML file per partner in `partners_dir`), then overridden by CROSSDOCK_* environment
// variables, then by command-line flags (12-factor order). Unknown keys are refused with their
// path.
//
// Secrets (partner API keys and webhook secrets, node API keys, subscriber secrets) each have a
// name such as `partner.shopify.api_keys` and are taken from the first source that has them:
//   1. the file named by $CROSSDOCK_PARTNER_SHOPIFY_API_KEYS_FILE,
//   2. $CREDENTIALS_DIRECTORY/partner.shopify.api_keys (systemd LoadCredential=),
//   3. $CROSSDOCK_PARTNER_SHOPIFY_API_KEYS,
//   4. the YAML: inline values, or *_file paths relative to the YAML file.
// Lists hold one value per line (or comma-separated in a variable). A YAML file that holds a
// secret inline and is readable by every user is refused. Secrets are never logged; Redacted()
// prints the effective configuration with every secret replaced by "<redacted>".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "codecs/json_mapping.h"
#include "codecs/shopify_inventory.h"
#include "codecs/x12_warehouse.h"
#include "delivery/endpoint.h"
#include "delivery/erp/financial_reconciler.h"
#include "delivery/erp/tryton_connector.h"
#include "delivery/publication_queue.h"
#include "delivery/snapshot_inbox.h"
#include "flows/order_decider.h"
#include "flows/routing.h"
#include "gateway/auth.h"
#include "gateway/inbound_webhook.h"

namespace crossdock {

struct PartnerConfig {
  std::string id;
  PartnerKind kind = PartnerKind::kChannel;
  std::vector<std::string> api_keys;  // plaintext, hashed at start; never logged
  std::set<std::string> scopes;       // empty = the kind's defaults (gateway/auth.h DefaultScopes)
  RequestQuota quota;
  PartnerLimits limits;
  PartnerSla sla;
  std::string channel;  // channel of orders it sends by webhook; "" = its id
  // Channels this partner owns: only it (and operators) may submit orders of them. `channel`
  // is owned too when set.
  std::vector<std::string> channels;
  // Signed inbound webhooks (POST /v1/webhooks/{id}); unset when the partner sends none.
  std::optional<InboundWebhookPolicy> webhooks;
  // A Shopify store whose locations are nodes: its inventory_levels/update webhooks are counts
  // of those nodes (docs/inventory.md); empty = none.
  ShopifyInventoryMap shopify_inventory;
  // How the partner's order documents read (crossdock convert --from <id>, crossdock partner
  // check): "shopify", "woocommerce", "amazon", "canonical", or "mapping" (a declarative
  // mapping file, codecs/json_mapping.h); "" = not set.
  std::string format;
  std::string mapping_file;                 // mapping: the YAML file, resolved
  std::optional<JsonOrderMapping> mapping;  // mapping: loaded
  // A folder of sample documents (<name>.json) with the canonical order each must give
  // (<name>.expected.json) or the errors it must be refused with (<name>.errors.txt).
  std::string samples;
  std::string source;  // the file it was read from, for messages
};

// An X12 3PL node's trading-partner profile and folders (docs/x12.md, "The EDI 3PL path").
struct X12NodeConfig {
  std::string folder;  // root of outbound/, inbound/, archive/, failed/; relative to the file
  X12Profile profile;  // sender (us), receiver (the 3PL), versions, delimiters, replacement
  int64_t poll_interval_ms = 1000;
  // A 940 not answered by a 997 within this opens an exception (the node's ack timer); 0 =
  // the partner's sla.dispatch_ack_minutes, or no timer.
  int64_t ack_timeout_s = 0;
  // Outbound interchanges are POSTed here instead of written to outbound/ (the node's api_key,
  // when set, goes as "Authorization: Bearer <key>"); "" = the folder.
  std::string post_url;
};

struct NodeConfig {
  std::string id;
  std::string name;
  // "http": a 3PL's HTTP API (url, cancel_url …); "tryton": a warehouse run in the Tryton ERP
  // (erp.kind tryton): dispatched as a Tryton customer shipment, progress read by polling;
  // "x12": a 3PL speaking X12 through folders (940 out; 997, 945, 846, 944 in).
  std::string kind = "http";
  X12NodeConfig x12;  // kind x12
  // Full inventory snapshots (CSV) the node drops into a folder, each reconciled as it arrives
  // (delivery/snapshot_inbox.h); any kind of node.
  std::optional<SnapshotFolder> snapshots;
  std::string warehouse;  // tryton: the warehouse's code; "" = the first warehouse
  Endpoint endpoint;      // url, timeout, retry
  std::string api_key;    // sent to the node as "Authorization: Bearer <key>"; may be empty
};

// The ERP (system of record for customers, prices, credit and invoices). Without one, orders
// are accepted at intake and nothing is invoiced.
struct ErpConfig {
  std::string kind;      // "" (none), "tryton" (JSON-RPC) or "rest" (HTTP, docs/erp.md shapes)
  Endpoint endpoint;     // id "erp"; url, timeout, retry, breaker, quota
  std::string user;      // tryton: the login
  std::string password;  // tryton: secret "erp.password"
  std::string api_key;   // rest: secret "erp.api_key", sent as "Authorization: Bearer <key>"
  ErpPolicy policy;      // destination is set to "erp" when kind is set
  int64_t poll_interval_s = 60;  // tryton: delta polling of invoice states; 0 = off
  int64_t poll_overlap_s = 120;  // each poll looks this far behind the last one
  // tryton: financial reconciliation every this many minutes (0 = on demand only, with
  // `crossdock reconcile financial`), over shipments of the last reconcile_window_days, a
  // shipment younger than reconcile_grace_minutes not yet missing its invoice, amounts equal
  // within reconcile_tolerance.
  int64_t reconcile_every_minutes = 0;
  int64_t reconcile_window_days = 7;
  int64_t reconcile_grace_minutes = 60;
  Decimal reconcile_tolerance;
  TrytonCatalog catalog;  // tryton: create_products (find-or-create by SKU)
};

struct SubscriberConfig {
  std::string id;
  Endpoint endpoint;
  std::string secret;  // "whsec_…"
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  Severity log_level = Severity::kInfo;
  std::string log_file;  // empty = stdout
  int http_threads = 2;
  size_t body_limit_bytes = 1 << 20;
  int64_t read_timeout_s = 15;  // a whole request must arrive within this (slow clients)
  int64_t idle_timeout_s = 60;  // idle keep-alive connections are closed after this
  size_t max_connections = 4096;
  std::string synchronous = "FULL";
  int delivery_workers = 16;
  // false pauses outbound delivery: commands stay durably in the outbox until it is resumed.
  // For maintenance windows and for measuring intake alone.
  bool delivery_enabled = true;
  // Fault injection for tests (reliability plan R12); never set in production. Shares of store
  // writes/reads and outbound HTTP calls that fail on purpose.
  double fault_store_write_rate = 0;
  double fault_store_read_rate = 0;
  double fault_http_rate = 0;
  std::string partners_dir;  // one YAML file per partner; relative to the config file
  std::vector<PartnerConfig> partners;
  std::vector<NodeConfig> nodes;
  RoutingPolicy routing;
  ErpConfig erp;
  ReturnPolicy returns;
  std::vector<FraudRule> fraud_rules;  // fraud: rules: hold matching orders at intake
  std::vector<SubscriberConfig> subscribers;
  // Sales channels' stock policy and availability feeds (docs/inventory.md): which nodes
  // sell to each, the safety stock held back, and where availability is published.
  std::vector<ChannelFeed> channels;

  // YAML with every secret redacted.
  std::string Redacted() const;
};

// Loads `path` (YAML) and the partner files of its `partners_dir`. Relative paths are resolved
// against the file's folder.
Result<Config> LoadConfigFile(const std::string& path);
// Parses YAML text; `base_dir` resolves relative paths. `world_readable`: the text came from a
// file every user may read, so inline secrets in it are refused.
Result<Config> ParseConfig(const std::string& yaml, const std::string& base_dir,
                           bool world_readable = false);
// The environment variable name of a secret: "partner.shopify.api_keys" →
// "CROSSDOCK_PARTNER_SHOPIFY_API_KEYS".
std::string SecretEnvName(const std::string& secret_name);
// Applies CROSSDOCK_LISTEN, CROSSDOCK_DATA_DIR, CROSSDOCK_LOG_LEVEL from `getenv`.
Status ApplyEnvironment(Config& config);
// The order flow's policy the configuration sets: routing, ERP, returns, fraud rules and each
// node's SLA (its partner's sla, or an X12 node's x12.ack_timeout_s).
OrderPolicy OrderPolicyOf(const Config& config);

// Which nodes fill each channel's orders (its available to promise): a channel of channels[]
// with `nodes` has those; any other channel the nodes of the routing rules for it and for
// every channel, and the default node. Key "" serves channels no rule or entry names.
std::map<std::string, std::vector<std::string>> ChannelNodesOf(const Config& config);

// The partner with id `id`, or nullptr.
const PartnerConfig* FindPartner(const Config& config, const std::string& id);

// The store's file: <data_dir>/crossdock.db.
std::string StorePathOf(const Config& config);

// The financial reconciliation the erp section sets (window, grace, tolerance).
FinancialReconciliation FinancialJobOf(const Config& config);

// Cross-checks: routing names configured nodes, ids unique, at least one partner.
Status ValidateConfig(const Config& config);

}  // namespace crossdock
