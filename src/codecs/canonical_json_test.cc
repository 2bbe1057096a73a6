#include "codecs/canonical_json.h"
#include "codecs/golden_files_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/order_generator.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

using testing_util::Describe;

bool HasPointer(const FieldErrors& errors, const std::string& pointer) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const FieldError& e) { return e.pointer == pointer; });
}

TEST(CanonicalJsonTest, GeneratedOrdersRoundTrip) {
  OrderGenerator gen(99, "web", "RT");
  for (int i = 0; i < 500; ++i) {
    Order o = gen.Next();
    if (i % 3 == 0) o.bill_to = o.ship_to;
    if (i % 5 == 0) o.placed_at = FromUnixMicros(1'790'000'000'000'000 + i * 1000);
    std::string json = EncodeOrder(o);
    auto back = DecodeOrder(json);
    ASSERT_TRUE(back.ok()) << json << "\n" << Describe(back.errors);
    EXPECT_EQ(*back.value, o);
    EXPECT_EQ(EncodeOrder(*back.value), json);
  }
}

TEST(CanonicalJsonTest, StoredOrderWithServerFieldsRoundTrips) {
  Order o = OrderGenerator(1, "web", "S").Next();
  o.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  o.status = OrderStatus::kDispatched;
  o.partner = "shop";
  o.created_at = FromUnixMicros(1'790'000'000'123'000);
  o.updated_at = FromUnixMicros(1'790'000'001'000'000);
  DecodeOptions stored;
  stored.allow_server_fields = true;
  auto back = DecodeOrder(EncodeOrder(o), stored);
  ASSERT_TRUE(back.ok()) << Describe(back.errors);
  EXPECT_EQ(*back.value, o);
  // The same document is refused as a client write.
  auto write = DecodeOrder(EncodeOrder(o));
  EXPECT_FALSE(write.ok());
  EXPECT_TRUE(HasPointer(write.errors, "/status"));
}

TEST(CanonicalJsonTest, SyntaxErrorNamesByteOffset) {
  auto d = DecodeOrder(R"({"channel": "web",, })");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.syntax_error);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].pointer, "");
  EXPECT_NE(d.errors[0].detail.find("at byte 18"), std::string::npos) << d.errors[0].detail;
}

TEST(CanonicalJsonTest, InvalidUtf8IsASyntaxError) {
  auto d = DecodeOrder("{\"channel\": \"\xff\"}");
  EXPECT_TRUE(d.syntax_error);
  EXPECT_NE(d.errors[0].detail.find("at byte"), std::string::npos);
}

TEST(CanonicalJsonTest, DepthIsBounded) {
  std::string deep = R"({"notes":)" + std::string(100, '[') + std::string(100, ']') + "}";
  auto d = DecodeOrder(deep);
  EXPECT_TRUE(d.syntax_error);
  EXPECT_NE(d.errors[0].detail.find("nesting deeper than 32"), std::string::npos)
      << d.errors[0].detail;
}

TEST(CanonicalJsonTest, NonObjectDocument) {
  auto d = DecodeOrder("[1,2]");
  EXPECT_FALSE(d.syntax_error);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.errors[0].pointer, "");
}

TEST(CanonicalJsonTest, ShipmentRoundTripAndErrors) {
  Shipment s;
  s.order_id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  s.node = "tpl-east";
  s.partner_event_id = "tpl-east-ev-1";
  s.shipped_at = FromUnixMicros(1'790'000'000'000'000);
  s.carrier = "UPS";
  s.tracking_number = "1Z999";
  s.packages.push_back({"106141411234567897", "1Z999", "2.5", {{"1", "SKU-1", 2}}});
  DecodeOptions stored;
  stored.allow_server_fields = true;
  auto back = DecodeShipment(EncodeShipment(s), stored);
  ASSERT_TRUE(back.ok()) << Describe(back.errors);
  EXPECT_EQ(*back.value, s);
  // A node names itself by the URL; `node` in the body is refused in writes.
  auto write = DecodeShipment(EncodeShipment(s));
  ASSERT_FALSE(write.ok());
  EXPECT_TRUE(HasPointer(write.errors, "/node"));

  auto bad = DecodeShipment(R"({"order_id": 5, "packages": [{"lines": [{"quantity": 1}]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(HasPointer(bad.errors, "/order_id"));
  EXPECT_TRUE(HasPointer(bad.errors, "/partner_event_id"));
  EXPECT_TRUE(HasPointer(bad.errors, "/packages/0/lines/0/line_id"));
}

TEST(CanonicalJsonGoldenTest, EveryGoldenFile) {
  int cases =
      testing_util::RunGoldenFiles(fs::path(CROSSDOCK_TESTDATA_DIR) / "canonical",
                                   [](const std::string& json) { return DecodeOrder(json); });
  EXPECT_GE(cases, 5);
}

}  // namespace
}  // namespace crossdock
