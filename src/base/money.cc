#include "base/money.h"

#include <array>
#include <cstdlib>

namespace crossdock {

namespace {
constexpr int64_t kMaxMicros = 9'000'000'000'000'000'000LL;  // 9e12 units
}

Result<Decimal> Decimal::Parse(std::string_view s) {
  if (s.empty()) return InvalidArgument("empty decimal");
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= s.size()) return InvalidArgument("decimal has no digits");
  int64_t units = 0;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (units > 9'000'000'000'000LL) return InvalidArgument("decimal out of range");
    units = units * 10 + (s[i] - '0');
    ++i;
    ++int_digits;
  }
  if (int_digits == 0) return InvalidArgument("decimal has no integer digits");
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (frac_digits == kScale) return InvalidArgument("decimal has more than 6 fraction digits");
      frac = frac * 10 + (s[i] - '0');
      ++frac_digits;
      ++i;
    }
    if (frac_digits == 0) return InvalidArgument("decimal point without digits");
  }
  if (i != s.size()) return InvalidArgument("unexpected character in decimal");
  for (int k = frac_digits; k < kScale; ++k) frac *= 10;
  if (units > kMaxMicros / kOne) return InvalidArgument("decimal out of range");
  int64_t micros = units * kOne + frac;
  return Decimal(negative ? -micros : micros);
}

int Decimal::FractionDigits() const {
  int64_t frac = std::llabs(micros_ % kOne);
  if (frac == 0) return 0;
  int digits = kScale;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  return digits;
}

std::string Decimal::ToString(int min_fraction_digits) const {
  int64_t abs = micros_ < 0 ? -micros_ : micros_;
  std::string out = micros_ < 0 ? "-" : "";
  out += std::to_string(abs / kOne);
  int digits = std::max(FractionDigits(), std::min(min_fraction_digits, kScale));
  if (digits > 0) {
    std::string frac = std::to_string(abs % kOne);
    frac.insert(0, kScale - frac.size(), '0');
    out += '.';
    out += frac.substr(0, digits);
  }
  return out;
}

bool Decimal::Add(Decimal a, Decimal b, Decimal& out) {
  int64_t r;
  if (__builtin_add_overflow(a.micros_, b.micros_, &r) || r > kMaxMicros || r < -kMaxMicros) {
    return false;
  }
  out = Decimal(r);
  return true;
}

bool Decimal::MulInt(Decimal a, int64_t n, Decimal& out) {
  int64_t r;
  if (__builtin_mul_overflow(a.micros_, n, &r) || r > kMaxMicros || r < -kMaxMicros) return false;
  out = Decimal(r);
  return true;
}

namespace {
struct CurrencyEntry {
  const char* code;
  int minor;
};
// Active ISO 4217 codes (list A.1) with their minor units.
constexpr CurrencyEntry kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2},
    {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2},
    {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
};
}  // namespace

Result<Currency> FindCurrency(std::string_view code) {
  for (const auto& c : kCurrencies) {
    if (code == c.code) return Currency{c.code, c.minor};
  }
  return NotFound("unknown ISO 4217 currency code");
}

}  // namespace crossdock
