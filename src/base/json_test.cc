#include "base/json.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(JsonWriterTest, WritesEscapedDocument) {
  JsonWriter w;
  w.StartObject()
      .Field("a", "x\"y\n")
      .Field("n", int64_t{-3})
      .Key("l")
      .StartArray()
      .Bool(true)
      .Null()
      .EndArray()
      .EndObject();
  EXPECT_EQ(w.view(), R"({"a":"x\"y\n","n":-3,"l":[true,null]})");
}

TEST(JsonSyntaxTest, NamesByteOffsetOfFault) {
  EXPECT_TRUE(CheckJsonSyntax(R"({"a":[1,2]})").ok());
  Status s = CheckJsonSyntax(R"({"a":[1,2}})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at byte 9"), std::string::npos) << s.message();
  EXPECT_NE(CheckJsonSyntax("{} x").message().find("at byte 3"), std::string::npos);
}

TEST(JsonSyntaxTest, RejectsInvalidUtf8) {
  std::string bad = "{\"a\":\"\xC3\x28\"}";
  Status s = CheckJsonSyntax(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at byte"), std::string::npos);
}

TEST(JsonSyntaxTest, BoundsDepth) {
  std::string deep(40, '[');
  deep += std::string(40, ']');
  EXPECT_TRUE(CheckJsonSyntax(deep, 64).ok());
  Status s = CheckJsonSyntax(deep, 32);
  EXPECT_NE(s.message().find("nesting deeper than 32"), std::string::npos) << s.message();
}

TEST(JsonPointerTest, EscapesTokens) {
  EXPECT_EQ(JsonPointerEscape("a/b~c"), "a~1b~0c");
}

}  // namespace
}  // namespace crossdock
