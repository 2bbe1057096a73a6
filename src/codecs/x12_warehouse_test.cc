#include "codecs/x12_warehouse.h"

#include <gtest/gtest.h>

#include "codecs/golden_files_test_util.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "codecs/x12_dictionary.h"
#include "model/order_generator.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

using testing_util::ReadFile;

const TimePoint kNow = FromUnixMicros(1'795'000'000'000'000);  // 2026-11-18

X12Profile Profile() {
  X12Profile p;
  p.receiver = {"ZZ", "TPLEDI"};
  p.isa_version = "00501";
  p.gs_version = "005010";
  p.delimiters.repetition = '^';
  return p;
}

Order SomeOrder() {
  Order o = OrderGenerator(5, "web", "E").Next();
  o.id = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  return o;
}

TEST(X12WarehouseTest, The940CarriesTheOrderAndReparsesCleanly) {
  Order o = SomeOrder();
  Built940 b = Build940(o, Profile(), {77, 78}, kNow);
  ASSERT_TRUE(b.ok());
  std::string text = SerializeX12(b.interchange);
  X12Document doc = ParseX12(text);
  ASSERT_TRUE(doc.ok()) << text;
  const X12Interchange& x = doc.interchanges[0];
  EXPECT_EQ(x.isa.Element(13), "000000077");
  EXPECT_EQ(x.isa.Element(8), "TPLEDI         ");
  EXPECT_EQ(x.groups[0].gs.Element(1), "OW");
  EXPECT_EQ(x.groups[0].gs.Element(6), "78");
  const X12Transaction& t = x.groups[0].sets[0];
  EXPECT_EQ(t.Code(), "940");
  EXPECT_EQ(t.body[0].id, "W05");
  EXPECT_EQ(t.body[0].Element(2), o.id);
  EXPECT_EQ(t.body[0].Element(3), o.external_ref);
  int lx = 0, n9 = 0;
  int64_t total = 0;
  for (const auto& s : t.body) {
    lx += s.id == "LX";
    n9 += s.id == "N9" && s.Element(1) == "LI";
    if (s.id == "W01") total += std::stoll(s.Element(1));
  }
  EXPECT_EQ(lx, static_cast<int>(o.lines.size()));
  EXPECT_EQ(n9, static_cast<int>(o.lines.size()));
  EXPECT_EQ(t.body.back().id, "W76");
  EXPECT_EQ(t.body.back().Element(1), std::to_string(total));
}

TEST(X12WarehouseTest, DelimitersInOrderValuesAreRefusedOrReplaced) {
  Order o = SomeOrder();
  o.ship_to.line1 = "1 Main St*Suite~4";
  Built940 refused = Build940(o, Profile(), {1, 1}, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.errors[0].find("N301"), std::string::npos) << refused.errors[0];
  X12Profile lenient = Profile();
  lenient.replacement = ' ';
  Built940 replaced = Build940(o, lenient, {1, 1}, kNow);
  ASSERT_TRUE(replaced.ok());
  X12Document doc = ParseX12(SerializeX12(replaced.interchange));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.interchanges[0].groups[0].sets[0].body[2].Element(1), "1 Main St Suite 4");
}

TEST(X12WarehouseTest, A945BecomesAShipmentMatchedByLineIds) {
  X12Document doc =
      ParseX12(ReadFile(fs::path(CROSSDOCK_TESTDATA_DIR) / "x12" / "project" / "945_shipped.edi"));
  ASSERT_TRUE(doc.ok());
  Decoded945 d = Read945(doc.interchanges[0]);
  ASSERT_TRUE(d.ok()) << d.errors[0].ToString();
  ASSERT_EQ(d.shipments.size(), 1u);
  const Shipment& s = d.shipments[0];
  EXPECT_EQ(s.order_id, "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF");
  EXPECT_EQ(s.partner_event_id, "945-ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF-SHP-9001");
  EXPECT_EQ(s.carrier, "UPSN");
  EXPECT_EQ(s.tracking_number, "1Z999AA10123456784");
  ASSERT_EQ(s.packages.size(), 1u);
  ASSERT_EQ(s.packages[0].lines.size(), 2u);
  EXPECT_EQ(s.packages[0].lines[0], (ShippedLine{"1", "MUG-BLUE", 2}));
  EXPECT_EQ(s.packages[0].lines[1], (ShippedLine{"2", "TEE-L", 1}));
  EXPECT_EQ(FormatRfc3339(*s.shipped_at), "2026-11-28T00:00:00.000Z");
}

