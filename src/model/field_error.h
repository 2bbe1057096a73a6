// FieldError: one fault in an input document, located by an RFC 6901 JSON pointer.
// Decoders and validators report every fault they find, not just the first.
#pragma once

#include <string>
#include <vector>

namespace crossdock {

struct FieldError {
  std::string pointer;  // "/lines/0/quantity"; "" for the whole document
  std::string detail;   // what is wrong, for a person
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

}  // namespace crossdock
