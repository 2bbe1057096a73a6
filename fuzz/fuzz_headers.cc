// Fuzzes the small parsers that read untrusted header and field values: Idempotency-Key,
// traceparent, Retry-After, RFC 3339 times, decimals, URLs, listen addresses, JSON syntax
// checking, Standard Webhooks verification.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "base/money.h"
#include "base/trace.h"
#include "delivery/http_client.h"
#include "delivery/retry_policy.h"
#include "delivery/webhook_signer.h"
#include "gateway/http.h"
#include "gateway/idempotency.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto k = crossdock::ParseIdempotencyKey(s); k.ok() && (k->empty() || k->size() > 255))
    std::abort();
  if (auto t = crossdock::ParseTraceparent(s)) {
    if (!crossdock::ParseTraceparent(t->ToTraceparent())) std::abort();
  }
  (void)crossdock::ParseRetryAfter(s);
  if (auto t = crossdock::ParseRfc3339(s); t.ok()) {
    auto again = crossdock::ParseRfc3339(crossdock::FormatRfc3339(*t));
    if (!again.ok()) std::abort();
  }
  if (auto d = crossdock::Decimal::Parse(s); d.ok()) {
    auto again = crossdock::Decimal::Parse(d->ToString());
    if (!again.ok() || !(*again == *d)) std::abort();
  }
  (void)crossdock::ParseHttpUrl(s);
  (void)crossdock::ParseListenAddress(std::string(s));
  (void)crossdock::CheckJsonSyntax(s, 32);
  (void)crossdock::VerifyStandardWebhook("0123456789abcdef", "id", s, s, s, 0);
  return 0;
}