TEST(X12WarehouseTest, A945WithoutLineIdsOrQuantitiesIsRefusedWithPositions) {
  std::string text =
      ReadFile(fs::path(CROSSDOCK_TESTDATA_DIR) / "x12" / "project" / "945_shipped.edi");
  text.replace(text.find("N9*LI*2~"), 8, "N9*ZZ*2~");
  text.replace(text.find("W12*CC*2*2*0"), 12, "W12*CC*2*X*0");
  // (a backordered line, W1203 = 0, would simply add nothing)
  X12Document doc = ParseX12(text);
  ASSERT_TRUE(doc.ok());
  Decoded945 d = Read945(doc.interchanges[0]);
  ASSERT_EQ(d.errors.size(), 2u) << d.errors[0].ToString();
  EXPECT_EQ(d.errors[0].segment_id, "W12");
  EXPECT_EQ(d.errors[0].element, 3);
  EXPECT_EQ(d.errors[0].segment, 9);  // ISA=1, GS=2, ST=3, W06=4, … the first W12
  EXPECT_NE(d.errors[1].message.find("no N9*LI"), std::string::npos);
  EXPECT_TRUE(d.shipments.empty());
  // A short date does not crash the reader; it is an error at W0603.
  std::string short_date =
      ReadFile(fs::path(CROSSDOCK_TESTDATA_DIR) / "x12" / "project" / "945_shipped.edi");
  short_date.replace(short_date.find("*20261128*SHP"), 13, "*2026*SHP");
  Decoded945 sd = Read945(ParseX12(short_date).interchanges.at(0));
  ASSERT_EQ(sd.errors.size(), 1u);
  EXPECT_EQ(sd.errors[0].element, 3);
}

TEST(X12WarehouseTest, OurOwn940AnsweredByA945RoundTrips) {
  // What the simulated EDI 3PL does: read our 940, ship everything, answer a 945.
  Order o = SomeOrder();
  X12Document sent = ParseX12(SerializeX12(Build940(o, Profile(), {5, 5}, kNow).interchange));
  ASSERT_TRUE(sent.ok());
  const X12Transaction& t940 = sent.interchanges[0].groups[0].sets[0];
  X12Builder b(Profile().delimiters, {"ZZ", "TPLEDI"}, {"ZZ", "CROSSDOCK"}, "00501");
  b.StartGroup("SW", "TPLEDI", "CROSSDOCK", "9", "005010", "20261128", "1015");
  b.StartSet("945", "0001");
  b.Add("W06", {"F", t940.body[0].Element(2), "20261128", "S-1"});
  std::string qty, sku;
  for (const auto& s : t940.body) {
    if (s.id == "LX") b.Add("LX", {s.Element(1)});
    if (s.id == "W01") qty = s.Element(1), sku = s.Element(5);
    if (s.id == "N9" && s.Element(1) == "LI") {
      b.Add("W12", {"CC", qty, qty, "0", "EA", "", "SK", sku});
      b.Add("N9", {"LI", s.Element(2)});
    }
  }
  X12Document back = ParseX12(SerializeX12(b.Finish("9", "261128", "1015", true)));
  ASSERT_TRUE(back.ok());
  Decoded945 d = Read945(back.interchanges[0]);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.shipments[0].packages[0].lines.size(), o.lines.size());
  for (size_t i = 0; i < o.lines.size(); ++i) {
    EXPECT_EQ(d.shipments[0].packages[0].lines[i].line_id, o.lines[i].line_id);
    EXPECT_EQ(d.shipments[0].packages[0].lines[i].quantity, o.lines[i].quantity);
  }
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

X12Interchange Golden(const std::string& relative) {
  X12Document doc = ParseX12(
      testing_util::ReadFile(std::filesystem::path(CROSSDOCK_TESTDATA_DIR) / "x12" / relative));
  EXPECT_TRUE(doc.ok());
  return doc.interchanges.empty() ? X12Interchange{} : doc.interchanges[0];
}

TEST(X12WarehouseTest, Shared997sReadAsGroupVerdicts) {
  Decoded997 accepted = Read997(Golden("x12-types/005010_997.edi"));
  ASSERT_TRUE(accepted.ok());
  ASSERT_EQ(accepted.acks.size(), 1u);
  EXPECT_EQ(accepted.acks[0].status, "A");
  ASSERT_EQ(accepted.acks[0].sets.size(), 1u);
  EXPECT_EQ(accepted.acks[0].sets[0].status, "A");

  Decoded997 rejected = Read997(Golden("staedi/simple997.edi"));
  ASSERT_TRUE(rejected.ok());
  ASSERT_EQ(rejected.acks.size(), 1u);
  const X12GroupAck& ack = rejected.acks[0];
  EXPECT_EQ(ack.functional_id, "HC");
  EXPECT_EQ(ack.group, 1);
  EXPECT_EQ(ack.status, "R");
  EXPECT_EQ(ack.Describe(),
            "rejected; set 0021 (837) R, segment NM1 at 8 code 8, element 8 code 7, code 5");

  // A 997 with no AK1 acknowledges nothing: an error at its ST, not a guess.
  Decoded997 empty = Read997(Golden("staedi/empty997.edi"));
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(empty.errors[0].segment_id, "ST");
}

