// GS1 identifiers: mod-10 check digits for GTIN, SSCC and GLN. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

// True when `digits` is all digits and its last digit is the GS1 mod-10 check digit.
bool Gs1CheckDigitValid(std::string_view digits);
// Normalises GTIN-8/12/13/14 to GTIN-14; InvalidArgument on length, characters or check digit.
Result<std::string> NormalizeGtin(std::string_view gtin);
// SSCC: 18 digits with a valid check digit.
Status ValidateSscc(std::string_view sscc);
// GLN: 13 digits with a valid check digit.
Status ValidateGln(std::string_view gln);

}  // namespace crossdock
