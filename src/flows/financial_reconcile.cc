#include "flows/financial_reconcile.h"

#include <algorithm>
#include <functional>
#include <map>

#include "base/json.h"
#include "codecs/csv.h"
#include "codecs/json_reader.h"

namespace crossdock {

namespace {

std::string OrderOf(const std::string& reference) {
  size_t slash = reference.find('/');
  return slash == std::string::npos ? reference : reference.substr(0, slash);
}

// A credit note's reference names a return: "<order id>/ret_…".
bool IsCreditNote(const std::string& reference) {
  size_t slash = reference.find('/');
  return slash != std::string::npos && reference.compare(slash + 1, 4, "ret_") == 0;
}

Decimal Difference(Decimal a, Decimal b) {
  int64_t d = a.micros() - b.micros();
  return Decimal::FromMicros(d < 0 ? -d : d);
}

}  // namespace

// `d` rounded to cents, half to even, as Tryton rounds an invoice line's amount.
Decimal RoundCents(Decimal d) {
  constexpr int64_t kCent = Decimal::kOne / 100;
  int64_t m = d.micros();
  int64_t q = m / kCent, r = m % kCent;
  if (r < 0) {
    r += kCent;
    --q;
  }
  if (r * 2 > kCent || (r * 2 == kCent && q % 2 != 0)) ++q;
  return Decimal::FromMicros(q * kCent);
}

std::vector<ExpectedInvoice> ExpectedInvoicesOf(const Order& order, const OrderFlowState& flow,
                                                const std::vector<HistoryEntry>& history) {
  std::vector<ExpectedInvoice> out;
  std::map<std::string, Decimal> price;
  for (const auto& l : order.lines) price[l.line_id] = l.unit_price;
  for (const auto& h : history) {
    if (h.type != "order.shipped" && h.type != "order.partially_shipped") continue;
    FieldErrors errors;
    auto doc = json_reader::Parse(h.detail, 32, errors);
    if (!doc) continue;
    simdjson::dom::element shipment;
    if ((*doc)["shipment"].get(shipment)) continue;
    std::string_view id;
    if (shipment["partner_event_id"].get_string().get(id)) continue;
    if (!flow.invoices.count(std::string(id))) continue;  // not invoiced (shipped after cancel)
    ExpectedInvoice e{order.id, std::string(id), order.id + "/" + std::string(id), Decimal(), h.at};
    simdjson::dom::array packages;
    if (!shipment["packages"].get_array().get(packages)) {
      for (auto p : packages) {
        simdjson::dom::array lines;
        if (p["lines"].get_array().get(lines)) continue;
        for (auto l : lines) {
          std::string_view line_id;
          int64_t quantity = 0;
          if (l["line_id"].get_string().get(line_id) || l["quantity"].get_int64().get(quantity)) {
            continue;
          }
          auto unit = price.find(std::string(line_id));
          if (unit == price.end()) continue;
          // Each line's amount rounded to cents, as the ERP's invoice lines are.
          Decimal value;
          if (!Decimal::MulInt(unit->second, quantity, value)) continue;
          Decimal::Add(e.amount, RoundCents(value), e.amount);
        }
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

FinancialReport CompareInvoices(const std::vector<ExpectedInvoice>& expected,
                                const std::vector<ErpInvoiceRecord>& erp, TimePoint now,
                                const FinancialPolicy& policy,
                                const std::function<bool(const std::string&)>& known_order) {
  FinancialReport r;
  r.checked_at = now;
  std::map<std::string, const ErpInvoiceRecord*> live;
  for (const auto& inv : erp) {
    if (inv.state == "cancelled" || IsCreditNote(inv.reference)) continue;
    live.emplace(inv.reference, &inv);  // the first of duplicates; the rest are extra
  }
  r.invoices = static_cast<int64_t>(live.size());
  std::map<std::string, const ExpectedInvoice*> wanted;
  for (const auto& e : expected) wanted.emplace(e.reference, &e);
  for (const auto& [reference, e] : wanted) {
    auto found = live.find(reference);
    if (found == live.end()) {
      if (e->shipped_at < policy.since) continue;  // before the ERP listing's window
      ++r.shipments;
      if (e->shipped_at + policy.grace > now) {
        ++r.pending;
        continue;
      }
      r.findings.push_back({"shipped_not_invoiced", e->order_id, reference, "", e->amount,
                            std::nullopt,
                            "shipment " + e->shipment + " (" + FormatRfc3339(e->shipped_at) + ", " +
                                e->amount.ToString(2) + ") has no invoice in the ERP"});
      continue;
    }
    ++r.shipments;
    const ErpInvoiceRecord& inv = *found->second;
    if (inv.amount && Difference(*inv.amount, e->amount) > policy.tolerance) {
      r.findings.push_back(
          {"amount_mismatch", e->order_id, reference, inv.invoice, e->amount, inv.amount,
           "ERP invoice " + inv.invoice + " is " + inv.amount->ToString(2) + " for shipment " +
               e->shipment + ", which is worth " + e->amount.ToString(2)});
      continue;
    }
    ++r.matched;
  }
  for (const auto& [reference, inv] : live) {
    if (wanted.count(reference)) continue;
    std::string order = OrderOf(reference);
    bool known = known_order && known_order(order);
    r.findings.push_back({"invoiced_not_shipped", known ? order : "", reference, inv->invoice,
                          std::nullopt, inv->amount,
                          "ERP invoice " + inv->invoice + " (" + reference + ") matches " +
                              (known ? "no shipment of the order" : "no order Crossdock knows")});
  }
  std::sort(r.findings.begin(), r.findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.reference, a.kind) < std::tie(b.reference, b.kind);
  });
  return r;
}

std::string FinancialReportJson(const FinancialReport& r, const std::string& id) {
  JsonWriter w;
  w.StartObject().Field("id", id).Field("kind", "financial").Field("node", "");
  w.Field("as_of", FormatRfc3339(r.checked_at));
  int64_t counts[3] = {0, 0, 0};
  for (const auto& f : r.findings) {
    counts[f.kind == "shipped_not_invoiced" ? 0 : f.kind == "invoiced_not_shipped" ? 1 : 2]++;
  }
  w.Key("summary").StartObject();
  w.Field("shipments", r.shipments).Field("invoices", r.invoices).Field("matched", r.matched);
  w.Field("pending", r.pending);
  w.Field("discrepancies", static_cast<int64_t>(r.findings.size()));
  w.Field("shipped_not_invoiced", counts[0]).Field("invoiced_not_shipped", counts[1]);
  w.Field("amount_mismatch", counts[2]).EndObject();
  w.Key("discrepancies").StartArray();
  for (const auto& f : r.findings) {
    w.StartObject().Field("kind", f.kind).Field("order_id", f.order_id);
    w.Field("reference", f.reference).Field("invoice", f.invoice);
    if (f.expected) w.Field("expected", f.expected->ToString(2));
    if (f.invoiced) w.Field("invoiced", f.invoiced->ToString(2));
    w.Field("detail", f.detail).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string FinancialReportCsv(const FinancialReport& r) {
  std::string out = "kind,order_id,reference,invoice,expected,invoiced,detail\r\n";
  for (const auto& f : r.findings) {
    out += f.kind + "," + CsvField(f.order_id) + "," + CsvField(f.reference) + "," +
           CsvField(f.invoice) + "," + (f.expected ? f.expected->ToString(2) : "") + "," +
           (f.invoiced ? f.invoiced->ToString(2) : "") + "," + CsvField(f.detail) + "\r\n";
  }
  return out;
}

}  // namespace crossdock
