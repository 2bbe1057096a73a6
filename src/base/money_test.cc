#include "base/money.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(DecimalTest, ParsesAndFormatsExactly) {
  auto d = Decimal::Parse("12.5");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->micros(), 12'500'000);
  EXPECT_EQ(d->ToString(), "12.5");
  EXPECT_EQ(d->ToString(2), "12.50");
  EXPECT_EQ(Decimal::Parse("-0.000001")->ToString(), "-0.000001");
  EXPECT_EQ(Decimal::Parse("0")->ToString(2), "0.00");
  EXPECT_EQ(Decimal::Parse("7")->ToString(0), "7");
}

TEST(DecimalTest, SumsWithoutBinaryFloatError) {
  Decimal total;
  auto tenth = *Decimal::Parse("0.1");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Decimal::Add(total, tenth, total));
  EXPECT_EQ(total, Decimal::FromInt(1));
}

TEST(DecimalTest, RejectsBadText) {
  for (const char* bad : {"", "-", "1.", ".5", "1e3", "+1", " 1", "1.1234567", "abc", "1,5",
                          "99999999999999999999"}) {
    EXPECT_FALSE(Decimal::Parse(bad).ok()) << bad;
  }
}

TEST(DecimalTest, CheckedArithmeticReportsOverflow) {
  Decimal out;
  auto big = *Decimal::Parse("9000000000000");
  EXPECT_FALSE(Decimal::Add(big, big, out));
  EXPECT_FALSE(Decimal::MulInt(big, 2, out));
  EXPECT_TRUE(Decimal::MulInt(*Decimal::Parse("2.5"), 3, out));
  EXPECT_EQ(out.ToString(), "7.5");
}

TEST(CurrencyTest, KnowsMinorUnits) {
  EXPECT_EQ(FindCurrency("USD")->minor_units, 2);
  EXPECT_EQ(FindCurrency("JPY")->minor_units, 0);
  EXPECT_EQ(FindCurrency("KWD")->minor_units, 3);
  EXPECT_FALSE(FindCurrency("usd").ok());
  EXPECT_FALSE(FindCurrency("XXY").ok());
  Money m{*Decimal::Parse("5"), *FindCurrency("KWD")};
  EXPECT_EQ(m.FormatAmount(), "5.000");
}

}  // namespace
}  // namespace crossdock