TEST(X12WarehouseTest, TheShared846IsACountOfItsItem) {
  DecodedStock stock = ReadStock(Golden("x12-types/005010_846.edi"));
  ASSERT_TRUE(stock.ok()) << stock.errors[0].ToString();
  ASSERT_EQ(stock.counts.size(), 1u);
  EXPECT_EQ(stock.counts[0].sku, "ABC123");  // LIN*1*VN*ABC123
  EXPECT_EQ(stock.counts[0].on_hand, 100);   // QTY*33*100
  EXPECT_EQ(stock.counts[0].as_of, *ParseRfc3339("2020-01-01T00:00:00Z"));
}

TEST(X12WarehouseTest, StockAdviceFaultsNameTheirPlace) {
  X12Builder b(X12Delimiters{}, {"ZZ", "TPL"}, {"ZZ", "US"});
  b.StartGroup("IB", "TPL", "US", "1", "004010", "20261128", "1200");
  b.StartSet("846", "0001");
  b.Add("QTY", {"17", "5"});
  b.Add("LIN", {"1", "SK", "A"});
  b.Add("QTY", {"17", "-3"});
  b.StartSet("944", "0002");
  b.Add("W07", {"4", "EA", "", "SK", "B"});
  // Parsed back from bytes, as received, so every segment has its position.
  X12Document doc = ParseX12(SerializeX12(b.Finish("1", "261128", "1200", false)));
  ASSERT_TRUE(doc.ok());
  DecodedStock stock = ReadStock(doc.interchanges[0]);
  std::vector<std::string> got;
  for (const auto& e : stock.errors) got.push_back(e.ToString());
  ASSERT_EQ(got.size(), 5u) << testing::PrintToString(got);
  EXPECT_NE(got[0].find("segment 4 (QTY) at byte"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("segment 6 (QTY) element 2"), std::string::npos) << got[1];
  EXPECT_NE(got[2].find("846 without BIA"), std::string::npos) << got[2];
  EXPECT_NE(got[3].find("846 item A has no QTY"), std::string::npos) << got[3];
  EXPECT_NE(got[4].find("944 without W17"), std::string::npos) << got[4];
  EXPECT_TRUE(stock.counts.empty());
  EXPECT_TRUE(stock.receipts.empty());
}

}  // namespace
}  // namespace crossdock

