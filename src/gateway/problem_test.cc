#include "gateway/problem.h"

#include <gtest/gtest.h>

#include <set>

#include "base/json.h"

namespace crossdock {
namespace {

TEST(ProblemTest, RendersRfc9457WithPointers) {
  HttpResponse r = ProblemResponse({ProblemType::kValidation,
                                    "2 error(s)",
                                    "/v1/orders",
                                    "abc",
                                    {{"/lines/0/sku", "is required"}, {"/currency", "bad"}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  EXPECT_TRUE(CheckJsonSyntax(r.body).ok());
  EXPECT_EQ(
      r.body,
      R"J({"type":"https://crossdock.dev/problems/validation-error","title":"Request content is invalid","status":422,"detail":"2 error(s)","instance":"/v1/orders","trace_id":"abc","errors":[{"pointer":"/lines/0/sku","detail":"is required"},{"pointer":"/currency","detail":"bad"}]})J");
}

TEST(ProblemTest, EveryTypeHasAnErrorStatusAndUniqueSlug) {
  std::set<std::string_view> slugs;
  for (int t = 0; t <= static_cast<int>(ProblemType::kUnavailable); ++t) {
    auto type = static_cast<ProblemType>(t);
    EXPECT_GE(ProblemStatus(type), 400);
    EXPECT_TRUE(slugs.insert(ProblemSlug(type)).second) << ProblemSlug(type);
  }
}

}  // namespace
}  // namespace crossdock
