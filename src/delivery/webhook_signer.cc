#include "delivery/webhook_signer.h"

#include <cstdlib>

#include "base/crypto.h"

namespace crossdock {

Result<std::string> DecodeWebhookSecret(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) == kPrefix) secret.remove_prefix(kPrefix.size());
  auto key = Base64Decode(secret);
  if (!key.ok() || key->size() < 16) {
    return InvalidArgument("webhook secret must be 'whsec_' + base64 of at least 16 bytes");
  }
  return key;
}

std::string SignStandardWebhook(std::string_view key, std::string_view id, int64_t timestamp,
                                std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + Base64Encode(HmacSha256(key, content));
}

bool StandardSignatureMatches(std::string_view key, std::string_view id, int64_t timestamp,
                              std::string_view body, std::string_view header) {
  std::string expected = SignStandardWebhook(key, id, timestamp, body);
  bool match = false;
  size_t i = 0;
  while (i < header.size()) {
    size_t j = header.find(' ', i);
    if (j == std::string_view::npos) j = header.size();
    if (ConstantTimeEquals(header.substr(i, j - i), expected)) match = true;
    i = j + 1;
  }
  return match;
}

Result<int64_t> ParseWebhookTimestamp(std::string_view timestamp) {
  if (timestamp.empty() || timestamp.size() > 12 ||
      timestamp.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status(StatusCode::kUnauthenticated, "webhook-timestamp is not a number");
  }
  return std::strtoll(std::string(timestamp).c_str(), nullptr, 10);
}

Status VerifyStandardWebhook(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view body, std::string_view header, int64_t now_seconds,
                             int64_t tolerance_seconds) {
  auto ts = ParseWebhookTimestamp(timestamp);
  if (!ts.ok()) return ts.status();
  // The signature first: an unsigned request learns nothing about the timing rule.
  if (!StandardSignatureMatches(key, id, *ts, body, header)) {
    return Status(StatusCode::kUnauthenticated, "no webhook-signature matches");
  }
  if (std::llabs(now_seconds - *ts) > tolerance_seconds) {
    return Status(StatusCode::kUnauthenticated, "webhook-timestamp is outside the tolerance");
  }
  return Status::Ok();
}

}  // namespace crossdock
