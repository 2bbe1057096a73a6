// API-key authentication of partners. Keys are kept only as SHA-256 hashes and compared in
// constant time; a key is presented as `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "gateway/http.h"

namespace crossdock {

enum class PartnerKind { kChannel, kThirdPartyLogistics, kErp, kSubscriber, kOperator };
Result<PartnerKind> ParsePartnerKind(std::string_view name);
std::string_view PartnerKindName(PartnerKind kind);

// What a partner may do. Routes name the scope they need (gateway/api.cc).
inline constexpr const char* kKnownScopes[] = {
    "orders:write",  "orders:read", "shipments:write", "inventory:read", "inventory:write",
    "returns:write", "admin"};
// The scopes a partner of `kind` has when its configuration names none.
std::set<std::string> DefaultScopes(PartnerKind kind);

// A partner's request quota: a token bucket (0 = unlimited).
struct RequestQuota {
  double per_second = 0;
  double burst = 0;  // 0 = one second's worth, at least 1
};

// Per-partner payload limits, tighter than the server's (0 = the server's limit).
struct PartnerLimits {
  size_t max_body_bytes = 0;
  size_t max_order_lines = 0;
};

// What the partner is expected to deliver (shown to operators; SLA timers use it).
struct PartnerSla {
  int64_t dispatch_ack_minutes = 0;  // a node acknowledges a dispatched order within this
  int64_t ship_hours = 0;            // a node ships an order within this
};

struct Partner {
  std::string id;
  PartnerKind kind = PartnerKind::kChannel;
  std::set<std::string> scopes;
  RequestQuota quota;
  PartnerLimits limits;
  PartnerSla sla;
  std::string channel;  // the canonical channel of orders it sends by webhook; "" = its id
  bool HasScope(std::string_view scope) const { return scopes.count(std::string(scope)) > 0; }
  // Tenant isolation: an object lists the partners allowed to see it; operators see all.
  bool MaySee(const std::vector<std::string>& parties) const;
};

// One active key, kept only as a salted SHA-256 and a short prefix for display.
struct PartnerCredential {
  Partner partner;
  std::string salt;            // random bytes, hex
  std::string key_sha256_hex;  // SHA-256(salt + key)
  std::string key_prefix;      // the key's first 4 characters, for lists
};

class Authenticator {
 public:
  explicit Authenticator(std::vector<PartnerCredential> credentials);
  // Helper for configuration: salts and hashes a plaintext key (the key is not kept).
  static PartnerCredential FromPlainKey(Partner partner, std::string_view key);
  const std::vector<PartnerCredential>& credentials() const { return credentials_; }

  // The partner whose key the request presents. Unauthenticated when missing or unknown.
  Result<Partner> Authenticate(const HttpRequest& request) const;

 private:
  std::vector<PartnerCredential> credentials_;
};

}  // namespace crossdock
