// JSON helpers shared by every layer: one writer (RapidJSON's Writer behind a small facade) and
// a syntax checker that names the byte offset of the first fault. Parsing for decoding is done
// with simdjson in the codecs layer; CheckJsonSyntax is used on the error path to say where.
// JsonWriter is not thread-safe; use one per output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock {

class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& StartObject();
  JsonWriter& EndObject();
  JsonWriter& StartArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts an already-serialised JSON value verbatim (caller guarantees validity).
  JsonWriter& Raw(std::string_view json);
  // Shorthands: Key(k).String(v) etc.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  // The document so far. Complete once every Start has its End.
  std::string_view view() const;
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// OK when `text` is one well-formed JSON value in valid UTF-8; otherwise InvalidArgument with
// "at byte N: reason". `max_depth` bounds nesting (0 = unlimited).
Status CheckJsonSyntax(std::string_view text, int max_depth = 0);

// Escapes `s` as a JSON string literal including quotes.
std::string JsonQuote(std::string_view s);

// RFC 6901 pointer token escaping: "~" → "~0", "/" → "~1".
std::string JsonPointerEscape(std::string_view token);

}  // namespace crossdock
