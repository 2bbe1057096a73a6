// Helpers shared by the decoders of partner JSON formats (Shopify, WooCommerce, Amazon).
// Partner documents are lenient where canonical JSON is strict: ids are numbers or strings,
// amounts decimal strings (or numbers), absent values often null, and unknown fields are
// ignored. The fields that are used are checked, and every error names its JSON pointer in the
// partner's document.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "base/money.h"
#include "codecs/json_reader.h"
#include "model/field_error.h"

namespace crossdock::partner_json {

using json_reader::element;

class Reader {
 public:
  explicit Reader(FieldErrors& errors) : r_(errors) {}

  // The member `key` of `obj` when present and not null.
  bool Has(element obj, std::string_view key, element& out);
  // A string member; null or absent gives "".
  std::string Text(element obj, std::string_view key, const std::string& pointer);
  // An id: a JSON integer or a string.
  std::string Id(element obj, std::string_view key, const std::string& pointer);
  // A non-negative money amount given as a decimal string; absent gives 0. Refunds and credits
  // arrive as documents of their own, never as negative order amounts.
  Decimal Money(element obj, std::string_view key, const std::string& pointer);
  // A whole number; absent gives 0.
  int64_t Integer(element obj, std::string_view key, const std::string& pointer);
  void ForEach(element obj, std::string_view key, const std::string& pointer,
               const std::function<void(element, const std::string&)>& item);
  void Error(std::string pointer, std::string detail) {
    r_.Error(std::move(pointer), std::move(detail));
  }
  json_reader::Reader& reader() { return r_; }

 private:
  json_reader::Reader r_;
};

// "first last", either part optional.
std::string FullName(const std::string& first, const std::string& last);

// Adds `d` to `sum`; false on overflow.
bool Accumulate(Decimal& sum, Decimal d);

// The partner-document pointer for a canonical one: the first matching prefix is replaced,
// then the last segment renamed by `leaves`. Errors of the canonical rules thus point into
// the document the partner sent.
using Renames = std::initializer_list<std::pair<std::string_view, std::string_view>>;
std::string MapPointer(const std::string& base, std::string_view canonical, Renames prefixes,
                       Renames leaves);

}  // namespace crossdock::partner_json
