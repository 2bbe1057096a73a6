// Every shared partner JSON fixture (copied into tests/golden/partners) is decoded, and gives
// what tests/golden/partners/expected.txt says; the derived and project-written golden files of
// tests/golden/woocommerce and tests/golden/amazon decode to their expected canonical JSON.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "codecs/amazon_order.h"
#include "codecs/golden_files_test_util.h"
#include "codecs/shopify_order.h"
#include "codecs/woocommerce_order.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;
using testing_util::Describe;
using testing_util::ReadFile;

const fs::path kGolden = fs::path(CROSSDOCK_TESTDATA_DIR);

Decoded<Order> Decode(const std::string& decoder, const std::string& json) {
  if (decoder == "shopify") return DecodeShopifyOrder(json);
  if (decoder == "woocommerce") return DecodeWooCommerceOrder(json);
  return DecodeAmazonOrder(json);
}

// The elements of a list document: a JSON array, {"orders": [...]}, {"payload": {"Orders": [...]}}.
std::vector<std::string> Elements(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  simdjson::dom::array list;
  if (doc.is_array()) {
    list = doc.get_array();
  } else if (doc["orders"].get_array().get(list) != simdjson::SUCCESS) {
    list = doc["payload"]["Orders"].get_array();
  }
  std::vector<std::string> out;
  for (auto e : list) out.push_back(simdjson::minify(e));
  return out;
}

TEST(PartnerFixturesTest, EverySharedJsonFixtureDecodesOrFailsAsDocumented) {
  std::ifstream table(kGolden / "partners" / "expected.txt");
  std::string line;
  std::set<std::string> listed;
  int documents = 0;
  while (std::getline(table, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string file, decoder, word;
    ls >> file >> decoder;
    listed.insert(file);
    bool ok = false;
    std::vector<std::string> pointers;
    while (ls >> word) {
      if (word == "ok")
        ok = true;
      else
        pointers.push_back(word == "\"\"" ? "" : word);
    }
    SCOPED_TRACE(file);
    std::string json = ReadFile(kGolden / "partners" / file);
    ASSERT_FALSE(json.empty());
    bool list = decoder.size() > 2 && decoder.substr(decoder.size() - 2) == "[]";
    if (list) decoder.resize(decoder.size() - 2);
    std::vector<std::string> docs = list ? Elements(json) : std::vector<std::string>{json};
    ASSERT_FALSE(docs.empty());
    for (const auto& d : docs) {
      auto decoded = Decode(decoder, d);
      ++documents;
      if (ok) {
        EXPECT_TRUE(decoded.ok()) << Describe(decoded.errors);
        continue;
      }
      EXPECT_FALSE(decoded.ok());
      EXPECT_FALSE(decoded.syntax_error);
      for (const auto& p : pointers) {
        bool found = std::any_of(decoded.errors.begin(), decoded.errors.end(),
                                 [&](const FieldError& e) { return e.pointer == p; });
        EXPECT_TRUE(found) << "no error at '" << p << "'; got\n" << Describe(decoded.errors);
      }
    }
  }
  // Every copied fixture is in the table.
  for (const auto& entry : fs::recursive_directory_iterator(kGolden / "partners")) {
    if (entry.path().extension() == ".json") {
      EXPECT_TRUE(listed.count(fs::relative(entry.path(), kGolden / "partners").string()))
          << entry.path() << " has no line in expected.txt";
    }
  }
  EXPECT_GE(documents, 26);
}

TEST(PartnerFixturesTest, DerivedGoldenOrdersDecodeExactly) {
  EXPECT_GE(testing_util::RunGoldenFiles(
                kGolden / "woocommerce",
                [](const std::string& json) { return DecodeWooCommerceOrder(json); }),
            2);
  EXPECT_GE(
      testing_util::RunGoldenFiles(kGolden / "amazon",
                                   [](const std::string& json) { return DecodeAmazonOrder(json); }),
      2);
}

TEST(PartnerFixturesTest, WooCommerceMapping) {
  auto d = DecodeWooCommerceOrder(ReadFile(kGolden / "woocommerce" / "order_with_skus.json"));
  ASSERT_TRUE(d.ok()) << Describe(d.errors);
  const Order& o = *d.value;
  EXPECT_EQ(o.external_ref, "727");
  EXPECT_EQ(o.channel, "woocommerce");
  EXPECT_EQ(o.ship_to.postal_code, "94103");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].unit_price.ToString(2), "3.00");  // subtotal 6.00 / 2
  ASSERT_EQ(o.lines[0].taxes.size(), 1u);
  EXPECT_EQ(o.lines[0].taxes[0].code, "State Tax");
  EXPECT_EQ(o.totals.grand_total.ToString(2), "29.35");
}

TEST(PartnerFixturesTest, AmazonMapping) {
  auto d = DecodeAmazonOrder(ReadFile(kGolden / "amazon" / "order_unshipped.json"));
  ASSERT_TRUE(d.ok()) << Describe(d.errors);
  const Order& o = *d.value;
  EXPECT_EQ(o.external_ref, "902-3159896-1390916");
  EXPECT_EQ(o.service_level, "standard");
  EXPECT_EQ(o.currency, "USD");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[1].unit_price.ToString(2), "12.50");  // ItemPrice 25.00 for 2
  ASSERT_EQ(o.shipping.size(), 1u);
  EXPECT_EQ(o.shipping[0].amount.ToString(2), "7.98");
}

}  // namespace
}  // namespace crossdock
