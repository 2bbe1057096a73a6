#include "codecs/x12_dictionary.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace crossdock {
namespace {

X12Document Golden(const std::string& path) {
  std::ifstream in(std::string(CROSSDOCK_TESTDATA_DIR) + "/x12/" + path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return ParseX12(s.str());
}

std::vector<X12Error> CheckAll(const X12Document& doc, const X12CheckOptions& options = {}) {
  std::vector<X12Error> out;
  for (const auto& x : doc.interchanges)
    for (const auto& g : x.groups)
      for (const auto& t : g.sets) {
        auto e = CheckX12Set(t, options);
        out.insert(out.end(), e.begin(), e.end());
      }
  return out;
}

TEST(X12DictionaryTest, TheGeneratedTablesDescribeTheSetsCrossdockUses) {
  const X12SetDef* w945 = FindX12Set("945");
  ASSERT_NE(w945, nullptr);
  EXPECT_EQ(w945->functional_group, "SW");
  const X12ElementDef* po = FindX12Element("BEG", 3);
  ASSERT_NE(po, nullptr);
  EXPECT_EQ(po->id, "324");
  EXPECT_EQ(po->name, "Purchase Order Number");
  EXPECT_TRUE(po->mandatory);
  EXPECT_EQ(FindX12Element("BEG", 9), nullptr);
  for (const char* code : {"850", "855", "810", "940", "945", "846", "944", "997"}) {
    EXPECT_NE(FindX12Set(code), nullptr) << code;
  }
}

// The well-formed fixtures of the sets the dictionary knows pass its checks.
TEST(X12DictionaryTest, WellFormedFixturesPass) {
  for (const char* file :
       {"EdiEngine/850.OK.edi", "x12-types/004010_850.edi", "staedi/simple997.edi",
        "x12-types/005010_846.edi", "EdiEngine/940.OK.edi"}) {
    X12Document doc = Golden(file);
    auto faults = CheckAll(doc);
    EXPECT_TRUE(faults.empty()) << file << ": " << faults[0].ToString();
  }
  // Crossdock's own order ids (30 characters) are longer than W0602 allows (22): known, and
  // the reason the X12 inbox does not check lengths (docs/x12.md).
  auto ours = CheckAll(Golden("project/945_shipped.edi"));
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0].message,
            "W0602 (Depositor Order Number) 'ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF' has 30 characters, 1 "
            "to 22 allowed");
  EXPECT_TRUE(CheckAll(Golden("project/945_shipped.edi"), {{}, false}).empty());
}

TEST(X12DictionaryTest, FaultsNameSegmentAndElement) {
  X12Document doc = ParseX12(
      "ISA*00*          *00*          *ZZ*TPLEDI         *ZZ*CROSSDOCK      *261128*1200*U*00401*"
      "000000001*0*P*>~GS*SW*TPLEDI*CROSSDOCK*20261128*1200*1*X*004010~ST*945*0001~"
      "W06*F*ord-1*2026-11-28*S1~LX*1~W12**2*x~SE*5*0001~GE*1*1~IEA*1*000000001~");
  ASSERT_TRUE(doc.ok()) << doc.errors[0].ToString();
  auto faults = CheckAll(doc, {{"W27"}, true});
  std::vector<std::string> got;
  for (const auto& f : faults) got.push_back(f.ToString());
  ASSERT_EQ(got.size(), 4u) << ::testing::PrintToString(got);
  EXPECT_NE(got[0].find("945 without W27 (required by the partner's profile)"), std::string::npos);
  EXPECT_NE(got[1].find("segment 4 (W06) element 3"), std::string::npos);
  EXPECT_NE(got[1].find("W0603 (Date) '2026-11-28' is not a CCYYMMDD date"), std::string::npos);
  EXPECT_NE(got[2].find("segment 6 (W12) element 1"), std::string::npos);
  EXPECT_NE(got[2].find("W1201 (Shipment/Order Status Code) is required"), std::string::npos);
  EXPECT_NE(got[3].find("W1203 (Number of Units Shipped) 'x' is not a decimal number"),
            std::string::npos);
}

}  // namespace
}  // namespace crossdock
