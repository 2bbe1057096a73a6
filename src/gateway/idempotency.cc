#include "gateway/idempotency.h"

#include "base/crypto.h"

namespace crossdock {

Result<std::string> ParseIdempotencyKey(std::string_view h) {
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"') h = h.substr(1, h.size() - 2);
  if (h.empty()) return InvalidArgument("Idempotency-Key is empty");
  if (h.size() > 255) return InvalidArgument("Idempotency-Key is longer than 255 characters");
  for (char c : h) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
      return InvalidArgument("Idempotency-Key may contain only visible ASCII characters");
    }
  }
  return std::string(h);
}

std::string IdempotencyRequestHash(std::string_view method, std::string_view path,
                                   std::string_view body) {
  std::string material;
  material.reserve(method.size() + path.size() + body.size() + 2);
  material.append(method).append(" ").append(path).append("\n").append(body);
  return Sha256Hex(material);
}

bool InFlightKeys::TryAcquire(const std::string& partner, const std::string& key) {
  std::lock_guard lock(mu_);
  return keys_.emplace(partner, key).second;
}

void InFlightKeys::Release(const std::string& partner, const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.erase({partner, key});
}

}  // namespace crossdock
