// Fuzzes the X12 parser and serializer (codecs/x12.h). Invariants: never crash; a failure
// names where; whatever parses re-serializes to something that parses to the same tree, and a
// 997 built for it parses cleanly; the 945, 856, 997, 846, 944, 850 and 180 readers and the
// dictionary check never crash and name where each fault is, and a 997 carrying content faults
// parses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codecs/x12.h"
#include "codecs/x12_dictionary.h"
#include "codecs/x12_trading.h"
#include "codecs/x12_warehouse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crossdock;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  X12ParseOptions opts;
  opts.max_segments = 10'000;
  X12Document doc = ParseX12(text, opts);
  if (!doc.readable && doc.errors.empty()) std::abort();  // a failure must say why
  for (const auto& e : doc.errors) {
    if (e.message.empty() || e.offset > size) std::abort();
  }
  if (!doc.readable) return 0;
  for (const auto& x : doc.interchanges) {
    X12Document again = ParseX12(SerializeX12(x), opts);
    if (again.interchanges.size() != 1 || !(again.interchanges[0] == x)) std::abort();
    (void)Read945(x);  // any interchange: never crashes
    for (const auto& e : Read856(x).errors) {
      if (e.message.empty() || e.segment_id.empty()) std::abort();
    }
    Decoded997 acks = Read997(x);
    for (const auto& a : acks.acks) (void)a.Describe();
    DecodedStock stock = ReadStock(x);
    // Every fault names its place; nothing is used from a set with a fault.
    for (const auto* errors : {&acks.errors, &stock.errors}) {
      for (const auto& e : *errors) {
        if (e.message.empty() || e.segment_id.empty()) std::abort();
      }
    }
    for (const auto& c : stock.counts) {
      if (c.on_hand < 0) std::abort();
    }
    Decoded850 orders = Read850(x);
    for (const auto& e : orders.errors) {
      if (e.message.empty() || e.segment_id.empty()) std::abort();
    }
    Decoded180 returns = Read180(x);
    for (const auto& e : returns.errors) {
      if (e.message.empty() || e.segment_id.empty()) std::abort();
    }
    std::vector<X12Error> faults = doc.errors;
    for (const auto& g : x.groups) {
      for (const auto& t : g.sets) {
        for (auto& e : CheckX12Set(t, {{"W27"}, true})) {
          if (e.message.empty() || e.ack_code.empty()) std::abort();
          faults.push_back(std::move(e));
        }
      }
    }
    X12Interchange ack = Build997(x, faults, "1", "1", "261128", "1015");
    X12Document parsed_ack = ParseX12(SerializeX12(ack), opts);
    // A 997 may carry received ids with delimiters replaced out; it must always parse.
    if (!parsed_ack.readable) std::abort();
  }
  return 0;
}
