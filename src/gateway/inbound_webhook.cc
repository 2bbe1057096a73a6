#include "gateway/inbound_webhook.h"

#include "base/crypto.h"
#include "delivery/webhook_signer.h"

namespace crossdock {

namespace {

Status Refuse(std::string why) {
  return Status(StatusCode::kUnauthenticated, std::move(why));
}

bool Valid(const WebhookSecret& s, TimePoint now) {
  return !s.not_after || now <= *s.not_after;
}

Status CheckAge(TimePoint sent_at, TimePoint now, std::chrono::seconds tolerance,
                std::string_view header) {
  auto age = now - sent_at;
  if (age > tolerance) {
    return Refuse(std::string(header) + " is older than the " + std::to_string(tolerance.count()) +
                  " s tolerance: a stale delivery");
  }
  if (-age > tolerance) return Refuse(std::string(header) + " is in the future");
  return Status::Ok();
}

Result<VerifiedWebhook> VerifyShopify(const InboundWebhookPolicy& policy, const HttpRequest& req,
                                      TimePoint now) {
  // The signature first: a request that is not signed learns nothing about the other rules.
  auto hmac = req.Header("X-Shopify-Hmac-Sha256");
  if (!hmac || hmac->empty()) return Refuse("missing X-Shopify-Hmac-Sha256");
  std::optional<size_t> matched;
  for (size_t i = 0; i < policy.secrets.size(); ++i) {
    if (!Valid(policy.secrets[i], now)) continue;
    std::string expected = Base64Encode(HmacSha256(policy.secrets[i].secret, req.body));
    if (ConstantTimeEquals(*hmac, expected) && !matched) matched = i;
  }
  if (!matched) return Refuse("X-Shopify-Hmac-Sha256 does not match the body");
  // Shopify signs only the body: the id and time below are not authenticated, so they guard
  // against honest retries, while a replayed body is caught by the order's uniqueness.
  auto id = req.Header("X-Shopify-Webhook-Id");
  auto triggered = req.Header("X-Shopify-Triggered-At");
  if (!id || id->empty() || id->size() > 255) return Refuse("missing X-Shopify-Webhook-Id");
  if (!triggered) return Refuse("missing X-Shopify-Triggered-At");
  auto sent = ParseRfc3339(*triggered);
  if (!sent.ok()) return Refuse("X-Shopify-Triggered-At is not an RFC 3339 time");
  CROSSDOCK_RETURN_IF_ERROR(CheckAge(*sent, now, policy.tolerance, "X-Shopify-Triggered-At"));
  return VerifiedWebhook{std::string(*id), *sent,
                         std::string(req.Header("X-Shopify-Topic").value_or("")), *matched};
}

Result<VerifiedWebhook> VerifyStandard(const InboundWebhookPolicy& policy, const HttpRequest& req,
                                       TimePoint now) {
  auto id = req.Header("webhook-id");
  auto ts = req.Header("webhook-timestamp");
  auto sig = req.Header("webhook-signature");
  if (!id || id->empty() || id->size() > 255) return Refuse("missing webhook-id");
  if (!ts) return Refuse("missing webhook-timestamp");
  if (!sig || sig->empty()) return Refuse("missing webhook-signature");
  auto sent = ParseWebhookTimestamp(*ts);
  if (!sent.ok()) return sent.status();
  // The signature first (it covers id, timestamp and body), then the timestamp's age.
  std::optional<size_t> matched;
  for (size_t i = 0; i < policy.secrets.size() && !matched; ++i) {
    if (!Valid(policy.secrets[i], now)) continue;
    auto key = DecodeWebhookSecret(policy.secrets[i].secret);
    if (key.ok() && StandardSignatureMatches(*key, *id, *sent, req.body, *sig)) matched = i;
  }
  if (!matched) return Refuse("no webhook-signature matches");
  TimePoint sent_at{std::chrono::seconds(*sent)};
  CROSSDOCK_RETURN_IF_ERROR(CheckAge(sent_at, now, policy.tolerance, "webhook-timestamp"));
  return VerifiedWebhook{std::string(*id), sent_at, "", *matched};
}

}  // namespace

Result<WebhookScheme> ParseWebhookScheme(std::string_view name) {
  if (name == "shopify") return WebhookScheme::kShopify;
  if (name == "standard") return WebhookScheme::kStandard;
  return InvalidArgument("unknown webhook scheme '" + std::string(name) + "' (shopify, standard)");
}

std::string_view WebhookSchemeName(WebhookScheme scheme) {
  return scheme == WebhookScheme::kShopify ? "shopify" : "standard";
}

Result<VerifiedWebhook> VerifyInboundWebhook(const InboundWebhookPolicy& policy,
                                             const HttpRequest& request, TimePoint now) {
  return policy.scheme == WebhookScheme::kShopify ? VerifyShopify(policy, request, now)
                                                  : VerifyStandard(policy, request, now);
}

std::string SignShopifyWebhook(std::string_view secret, std::string_view body) {
  return Base64Encode(HmacSha256(secret, body));
}

}  // namespace crossdock
