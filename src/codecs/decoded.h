// Decoded<T>: the outcome of turning partner or client bytes into a canonical object —
// either the object, or every error found, each with its JSON pointer.
#pragma once

#include <optional>

#include "model/field_error.h"

namespace crossdock {

template <typename T>
struct Decoded {
  std::optional<T> value;  // set exactly when errors is empty
  FieldErrors errors;
  // True when the bytes are not well-formed JSON (or too deeply nested): the caller answers 400
  // rather than 422. errors[0].detail then names the byte offset.
  bool syntax_error = false;
  bool ok() const { return value.has_value(); }
};

}  // namespace crossdock
