#include "base/log.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace crossdock {
namespace {

TEST(LogTest, LineIsOneJsonObjectWithConventionalFields) {
  std::string line = FormatLogLine(FromUnixMicros(0), Severity::kWarning, "order \"x\" parked",
                                   {{"trace_id", "abc"}, {"order_id", "ord_1"}, {"partner", ""}});
  EXPECT_TRUE(CheckJsonSyntax(line).ok());
  EXPECT_EQ(
      line,
      R"({"timestamp":"1970-01-01T00:00:00.000Z","severity":"WARNING","message":"order \"x\" parked","trace_id":"abc","order_id":"ord_1"})");
}

TEST(LogTest, ParsesSeverityNames) {
  EXPECT_EQ(*ParseSeverity("warn"), Severity::kWarning);
  EXPECT_FALSE(ParseSeverity("loud").ok());
}

}  // namespace
}  // namespace crossdock
