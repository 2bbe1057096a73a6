#include "codecs/x12_warehouse.h"

#include "codecs/x12_fields.h"
#include "model/gs1.h"

#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <set>

namespace crossdock {

Built940 BuildOneSet(const X12Profile& profile, const X12EnvelopeNumbers& numbers, TimePoint now,
                     const std::string& functional_id, const std::string& code,
                     const std::function<void(X12Builder&)>& body) {
  auto [date, time] = X12DateTime(now);
  X12Builder b(profile.delimiters, profile.sender, profile.receiver, profile.isa_version,
               profile.replacement);
  b.StartGroup(functional_id, profile.sender.id, profile.receiver.id, std::to_string(numbers.group),
               profile.gs_version, date, time);
  b.StartSet(code, "0001");
  body(b);
  Built940 out;
  out.interchange =
      b.Finish(std::to_string(numbers.interchange), date.substr(2), time, profile.test);
  out.errors = b.errors();
  return out;
}

// "CCYYMMDD" and "HHMM" of `t` (UTC).
std::pair<std::string, std::string> X12DateTime(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[16], time[8];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M", &tm);
  return {date, time};
}

std::string X12GroupAck::Describe() const {
  static const std::map<std::string, std::string> kVerdicts = {{"A", "accepted"},
                                                               {"E", "accepted with errors"},
                                                               {"P", "partly accepted"},
                                                               {"R", "rejected"}};
  auto v = kVerdicts.find(status);
  std::string out = v == kVerdicts.end() ? "verdict '" + status + "'" : v->second;
  for (const auto& set : sets) {
    if (set.status == "A") continue;
    out += "; set " + set.control + " (" + set.code + ") " + set.status;
    for (const auto& e : set.errors) out += ", " + e;
  }
  return out;
}

Decoded997 Read997(const X12Interchange& x) {
  Decoded997 out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      if (t.Code() != "997") continue;
      std::optional<X12GroupAck> ack;
      for (const auto& seg : t.body) {
        if (seg.id == "AK1") {
          ack.emplace();
          ack->functional_id = seg.Element(1);
          if (!ParseQuantity(seg.Element(2), ack->group)) {
            out.errors.push_back(At(seg, 2, "AK102 (the group control number) is not a number"));
          }
        } else if (!ack) {
          if (seg.id.starts_with("AK")) {
            out.errors.push_back(At(seg, 0, seg.id + " comes before AK1"));
          }
        } else if (seg.id == "AK2") {
          ack->sets.push_back({seg.Element(1), seg.Element(2), "", {}});
        } else if (seg.id == "AK3" && !ack->sets.empty()) {
          ack->sets.back().errors.push_back("segment " + seg.Element(1) + " at " + seg.Element(2) +
                                            " code " + seg.Element(4));
        } else if (seg.id == "AK4" && !ack->sets.empty()) {
          ack->sets.back().errors.push_back("element " + seg.Element(1) + " code " +
                                            seg.Element(3));
        } else if (seg.id == "AK5" && !ack->sets.empty()) {
          auto& set = ack->sets.back();
          set.status = seg.Element(1);
          for (size_t i = 2; i <= 6; ++i) {
            if (!seg.Element(i).empty()) set.errors.push_back("code " + seg.Element(i));
          }
        } else if (seg.id == "AK9") {
          ack->status = seg.Element(1);
          if (ack->status.empty()) out.errors.push_back(At(seg, 1, "AK901 (the verdict) is empty"));
        }
      }
      if (!ack) {
        out.errors.push_back(At(t.st, 0, "997 without AK1: it acknowledges no group"));
      } else if (ack->status.empty()) {
        out.errors.push_back(At(t.se, 0, "997 without AK9: the group's verdict is missing"));
      } else {
        out.acks.push_back(std::move(*ack));
      }
    }
  }
  return out;
}

