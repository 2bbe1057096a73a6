#include "codecs/x12_trading.h"

#include <algorithm>
#include <map>

#include "codecs/x12_fields.h"
#include "model/validation.h"

namespace crossdock {

namespace {

// A quantity such as "2" or "2.000" (some systems write decimals): whole units only.
bool ParseUnits(const std::string& text, int64_t& out) {
  std::string whole = text;
  if (auto dot = text.find('.'); dot != std::string::npos) {
    if (text.find_first_not_of('0', dot + 1) != std::string::npos) return false;
    whole = text.substr(0, dot);
  }
  return ParseQuantity(whole, out);
}

Address* PartyAddress(Order& o, const std::string& qualifier) {
  if (qualifier == "ST") return &o.ship_to;
  if (qualifier == "BT") {
    if (!o.bill_to) o.bill_to.emplace();
    return &*o.bill_to;
  }
  return nullptr;
}

std::string CcyymmddOf(const std::optional<TimePoint>& t) {
  return t ? X12DateTime(*t).first : "";
}

// Micros to whole cents, half to even (as an invoice total is written).
int64_t Cents(int64_t micros) {
  int64_t cents = micros / 10'000, rest = micros % 10'000;
  if (rest > 5'000 || (rest == 5'000 && cents % 2 != 0)) ++cents;
  if (rest < -5'000 || (rest == -5'000 && cents % 2 != 0)) --cents;
  return cents;
}

}  // namespace

Decoded850 Read850(const X12Interchange& x, const X12OrderOptions& options) {
  Decoded850 out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      if (t.Code() != "850") continue;
      size_t errors_before = out.errors.size();
      auto fail = [&](const X12Segment& s, int element, std::string m) {
        out.errors.push_back(At(s, element, std::move(m)));
      };
      Order o;
      o.channel = options.channel;
      o.currency = options.currency;
      bool have_beg = false;
      int64_t ctt = -1;
      const X12Segment* ctt_segment = nullptr;
      Address* party = nullptr;
      OrderLine* line = nullptr;
      for (const auto& seg : t.body) {
        if (seg.id == "BEG") {
          have_beg = true;
          if (seg.Element(1) != "00") {
            fail(
                seg, 1,
                "BEG01 '" + seg.Element(1) + "': only an original purchase order (00) is an order");
          }
          o.external_ref = seg.Element(3);
          if (o.external_ref.empty()) fail(seg, 3, "BEG03 (the purchase order number) is empty");
          TimePoint placed;
          if (!seg.Element(5).empty()) {
            if (ParseDate(seg.Element(5), "", placed)) {
              o.placed_at = placed;
            } else {
              fail(seg, 5, "BEG05 is not a CCYYMMDD date");
            }
          }
        } else if (seg.id == "CUR" && seg.Element(1) == "BY") {
          o.currency = seg.Element(2);
        } else if (seg.id == "N1") {
          const std::string& q = seg.Element(1);
          party = PartyAddress(o, q);
          if (party) party->name = seg.Element(2);
          if (q == "BY") {
            o.customer.name = seg.Element(2);
            o.customer.external_ref = seg.Element(4);
          }
          if (q == "ST" && o.customer.name.empty()) o.customer.name = seg.Element(2);
        } else if (seg.id == "N2" && party) {
          party->company = seg.Element(1);
        } else if (seg.id == "N3" && party) {
          party->line1 = seg.Element(1);
          party->line2 = seg.Element(2);
        } else if (seg.id == "N4" && party) {
          party->city = seg.Element(1);
          party->region = seg.Element(2);
          party->postal_code = seg.Element(3);
          party->country = seg.Element(4).empty() ? options.country : seg.Element(4);
        } else if (seg.id == "PO1") {
          party = nullptr;
          OrderLine& l = o.lines.emplace_back();
          line = &l;
          l.line_id = seg.Element(1).empty() ? std::to_string(o.lines.size()) : seg.Element(1);
          if (!ParseUnits(seg.Element(2), l.quantity) || l.quantity == 0) {
            fail(seg, 2, "PO102 (the quantity) must be a whole number of units above 0");
          }
          if (!seg.Element(3).empty() && seg.Element(3) != "EA") {
            fail(seg, 3, "PO103 unit '" + seg.Element(3) + "': only each (EA) is ordered");
          }
          auto price = Decimal::Parse(seg.Element(4));
          if (!price.ok()) {
            fail(seg, 4, "PO104 (the unit price) is not a decimal");
          } else {
            l.unit_price = *price;
          }
          // Qualifier and id pairs from PO106 on: the first preferred qualifier wins.
          // A qualifier and its id come in pairs (X12 syntax note P0607 and on).
          std::map<std::string, std::string> ids;
          for (size_t e = 6; e <= seg.elements.size(); e += 2) {
            const std::string &q = seg.Element(e), &id = seg.Element(e + 1);
            if (q.empty() != id.empty()) {
              fail(seg, static_cast<int>(q.empty() ? e : e + 1),
                   "PO1" + std::string(e < 10 ? "0" : "") + std::to_string(q.empty() ? e : e + 1) +
                       " is empty but its pair is not (a product qualifier needs its id)");
              continue;
            }
            if (!q.empty() && !ids.count(q)) ids[q] = id;
          }
          for (const auto& q : options.sku_qualifiers) {
            auto it = ids.find(q);
            if (it != ids.end() && !it->second.empty()) {
              l.sku = it->second;
              break;
            }
          }
          if (l.sku.empty()) {
            std::string wanted;
            for (const auto& q : options.sku_qualifiers) wanted += (wanted.empty() ? "" : ", ") + q;
            fail(seg, 6, "PO1 line " + l.line_id + " names no product by " + wanted);
          }
        } else if (seg.id == "PID" && line && seg.Element(1) == "F") {
          line->description = seg.Element(5);
        } else if (seg.id == "CTT") {
          ctt_segment = &seg;
          if (!ParseQuantity(seg.Element(1), ctt)) fail(seg, 1, "CTT01 is not a whole number");
        }
      }
      if (!have_beg) fail(t.st, 0, "850 without BEG");
      if (ctt_segment && ctt >= 0 && ctt != static_cast<int64_t>(o.lines.size())) {
        fail(*ctt_segment, 1,
             "CTT01 says " + std::to_string(ctt) + " lines, the set has " +
                 std::to_string(o.lines.size()));
      }
      if (out.errors.size() != errors_before) continue;
      auto totals = ComputeTotals(o);
      if (totals.ok()) o.totals = *totals;
      // What the canonical model requires beyond the set's own rules (an address's country,
      // a currency) is named at the set's ST with its pointer.
      for (const auto& e : ValidateOrder(o)) {
        fail(t.st, 0, "order " + o.external_ref + ": " + e.pointer + " " + e.detail);
      }
      if (out.errors.size() == errors_before) out.orders.push_back(std::move(o));
    }
  }
  return out;
}

