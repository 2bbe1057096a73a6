#include "gateway/inbound_webhook.h"

#include <gtest/gtest.h>

#include "delivery/webhook_signer.h"

namespace crossdock {
namespace {

const TimePoint kNow = FromUnixMicros(1'795'000'000'000'000);
constexpr const char* kBody = R"({"id":820982911946154508,"line_items":[]})";
// Obviously fake test secrets.
constexpr const char* kShopOld = "FAKE-shopify-secret-old";
constexpr const char* kShopNew = "FAKE-shopify-secret-new";
constexpr const char* kStdOld = "TESTONLYFAKEFAKEFAKEOLD0";
constexpr const char* kStdNew = "TESTONLYFAKEFAKEFAKENEW0";

HttpRequest ShopifyRequest(const std::string& secret, std::string body, TimePoint triggered) {
  HttpRequest r;
  r.method = "POST";
  r.body = std::move(body);
  r.headers["X-Shopify-Hmac-Sha256"] = SignShopifyWebhook(secret, r.body);
  r.headers["X-Shopify-Webhook-Id"] = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
  r.headers["X-Shopify-Triggered-At"] = FormatRfc3339(triggered);
  r.headers["X-Shopify-Topic"] = "orders/create";
  return r;
}

HttpRequest StandardRequest(const std::string& secret, std::string body, TimePoint sent) {
  HttpRequest r;
  r.method = "POST";
  r.body = std::move(body);
  int64_t ts = std::chrono::duration_cast<std::chrono::seconds>(sent.time_since_epoch()).count();
  r.headers["webhook-id"] = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  r.headers["webhook-timestamp"] = std::to_string(ts);
  r.headers["webhook-signature"] = SignStandardWebhook(
      *DecodeWebhookSecret(secret), "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", ts, r.body);
  return r;
}

InboundWebhookPolicy Policy(WebhookScheme scheme, std::vector<WebhookSecret> secrets,
                            int tolerance_s = 300) {
  return {scheme, std::move(secrets), std::chrono::seconds(tolerance_s)};
}

TEST(InboundWebhookTest, ShopifyAcceptsTheExactBodyOnly) {
  auto policy = Policy(WebhookScheme::kShopify, {{kShopNew, {}}});
  auto ok = VerifyInboundWebhook(policy, ShopifyRequest(kShopNew, kBody, kNow), kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->id, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  EXPECT_EQ(ok->topic, "orders/create");

  HttpRequest changed = ShopifyRequest(kShopNew, kBody, kNow);
  changed.body[10] ^= 1;  // one byte
  EXPECT_EQ(VerifyInboundWebhook(policy, changed, kNow).status().code(),
            StatusCode::kUnauthenticated);
  HttpRequest truncated = ShopifyRequest(kShopNew, kBody, kNow);
  std::string& sig = truncated.headers["X-Shopify-Hmac-Sha256"];
  sig.resize(sig.size() - 4);
  EXPECT_EQ(VerifyInboundWebhook(policy, truncated, kNow).status().code(),
            StatusCode::kUnauthenticated);
  HttpRequest unsigned_req = ShopifyRequest(kShopNew, kBody, kNow);
  unsigned_req.headers.erase("X-Shopify-Hmac-Sha256");
  EXPECT_FALSE(VerifyInboundWebhook(policy, unsigned_req, kNow).ok());
  EXPECT_FALSE(VerifyInboundWebhook(policy, ShopifyRequest(kShopOld, kBody, kNow), kNow).ok());
}

TEST(InboundWebhookTest, ShopifyStaleRetryIsRefused) {
  auto policy = Policy(WebhookScheme::kShopify, {{kShopNew, {}}}, 3600);
  auto late = ShopifyRequest(kShopNew, kBody, kNow - std::chrono::minutes(59));
  EXPECT_TRUE(VerifyInboundWebhook(policy, late, kNow).ok());
  auto stale = ShopifyRequest(kShopNew, kBody, kNow - std::chrono::minutes(61));
  auto r = VerifyInboundWebhook(policy, stale, kNow);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("stale"), std::string::npos);
}

TEST(InboundWebhookTest, RotationOverlapAcceptsBothSecretsUntilTheOldOneEnds) {
  TimePoint overlap_end = kNow + std::chrono::hours(1);
  for (auto scheme : {WebhookScheme::kShopify, WebhookScheme::kStandard}) {
    bool shopify = scheme == WebhookScheme::kShopify;
    std::string old_secret = shopify ? kShopOld : kStdOld;
    std::string new_secret = shopify ? kShopNew : kStdNew;
    auto policy = Policy(scheme, {{old_secret, overlap_end}, {new_secret, {}}});
    auto request = [&](const std::string& secret, TimePoint at) {
      return shopify ? ShopifyRequest(secret, kBody, at) : StandardRequest(secret, kBody, at);
    };
    SCOPED_TRACE(WebhookSchemeName(scheme));
    auto with_old = VerifyInboundWebhook(policy, request(old_secret, kNow), kNow);
    ASSERT_TRUE(with_old.ok()) << with_old.status().ToString();
    EXPECT_EQ(with_old->secret_index, 0u);
    auto with_new = VerifyInboundWebhook(policy, request(new_secret, kNow), kNow);
    ASSERT_TRUE(with_new.ok());
    EXPECT_EQ(with_new->secret_index, 1u);
    TimePoint after = overlap_end + std::chrono::seconds(1);
    EXPECT_FALSE(VerifyInboundWebhook(policy, request(old_secret, after), after).ok());
    EXPECT_TRUE(VerifyInboundWebhook(policy, request(new_secret, after), after).ok());
  }
}

TEST(InboundWebhookTest, StandardWebhooksChecksBodyTimestampAndSignature) {
  auto policy = Policy(WebhookScheme::kStandard, {{kStdNew, {}}});
  auto ok = VerifyInboundWebhook(policy, StandardRequest(kStdNew, kBody, kNow), kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->id, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");

  HttpRequest changed = StandardRequest(kStdNew, kBody, kNow);
  changed.body.back() = ' ';
  EXPECT_FALSE(VerifyInboundWebhook(policy, changed, kNow).ok());
  HttpRequest truncated = StandardRequest(kStdNew, kBody, kNow);
  std::string& sig = truncated.headers["webhook-signature"];
  sig.resize(sig.size() - 1);
  EXPECT_FALSE(VerifyInboundWebhook(policy, truncated, kNow).ok());
  auto stale = StandardRequest(kStdNew, kBody, kNow - std::chrono::seconds(301));
  EXPECT_FALSE(VerifyInboundWebhook(policy, stale, kNow).ok());
  auto future = StandardRequest(kStdNew, kBody, kNow + std::chrono::seconds(301));
  EXPECT_FALSE(VerifyInboundWebhook(policy, future, kNow).ok());
  // A timestamp edited after signing breaks the signature.
  HttpRequest moved = StandardRequest(kStdNew, kBody, kNow - std::chrono::seconds(10));
  moved.headers["webhook-timestamp"] = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count());
  EXPECT_FALSE(VerifyInboundWebhook(policy, moved, kNow).ok());
}

}  // namespace
}  // namespace crossdock
