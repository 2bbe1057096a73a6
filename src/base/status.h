// Status and Result<T>: errors as values at every module boundary.
// A Status is a closed code plus a message that says what and where (a JSON pointer, a
// segment index, a file). Result<T> holds either a T or a non-OK Status. Both are plain values:
// copyable, movable, thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace crossdock {

// The closed list of error codes. Each names what the caller should do, not where it happened.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from a caller or partner: fix the input, do not retry
  kNotFound,           // the object does not exist (or the caller may not see it)
  kAlreadyExists,      // a unique key is taken
  kConflict,           // the object's state forbids the operation now
  kUnauthenticated,    // missing or bad credential
  kPermissionDenied,   // credential valid, scope insufficient
  kResourceExhausted,  // quota or limit reached: retry later
  kUnavailable,        // a dependency is down or busy: retry later
  kDeadlineExceeded,   // timed out; the outcome may be unknown
  kAborted,            // the operation was abandoned midway (e.g. a transaction); retry it
  kInternal,           // a bug or a corrupted invariant
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status AlreadyExists(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status Conflict(std::string m) {
  return {StatusCode::kConflict, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status Internal(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}

// Either a value or a non-OK Status. Accessing the value of an error Result is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace crossdock

// Returns the status of `expr` from the enclosing function when it is not OK.
#define CROSSDOCK_RETURN_IF_ERROR(expr) \
  do {                                  \
    ::crossdock::Status _st = (expr);   \
    if (!_st.ok()) return _st;          \
  } while (0)
