#include "codecs/csv.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

const TimePoint kAsOf = FromUnixMicros(1'795'000'000'000'000);

TEST(CsvTest, QuotesDelimitersLineBreaksAndCrlf) {
  CsvTable t = ParseCsv("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n");
  ASSERT_TRUE(t.errors.empty()) << t.errors[0].ToString();
  ASSERT_EQ(t.records.size(), 3u);
  EXPECT_EQ(t.records[1], (std::vector<std::string>{"x, y", "he said \"hi\"", "two\nlines"}));
  EXPECT_EQ(t.records[2], (std::vector<std::string>{"last", "", ""}));
  EXPECT_EQ(t.lines, (std::vector<int>{1, 2, 5}));  // the quoted line break counts
}

TEST(CsvTest, AnOpenQuoteNamesItsLine) {
  CsvTable t = ParseCsv("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].line, 2);
  EXPECT_EQ(t.errors[0].column, 2);
  CsvTable after = ParseCsv("a,b\n\"x\"y,2\n");
  ASSERT_EQ(after.errors.size(), 1u);
  EXPECT_EQ(after.errors[0].message, "text after a closing quote");
}

TEST(CsvInventoryTest, MappedColumnsBecomeCounts) {
  CsvInventoryMapping m;
  m.delimiter = ';';
  m.sku = "Item Number";
  m.on_hand = "Qty Available";
  m.as_of = "Counted At";
  m.node = "Warehouse";
  std::string csv =
      "Warehouse;Item Number;Description;Qty Available;Counted At\n"
      "east;MUG-BLUE;\"Mug; blue\";12.000;2026-11-28T06:00:00Z\n"
      "east;TEE-L;T-shirt;-2;2026-11-28T06:00:00Z\n";
  CsvInventory inv = DecodeCsvInventory(csv, m, kAsOf);
  ASSERT_TRUE(inv.ok()) << inv.errors[0].ToString();
  ASSERT_EQ(inv.counts.size(), 2u);
  EXPECT_EQ(inv.counts[0].sku, "MUG-BLUE");
  EXPECT_EQ(inv.counts[0].on_hand, 12);
  EXPECT_EQ(inv.counts[0].node, "east");
  EXPECT_EQ(FormatRfc3339(inv.counts[0].as_of), "2026-11-28T06:00:00.000Z");
  EXPECT_EQ(inv.counts[1].on_hand, -2);  // as the node reported it
}

TEST(CsvInventoryTest, EveryBadCellIsNamedAndNothingIsHalfApplied) {
  CsvInventoryMapping m;  // sku, on_hand; as_of from the caller
  CsvInventory inv = DecodeCsvInventory("sku,on_hand\nA,1\nB,one\n,3\nC,1.5\n", m, kAsOf);
  ASSERT_EQ(inv.errors.size(), 3u);
  EXPECT_EQ(inv.errors[0].ToString(), "line 3, column 2 (on_hand): 'one' is not a whole number");
  EXPECT_EQ(inv.errors[1].line, 4);
  EXPECT_EQ(inv.errors[1].column_name, "sku");
  EXPECT_EQ(inv.errors[2].line, 5);
  EXPECT_TRUE(inv.counts.empty());
  CsvInventory missing = DecodeCsvInventory("item,qty\nA,1\n", m, kAsOf);
  ASSERT_EQ(missing.errors.size(), 2u);
  EXPECT_NE(missing.errors[0].message.find("no column 'sku'"), std::string::npos);
  EXPECT_FALSE(DecodeCsvInventory("", m, kAsOf).ok());
  CsvInventory defaults = DecodeCsvInventory("sku,on_hand\nA,7\n", m, kAsOf);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.counts[0].as_of, kAsOf);
}

}  // namespace
}  // namespace crossdock