Decoded945 Read856(const X12Interchange& x) {
  Decoded945 out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      if (t.Code() != "856") continue;
      size_t errors_before = out.errors.size();
      auto fail = [&](const X12Segment& s, int element, std::string m) {
        out.errors.push_back(At(s, element, std::move(m)));
      };
      Shipment header;  // what the shipment level says, copied into each order's shipment
      std::string shipment_id;
      std::vector<Shipment> shipments;
      Package* package = nullptr;
      ShippedLine* item = nullptr;
      std::string level;
      bool have_bsn = false;
      auto current = [&]() -> Shipment* { return shipments.empty() ? nullptr : &shipments.back(); };
      for (const auto& seg : t.body) {
        if (seg.id == "BSN") {
          have_bsn = true;
          shipment_id = seg.Element(2);
          if (shipment_id.empty()) fail(seg, 2, "BSN02 (the shipment id) is empty");
          TimePoint at;
          if (!seg.Element(3).empty()) {
            if (ParseDate(seg.Element(3), seg.Element(4), at)) {
              header.shipped_at = at;
            } else {
              fail(seg, 3, "BSN03/BSN04 is not a CCYYMMDD date and HHMM time");
            }
          }
        } else if (seg.id == "HL") {
          level = seg.Element(3);
          if (level == "O") {
            shipments.push_back(header);
            package = nullptr;
          } else if (level == "P" || level == "T") {
            if (!current()) {
              fail(seg, 3, "a pack level before any order level (HL03 O)");
              continue;
            }
            current()->packages.emplace_back();
            package = &current()->packages.back();
          } else if (level == "I") {
            if (!current()) {
              fail(seg, 3, "an item level before any order level (HL03 O)");
              continue;
            }
            if (!package) {  // items straight under the order: one package for them
              current()->packages.emplace_back();
              package = &current()->packages.back();
            }
            package->lines.emplace_back();
            item = &package->lines.back();
          }
        } else if (seg.id == "TD5" && level == "S") {
          header.carrier = seg.Element(3);
        } else if (seg.id == "REF" && seg.Element(1) == "CN" && level == "S") {
          header.tracking_number = seg.Element(2);
        } else if (seg.id == "PRF" && level == "O" && current()) {
          current()->order_id = seg.Element(1);
          if (current()->order_id.empty()) fail(seg, 1, "PRF01 (the order id) is empty");
        } else if (seg.id == "MAN" && seg.Element(1) == "GM" && package) {
          std::string sscc = seg.Element(2);
          if (sscc.size() == 20 && sscc.rfind("00", 0) == 0) sscc = sscc.substr(2);  // AI 00
          if (Status v = ValidateSscc(sscc); !v.ok()) {
            fail(seg, 2, "MAN02 '" + seg.Element(2) + "' is not an SSCC: " + v.message());
          } else {
            package->sscc = sscc;
          }
        } else if (seg.id == "LIN" && level == "I" && item) {
          item->line_id = seg.Element(1);
          // The product by the first preferred qualifier of its pairs (LIN02/03, 04/05, …).
          item->sku = ProductId(seg, 2, kSkuQualifiers);
          if (item->sku.empty()) {
            fail(seg, 3, "LIN names no product by SK, VN, VP, BP, IN or UP");
          }
        } else if (seg.id == "REF" && seg.Element(1) == "LI" && level == "I" && item) {
          item->line_id = seg.Element(2);
        } else if (seg.id == "SN1" && level == "I" && item) {
          if (!ParseQuantity(seg.Element(2), item->quantity) || item->quantity == 0) {
            fail(seg, 2, "SN102 (units shipped) must be a whole number above 0");
          }
          if (!seg.Element(3).empty() && seg.Element(3) != "EA") {
            fail(seg, 3, "SN103 unit '" + seg.Element(3) + "': only each (EA) is shipped");
          }
        }
      }
      if (!have_bsn) fail(t.st, 0, "856 without BSN");
      if (shipments.empty()) fail(t.st, 0, "856 without an order level (HL03 O)");
      for (auto& s : shipments) {
        size_t lines = 0;
        for (const auto& p : s.packages) {
          lines += p.lines.size();
          for (const auto& l : p.lines) {
            if (l.quantity == 0) {  // no SN1 (a bad one is refused where it is)
              fail(t.st, 0,
                   "856 item " + l.sku + " of order " + s.order_id + " ships no units (no SN1)");
            }
            if (l.line_id.empty()) {
              fail(t.st, 0,
                   "856 item " + l.sku + " of order " + s.order_id +
                       " has no line id (LIN01 or REF*LI): the order line cannot be known");
            }
          }
        }
        if (lines == 0) fail(t.st, 0, "856 order level " + s.order_id + " ships no item");
        s.partner_event_id = "856-" + s.order_id + "-" + shipment_id;
      }
      if (out.errors.size() != errors_before) continue;
      for (auto& s : shipments) out.shipments.push_back(std::move(s));
    }
  }
  return out;
}

