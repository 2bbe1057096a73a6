#include "model/gs1.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(Gs1Test, GtinNormalisesAndChecks) {
  EXPECT_EQ(*NormalizeGtin("4006381333931"), "04006381333931");  // EAN-13
  EXPECT_EQ(*NormalizeGtin("036000291452"), "00036000291452");   // UPC-A
  EXPECT_FALSE(NormalizeGtin("4006381333932").ok());             // wrong check digit
  EXPECT_FALSE(NormalizeGtin("40063813339").ok());               // wrong length
  EXPECT_FALSE(NormalizeGtin("40063813339a1").ok());
}

TEST(Gs1Test, SsccAndGln) {
  EXPECT_TRUE(ValidateSscc("106141411234567897").ok());
  EXPECT_FALSE(ValidateSscc("106141411234567898").ok());
  EXPECT_FALSE(ValidateSscc("10614141123456789").ok());
  EXPECT_TRUE(ValidateGln("0614141000005").ok());
  EXPECT_FALSE(ValidateGln("0614141000006").ok());
}

}  // namespace
}  // namespace crossdock
