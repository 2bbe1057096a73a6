// JsonReader: helpers for strict, error-collecting decoding of simdjson DOM values.
// Each Read* checks the JSON type, stores the value and, on a mismatch, records a FieldError
// at the given pointer. ForEachField reports unknown properties. Shared by every strict JSON
// decoder (the codecs here, and the flow-state codec in flows).
#pragma once

#include <simdjson.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/money.h"
#include "model/field_error.h"

namespace crossdock::json_reader {

using simdjson::dom::element;

class Reader {
 public:
  explicit Reader(FieldErrors& errors) : errors_(errors) {}

  void Error(std::string pointer, std::string detail) {
    errors_.push_back({std::move(pointer), std::move(detail)});
  }
  bool HasErrors() const { return !errors_.empty(); }

  // Calls `field(key, value, pointer)` for each property; the callback returns false for an
  // unknown key, which is then reported. Returns false (after reporting) if `el` is no object.
  bool ForEachField(
      element el, const std::string& pointer,
      const std::function<bool(std::string_view, element, const std::string&)>& field);
  // Calls `item(value, pointer)` for each element; reports a non-array.
  bool ForEachItem(element el, const std::string& pointer,
                   const std::function<void(element, const std::string&)>& item);

  void String(element el, const std::string& pointer, std::string& out);
  void Int(element el, const std::string& pointer, int64_t& out);
  // A decimal amount given as a JSON string ("12.50").
  void Amount(element el, const std::string& pointer, Decimal& out);
  void Time(element el, const std::string& pointer, std::optional<TimePoint>& out);
  void Bool(element el, const std::string& pointer, bool& out);

  // Reports `pointer/key` "is required" for each key not in `seen`.
  void Require(const std::string& pointer, std::initializer_list<std::string_view> keys,
               const std::vector<std::string_view>& seen);

 private:
  FieldErrors& errors_;
};

std::string Child(const std::string& pointer, std::string_view key);
std::string Child(const std::string& pointer, size_t index);

// Parses `json` with a thread-local simdjson parser. On failure returns nullopt and records
// one error naming the byte offset (computed by CheckJsonSyntax).
std::optional<element> Parse(std::string_view json, int max_depth, FieldErrors& errors);

}  // namespace crossdock::json_reader
