// Verification of signed inbound webhooks: Shopify (X-Shopify-Hmac-Sha256, the base64
// HMAC-SHA256 of the raw body under the app's secret) and Standard Webhooks
// (webhook-id / webhook-timestamp / webhook-signature). Every comparison is constant-time.
// Secrets rotate with an overlap window: a partner may hold several, each valid until its
// `not_after`, and a delivery signed with any valid one is accepted. Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "gateway/http.h"

namespace crossdock {

enum class WebhookScheme { kShopify, kStandard };
Result<WebhookScheme> ParseWebhookScheme(std::string_view name);
std::string_view WebhookSchemeName(WebhookScheme scheme);

struct WebhookSecret {
  std::string secret;  // Shopify: the app's client secret; Standard: "whsec_<base64>"
  std::optional<TimePoint> not_after;  // end of the rotation overlap; none = no end
};

struct InboundWebhookPolicy {
  WebhookScheme scheme = WebhookScheme::kStandard;
  std::vector<WebhookSecret> secrets;
  // A delivery sent longer ago than this (or this far in the future) is refused: Standard
  // Webhooks recommends 5 minutes; Shopify retries for hours with the original
  // X-Shopify-Triggered-At, so its partners usually allow more.
  std::chrono::seconds tolerance{300};
};

struct VerifiedWebhook {
  std::string id;           // the delivery id, stable across retries: the dedup key
  TimePoint sent_at;        // when the sender created the delivery
  std::string topic;        // Shopify: X-Shopify-Topic; Standard: empty (the body says)
  size_t secret_index = 0;  // which secret matched (rotation monitoring)
};

// Unauthenticated with the reason when the signature, its headers or the timestamp fail.
Result<VerifiedWebhook> VerifyInboundWebhook(const InboundWebhookPolicy& policy,
                                             const HttpRequest& request, TimePoint now);

// Signs like Shopify does (tests and the simulator use it).
std::string SignShopifyWebhook(std::string_view secret, std::string_view body);

}  // namespace crossdock
