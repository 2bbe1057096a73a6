// CSV (RFC 4180) reading, and inventory snapshots in CSV with a per-partner column mapping.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "model/inventory.h"

namespace crossdock {

// One fault: 1-based line of the input (where the record starts) and column (0 = the record).
struct CsvError {
  int line = 0;
  int column = 0;
  std::string column_name;  // the header's name, when known
  std::string message;
  std::string ToString() const;  // "line 12, column 3 (Qty): not a whole number"
};

struct CsvTable {
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;  // the line each record starts on
  std::vector<CsvError> errors;
};

// Fields separated by `delimiter`, records by LF or CRLF; a field in double quotes may hold
// delimiters, line breaks and doubled quotes. A quote left open, or text after a closing quote,
// is an error naming its line. At most `max_records` records.
// One field as RFC 4180 writes it: quoted when it holds a comma, quote or line break, with
// quotes doubled.
std::string CsvField(const std::string& value);

CsvTable ParseCsv(std::string_view text, char delimiter = ',', size_t max_records = 1'000'000);

// Which columns of a partner's snapshot hold what (by header name).
struct CsvInventoryMapping {
  char delimiter = ',';
  std::string sku = "sku";
  std::string on_hand = "on_hand";
  std::string as_of;  // "" = every row counts as of `default_as_of`
  std::string node;   // "" = every row is the reporting node's
  // Quantities given with decimals ("12.000", as some WMS exports write them) are accepted when
  // the fraction is zero.
};

struct CsvInventory {
  std::vector<InventoryCount> counts;
  std::vector<CsvError> errors;
  bool ok() const { return errors.empty(); }
};

// Reads a snapshot with a header row. Every row must have the mapped columns; a missing
// column in the header is one error (column 0 of line 1), a bad value one error per cell.
CsvInventory DecodeCsvInventory(std::string_view text, const CsvInventoryMapping& mapping,
                                TimePoint default_as_of);

}  // namespace crossdock
