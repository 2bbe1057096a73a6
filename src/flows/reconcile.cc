#include "flows/reconcile.h"

#include <cstdlib>

#include "base/json.h"
#include "codecs/csv.h"

namespace crossdock {

ReconcileReport CompareSnapshot(const std::string& node, TimePoint as_of,
                                const std::vector<InventoryCount>& snapshot,
                                const std::map<std::string, int64_t>& ledger,
                                const std::map<std::string, Decimal>& unit_costs,
                                const ReconcilePolicy& policy,
                                const std::function<void(size_t, size_t)>& progress) {
  ReconcileReport r;
  r.node = node;
  r.as_of = as_of;
  std::map<std::string, int64_t> counted;  // a SKU listed twice counts once (its last row)
  for (const auto& c : snapshot) counted[c.sku] = c.on_hand;
  const size_t total = counted.size() + ledger.size();
  size_t done = 0;
  auto step = [&] {
    if (progress && (++done % 4096 == 0 || done == total)) progress(done, total);
  };
  auto compare = [&](const std::string& sku, int64_t at_ledger, int64_t at_node) {
    ++r.skus;
    if (at_ledger == at_node) {
      ++r.matched;
      return;
    }
    Discrepancy d{sku, at_ledger, at_node, std::nullopt, false};
    int64_t diff = d.difference();
    (diff > 0 ? r.units_over : r.units_short) += std::llabs(diff);
    if (auto cost = unit_costs.find(sku); cost != unit_costs.end()) {
      Decimal value;
      if (Decimal::MulInt(cost->second, std::llabs(diff), value)) {
        d.value = value;
        Decimal& sum = diff > 0 ? r.value_over : r.value_short;
        Decimal::Add(sum, value, sum);
      }
    }
    d.adjusted = std::llabs(diff) <= policy.auto_adjust_max;
    ++(d.adjusted ? r.adjusted : r.for_review);
    r.discrepancies.push_back(std::move(d));
  };
  // Both maps are ordered by SKU: one merge pass.
  auto c = counted.begin();
  auto l = ledger.begin();
  while (c != counted.end() || l != ledger.end()) {
    if (l == ledger.end() || (c != counted.end() && c->first < l->first)) {
      compare(c->first, 0, c->second);
      ++c;
      step();
    } else if (c == counted.end() || l->first < c->first) {
      compare(l->first, l->second, 0);
      ++l;
      step();
    } else {
      compare(c->first, l->second, c->second);
      ++c;
      ++l;
      step();
      step();
    }
  }
  if (progress) progress(total, total);
  return r;
}

std::string ReconcileReportJson(const ReconcileReport& r, const std::string& id) {
  JsonWriter w;
  w.StartObject().Field("id", id).Field("kind", "inventory").Field("node", r.node);
  w.Field("as_of", FormatRfc3339(r.as_of));
  w.Key("summary").StartObject();
  w.Field("skus", r.skus).Field("matched", r.matched);
  w.Field("discrepancies", static_cast<int64_t>(r.discrepancies.size()));
  w.Field("units_over", r.units_over).Field("units_short", r.units_short);
  w.Field("value_over", r.value_over.ToString(2)).Field("value_short", r.value_short.ToString(2));
  w.Field("adjusted", r.adjusted).Field("for_review", r.for_review);
  w.Field("newer_counts", r.newer_counts).EndObject();
  w.Key("discrepancies").StartArray();
  for (const auto& d : r.discrepancies) {
    w.StartObject().Field("sku", d.sku).Field("ledger", d.ledger).Field("counted", d.counted);
    w.Field("difference", d.difference());
    if (d.value) w.Field("value", d.value->ToString(2));
    w.Field("action", d.adjusted ? "adjusted" : "review").EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string ReconcileReportCsv(const ReconcileReport& r) {
  std::string out = "sku,ledger,counted,difference,value,action\r\n";
  for (const auto& d : r.discrepancies) {
    out += CsvField(d.sku) + "," + std::to_string(d.ledger) + "," + std::to_string(d.counted) +
           "," + std::to_string(d.difference()) + "," + (d.value ? d.value->ToString(2) : "") +
           "," + (d.adjusted ? "adjusted" : "review") + "\r\n";
  }
  return out;
}

}  // namespace crossdock
