// Fuzzes the CSV reader and the inventory snapshot decoder (codecs/csv.h). Invariants: never
// crash; every error names a line within the input; a snapshot either decodes whole or not at
// all.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codecs/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crossdock;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (char delimiter : {',', ';'}) {
    CsvTable t = ParseCsv(text, delimiter, 10'000);
    int lines = 1;
    for (char c : text) lines += c == '\n';
    for (const auto& e : t.errors) {
      if (e.line < 1 || e.line > lines || e.message.empty()) std::abort();
    }
    CsvInventoryMapping m;
    m.delimiter = delimiter;
    m.as_of = delimiter == ';' ? "as_of" : "";
    CsvInventory inv = DecodeCsvInventory(text, m, TimePoint());
    if (!inv.ok() && !inv.counts.empty()) std::abort();
  }
  return 0;
}
