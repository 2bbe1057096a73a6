// Exact decimal amounts and ISO 4217 money. Never binary floating point.
// Decimal stores an integer count of micro-units (10^-6), so every amount with up to six
// fractional digits is exact; arithmetic that would overflow reports an error instead of wrapping.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

class Decimal {
 public:
  static constexpr int kScale = 6;
  static constexpr int64_t kOne = 1'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromMicros(int64_t micros) { return Decimal(micros); }
  static constexpr Decimal FromInt(int64_t units) { return Decimal(units * kOne); }
  // Parses "12", "-12.5", "0.000001". Rejects exponents, '+', spaces, more than six decimals
  // and values beyond ±9e12.
  static Result<Decimal> Parse(std::string_view text);

  int64_t micros() const { return micros_; }
  // Shortest form with at least `min_fraction_digits` decimals: (1.5, 2) → "1.50".
  std::string ToString(int min_fraction_digits = 0) const;
  // Number of fractional digits actually used (0..6).
  int FractionDigits() const;

  friend bool operator==(Decimal a, Decimal b) = default;
  friend auto operator<=>(Decimal a, Decimal b) = default;

  // Checked arithmetic: false on overflow.
  static bool Add(Decimal a, Decimal b, Decimal& out);
  // Multiplies by an integer quantity.
  static bool MulInt(Decimal a, int64_t n, Decimal& out);

 private:
  constexpr explicit Decimal(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

// An ISO 4217 currency: alphabetic code and minor-unit exponent.
struct Currency {
  std::string code;  // "USD"
  int minor_units = 2;
  friend bool operator==(const Currency&, const Currency&) = default;
};

// Looks up an active ISO 4217 code (upper case). NotFound for unknown codes.
Result<Currency> FindCurrency(std::string_view code);

struct Money {
  Decimal amount;
  Currency currency;
  // Amount formatted with at least the currency's minor units: "12.50".
  std::string FormatAmount() const { return amount.ToString(currency.minor_units); }
  friend bool operator==(const Money&, const Money&) = default;
};

}  // namespace crossdock
