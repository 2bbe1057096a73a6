#include "codecs/json_mapping.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "codecs/canonical_json.h"

namespace crossdock {
namespace {

MappingExpr P(std::string pointer) {
  MappingExpr e;
  e.pointer = std::move(pointer);
  return e;
}

// The acme mapping of tests/golden/mapping/acme/acme.mapping.yaml, as the loader builds it.
JsonOrderMapping Acme() {
  JsonOrderMapping m;
  m.channel = "acme-portal";
  m.lookups["sku"] = {{"A-100", "SKU-RED"}, {"A-200", "SKU-BLUE"}, {"A-300", "SKU-GREEN"}};
  m.lookups["ship_method"] = {{"GRND", "standard"}, {"NDA", "express"}};
  m.fields["external_ref"] = P("/orderNumber");
  MappingExpr currency = P("/currency");
  currency.fallback = "USD";
  currency.transform = "upper";
  m.fields["currency"] = currency;
  m.fields["placed_at"] = P("/createdAt");
  MappingExpr level = P("/shipping/method");
  level.lookup = "ship_method";
  m.fields["service_level"] = level;
  m.fields["customer.external_ref"] = P("/buyer/account");
  MappingExpr name;
  name.kind = MappingExpr::Kind::kConcat;
  MappingExpr space;
  space.kind = MappingExpr::Kind::kConst;
  space.value = " ";
  name.parts = {P("/buyer/firstName"), space, P("/buyer/lastName")};
  m.fields["customer.name"] = name;
  MappingExpr email = P("/buyer/email");
  email.transform = "lower";
  m.fields["customer.email"] = email;
  m.fields["ship_to.name"] = P("/shipTo/attention");
  m.fields["ship_to.company"] = P("/shipTo/company");
  m.fields["ship_to.line1"] = P("/shipTo/street");
  m.fields["ship_to.city"] = P("/shipTo/city");
  m.fields["ship_to.region"] = P("/shipTo/state");
  m.fields["ship_to.postal_code"] = P("/shipTo/zip");
  MappingExpr country = P("/shipTo/country");
  country.fallback = "US";
  m.fields["ship_to.country"] = country;
  m.fields["shipping.method"] = P("/shipping/method");
  m.fields["shipping.amount"] = P("/shipping/charge");
  m.lines = "/items";
  m.line_fields["line_id"] = P("/lineNo");
  MappingExpr sku = P("/partNumber");
  sku.lookup = "sku";
  m.line_fields["sku"] = sku;
  MappingExpr text = P("/text");
  text.transform = "trim";
  m.line_fields["description"] = text;
  m.line_fields["quantity"] = P("/qty");
  m.line_fields["unit_price"] = P("/price");
  return m;
}

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(CROSSDOCK_TESTDATA_DIR) + "/mapping/acme/samples/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(JsonMappingTest, TheSampleMapsToItsExpectedCanonicalOrder) {
  auto order = MapJsonOrder(Sample("order_1.json"), Acme());
  ASSERT_TRUE(order.ok()) << order.errors[0].pointer << " " << order.errors[0].detail;
  std::string expected = Sample("order_1.expected.json");
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  EXPECT_EQ(EncodeOrder(*order.value), expected);
  EXPECT_EQ(order.value->totals.grand_total.ToString(2), "82.10");
}

TEST(JsonMappingTest, UnmappedValuesAndWrongKindsAreErrorsAtTheirPointers) {
  auto bad = MapJsonOrder(Sample("order_unmapped.json"), Acme());
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> got;
  for (const auto& e : bad.errors) got.push_back(e.pointer + ": " + e.detail);
  EXPECT_EQ(got, (std::vector<std::string>{"/createdAt: 'yesterday' is not an RFC 3339 time",
                                           "/shipping/method: 'AIR' is not in lookup 'ship_method'",
                                           "/items/0/partNumber: 'A-999' is not in lookup 'sku'",
                                           "/items/1/qty: '1.5' is not a whole number of units",
                                           "/items/1/price: 'cheap' is not a decimal amount"}));
}

// What the canonical model then requires is named by the partner's pointer when the value came
// from the document, else as the canonical field the mapping leaves empty.
TEST(JsonMappingTest, CanonicalFaultsPointIntoThePartnerDocument) {
  JsonOrderMapping m = Acme();
  m.fields.erase("ship_to.city");
  auto order = MapJsonOrder(
      R"({"orderNumber":"PO-1","shipTo":{"street":"","zip":"1","state":"NY","country":"USA"},)"
      R"("items":[{"partNumber":"A-100","qty":0,"price":"1"}],"shipping":{"method":"GRND"},)"
      R"("extra":{"deep":[1,2]}})",
      m);
  ASSERT_FALSE(order.ok());
  std::map<std::string, std::string> by;
  for (const auto& e : order.errors) by[e.pointer] = e.detail;
  EXPECT_EQ(by["/shipTo/street"], "is required (canonical /ship_to/line1)");
  EXPECT_EQ(by["/ship_to/city"], "is required (canonical field; check the mapping)");
  EXPECT_NE(by["/shipTo/country"].find("ISO 3166-1"), std::string::npos);
  EXPECT_EQ(by["/items/0/qty"], "must be at least 1 (canonical /lines/0/quantity)");
  // A pointer to an object is refused where it points.
  m.fields["notes"] = P("/extra");
  auto object = MapJsonOrder(R"({"orderNumber":"PO-1","extra":{"a":1},"items":[]})", m);
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.errors[0].pointer, "/extra");
  EXPECT_TRUE(MapJsonOrder("{", m).syntax_error);
  EXPECT_EQ(MapJsonOrder(R"({"items":{}})", m).errors[0].detail, "must be the array of line items");
}

}  // namespace
}  // namespace crossdock
