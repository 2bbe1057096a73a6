#include "gateway/auth.h"

#include <algorithm>

#include "base/crypto.h"
#include "base/random.h"

namespace crossdock {

namespace {
constexpr std::pair<PartnerKind, std::string_view> kKinds[] = {
    {PartnerKind::kChannel, "channel"},   {PartnerKind::kThirdPartyLogistics, "3pl"},
    {PartnerKind::kErp, "erp"},           {PartnerKind::kSubscriber, "subscriber"},
    {PartnerKind::kOperator, "operator"},
};
}  // namespace

Result<PartnerKind> ParsePartnerKind(std::string_view name) {
  for (auto [k, n] : kKinds) {
    if (n == name) return k;
  }
  return InvalidArgument("unknown partner kind '" + std::string(name) +
                         "' (channel, 3pl, erp, subscriber, operator)");
}

std::string_view PartnerKindName(PartnerKind kind) {
  for (auto [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "channel";
}

Authenticator::Authenticator(std::vector<PartnerCredential> credentials)
    : credentials_(std::move(credentials)) {}

std::set<std::string> DefaultScopes(PartnerKind kind) {
  switch (kind) {
    case PartnerKind::kChannel:
      return {"orders:write", "orders:read", "inventory:read", "returns:write"};
    case PartnerKind::kThirdPartyLogistics:
      return {"orders:read", "shipments:write", "inventory:write"};
    case PartnerKind::kErp:
      return {"orders:read"};
    case PartnerKind::kSubscriber:
      return {};
    case PartnerKind::kOperator:
      return {std::begin(kKnownScopes), std::end(kKnownScopes)};
  }
  return {};
}

bool Partner::MaySee(const std::vector<std::string>& parties) const {
  if (kind == PartnerKind::kOperator) return true;
  return std::find(parties.begin(), parties.end(), id) != parties.end();
}

PartnerCredential Authenticator::FromPlainKey(Partner partner, std::string_view key) {
  if (partner.scopes.empty()) partner.scopes = DefaultScopes(partner.kind);
  std::string salt = RandomHex(SystemRandom::Instance(), 16);
  return {std::move(partner), salt, Sha256Hex(salt + std::string(key)),
          std::string(key.substr(0, std::min<size_t>(4, key.size())))};
}

Result<Partner> Authenticator::Authenticate(const HttpRequest& request) const {
  std::string_view key;
  if (auto auth = request.Header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() <= kBearer.size() || auth->substr(0, kBearer.size()) != kBearer) {
      return Status(StatusCode::kUnauthenticated, "Authorization must be 'Bearer <api key>'");
    }
    key = auth->substr(kBearer.size());
  } else if (auto api_key = request.Header("X-Api-Key")) {
    key = *api_key;
  } else {
    return Status(StatusCode::kUnauthenticated, "no API key: send 'Authorization: Bearer <key>'");
  }
  const PartnerCredential* found = nullptr;
  std::string presented(key);
  for (const auto& c : credentials_) {
    // Hash and compare against every credential so timing does not reveal which one matched.
    if (ConstantTimeEquals(c.key_sha256_hex, Sha256Hex(c.salt + presented)) && !found) found = &c;
  }
  if (!found) return Status(StatusCode::kUnauthenticated, "API key is not valid");
  return found->partner;
}

}  // namespace crossdock
