// Standard Webhooks 1.0 signatures (https://www.standardwebhooks.com/): the signed content is
// "<webhook-id>.<webhook-timestamp>.<body>", signed with HMAC-SHA256 under the secret's bytes
// (the base64 part after "whsec_") and sent as "v1,<base64 signature>". Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

// Decodes "whsec_<base64>" (or bare base64) into key bytes.
Result<std::string> DecodeWebhookSecret(std::string_view secret);
// "v1,<base64>" for the given message.
std::string SignStandardWebhook(std::string_view key, std::string_view id, int64_t timestamp,
                                std::string_view body);
// Whether a `webhook-signature` header (space-separated list, any v1 entry may match) holds the
// signature of this message; constant-time comparisons.
bool StandardSignatureMatches(std::string_view key, std::string_view id, int64_t timestamp,
                              std::string_view body, std::string_view header);
// A `webhook-timestamp` (whole seconds); Unauthenticated when it is not one.
Result<int64_t> ParseWebhookTimestamp(std::string_view timestamp);
// Checks the signature, then the timestamp tolerance. Unauthenticated with the reason.
Status VerifyStandardWebhook(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view body, std::string_view signature_header,
                             int64_t now_seconds, int64_t tolerance_seconds = 300);

}  // namespace crossdock