namespace crossdock {
namespace {

// A 3PL's ship notice for one of our orders: shipment, order, pack (SSCC) and item levels.
TEST(X12WarehouseTest, An856IsAShipmentWithItsPackagesAndLines) {
  X12Builder b(X12Delimiters{}, {"ZZ", "TPLEDI"}, {"ZZ", "CROSSDOCK"});
  b.StartGroup("SH", "TPLEDI", "CROSSDOCK", "7", "004010", "20261128", "1200");
  b.StartSet("856", "0001");
  b.Add("BSN", {"00", "SHIP-77", "20261128", "0930"});
  b.Add("HL", {"1", "", "S"});
  b.Add("TD5", {"", "2", "UPSN"});
  b.Add("REF", {"CN", "1Z999AA10123456784"});
  b.Add("HL", {"2", "1", "O"});
  b.Add("PRF", {"ord_01"});
  b.Add("HL", {"3", "2", "P"});
  b.Add("MAN", {"GM", "00006141411234567890"});
  b.Add("HL", {"4", "3", "I"});
  b.Add("LIN", {"1", "SK", "SKU-1"});
  b.Add("SN1", {"", "2", "EA"});
  b.Add("HL", {"5", "3", "I"});
  b.Add("LIN", {"", "SK", "SKU-2"});
  b.Add("REF", {"LI", "2"});
  b.Add("SN1", {"", "1", "EA"});
  X12Interchange x = b.Finish("7", "261128", "1200", false);
  for (const auto& t : x.groups[0].sets) EXPECT_TRUE(CheckX12Set(t).empty());
  Decoded945 read = Read856(x);
  ASSERT_TRUE(read.ok()) << read.errors[0].ToString();
  ASSERT_EQ(read.shipments.size(), 1u);
  const Shipment& s = read.shipments[0];
  EXPECT_EQ(s.order_id, "ord_01");
  EXPECT_EQ(s.partner_event_id, "856-ord_01-SHIP-77");
  EXPECT_EQ(s.carrier, "UPSN");
  EXPECT_EQ(s.tracking_number, "1Z999AA10123456784");
  EXPECT_EQ(FormatRfc3339(*s.shipped_at), "2026-11-28T09:30:00.000Z");
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_EQ(s.packages[0].sscc, "006141411234567890");
  EXPECT_EQ(s.packages[0].lines, (std::vector<ShippedLine>{{"1", "SKU-1", 2}, {"2", "SKU-2", 1}}));
}

// EdiEngine's 856: its SSCCs fail the GS1 check digit and its items name no order line, each
// refused where it is.
TEST(X12WarehouseTest, EdiEngines856IsRefusedWhereItsFaultsAre) {
  Decoded945 read = Read856(Golden("EdiEngine/856.Crossdock.OK.edi"));
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.shipments.empty());
  EXPECT_EQ(read.errors[0].segment_id, "MAN");
  EXPECT_EQ(read.errors[0].element, 2);
  EXPECT_NE(read.errors[0].message.find("MAN02 '00000715670002152360' is not an SSCC"),
            std::string::npos)
      << read.errors[0].message;
  bool line_ids = false;
  for (const auto& e : read.errors) {
    line_ids = line_ids || e.message.find("has no line id (LIN01 or REF*LI)") != std::string::npos;
  }
  EXPECT_TRUE(line_ids);
}

// An item level without its SN1, an order level without items, and an item named only by a
// qualifier Crossdock does not take as a SKU are each refused.
TEST(X12WarehouseTest, An856ThatShipsNothingOrNoKnownProductIsRefused) {
  X12Builder b(X12Delimiters{}, {"ZZ", "TPLEDI"}, {"ZZ", "CROSSDOCK"});
  b.StartGroup("SH", "TPLEDI", "CROSSDOCK", "8", "004010", "20261128", "1200");
  b.StartSet("856", "0001");
  b.Add("BSN", {"00", "SHIP-78", "20261128", "0930"});
  b.Add("HL", {"1", "", "S"});
  b.Add("HL", {"2", "1", "O"});
  b.Add("PRF", {"ord_02"});
  b.Add("HL", {"3", "2", "I"});
  b.Add("LIN", {"1", "SK", "SKU-1"});  // no SN1
  b.Add("HL", {"4", "2", "I"});
  b.Add("LIN", {"2", "CB", "CAT-9"});
  b.Add("SN1", {"", "1", "EA"});
  b.Add("HL", {"5", "1", "O"});
  b.Add("PRF", {"ord_03"});  // no items
  Decoded945 read = Read856(b.Finish("8", "261128", "1200", false));
  ASSERT_FALSE(read.ok());
  std::vector<std::string> got;
  for (const auto& e : read.errors) got.push_back(e.message);
  EXPECT_EQ(got, (std::vector<std::string>{"LIN names no product by SK, VN, VP, BP, IN or UP",
                                           "856 item SKU-1 of order ord_02 ships no units (no SN1)",
                                           "856 order level ord_03 ships no item"}));
  EXPECT_TRUE(read.shipments.empty());
}

TEST(X12WarehouseTest, A943AnnouncesAStockTransfer) {
  X12Profile profile;
  profile.receiver = {"ZZ", "TPLEDI"};
  StockTransfer transfer{
      "TR-5", *ParseRfc3339("2026-11-27T16:00:00Z"), "ODFL", {{"SKU-1", 24}, {"SKU-2", 6}}};
  Built940 built = Build943(transfer, profile, {3, 4}, *ParseRfc3339("2026-11-28T08:00:00Z"));
  ASSERT_TRUE(built.ok());
  std::string text = SerializeX12(built.interchange);
  EXPECT_NE(text.find("GS*AR*CROSSDOCK*TPLEDI*20261128*0800*4*X*004010~"), std::string::npos);
  EXPECT_NE(text.find("W06*N*TR-5*20261127*TR-5~W27*M*ODFL~W04*24*EA**SK*SKU-1~"
                      "W04*6*EA**SK*SKU-2~W03*30~"),
            std::string::npos)
      << text;
  X12Document again = ParseX12(text);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(CheckX12Set(again.interchanges[0].groups[0].sets[0]).empty());
}

}  // namespace
}  // namespace crossdock
