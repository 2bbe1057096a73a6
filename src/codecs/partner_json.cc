#include "codecs/partner_json.h"

namespace crossdock::partner_json {

using json_reader::Child;

bool Reader::Has(element obj, std::string_view key, element& out) {
  if (!obj.is_object()) return false;
  auto v = obj.get_object().at_key(key);
  if (v.error()) return false;
  out = v.value();
  return !out.is_null();
}

std::string Reader::Text(element obj, std::string_view key, const std::string& pointer) {
  element v;
  if (!Has(obj, key, v)) return "";
  std::string out;
  r_.String(v, Child(pointer, key), out);
  return out;
}

std::string Reader::Id(element obj, std::string_view key, const std::string& pointer) {
  element v;
  if (!Has(obj, key, v)) return "";
  if (v.is_string()) return std::string(v.get_string().value());
  if (v.is_int64()) return std::to_string(v.get_int64().value());
  if (v.is_uint64()) return std::to_string(v.get_uint64().value());
  r_.Error(Child(pointer, key), "must be an integer or a string id");
  return "";
}

Decimal Reader::Money(element obj, std::string_view key, const std::string& pointer) {
  element v;
  Decimal d;
  if (!Has(obj, key, v)) return d;
  std::string p = Child(pointer, key);
  r_.Amount(v, p, d);
  if (d.micros() < 0) {
    r_.Error(p, "must not be negative");
    return Decimal();
  }
  return d;
}

int64_t Reader::Integer(element obj, std::string_view key, const std::string& pointer) {
  element v;
  int64_t out = 0;
  if (Has(obj, key, v)) r_.Int(v, Child(pointer, key), out);
  return out;
}

void Reader::ForEach(element obj, std::string_view key, const std::string& pointer,
                     const std::function<void(element, const std::string&)>& item) {
  element v;
  if (!Has(obj, key, v)) return;
  r_.ForEachItem(v, Child(pointer, key), item);
}

std::string FullName(const std::string& first, const std::string& last) {
  return first.empty() ? last : last.empty() ? first : first + " " + last;
}

bool Accumulate(Decimal& sum, Decimal d) {
  return Decimal::Add(sum, d, sum);
}

std::string MapPointer(const std::string& base, std::string_view canonical, Renames prefixes,
                       Renames leaves) {
  std::string out(canonical);
  for (auto [from, to] : prefixes) {
    if (canonical.substr(0, from.size()) == from &&
        (canonical.size() == from.size() || canonical[from.size()] == '/')) {
      out = std::string(to) + std::string(canonical.substr(from.size()));
      break;
    }
  }
  auto slash = out.rfind('/');
  std::string_view leaf = std::string_view(out).substr(slash + 1);
  for (auto [from, to] : leaves) {
    if (leaf == from) {
      out = out.substr(0, slash + 1) + std::string(to);
      break;
    }
  }
  return base + out;
}

}  // namespace crossdock::partner_json
