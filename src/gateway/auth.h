// API-key authentication of partners. Keys are kept only as SHA-256 hashes and compared in
// constant time; a key is presented as `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "gateway/http.h"

namespace crossdock {

enum class PartnerKind { kChannel, kThirdPartyLogistics, kErp, kSubscriber, kOperator };
Result<PartnerKind> ParsePartnerKind(std::string_view name);
std::string_view PartnerKindName(PartnerKind kind);

struct Partner {
  std::string id;
  PartnerKind kind = PartnerKind::kChannel;
};

struct PartnerCredential {
  Partner partner;
  std::string key_sha256_hex;  // hash of one active key
};

class Authenticator {
 public:
  explicit Authenticator(std::vector<PartnerCredential> credentials);
  // Helper for configuration: hashes a plaintext key.
  static PartnerCredential FromPlainKey(Partner partner, std::string_view key);

  // The partner whose key the request presents. Unauthenticated when missing or unknown.
  Result<Partner> Authenticate(const HttpRequest& request) const;

 private:
  std::vector<PartnerCredential> credentials_;
};

}  // namespace crossdock
