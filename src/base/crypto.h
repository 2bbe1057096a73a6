// Hashes, HMACs, Base64 and constant-time comparison (OpenSSL 3). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);
std::string HexEncode(std::string_view bytes);
// Compares in time independent of where the inputs differ (length leaks, content does not).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace crossdock
