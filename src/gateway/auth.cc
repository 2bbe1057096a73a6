#include "gateway/auth.h"

#include "base/crypto.h"

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

PartnerCredential Authenticator::FromPlainKey(Partner partner, std::string_view key) {
  return {std::move(partner), Sha256Hex(key)};
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
  std::string hash = Sha256Hex(key);
  const PartnerCredential* found = nullptr;
  for (const auto& c : credentials_) {
    // Compare against every credential so timing does not reveal which one matched.
    if (ConstantTimeEquals(c.key_sha256_hex, hash) && !found) found = &c;
  }
  if (!found) return Status(StatusCode::kUnauthenticated, "API key is not valid");
  return found->partner;
}

}  // namespace crossdock
