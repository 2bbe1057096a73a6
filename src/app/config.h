// Config: everything `crossdock serve` needs, loaded from one YAML file, then overridden by
// CROSSDOCK_* environment variables, then by command-line flags (12-factor order).
// Unknown keys are refused with their path. Secrets may be given inline or as *_file paths;
// Redacted() prints the effective configuration with every secret replaced by "<redacted>".
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "delivery/endpoint.h"
#include "flows/routing.h"
#include "gateway/auth.h"

namespace crossdock {

struct PartnerConfig {
  std::string id;
  PartnerKind kind = PartnerKind::kChannel;
  std::vector<std::string> api_keys;  // plaintext, hashed at start; never logged
  std::set<std::string> scopes;       // empty = the kind's defaults (gateway/auth.h DefaultScopes)
  RequestQuota quota;
};

struct NodeConfig {
  std::string id;
  std::string name;
  Endpoint endpoint;    // url, timeout, retry
  std::string api_key;  // sent to the node as "Authorization: Bearer <key>"; may be empty
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
  std::vector<PartnerConfig> partners;
  std::vector<NodeConfig> nodes;
  RoutingPolicy routing;
  std::vector<SubscriberConfig> subscribers;

  // YAML with every secret redacted.
  std::string Redacted() const;
};

// Loads `path` (YAML). Relative *_file paths are resolved against the file's folder.
Result<Config> LoadConfigFile(const std::string& path);
// Parses YAML text; `base_dir` resolves relative *_file paths.
Result<Config> ParseConfig(const std::string& yaml, const std::string& base_dir);
// Applies CROSSDOCK_LISTEN, CROSSDOCK_DATA_DIR, CROSSDOCK_LOG_LEVEL from `getenv`.
Status ApplyEnvironment(Config& config);
// Cross-checks: routing names configured nodes, ids unique, at least one partner.
Status ValidateConfig(const Config& config);

}  // namespace crossdock
