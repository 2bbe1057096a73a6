#include "gateway/idempotency.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(IdempotencyKeyTest, AcceptsTokensAndQuotedStrings) {
  EXPECT_EQ(*ParseIdempotencyKey("8e03978e-40d5-43e8-bc93-6894a57f9324"),
            "8e03978e-40d5-43e8-bc93-6894a57f9324");
  EXPECT_EQ(*ParseIdempotencyKey("\"abc\""), "abc");
  EXPECT_TRUE(ParseIdempotencyKey(std::string(255, 'k')).ok());
}

TEST(IdempotencyKeyTest, RejectsMalformed) {
  EXPECT_FALSE(ParseIdempotencyKey("").ok());
  EXPECT_FALSE(ParseIdempotencyKey("\"\"").ok());
  EXPECT_FALSE(ParseIdempotencyKey(std::string(256, 'k')).ok());
  EXPECT_FALSE(ParseIdempotencyKey("has space").ok());
  EXPECT_FALSE(ParseIdempotencyKey("caf\xc3\xa9").ok());
}

TEST(IdempotencyKeyTest, HashCoversMethodPathAndBody) {
  auto a = IdempotencyRequestHash("POST", "/v1/orders", "{}");
  EXPECT_EQ(a, IdempotencyRequestHash("POST", "/v1/orders", "{}"));
  EXPECT_NE(a, IdempotencyRequestHash("POST", "/v1/orders", "{ }"));
  EXPECT_NE(a, IdempotencyRequestHash("POST", "/v1/other", "{}"));
}

TEST(InFlightKeysTest, OnePerPartnerAndKey) {
  InFlightKeys keys;
  EXPECT_TRUE(keys.TryAcquire("shop", "k"));
  EXPECT_FALSE(keys.TryAcquire("shop", "k"));
  EXPECT_TRUE(keys.TryAcquire("other", "k"));
  keys.Release("shop", "k");
  EXPECT_TRUE(keys.TryAcquire("shop", "k"));
}

}  // namespace
}  // namespace crossdock
