// RFC 9457 problem details. Every 4xx/5xx answer is built here, with a stable `type` URI from
// the catalogue in docs/problems.md, the request path as `instance` and the request's trace id.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "gateway/http.h"
#include "model/field_error.h"

namespace crossdock {

// The catalogue. Each value's slug is appended to kProblemBase.
enum class ProblemType {
  kMalformedJson,           // 400
  kMissingIdempotencyKey,   // 400
  kInvalidIdempotencyKey,   // 400
  kBadRequest,              // 400
  kUnauthorized,            // 401
  kInvalidSignature,        // 401
  kForbidden,               // 403
  kNotFound,                // 404
  kMethodNotAllowed,        // 405
  kNotAcceptable,           // 406
  kIdempotencyKeyInFlight,  // 409
  kDuplicateOrder,          // 409
  kConflict,                // 409
  kPayloadTooLarge,         // 413
  kUnsupportedMediaType,    // 415
  kValidation,              // 422
  kIdempotencyKeyReused,    // 422
  kRateLimited,             // 429
  kHeadersTooLarge,         // 431
  kInternal,                // 500
  kUnavailable,             // 503
};

inline constexpr std::string_view kProblemBase = "https://crossdock.dev/problems/";

int ProblemStatus(ProblemType t);
std::string_view ProblemSlug(ProblemType t);
std::string_view ProblemTitle(ProblemType t);

struct Problem {
  ProblemType type;
  std::string detail;
  std::string instance;  // request path
  std::string trace_id;
  FieldErrors errors;  // for validation problems
};

// An application/problem+json response.
HttpResponse ProblemResponse(const Problem& p);

}  // namespace crossdock