BuiltX12 Build855(const Order& order, bool accepted, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now) {
  return BuildOneSet(profile, numbers, now, "PR", "855", [&](X12Builder& b) {
    b.Add("BAK", {"00", accepted ? "AC" : "RD", order.external_ref, CcyymmddOf(order.placed_at), "",
                  "", "", order.id});
    for (const auto& l : order.lines) {
      b.Add("PO1", {l.line_id, std::to_string(l.quantity), "EA", l.unit_price.ToString(2), "", "SK",
                    l.sku});
      b.Add("ACK", {accepted ? "IA" : "IR", std::to_string(l.quantity), "EA"});
    }
    b.Add("CTT", {std::to_string(order.lines.size())});
  });
}

BuiltX12 Build810(const Order& order, const Shipment& shipment, const std::string& invoice_number,
                  const X12Profile& profile, const X12EnvelopeNumbers& numbers, TimePoint now) {
  std::map<std::string, const OrderLine*> lines;
  for (const auto& l : order.lines) lines[l.line_id] = &l;
  std::vector<std::string> refused;  // shipped lines the order does not have, an overflow
  BuiltX12 out = BuildOneSet(profile, numbers, now, "IN", "810", [&](X12Builder& b) {
    b.Add("BIG", {X12DateTime(now).first, invoice_number, CcyymmddOf(order.placed_at),
                  order.external_ref});
    b.Add("CUR", {"SE", order.currency});
    const Address& a = order.ship_to;
    b.Add("N1", {"ST", a.name.empty() ? order.customer.name : a.name});
    b.Add("N3", {a.line1, a.line2});
    b.Add("N4", {a.city, a.region, a.postal_code, a.country});
    int64_t total = 0, count = 0;
    for (const auto& s : shipment.ShippedLines()) {
      auto it = lines.find(s.line_id);
      if (it == lines.end()) {
        refused.push_back("shipped line '" + s.line_id + "' is not a line of order " +
                          order.external_ref);
        continue;
      }
      const OrderLine& l = *it->second;
      b.Add("IT1", {l.line_id, std::to_string(s.quantity), "EA", l.unit_price.ToString(2), "", "SK",
                    l.sku});
      // The total is the sum of the lines as written (each line rounded to cents).
      int64_t line = 0;
      if (__builtin_mul_overflow(l.unit_price.micros(), s.quantity, &line) ||
          __builtin_add_overflow(total, Cents(line), &total)) {
        refused.push_back("the invoice total of order " + order.external_ref + " overflows");
        break;
      }
      ++count;
    }
    b.Add("TDS", {std::to_string(total)});
    b.Add("CTT", {std::to_string(count)});
  });
  out.errors.insert(out.errors.begin(), refused.begin(), refused.end());
  return out;
}

