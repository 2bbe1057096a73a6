#include "gateway/problem.h"

#include "base/json.h"

namespace crossdock {

namespace {
struct Entry {
  ProblemType type;
  int status;
  std::string_view slug;
  std::string_view title;
};
constexpr Entry kCatalogue[] = {
    {ProblemType::kMalformedJson, 400, "malformed-json", "Request body is not well-formed JSON"},
    {ProblemType::kMissingIdempotencyKey, 400, "missing-idempotency-key",
     "Idempotency-Key header is required"},
    {ProblemType::kInvalidIdempotencyKey, 400, "invalid-idempotency-key",
     "Idempotency-Key header is malformed"},
    {ProblemType::kBadRequest, 400, "bad-request", "Bad request"},
    {ProblemType::kUnauthorized, 401, "unauthorized", "Missing or invalid credential"},
    {ProblemType::kInvalidSignature, 401, "invalid-signature",
     "Webhook signature, id or timestamp is missing, wrong or stale"},
    {ProblemType::kForbidden, 403, "forbidden", "Credential does not allow this operation"},
    {ProblemType::kNotFound, 404, "not-found", "Not found"},
    {ProblemType::kMethodNotAllowed, 405, "method-not-allowed", "Method not allowed"},
    {ProblemType::kNotAcceptable, 406, "not-acceptable", "No acceptable representation"},
    {ProblemType::kIdempotencyKeyInFlight, 409, "idempotency-key-in-flight",
     "A request with this Idempotency-Key is still being processed"},
    {ProblemType::kDuplicateOrder, 409, "duplicate-order",
     "An order with this channel and external_ref already exists"},
    {ProblemType::kConflict, 409, "conflict", "The object's state does not allow this"},
    {ProblemType::kPayloadTooLarge, 413, "payload-too-large", "Request body is too large"},
    {ProblemType::kUnsupportedMediaType, 415, "unsupported-media-type", "Unsupported Content-Type"},
    {ProblemType::kValidation, 422, "validation-error", "Request content is invalid"},
    {ProblemType::kIdempotencyKeyReused, 422, "idempotency-key-reused",
     "Idempotency-Key was already used with a different request"},
    {ProblemType::kRateLimited, 429, "rate-limited", "Too many requests"},
    {ProblemType::kHeadersTooLarge, 431, "headers-too-large", "Request headers are too large"},
    {ProblemType::kInternal, 500, "internal-error", "Internal error"},
    {ProblemType::kUnavailable, 503, "unavailable", "Service temporarily unavailable"},
};
const Entry& Find(ProblemType t) {
  for (const auto& e : kCatalogue) {
    if (e.type == t) return e;
  }
  return kCatalogue[std::size(kCatalogue) - 2];
}
}  // namespace

int ProblemStatus(ProblemType t) {
  return Find(t).status;
}
std::string_view ProblemSlug(ProblemType t) {
  return Find(t).slug;
}
std::string_view ProblemTitle(ProblemType t) {
  return Find(t).title;
}

HttpResponse ProblemResponse(const Problem& p) {
  const Entry& e = Find(p.type);
  JsonWriter w;
  w.StartObject();
  w.Field("type", std::string(kProblemBase) + std::string(e.slug));
  w.Field("title", e.title);
  w.Field("status", e.status);
  if (!p.detail.empty()) w.Field("detail", p.detail);
  if (!p.instance.empty()) w.Field("instance", p.instance);
  if (!p.trace_id.empty()) w.Field("trace_id", p.trace_id);
  if (!p.errors.empty()) {
    w.Key("errors").StartArray();
    for (const auto& fe : p.errors) {
      w.StartObject().Field("pointer", fe.pointer).Field("detail", fe.detail).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  HttpResponse r;
  r.status = e.status;
  r.headers["Content-Type"] = "application/problem+json";
  r.body = w.Take();
  return r;
}

}  // namespace crossdock
