#include "delivery/webhook_signer.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

// The message of the Standard Webhooks specification's example, signed under an obviously fake
// secret. The expected signature was computed independently of this code with
//   printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
//     openssl dgst -sha256 -mac HMAC -macopt hexkey:4c449338d2d8140284… -binary | base64
// (the key is the base64 decoding of the secret; fixtures leave out the optional "whsec_"
// prefix so that no tracked value has the shape of a live secret).
constexpr const char* kSecret = "TESTONLYFAKEFAKEFAKEFAKE";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTs = 1614265330;
constexpr const char* kBody = R"({"test": 2432232314})";
constexpr const char* kSig = "v1,3aAyq801SNHt1JG/9fEhM7AiEx0/xKppaY+9wn1f1dc=";

TEST(WebhookSignerTest, MatchesAnIndependentlyComputedSignature) {
  auto key = DecodeWebhookSecret(kSecret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(SignStandardWebhook(*key, kId, kTs, kBody), kSig);
  // The "whsec_" prefix the specification writes secrets with is optional.
  auto prefixed = DecodeWebhookSecret(std::string("whsec_") + kSecret);
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(*prefixed, *key);
}

TEST(WebhookSignerTest, VerifiesAndRejects) {
  std::string key = *DecodeWebhookSecret(kSecret);
  EXPECT_TRUE(
      VerifyStandardWebhook(key, kId, "1614265330", kBody, std::string("v1,bogus ") + kSig, kTs)
          .ok());
  EXPECT_FALSE(
      VerifyStandardWebhook(key, kId, "1614265330", R"({"test": 2432232315})", kSig, kTs).ok());
  EXPECT_FALSE(VerifyStandardWebhook(key, kId, "1614265330", kBody, kSig, kTs + 301).ok());
  EXPECT_FALSE(VerifyStandardWebhook(key, kId, "abc", kBody, kSig, kTs).ok());
  EXPECT_FALSE(DecodeWebhookSecret("whsec_short").ok());
}

}  // namespace
}  // namespace crossdock
