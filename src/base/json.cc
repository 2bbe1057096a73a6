#include "base/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace crossdock {

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

JsonWriter& JsonWriter::StartObject() {
  impl_->writer.StartObject();
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  impl_->writer.EndObject();
  return *this;
}
JsonWriter& JsonWriter::StartArray() {
  impl_->writer.StartArray();
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  impl_->writer.EndArray();
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true);
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()), true);
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t value) {
  impl_->writer.Int64(value);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  impl_->writer.Double(value);
  return *this;
}
JsonWriter& JsonWriter::Bool(bool value) {
  impl_->writer.Bool(value);
  return *this;
}
JsonWriter& JsonWriter::Null() {
  impl_->writer.Null();
  return *this;
}
JsonWriter& JsonWriter::Raw(std::string_view json) {
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

std::string_view JsonWriter::view() const {
  return {impl_->buffer.GetString(), impl_->buffer.GetSize()};
}
std::string JsonWriter::Take() {
  std::string out(view());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return out;
}

namespace {
// A SAX handler that only tracks nesting depth.
struct DepthHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthHandler> {
  int depth = 0;
  int max_depth = 0;
  bool too_deep = false;
  bool Default() { return true; }
  bool StartObject() { return Enter(); }
  bool StartArray() { return Enter(); }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool Enter() {
    ++depth;
    if (max_depth > 0 && depth > max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  }
};
}  // namespace

Status CheckJsonSyntax(std::string_view text, int max_depth) {
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  DepthHandler handler;
  handler.max_depth = max_depth;
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;
  rapidjson::ParseResult r = reader.Parse<kFlags>(ms, handler);
  if (handler.too_deep) {
    return InvalidArgument("at byte " + std::to_string(r.Offset()) + ": nesting deeper than " +
                           std::to_string(max_depth));
  }
  if (r.IsError()) {
    return InvalidArgument("at byte " + std::to_string(r.Offset()) + ": " +
                           rapidjson::GetParseError_En(r.Code()));
  }
  // Only whitespace may follow the value.
  for (size_t i = ms.Tell(); i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      return InvalidArgument("at byte " + std::to_string(i) + ": unexpected data after the value");
    }
  }
  return Status::Ok();
}

std::string JsonQuote(std::string_view s) {
  JsonWriter w;
  w.String(s);
  return std::string(w.view());
}

std::string JsonPointerEscape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace crossdock
