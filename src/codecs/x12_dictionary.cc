#include "codecs/x12_dictionary.h"

#include <algorithm>
#include <map>
#include <set>

#include "codecs/x12_fields.h"

namespace crossdock {

namespace {

bool AllDigits(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Why `value` is not of `type`, or "".
std::string TypeFault(std::string_view type, std::string_view value) {
  if (type == "DT") {
    TimePoint t;
    return value.size() == 8 && ParseDate(std::string(value), "", t) ? ""
                                                                     : "is not a CCYYMMDD date";
  }
  if (type == "TM") {
    bool ok = AllDigits(value) && (value.size() == 4 || value.size() == 6 || value.size() == 8) &&
              std::stoi(std::string(value.substr(0, 2))) < 24 &&
              std::stoi(std::string(value.substr(2, 2))) < 60;
    return ok ? "" : "is not an HHMM[SS[dd]] time";
  }
  if (type == "N0" || type == "N2") {
    std::string_view digits = value.substr(!value.empty() && value[0] == '-' ? 1 : 0);
    return AllDigits(digits) ? "" : "is not a whole number";
  }
  if (type == "R") {
    std::string_view v = value.substr(!value.empty() && value[0] == '-' ? 1 : 0);
    size_t dot = v.find('.');
    bool ok = dot == std::string_view::npos
                  ? AllDigits(v)
                  : (dot > 0 || v.size() > 1) && v.find('.', dot + 1) == std::string_view::npos &&
                        (dot == 0 || AllDigits(v.substr(0, dot))) &&
                        (dot + 1 == v.size() || AllDigits(v.substr(dot + 1)));
    return ok ? "" : "is not a decimal number";
  }
  return "";
}

// Length as X12 counts it: numbers without sign and decimal point.
size_t Length(std::string_view type, std::string_view value) {
  if (type == "R" || type == "N0" || type == "N2") {
    return static_cast<size_t>(
        std::count_if(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }));
  }
  return value.size();
}

std::string Ref(std::string_view segment, int position) {
  return std::string(segment) + (position < 10 ? "0" : "") + std::to_string(position);
}

}  // namespace

const X12SetDef* FindX12Set(std::string_view code) {
  for (const auto& s : X12Sets()) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

const X12ElementDef* FindX12Element(std::string_view segment, int position) {
  static const auto* index = [] {
    auto* m = new std::map<std::pair<std::string_view, int>, const X12ElementDef*>();
    for (const auto& e : X12Elements()) (*m)[{e.segment, e.position}] = &e;
    return m;
  }();
  auto it = index->find({segment, position});
  return it == index->end() ? nullptr : it->second;
}

std::vector<X12Error> CheckX12Set(const X12Transaction& t, const X12CheckOptions& options) {
  std::vector<X12Error> out;
  std::set<std::string> present;
  for (const auto& seg : t.body) present.insert(seg.id);
  auto missing = [&](std::string_view id, const std::string& why) {
    X12Error e =
        At(t.st, 0, std::string(t.Code()) + " without " + std::string(id) + " (" + why + ")");
    e.segment_id = std::string(id);
    e.ack_code = "3";  // mandatory segment missing
    out.push_back(std::move(e));
  };
  auto fault = [&](const X12Segment& seg, int p, std::string m, const char* code) {
    X12Error e = At(seg, p, std::move(m));
    e.ack_code = code;
    out.push_back(std::move(e));
  };
  if (const X12SetDef* def = FindX12Set(t.Code())) {
    for (const auto& s : def->body) {
      if (s.mandatory && !present.count(std::string(s.id))) missing(s.id, "mandatory in the set");
    }
  }
  for (const auto& id : options.required) {
    if (!present.count(id)) missing(id, "required by the partner's profile");
  }
  for (const auto& seg : t.body) {
    int last = 0;
    for (const auto& e : X12Elements()) {
      if (e.segment == seg.id) last = std::max(last, e.position);
    }
    for (int p = 1; p <= last; ++p) {
      const X12ElementDef* def = FindX12Element(seg.id, p);
      if (!def) continue;
      const std::string& v = seg.Element(static_cast<size_t>(p));
      std::string ref = Ref(seg.id, p) + " (" + std::string(def->name) + ")";
      if (v.empty()) {
        if (def->mandatory) fault(seg, p, ref + " is required", "1");
        continue;
      }
      if (std::string f = TypeFault(def->type, v); !f.empty()) {
        fault(seg, p, ref + " '" + v + "' " + f,
              def->type == "DT"   ? "8"
              : def->type == "TM" ? "9"
                                  : "6");
        continue;
      }
      size_t n = Length(def->type, v);
      if (!options.lengths) continue;
      if (n < static_cast<size_t>(def->min) || n > static_cast<size_t>(def->max)) {
        fault(seg, p,
              ref + " '" + v + "' has " + std::to_string(n) + " characters, " +
                  std::to_string(def->min) +
                  (def->min == def->max ? "" : " to " + std::to_string(def->max)) + " allowed",
              n < static_cast<size_t>(def->min) ? "4" : "5");
      }
    }
  }
  return out;
}

}  // namespace crossdock
