#include "codecs/json_reader.h"

#include <algorithm>

#include "base/json.h"

namespace crossdock::json_reader {

std::string Child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + JsonPointerEscape(key);
}
std::string Child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool Reader::ForEachField(
    element el, const std::string& pointer,
    const std::function<bool(std::string_view, element, const std::string&)>& field) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj)) {
    Error(pointer, "must be an object");
    return false;
  }
  for (auto kv : obj) {
    std::string p = Child(pointer, kv.key);
    if (!field(kv.key, kv.value, p)) Error(p, "is not a known property");
  }
  return true;
}

bool Reader::ForEachItem(element el, const std::string& pointer,
                         const std::function<void(element, const std::string&)>& item) {
  simdjson::dom::array arr;
  if (el.get_array().get(arr)) {
    Error(pointer, "must be an array");
    return false;
  }
  size_t i = 0;
  for (element v : arr) item(v, Child(pointer, i++));
  return true;
}

void Reader::String(element el, const std::string& pointer, std::string& out) {
  std::string_view sv;
  if (el.get_string().get(sv)) {
    Error(pointer, "must be a string");
    return;
  }
  out.assign(sv);
}

void Reader::Int(element el, const std::string& pointer, int64_t& out) {
  int64_t v;
  if (el.get_int64().get(v)) {
    Error(pointer, "must be an integer");
    return;
  }
  out = v;
}

void Reader::Bool(element el, const std::string& pointer, bool& out) {
  bool v;
  if (el.get_bool().get(v)) {
    Error(pointer, "must be true or false");
    return;
  }
  out = v;
}

void Reader::Amount(element el, const std::string& pointer, Decimal& out) {
  std::string_view sv;
  if (el.get_string().get(sv)) {
    Error(pointer, "must be a decimal string such as \"12.50\"");
    return;
  }
  auto d = Decimal::Parse(sv);
  if (!d.ok()) {
    Error(pointer, "is not a valid decimal amount: " + d.status().message());
    return;
  }
  out = *d;
}

void Reader::Time(element el, const std::string& pointer, std::optional<TimePoint>& out) {
  std::string_view sv;
  if (el.get_string().get(sv)) {
    Error(pointer, "must be an RFC 3339 date-time string");
    return;
  }
  auto t = ParseRfc3339(sv);
  if (!t.ok()) {
    Error(pointer, "is not an RFC 3339 date-time: " + t.status().message());
    return;
  }
  out = *t;
}

void Reader::Require(const std::string& pointer, std::initializer_list<std::string_view> keys,
                     const std::vector<std::string_view>& seen) {
  for (auto k : keys) {
    if (std::find(seen.begin(), seen.end(), k) == seen.end())
      Error(Child(pointer, k), "is required");
  }
}

std::optional<element> Parse(std::string_view json, int max_depth, FieldErrors& errors) {
  thread_local simdjson::dom::parser parser;
  thread_local int allocated_depth = 0;
  if (allocated_depth != max_depth || parser.capacity() < json.size()) {
    if (parser.allocate(std::max<size_t>(json.size(), 4096), static_cast<size_t>(max_depth))) {
      errors.push_back({"", "cannot allocate the JSON parser"});
      return std::nullopt;
    }
    allocated_depth = max_depth;
  }
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) {
    Status st = CheckJsonSyntax(json, max_depth);
    errors.push_back({"", st.ok() ? "malformed JSON" : "malformed JSON " + st.message()});
    return std::nullopt;
  }
  return doc;
}

}  // namespace crossdock::json_reader