Built940 Build943(const StockTransfer& transfer, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now) {
  return BuildOneSet(profile, numbers, now, "AR", "943", [&](X12Builder& b) {
    b.Add("W06",
          {"N", transfer.reference, X12DateTime(transfer.shipped_at).first, transfer.reference});
    if (!transfer.carrier.empty()) b.Add("W27", {"M", transfer.carrier});
    int64_t total = 0;
    for (const auto& [sku, units] : transfer.lines) {
      b.Add("W04", {std::to_string(units), "EA", "", "SK", sku});
      total += units;
    }
    b.Add("W03", {std::to_string(total)});
  });
}

DecodedStock ReadStock(const X12Interchange& x) {
  DecodedStock out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      size_t errors_before = out.errors.size();
      if (t.Code() == "846") {
        TimePoint as_of{};
        bool have_bia = false;
        std::vector<InventoryCount> counts;
        std::string qualifier;  // the QTY qualifier the current item's count came from
        for (const auto& seg : t.body) {
          if (seg.id == "BIA") {
            have_bia = true;
            if (!ParseDate(seg.Element(4), seg.Element(5), as_of)) {
              out.errors.push_back(At(seg, 4, "BIA04 is not a CCYYMMDD date"));
            }
          } else if (seg.id == "LIN") {
            InventoryCount c;
            c.sku = seg.Element(3);
            if (c.sku.empty()) out.errors.push_back(At(seg, 3, "LIN03 (the SKU) is empty"));
            c.on_hand = -1;
            counts.push_back(std::move(c));
            qualifier.clear();
          } else if (seg.id == "QTY" && (seg.Element(1) == "17" || seg.Element(1) == "33")) {
            if (counts.empty()) {
              out.errors.push_back(At(seg, 0, "QTY comes before any LIN item"));
              continue;
            }
            if (qualifier == "17") continue;  // on hand wins over available
            int64_t q = 0;
            if (!ParseQuantity(seg.Element(2), q)) {
              out.errors.push_back(At(seg, 2, "QTY02 must be a whole number of units"));
              continue;
            }
            counts.back().on_hand = q;
            qualifier = seg.Element(1);
          }
        }
        if (!have_bia) {
          out.errors.push_back(At(t.st, 0, "846 without BIA: the count's date is unknown"));
        }
        for (auto& c : counts) {
          if (c.on_hand < 0) {
            out.errors.push_back(
                At(t.st, 0, "846 item " + c.sku + " has no QTY 17 (on hand) or 33 (available)"));
          }
          c.as_of = as_of;
        }
        if (out.errors.size() == errors_before) {
          out.counts.insert(out.counts.end(), counts.begin(), counts.end());
        }
      } else if (t.Code() == "944") {
        DecodedStock::Receipt receipt;
        bool have_w17 = false;
        for (const auto& seg : t.body) {
          if (seg.id == "W17") {
            have_w17 = true;
            if (!ParseDate(seg.Element(2), "", receipt.received_at)) {
              out.errors.push_back(At(seg, 2, "W1702 is not a CCYYMMDD date"));
            }
            receipt.reference = seg.Element(3);
            if (receipt.reference.empty()) {
              out.errors.push_back(At(seg, 3, "W1703 (the receipt number) is empty"));
            }
          } else if (seg.id == "W07") {
            int64_t q = 0;
            if (!ParseQuantity(seg.Element(1), q)) {
              out.errors.push_back(At(seg, 1, "W0701 (units received) must be a whole number"));
            }
            const std::string& sku = seg.Element(5);
            if (sku.empty()) out.errors.push_back(At(seg, 5, "W0705 (the SKU) is empty"));
            receipt.lines.emplace_back(sku, q);
          }
        }
        if (!have_w17) out.errors.push_back(At(t.st, 0, "944 without W17"));
        if (receipt.lines.empty() && have_w17) {
          out.errors.push_back(At(t.st, 0, "944 without W07 lines"));
        }
        if (out.errors.size() == errors_before) out.receipts.push_back(std::move(receipt));
      }
    }
  }
  return out;
}

