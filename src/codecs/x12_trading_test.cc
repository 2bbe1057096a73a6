#include "codecs/x12_trading.h"

#include "codecs/x12_dictionary.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace crossdock {
namespace {

X12Interchange Golden(const std::string& path) {
  std::ifstream in(std::string(CROSSDOCK_TESTDATA_DIR) + "/x12/" + path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  X12Document doc = ParseX12(s.str());
  EXPECT_TRUE(doc.ok()) << path;
  return doc.interchanges.empty() ? X12Interchange{} : doc.interchanges[0];
}

// EdiEngine's 850: six lines in each (EA), the vendor's item number (VN) as the SKU, ship-to
// XYZ RETAIL in Solon, OH (no N404: the default country).
TEST(X12TradingTest, EdiEnginesPurchaseOrderIsACanonicalOrder) {
  auto read = Read850(Golden("EdiEngine/850.OK.edi"), {"edi-xyz"});
  ASSERT_TRUE(read.ok()) << read.errors[0].ToString();
  ASSERT_EQ(read.orders.size(), 1u);
  const Order& o = read.orders[0];
  EXPECT_EQ(o.channel, "edi-xyz");
  EXPECT_EQ(o.external_ref, "08292233294");
  EXPECT_EQ(FormatRfc3339(*o.placed_at), "2010-11-27T00:00:00.000Z");
  EXPECT_EQ(o.currency, "USD");
  EXPECT_EQ(o.ship_to.name, "XYZ RETAIL");
  EXPECT_EQ(o.ship_to.line1, "31875 SOLON RD");
  EXPECT_EQ(o.ship_to.city, "SOLON");
  EXPECT_EQ(o.ship_to.region, "OH");
  EXPECT_EQ(o.ship_to.postal_code, "44139");
  EXPECT_EQ(o.ship_to.country, "US");
  ASSERT_EQ(o.lines.size(), 6u);
  EXPECT_EQ(o.lines[0].line_id, "1");
  EXPECT_EQ(o.lines[0].sku, "AB3542");
  EXPECT_EQ(o.lines[0].quantity, 120);
  EXPECT_EQ(o.lines[0].unit_price.ToString(2), "9.25");
  EXPECT_EQ(o.lines[0].description, "SMALL WIDGET");
  EXPECT_EQ(o.lines[5].sku, "DX1875");
  // 120×9.25 + 220×13.79 + 126×10.99 + 76×4.35 + 72×7.5 + 696×9.55: the 850's own AMT*1.
  EXPECT_EQ(o.totals.grand_total.ToString(2), "13045.94");
}

// The faults the other 850 fixtures hold, each at its segment and element.
TEST(X12TradingTest, PurchaseOrdersTheModelCannotTakeAreRefusedWhereTheFaultIs) {
  auto notes = Read850(Golden("EdiEngine/850.SyntaxNotes.ERR.edi"));
  ASSERT_FALSE(notes.ok());
  EXPECT_EQ(notes.errors[0].segment_id, "PO1");
  EXPECT_EQ(notes.errors[0].element, 7);
  EXPECT_EQ(notes.errors[0].message,
            "PO107 is empty but its pair is not (a product qualifier needs its id)");
  EXPECT_TRUE(notes.orders.empty());
  // x12-types: cases (CA) and the buyer's catalogue and UPC case codes only.
  auto cases = Read850(Golden("x12-types/004010_850.edi"));
  ASSERT_FALSE(cases.ok());
  EXPECT_EQ(cases.errors[0].segment_id, "PO1");
  EXPECT_EQ(cases.errors[0].element, 3);
  EXPECT_EQ(cases.errors[0].message, "PO103 unit 'CA': only each (EA) is ordered");
  // The same file read with the buyer's catalogue number as the SKU still orders cases.
  X12OrderOptions cb;
  cb.sku_qualifiers = {"CB"};
  auto still = Read850(Golden("x12-types/004010_850.edi"), cb);
  EXPECT_FALSE(still.ok());
}

TEST(X12TradingTest, AnAcceptedOrderIsAcknowledgedAndAShipmentInvoiced) {
  auto read = Read850(Golden("EdiEngine/850.OK.edi"));
  ASSERT_TRUE(read.ok());
  Order o = read.orders[0];
  o.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  X12Profile profile;
  profile.receiver = {"ZZ", "XYZRETAIL"};
  TimePoint now = *ParseRfc3339("2026-11-28T09:30:00Z");
  BuiltX12 ack = Build855(o, true, profile, {7, 8}, now);
  ASSERT_TRUE(ack.ok());
  std::string ack_text = SerializeX12(ack.interchange);
  EXPECT_NE(ack_text.find("GS*PR*CROSSDOCK*XYZRETAIL*20261128*0930*8*X*004010~"),
            std::string::npos);
  EXPECT_NE(ack_text.find("BAK*00*AC*08292233294*20101127****ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF~"),
            std::string::npos);
  EXPECT_NE(ack_text.find("PO1*1*120*EA*9.25**SK*AB3542~ACK*IA*120*EA~"), std::string::npos);
  EXPECT_NE(ack_text.find("CTT*6~"), std::string::npos);
  // What it writes reads back as a well-formed interchange.
  EXPECT_TRUE(ParseX12(ack_text).ok());
  EXPECT_NE(SerializeX12(Build855(o, false, profile, {9, 10}, now).interchange).find("BAK*00*RD*"),
            std::string::npos);

  Shipment s;
  s.packages = {{"", "1Z1", "", {{"1", "AB3542", 100}, {"2", "RD5322", 220}}}};
  BuiltX12 invoice = Build810(o, s, "INV-1", profile, {11, 12}, now);
  ASSERT_TRUE(invoice.ok());
  std::string text = SerializeX12(invoice.interchange);
  EXPECT_NE(text.find("BIG*20261128*INV-1*20101127*08292233294~"), std::string::npos);
  EXPECT_NE(text.find("IT1*1*100*EA*9.25**SK*AB3542~IT1*2*220*EA*13.79**SK*RD5322~"),
            std::string::npos);
  EXPECT_NE(text.find("TDS*395880~CTT*2~"), std::string::npos);  // 925.00 + 3033.80
  EXPECT_TRUE(ParseX12(text).ok());
  s.packages[0].lines.push_back({"99", "X", 1});
  EXPECT_FALSE(Build810(o, s, "INV-2", profile, {13, 14}, now).ok());
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A return authorization written for a node reads back as itself; a line without its order
// line id is refused where it starts.
TEST(X12TradingTest, AReturnAuthorizationRoundTripsThrough180) {
  ReturnAuthorization rma{"ret_01",
                          "ord_01",
                          *ParseRfc3339("2026-11-28T00:00:00Z"),
                          {{"1", "SKU-1", 2, "damaged in transit"}, {"2", "SKU-2", 1, ""}}};
  X12Profile profile;
  profile.receiver = {"ZZ", "TPLEDI"};
  BuiltX12 built = Build180(rma, profile, {5, 6}, *ParseRfc3339("2026-11-28T10:00:00Z"));
  ASSERT_TRUE(built.ok());
  std::string text = SerializeX12(built.interchange);
  EXPECT_NE(text.find("GS*AN*CROSSDOCK*TPLEDI*20261128*1000*6*X*004010~"), std::string::npos);
  EXPECT_NE(text.find("BGN*00*ret_01*20261128~PRF*ord_01~BLI*SK*SKU-1*2*EA~N9*LI*1~"
                      "RDR****damaged in transit~BLI*SK*SKU-2*1*EA~N9*LI*2~"),
            std::string::npos)
      << text;
  X12Document doc = ParseX12(text);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(CheckX12Set(doc.interchanges[0].groups[0].sets[0]).empty());
  Decoded180 read = Read180(doc.interchanges[0]);
  ASSERT_TRUE(read.ok()) << read.errors[0].ToString();
  ASSERT_EQ(read.returns.size(), 1u);
  EXPECT_EQ(read.returns[0].rma, "ret_01");
  EXPECT_EQ(read.returns[0].order, "ord_01");
  EXPECT_EQ(read.returns[0].issued_at, rma.issued_at);
  EXPECT_EQ(read.returns[0].lines, rma.lines);

  rma.lines[1].line_id.clear();
  X12Document without = ParseX12(SerializeX12(
      Build180(rma, profile, {7, 8}, *ParseRfc3339("2026-11-28T10:00:00Z")).interchange));
  Decoded180 refused = Read180(without.interchanges[0]);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors[0].segment_id, "BLI");
  EXPECT_EQ(refused.errors[0].message,
            "180 line SKU-2 has no N9*LI: the order line cannot be known");
  EXPECT_TRUE(refused.returns.empty());
}

}  // namespace
}  // namespace crossdock
