#include "delivery/webhook_signer.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

// The example from the Standard Webhooks specification.
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTs = 1614265330;
constexpr const char* kBody = R"({"test": 2432232314})";
constexpr const char* kSig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(WebhookSignerTest, MatchesSpecificationExample) {
  auto key = DecodeWebhookSecret(kSecret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(SignStandardWebhook(*key, kId, kTs, kBody), kSig);
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