BuiltX12 Build180(const ReturnAuthorization& rma, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now) {
  return BuildOneSet(profile, numbers, now, "AN", "180", [&](X12Builder& b) {
    b.Add("BGN", {"00", rma.rma, X12DateTime(rma.issued_at).first});
    b.Add("PRF", {rma.order});
    for (const auto& l : rma.lines) {
      b.Add("BLI", {"SK", l.sku, std::to_string(l.quantity), "EA"});
      b.Add("N9", {"LI", l.line_id});
      if (!l.reason.empty()) b.Add("RDR", {"", "", "", l.reason});
    }
  });
}

Decoded180 Read180(const X12Interchange& x) {
  Decoded180 out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      if (t.Code() != "180") continue;
      size_t errors_before = out.errors.size();
      auto fail = [&](const X12Segment& s, int element, std::string m) {
        out.errors.push_back(At(s, element, std::move(m)));
      };
      ReturnAuthorization r;
      ReturnAuthorization::Line* line = nullptr;
      std::vector<const X12Segment*> starts;  // each line's BLI, to name its faults
      bool have_bgn = false;
      for (const auto& seg : t.body) {
        if (seg.id == "BGN") {
          have_bgn = true;
          r.rma = seg.Element(2);
          if (r.rma.empty()) fail(seg, 2, "BGN02 (the return's id) is empty");
          if (!seg.Element(3).empty() && !ParseDate(seg.Element(3), "", r.issued_at)) {
            fail(seg, 3, "BGN03 is not a CCYYMMDD date");
          }
        } else if (seg.id == "PRF") {
          r.order = seg.Element(1);
        } else if (seg.id == "BLI") {
          line = &r.lines.emplace_back();
          starts.push_back(&seg);
          line->sku = ProductId(seg, 1, kSkuQualifiers);
          if (line->sku.empty()) fail(seg, 2, "BLI names no product by SK, VN, VP, BP, IN or UP");
          if (!ParseQuantity(seg.Element(3), line->quantity) || line->quantity == 0) {
            fail(seg, 3, "BLI03 (the units) must be a whole number above 0");
          }
          if (!seg.Element(4).empty() && seg.Element(4) != "EA") {
            fail(seg, 4, "BLI04 unit '" + seg.Element(4) + "': only each (EA) is returned");
          }
        } else if (seg.id == "N9" && seg.Element(1) == "LI" && line) {
          line->line_id = seg.Element(2);
        } else if (seg.id == "RDR" && line) {
          line->reason = seg.Element(4);
        }
      }
      if (!have_bgn) fail(t.st, 0, "180 without BGN");
      if (r.order.empty()) fail(t.st, 0, "180 without the order (PRF01)");
      if (r.lines.empty()) fail(t.st, 0, "180 without a line (BLI)");
      for (size_t i = 0; i < r.lines.size(); ++i) {
        if (r.lines[i].line_id.empty()) {
          fail(*starts[i], 0,
               "180 line " + r.lines[i].sku + " has no N9*LI: the order line cannot be known");
        }
      }
      if (out.errors.size() == errors_before) out.returns.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace crossdock
