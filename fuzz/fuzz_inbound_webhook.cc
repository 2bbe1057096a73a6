// Fuzzes inbound webhook verification (gateway/inbound_webhook.h) with attacker-controlled
// headers and body: the input is split into header values and a body. Invariants: never
// crash; nothing verifies without the secret; a request signed with the secret verifies.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "delivery/webhook_signer.h"
#include "gateway/inbound_webhook.h"

namespace {

// Next '\n'-separated field of `s`, consumed.
std::string_view Field(std::string_view& s) {
  auto n = s.find('\n');
  std::string_view f = s.substr(0, n);
  s.remove_prefix(n == std::string_view::npos ? s.size() : n + 1);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crossdock;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  const TimePoint now = FromUnixMicros(1'795'000'000'000'000);
  std::string_view a = Field(s), b = Field(s), c = Field(s), d = Field(s);
  const std::string shopify_secret = "FAKE-fuzz-shopify-secret";
  const std::string standard_secret = "TESTONLYFAKEFAKEFAKE1234";
  for (auto scheme : {WebhookScheme::kShopify, WebhookScheme::kStandard}) {
    InboundWebhookPolicy policy{
        scheme,
        {{scheme == WebhookScheme::kShopify ? shopify_secret : standard_secret, std::nullopt}},
        std::chrono::seconds(300)};
    HttpRequest r;
    r.body = std::string(s);
    if (scheme == WebhookScheme::kShopify) {
      r.headers["X-Shopify-Hmac-Sha256"] = std::string(a);
      r.headers["X-Shopify-Webhook-Id"] = std::string(b);
      r.headers["X-Shopify-Triggered-At"] = std::string(c);
      r.headers["X-Shopify-Topic"] = std::string(d);
    } else {
      r.headers["webhook-signature"] = std::string(a);
      r.headers["webhook-id"] = std::string(b);
      r.headers["webhook-timestamp"] = std::string(c);
    }
    // The fuzzer does not know the secret: forging a valid signature would be a bug.
    if (VerifyInboundWebhook(policy, r, now).ok()) std::abort();
    // Signed properly, the same delivery verifies (when its other headers are sane).
    if (scheme == WebhookScheme::kShopify) {
      r.headers["X-Shopify-Hmac-Sha256"] = SignShopifyWebhook(shopify_secret, r.body);
      r.headers["X-Shopify-Triggered-At"] = FormatRfc3339(now);
      if (!b.empty() && b.size() <= 255 && !VerifyInboundWebhook(policy, r, now).ok()) std::abort();
    }
  }
  return 0;
}
