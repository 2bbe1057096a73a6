#include "codecs/x12_warehouse.h"

#include <cstdlib>
#include <ctime>

namespace crossdock {

namespace {

// "CCYYMMDD" and "HHMM" of `t` (UTC).
std::pair<std::string, std::string> DateTime(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[16], time[8];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M", &tm);
  return {date, time};
}

X12Error At(const X12Segment& s, int element, std::string message) {
  X12Error e;
  e.kind = X12Error::Kind::kSyntax;
  e.segment = s.position;
  e.element = element;
  e.offset = s.offset;
  e.segment_id = s.id;
  e.message = std::move(message);
  return e;
}

bool ParseQuantity(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

}  // namespace

Built940 Build940(const Order& order, const X12Profile& profile, const X12ControlNumbers& numbers,
                  TimePoint now) {
  auto [date, time] = DateTime(now);
  X12Builder b(profile.delimiters, profile.sender, profile.receiver, profile.isa_version,
               profile.replacement);
  b.StartGroup("OW", profile.sender.id, profile.receiver.id, std::to_string(numbers.group),
               profile.gs_version, date, time);
  b.StartSet("940", "0001");
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
  Built940 out;
  out.interchange =
      b.Finish(std::to_string(numbers.interchange), date.substr(2), time, profile.test);
  out.errors = b.errors();
  return out;
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
