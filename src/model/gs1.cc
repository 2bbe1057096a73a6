#include "model/gs1.h"

namespace crossdock {

bool Gs1CheckDigitValid(std::string_view d) {
  if (d.size() < 2) return false;
  int sum = 0;
  // Weights 3,1,3,… from the rightmost digit before the check digit.
  for (size_t i = 0; i + 1 < d.size(); ++i) {
    char c = d[d.size() - 2 - i];
    if (c < '0' || c > '9') return false;
    sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
  }
  char check = d.back();
  if (check < '0' || check > '9') return false;
  return (10 - sum % 10) % 10 == check - '0';
}

Result<std::string> NormalizeGtin(std::string_view gtin) {
  if (gtin.size() != 8 && gtin.size() != 12 && gtin.size() != 13 && gtin.size() != 14) {
    return InvalidArgument("GTIN must have 8, 12, 13 or 14 digits");
  }
  if (!Gs1CheckDigitValid(gtin)) return InvalidArgument("GTIN check digit is wrong");
  return std::string(14 - gtin.size(), '0') + std::string(gtin);
}

Status ValidateSscc(std::string_view sscc) {
  if (sscc.size() != 18) return InvalidArgument("SSCC must have 18 digits");
  if (!Gs1CheckDigitValid(sscc)) return InvalidArgument("SSCC check digit is wrong");
  return Status::Ok();
}

Status ValidateGln(std::string_view gln) {
  if (gln.size() != 13) return InvalidArgument("GLN must have 13 digits");
  if (!Gs1CheckDigitValid(gln)) return InvalidArgument("GLN check digit is wrong");
  return Status::Ok();
}

}  // namespace crossdock