Built940 Build940(const Order& order, const X12Profile& profile, const X12EnvelopeNumbers& numbers,
                  TimePoint now) {
  return BuildOneSet(profile, numbers, now, "OW", "940", [&](X12Builder& b) {
    b.Add("W05", {"N", order.id, order.external_ref});
    const Address& a = order.ship_to;
    b.Add("N1", {"ST", a.name.empty() ? order.customer.name : a.name});
    if (!a.company.empty()) b.Add("N2", {a.company});
    b.Add("N3", {a.line1, a.line2});
    b.Add("N4", {a.city, a.region, a.postal_code, a.country});
    int64_t total = 0;
    for (size_t i = 0; i < order.lines.size(); ++i) {
      const OrderLine& l = order.lines[i];
      b.Add("LX", {std::to_string(i + 1)});
      b.Add("W01", {std::to_string(l.quantity), "EA", "", "SK", l.sku});
      b.Add("N9", {"LI", l.line_id});
      total += l.quantity;
    }
    b.Add("W76", {std::to_string(total)});
  });
}

Decoded945 Read945(const X12Interchange& x) {
  Decoded945 out;
  for (const auto& g : x.groups) {
    for (const auto& t : g.sets) {
      if (t.Code() != "945") continue;
      Shipment s;
      std::string shipment_id;
      ShippedLine* current = nullptr;
      Package package;
      bool have_w06 = false, skipped_line = false;
      size_t errors_before = out.errors.size();
      for (const auto& seg : t.body) {
        if (seg.id == "W06") {
          have_w06 = true;
          s.order_id = seg.Element(2);
          shipment_id = seg.Element(4);
          if (s.order_id.empty()) out.errors.push_back(At(seg, 2, "W0602 (our order id) is empty"));
          const std::string& date = seg.Element(3);
          if (!date.empty()) {
            bool digits =
                date.size() == 8 && date.find_first_not_of("0123456789") == std::string::npos;
            auto t3 = digits ? ParseRfc3339(date.substr(0, 4) + "-" + date.substr(4, 2) + "-" +
                                            date.substr(6, 2) + "T00:00:00Z")
                             : Result<TimePoint>(InvalidArgument("not CCYYMMDD"));
            if (!t3.ok()) {
              out.errors.push_back(At(seg, 3, "W0603 is not a CCYYMMDD date"));
            } else {
              s.shipped_at = *t3;
            }
          }
          if (shipment_id.empty()) {
            out.errors.push_back(At(seg, 4, "W0604 (the shipment id) is empty"));
          }
        } else if (seg.id == "W27") {
          s.carrier = seg.Element(2);
        } else if (seg.id == "W12") {
          ShippedLine line;
          line.sku = seg.Element(8);
          if (!ParseQuantity(seg.Element(3), line.quantity)) {
            out.errors.push_back(At(seg, 3, "W1203 (units shipped) must be a whole number"));
          }
          if (line.sku.empty()) out.errors.push_back(At(seg, 8, "W1208 (the SKU) is empty"));
          current = nullptr;
          // A line reported with nothing shipped (backordered, short) adds no shipped line.
          if (line.quantity > 0) {
            package.lines.push_back(std::move(line));
            current = &package.lines.back();
          } else {
            skipped_line = true;
          }
        } else if (seg.id == "N9" && seg.Element(1) == "LI") {
          if (!current && !skipped_line) {
            out.errors.push_back(At(seg, 1, "N9*LI comes before any W12 line"));
          } else if (current) {
            current->line_id = seg.Element(2);
          }
        } else if (seg.id == "N9" && seg.Element(1) == "CN") {
          s.tracking_number = seg.Element(2);
        } else if (seg.id == "LX") {
          current = nullptr;
          skipped_line = false;
        }
      }
      if (!have_w06) out.errors.push_back(At(t.st, 0, "945 without W06"));
      for (size_t i = 0; i < package.lines.size(); ++i) {
        if (package.lines[i].line_id.empty()) {
          out.errors.push_back(At(t.st, 0,
                                  "945 line " + std::to_string(i + 1) +
                                      " has no N9*LI: the order line cannot be known"));
        }
      }
      if (package.lines.empty()) out.errors.push_back(At(t.st, 0, "945 without W12 lines"));
      if (out.errors.size() != errors_before) continue;
      package.tracking_number = s.tracking_number;
      s.packages.push_back(std::move(package));
      // The 3PL's shipment id for this order: the same in a resent advice, whatever its
      // envelope control numbers.
      s.partner_event_id = "945-" + s.order_id + "-" + shipment_id;
      out.shipments.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace crossdock
