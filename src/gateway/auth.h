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
inline constexpr const char* kKnownScopes[] = {"orders:write",   "orders:read",   "shipments:write",
                                               "inventory:read", "returns:write", "admin"};
// The scopes a partner of `kind` has when its configuration names none.
std::set<std::string> DefaultScopes(PartnerKind kind);

// A partner's request quota: a token bucket (0 = unlimited).
struct RequestQuota {
  double per_second = 0;
  double burst = 0;  // 0 = one second's worth, at least 1
};

struct Partner {
  std::string id;
  PartnerKind kind = PartnerKind::kChannel;
  std::set<std::string> scopes;
  RequestQuota quota;
  bool HasScope(std::string_view scope) const { return scopes.count(std::string(scope)) > 0; }
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
