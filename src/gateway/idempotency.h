// Idempotency-Key handling at the edge (IETF httpapi draft, Stripe semantics): header syntax
// and the in-flight registry that answers 409 to a second request with a key still being
// processed. Completed requests are remembered by the store (idempotency_keys).
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace crossdock {

// Accepts a bare token or a structured-field string ("..."); 1–255 visible ASCII characters.
Result<std::string> ParseIdempotencyKey(std::string_view header);

// SHA-256 over method, path and body: what "the same request" means for a key.
std::string IdempotencyRequestHash(std::string_view method, std::string_view path,
                                   std::string_view body);

// Keys currently being processed, per partner. Thread-safe.
class InFlightKeys {
 public:
  // False when (partner, key) is already in flight.
  bool TryAcquire(const std::string& partner, const std::string& key);
  void Release(const std::string& partner, const std::string& key);

 private:
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> keys_;
};

}  // namespace crossdock
