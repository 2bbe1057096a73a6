#include "gateway/api.h"

#include "base/json.h"

#include <cstdio>
#include <ctime>
#include "codecs/canonical_json.h"
#include "flows/order_state.h"

namespace crossdock {

namespace {

bool MediaTypeIs(std::string_view value, std::string_view type) {
  // "application/json; charset=utf-8" → "application/json"
  auto semi = value.find(';');
  std::string_view base = value.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != type.size()) return false;
  for (size_t i = 0; i < base.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(base[i])) != type[i]) return false;
  }
  return true;
}

bool AcceptsJson(std::string_view accept) {
  size_t i = 0;
  while (i <= accept.size()) {
    size_t j = accept.find(',', i);
    if (j == std::string_view::npos) j = accept.size();
    std::string_view item = accept.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    for (std::string_view ok :
         {"application/json", "application/problem+json", "application/*", "*/*", "text/plain"}) {
      if (MediaTypeIs(item, ok)) return true;
    }
    i = j + 1;
  }
  return false;
}

}  // namespace

Api::Api(Store& store, OrderFlow& flow, Authenticator auth, MetricsRegistry& metrics,
         const Clock& clock, Random& random, Logger& log, ApiOptions options)
    : store_(store),
      flow_(flow),
      auth_(std::move(auth)),
      metrics_(metrics),
      clock_(clock),
      random_(random),
      log_(log),
      options_(options) {
  auto add = [&](const char* method, const char* pattern, RouteHandler h, const char* scope) {
    router_.Add(method, pattern);
    routes_.push_back({h, scope});
  };
  add("POST", "/v1/orders", &Api::PostOrder, "orders:write");
  add("GET", "/v1/orders", &Api::ListOrders, "orders:read");
  add("GET", "/v1/orders/{id}", &Api::GetOrder, "orders:read");
  add("GET", "/v1/orders/{id}/tracking", &Api::GetTracking, "orders:read");
  add("GET", "/v1/orders/{id}/status", &Api::GetOrderStatus, "orders:read");
  routes_.back().deprecated_since = "Sun, 01 Nov 2026 00:00:00 GMT";
  routes_.back().sunset = "Wed, 30 Jun 2027 00:00:00 GMT";
  routes_.back().successor = "/v1/orders/{id}/tracking";
  add("POST", "/v1/orders/{id}/cancel", &Api::CancelOrder, "orders:write");
  add("GET", "/v1/availability", &Api::GetAvailability, "inventory:read");
  add("POST", "/v1/returns", &Api::PostReturn, "returns:write");
  add("GET", "/v1/returns/{id}", &Api::GetReturn, "orders:read");
  add("POST", "/v1/nodes/{node}/shipments", &Api::PostShipment, "shipments:write");
  add("POST", "/v1/nodes/{node}/inventory", &Api::PostInventory, "inventory:write");
  add("POST", "/v1/nodes/{node}/x12", &Api::PostX12, "shipments:write");
  routes_.back().body_type = "application/edi-x12";
  add("POST", "/v1/nodes/{node}/milestones", &Api::PostMilestone, "shipments:write");
  add("POST", "/v1/nodes/{node}/returns", &Api::PostReturnReceipt, "shipments:write");
  // Authenticated by the webhook signature, not an API key (webhook_api.cc).
  add("POST", "/v1/webhooks/{partner}", &Api::PostWebhook, nullptr);
  add("GET", "/livez", &Api::Livez, nullptr);
  add("GET", "/readyz", &Api::Readyz, nullptr);
  add("GET", "/healthz", &Api::Livez, nullptr);
  add("GET", "/metrics", &Api::Metrics, nullptr);
  add("GET", "/openapi.json", &Api::OpenApi, nullptr);
  add("GET", "/v1/admin/dead-letters", &Api::ListDeadLetters, "admin");
  add("POST", "/v1/admin/dead-letters/replay", &Api::ReplayDeadLetters, "admin");
  add("GET", "/v1/admin/dead-letters/{id}", &Api::GetDeadLetter, "admin");
  add("POST", "/v1/admin/dead-letters/{id}/replay", &Api::ReplayDeadLetter, "admin");
  add("POST", "/v1/admin/dead-letters/{id}/discard", &Api::DiscardDeadLetter, "admin");
  add("GET", "/v1/admin/audit", &Api::ListAudit, "admin");
  add("GET", "/v1/admin/reconciliations", &Api::ListReconciliations, "admin");
  add("GET", "/v1/admin/reconciliations/{id}", &Api::GetReconciliation, "admin");
  add("GET", "/v1/admin/reconciliations/{id}/report.csv", &Api::GetReconciliationCsv, "admin");
  add("GET", "/v1/admin/stock-exceptions", &Api::ListStockExceptions, "admin");
  add("POST", "/v1/admin/stock-exceptions/{id}/resolve", &Api::ResolveStockException, "admin");
  add("POST", "/v1/admin/orders/{id}/release", &Api::ReleaseOrder, "admin");
  add("GET", "/v1/admin/exceptions", &Api::ListExceptions, "admin");
  add("POST", "/v1/admin/orders/{id}/actions", &Api::OrderAction, "admin");
  add("GET", "/v1/admin/partners", &Api::ListPartners, "admin");
  for (RouteEntry& e : routes_) {
    if (!e.deprecated_since) continue;
    // RFC 9745 wants a structured-field date (@<unix seconds>): converted once, here.
    std::tm tm{};
    strptime(e.deprecated_since, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    e.deprecation = "@" + std::to_string(timegm(&tm));
  }
  for (size_t i = 0; i <= routes_.size(); ++i) {
    auto m = std::make_unique<RouteMetrics>();
    std::string route = i < routes_.size() ? router_.Pattern(static_cast<int>(i)) : "unmatched";
    m->duration = &metrics_.GetHistogram("crossdock_http_request_duration_seconds",
                                         "Time from request parsed to response ready.",
                                         "route=\"" + PromLabelValue(route) + "\"");
    route_metrics_.push_back(std::move(m));
  }
}

Counter& Api::AnsweredCounter(RouteMetrics& m, const std::string& route, const std::string& method,
                              int status) {
  std::lock_guard lock(m.mu);
  Counter*& c = m.answered[{method, status}];
  if (!c) {
    c = &metrics_.GetCounter("crossdock_http_requests_total", "HTTP requests answered.",
                             "route=\"" + PromLabelValue(route) + "\",method=\"" +
                                 PromLabelValue(method) + "\",code=\"" + std::to_string(status) +
                                 "\"");
  }
  return *c;
}

HttpResponse Api::Fail(const RequestContext& ctx, ProblemType type, std::string detail,
                       FieldErrors errors) {
  return ProblemResponse(
      {type, std::move(detail), ctx.request.path, ctx.trace.trace_id, std::move(errors)});
}

HttpResponse Api::DecodeFailure(const RequestContext& ctx, std::string_view what, bool syntax,
                                FieldErrors errors) {
  if (syntax) return Fail(ctx, ProblemType::kMalformedJson, errors[0].detail);
  std::string detail = std::to_string(errors.size()) + " error(s) in the " + std::string(what);
  return Fail(ctx, ProblemType::kValidation, std::move(detail), std::move(errors));
}

HttpResponse Api::FromStatus(const RequestContext& ctx, const Status& st) {
  switch (st.code()) {
    case StatusCode::kNotFound:
      return Fail(ctx, ProblemType::kNotFound, st.message());
    case StatusCode::kConflict:
      return Fail(ctx, ProblemType::kConflict, st.message());
    case StatusCode::kInvalidArgument:
      return Fail(ctx, ProblemType::kValidation, st.message());
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded: {
      // The store's message may name files; keep it in the log, not in the answer.
      log_.Warn("store unavailable", {{"trace_id", ctx.trace.trace_id}, {"error", st.message()}});
      HttpResponse r = Fail(ctx, ProblemType::kUnavailable, "the order store is busy; retry");
      r.headers["Retry-After"] = "1";
      return r;
    }
    default:
      log_.Error("internal error", {{"trace_id", ctx.trace.trace_id}, {"error", st.message()}});
      return Fail(ctx, ProblemType::kInternal,
                  "internal error; see the server log for trace " + ctx.trace.trace_id);
  }
}

// Wraps `respond` to add common headers, metrics and the access log line.
Respond Api::Finish(std::shared_ptr<RequestContext> ctx, Respond respond) {
  return [this, ctx, respond = std::move(respond)](HttpResponse r) {
    bool found = ctx->route.kind == RouteMatch::Kind::kFound;
    size_t index = found ? static_cast<size_t>(ctx->route.route) : routes_.size();
    RouteMetrics& m = *route_metrics_[index];
    if (found && routes_[index].deprecated_since) {
      const RouteEntry& e = routes_[index];
      r.headers["Deprecation"] = e.deprecation;
      r.headers["Sunset"] = e.sunset;
      std::string successor = e.successor;
      if (auto brace = successor.find("{id}"); brace != std::string::npos) {
        successor.replace(brace, 4, ctx->route.params["id"]);
      }
      r.headers["Link"] = "<" + successor + ">; rel=\"successor-version\"";
    }
    const std::string route = found ? router_.Pattern(ctx->route.route) : std::string("unmatched");
    AnsweredCounter(m, route, ctx->request.method, r.status).Inc();
    m.duration->Observe(std::chrono::duration<double>(clock_.Now() - ctx->started).count());
    if (r.status >= 500) {
      log_.Warn("request failed", {{"trace_id", ctx->trace.trace_id},
                                   {"span_id", ctx->trace.span_id},
                                   {"method", ctx->request.method},
                                   {"path", ctx->request.path},
                                   {"status", std::to_string(r.status)}});
    } else {
      log_.Debug("request", {{"trace_id", ctx->trace.trace_id},
                             {"partner", ctx->partner ? ctx->partner->id : ""},
                             {"method", ctx->request.method},
                             {"path", ctx->request.path},
                             {"status", std::to_string(r.status)}});
    }
    respond(std::move(r));
  };
}

void Api::Handle(HttpRequest request, Respond respond) {
  auto ctx = std::make_shared<RequestContext>();
  ctx->started = clock_.Now();
  ctx->request = std::move(request);
  // W3C trace context: continue the caller's trace with a new span, or start one.
  if (auto h = ctx->request.Header("traceparent"); h) {
    if (auto parent = ParseTraceparent(*h)) ctx->trace = parent->Child(random_);
  }
  if (ctx->trace.trace_id.empty()) ctx->trace = TraceContext::NewRoot(random_);

  Respond done = Finish(ctx, std::move(respond));
  ctx->route = router_.Match(ctx->request.method, ctx->request.path);
  if (ctx->route.kind == RouteMatch::Kind::kNotFound) {
    done(Fail(*ctx, ProblemType::kNotFound, "no resource at " + ctx->request.path));
    return;
  }
  if (ctx->route.kind == RouteMatch::Kind::kMethodNotAllowed) {
    HttpResponse r =
        Fail(*ctx, ProblemType::kMethodNotAllowed, ctx->request.method + " is not supported here");
    r.headers["Allow"] = ctx->route.allow;
    done(std::move(r));
    return;
  }
  const RouteEntry& entry = routes_[ctx->route.route];
  HttpResponse early;
  if (entry.scope) {
    if (Authenticate(*ctx, early) == FilterResult::kRespond ||
        Throttle(*ctx, early) == FilterResult::kRespond) {
      done(std::move(early));
      return;
    }
    if (!ctx->partner->HasScope(entry.scope)) {
      done(Fail(*ctx, ProblemType::kForbidden,
                "this API key lacks the scope '" + std::string(entry.scope) + "'"));
      return;
    }
    size_t body_limit = ctx->partner->limits.max_body_bytes;
    if (body_limit > 0 && ctx->request.body.size() > body_limit) {
      done(Fail(*ctx, ProblemType::kPayloadTooLarge,
                "partner " + ctx->partner->id + " may send at most " + std::to_string(body_limit) +
                    " bytes per request"));
      return;
    }
  }
  if (Negotiate(*ctx, entry, early) == FilterResult::kRespond) {
    done(std::move(early));
    return;
  }
  (this->*entry.handler)(ctx, std::move(done));
}

FilterResult Api::CheckAuthFailures(RequestContext& ctx, HttpResponse& out) {
  // Too many failed authentications from this address: refuse before even checking.
  std::lock_guard lock(limits_mu_);
  auto it = auth_failures_.find(ctx.request.remote_address);
  if (it == auth_failures_.end()) it = auth_failures_.find("(overflow)");  // see CountAuthFailure
  if (it == auth_failures_.end() || it->second.tokens(ctx.started) >= 1.0) {
    return FilterResult::kContinue;
  }
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(it->second.WaitTime(ctx.started));
  out = Fail(ctx, ProblemType::kRateLimited, "too many failed authentications from this address");
  out.headers["Retry-After"] = std::to_string(wait.count() + 1);
  return FilterResult::kRespond;
}

void Api::CountAuthFailure(const RequestContext& ctx) {
  constexpr size_t kMaxAddresses = 10'000;  // bounded memory
  std::lock_guard lock(limits_mu_);
  std::string address = ctx.request.remote_address;
  if (!auth_failures_.count(address) && auth_failures_.size() >= kMaxAddresses) {
    // Forget the addresses whose buckets have refilled (they hold no information); if every
    // tracked address is still limited, new ones share one bucket rather than reset the rest.
    for (auto it = auth_failures_.begin(); it != auth_failures_.end();) {
      it = it->second.tokens(ctx.started) >= options_.auth_failure_burst ? auth_failures_.erase(it)
                                                                         : std::next(it);
    }
    if (auth_failures_.size() >= kMaxAddresses) address = "(overflow)";
  }
  auto it = auth_failures_
                .try_emplace(address, options_.auth_failure_burst,
                             options_.auth_failures_per_second, ctx.started)
                .first;
  it->second.TryTake(ctx.started);
}

FilterResult Api::Authenticate(RequestContext& ctx, HttpResponse& out) {
  if (CheckAuthFailures(ctx, out) == FilterResult::kRespond) return FilterResult::kRespond;
  auto partner = auth_.Authenticate(ctx.request);
  if (!partner.ok()) {
    CountAuthFailure(ctx);
    out = Fail(ctx, ProblemType::kUnauthorized, partner.status().message());
    out.headers["WWW-Authenticate"] = "Bearer realm=\"crossdock\"";
    return FilterResult::kRespond;
  }
  ctx.partner = *partner;
  return FilterResult::kContinue;
}

FilterResult Api::Throttle(RequestContext& ctx, HttpResponse& out) {
  const Partner& p = *ctx.partner;
  if (p.quota.per_second <= 0) return FilterResult::kContinue;
  double burst = p.quota.burst > 0 ? p.quota.burst : std::max(1.0, p.quota.per_second);
  std::lock_guard lock(limits_mu_);
  auto it = partner_buckets_.try_emplace(p.id, burst, p.quota.per_second, ctx.started).first;
  TokenBucket& bucket = it->second;
  bool allowed = bucket.TryTake(ctx.started);
  auto reset = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double>((burst - bucket.tokens(ctx.started)) / p.quota.per_second));
  // RateLimit header fields (IETF httpapi draft, the widely deployed three-field form).
  auto set_headers = [&](HttpResponse& r) {
    r.headers["RateLimit-Limit"] = std::to_string(static_cast<int64_t>(burst));
    r.headers["RateLimit-Remaining"] =
        std::to_string(static_cast<int64_t>(bucket.tokens(ctx.started)));
    r.headers["RateLimit-Reset"] = std::to_string(reset.count() + 1);
  };
  if (allowed) return FilterResult::kContinue;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(bucket.WaitTime(ctx.started));
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", p.quota.per_second);
  out = Fail(ctx, ProblemType::kRateLimited,
             "partner " + p.id + " is over its quota of " + rate + " requests per second (burst " +
                 std::to_string(static_cast<int64_t>(burst)) + ")");
  out.headers["Retry-After"] = std::to_string(wait.count() + 1);
  set_headers(out);
  return FilterResult::kRespond;
}

void Api::ListPartners(std::shared_ptr<RequestContext>, Respond respond) {
  // Keys are shown only by their first characters; secrets never.
  struct Entry {
    const Partner* partner = nullptr;
    std::vector<std::string> keys;
    const InboundWebhookPolicy* webhooks = nullptr;
  };
  std::map<std::string, Entry> partners;
  for (const auto& c : auth_.credentials()) {
    auto& entry = partners[c.partner.id];
    entry.partner = &c.partner;
    entry.keys.push_back(c.key_prefix + "…");
  }
  for (const auto& [id, wp] : options_.webhook_partners) {
    auto& entry = partners[id];
    if (!entry.partner) entry.partner = &wp.partner;
    entry.webhooks = &wp.policy;
  }
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& [id, entry] : partners) {
    const Partner& p = *entry.partner;
    w.StartObject().Field("id", id).Field("kind", PartnerKindName(p.kind));
    if (!p.channel.empty()) w.Field("channel", p.channel);
    w.Key("scopes").StartArray();
    for (const auto& s : p.scopes) w.String(s);
    w.EndArray();
    w.Key("keys").StartArray();
    for (const auto& k : entry.keys) w.String(k);
    w.EndArray();
    if (p.quota.per_second > 0) {
      w.Key("quota").StartObject().Key("per_second").Double(p.quota.per_second);
      w.Key("burst").Double(p.quota.burst).EndObject();
    }
    if (p.limits.max_body_bytes || p.limits.max_order_lines) {
      w.Key("limits").StartObject();
      w.Field("max_body_bytes", static_cast<int64_t>(p.limits.max_body_bytes));
      w.Field("max_order_lines", static_cast<int64_t>(p.limits.max_order_lines));
      w.EndObject();
    }
    if (p.sla.dispatch_ack_minutes || p.sla.ship_hours) {
      w.Key("sla").StartObject().Field("dispatch_ack_minutes", p.sla.dispatch_ack_minutes);
      w.Field("ship_hours", p.sla.ship_hours).EndObject();
    }
    if (entry.webhooks) {
      // How many secrets and until when each is valid (rotation), never the secrets.
      w.Key("webhooks").StartObject().Field("scheme", WebhookSchemeName(entry.webhooks->scheme));
      w.Field("tolerance_seconds", static_cast<int64_t>(entry.webhooks->tolerance.count()));
      w.Key("secrets").StartArray();
      for (const auto& s : entry.webhooks->secrets) {
        w.StartObject();
        if (s.not_after) w.Field("not_after", FormatRfc3339(*s.not_after));
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

FilterResult Api::Negotiate(RequestContext& ctx, const RouteEntry& entry, HttpResponse& out) {
  // A CSV report (…/report.csv) is also served to a client that asks for text/csv.
  bool csv = std::string_view(ctx.request.path).ends_with(".csv");
  if (auto accept = ctx.request.Header("Accept"); accept && !accept->empty() &&
                                                  !AcceptsJson(*accept) &&
                                                  !(csv && MediaTypeIs(*accept, "text/csv"))) {
    out = Fail(ctx, ProblemType::kNotAcceptable,
               csv ? "this resource is served as text/csv"
                   : "this resource is served as application/json");
    return FilterResult::kRespond;
  }
  if (ctx.request.method == "POST") {
    auto ct = ctx.request.Header("Content-Type");
    const char* want = entry.body_type;
    if (!ct || !MediaTypeIs(*ct, want)) {
      out = Fail(
          ctx, ProblemType::kUnsupportedMediaType,
          std::string("send the body as ") + want + "; got '" + std::string(ct.value_or("")) + "'");
      return FilterResult::kRespond;
    }
  }
  return FilterResult::kContinue;
}

std::optional<std::string> Api::RequiredIdempotencyKey(const RequestContext& ctx,
                                                       const Respond& respond) {
  auto header = ctx.request.Header("Idempotency-Key");
  if (!header) {
    respond(
        Fail(ctx, ProblemType::kMissingIdempotencyKey,
             "POST " + ctx.request.path + " needs an Idempotency-Key header so retries are safe"));
    return std::nullopt;
  }
  auto key = ParseIdempotencyKey(*header);
  if (!key.ok()) {
    respond(Fail(ctx, ProblemType::kInvalidIdempotencyKey, key.status().message()));
    return std::nullopt;
  }
  return *key;
}

bool Api::AcquireIdempotencyKey(const RequestContext& ctx, const std::string& key,
                                const Respond& respond) {
  if (in_flight_.TryAcquire(ctx.partner->id, key)) return true;
  HttpResponse r = Fail(ctx, ProblemType::kIdempotencyKeyInFlight,
                        "retry after the first request with this key has been answered");
  r.headers["Retry-After"] = "1";
  respond(std::move(r));
  return false;
}

OrderLimits Api::PartnerOrderLimits(const Partner& partner) const {
  OrderLimits limits = options_.order_limits;
  if (partner.limits.max_order_lines > 0) {
    limits.max_lines = std::min(limits.max_lines, partner.limits.max_order_lines);
  }
  return limits;
}

void Api::PostOrder(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const Partner& partner = *ctx->partner;  // holds orders:write (checked by the route)
  auto key = RequiredIdempotencyKey(*ctx, respond);
  if (!key) return;
  DecodeOptions opts;
  opts.max_depth = options_.max_json_depth;
  opts.limits = PartnerOrderLimits(partner);
  auto decoded = DecodeOrder(ctx->request.body, opts);
  if (!decoded.ok()) {
    // Nothing is stored for an invalid request: the key stays free.
    respond(DecodeFailure(*ctx, "order", decoded.syntax_error, std::move(decoded.errors)));
    return;
  }
  SubmitOrder(ctx, std::move(*decoded.value), *key, true, std::move(respond));
}

void Api::SubmitOrder(std::shared_ptr<RequestContext> ctx, Order order, std::string key,
                      bool guard_in_flight, Respond respond) {
  const Partner& partner = *ctx->partner;
  if (auto owner = options_.channel_owners.find(order.channel);
      owner != options_.channel_owners.end() && owner->second != partner.id &&
      partner.kind != PartnerKind::kOperator) {
    respond(Fail(*ctx, ProblemType::kForbidden,
                 "orders of channel '" + order.channel + "' come only from its own partner"));
    return;
  }
  if (guard_in_flight && !AcquireIdempotencyKey(*ctx, key, respond)) return;
  SubmitRequest req{std::move(order), partner.id, key,
                    IdempotencyRequestHash("POST", ctx->request.path, ctx->request.body),
                    ctx->trace};
  auto render = [](const Order& o, const std::string& order_json) {
    return StoredResponse{201, order_json.empty() ? EncodeOrder(o) : order_json,
                          "/v1/orders/" + o.id};
  };
  flow_.Submit(
      std::move(req), render,
      [this, ctx, key, guard_in_flight, respond = std::move(respond)](Result<SubmitOutcome> r) {
        if (guard_in_flight) in_flight_.Release(ctx->partner->id, key);
        if (!r.ok()) {
          respond(FromStatus(*ctx, r.status()));
          return;
        }
        SubmitOutcome& out = *r;
        using Kind = SubmitOutcome::Kind;
        switch (out.kind) {
          case Kind::kCreated:
          case Kind::kReplayed: {
            HttpResponse resp = HttpResponse::Json(out.response.status, out.response.body);
            if (!out.response.location.empty()) resp.headers["Location"] = out.response.location;
            if (out.kind == Kind::kReplayed) resp.headers["Idempotent-Replayed"] = "true";
            respond(std::move(resp));
            return;
          }
          case Kind::kKeyReused:
            respond(Fail(*ctx, ProblemType::kIdempotencyKeyReused,
                         "this Idempotency-Key was first used with a different body"));
            return;
          case Kind::kDuplicateExternalRef: {
            // Name the stored order only to a caller who may see it.
            auto existing = store_.GetOrder(out.order_id);
            bool visible = existing.ok() && existing->has_value() &&
                           ctx->partner->MaySee((*existing)->parties);
            HttpResponse resp =
                Fail(*ctx, ProblemType::kDuplicateOrder,
                     visible ? "the order is already stored as " + out.order_id
                             : std::string("an order with this channel and external_ref "
                                           "already exists"));
            if (visible) resp.headers["Location"] = "/v1/orders/" + out.order_id;
            respond(std::move(resp));
            return;
          }
          case Kind::kRejected:
            respond(Fail(*ctx, ProblemType::kValidation, out.rejection.status.message(),
                         out.rejection.errors));
            return;
        }
      });
}

std::optional<OrderRecord> Api::VisibleOrder(const RequestContext& ctx, const std::string& id,
                                             const Respond& respond) {
  auto rec = store_.GetOrder(id);
  if (!rec.ok()) {
    respond(FromStatus(ctx, rec.status()));
    return std::nullopt;
  }
  // A foreign order answers exactly like a missing one: same status, same body.
  if (!rec->has_value() || !ctx.partner->MaySee((*rec)->parties)) {
    respond(Fail(ctx, ProblemType::kNotFound, "no order " + id));
    return std::nullopt;
  }
  return std::move(**rec);
}

namespace {
// The ERP stage, holds, invoices, cancellation and any open exception of an order.
void WriteOrchestration(JsonWriter& w, const OrderFlowState& f) {
  auto time = [&](const char* key, const std::optional<TimePoint>& t) {
    if (t) w.Field(key, FormatRfc3339(*t));
  };
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) w.Field(key, v);
  };
  w.Key("orchestration").StartObject();
  text("customer", f.customer);
  text("erp_sale", f.erp_sale);
  time("validated_at", f.validated_at);
  time("accepted_at", f.accepted_at);
  if (f.held_at) {
    w.Key("hold").StartObject();
    w.Field("reason", f.hold_reason);
    if (!f.hold_rule.empty()) w.Field("rule", f.hold_rule);
    time("held_at", f.held_at);
    time("hold_until", f.hold_until);
    time("released_at", f.released_at);
    text("released_by", f.released_by);
    w.EndObject();
  }
  if (f.rejected_at) {
    w.Key("rejection").StartObject();
    time("at", f.rejected_at);
    w.Field("reason", f.reject_reason);
    w.EndObject();
  }
  if (!f.invoices.empty()) {
    w.Key("invoices").StartObject();
    for (const auto& [shipment, invoice] : f.invoices) w.Field(shipment, invoice);
    w.EndObject();
  }
  if (f.cancelled_at) {
    w.Key("cancellation").StartObject();
    time("cancelled_at", f.cancelled_at);
    text("requested_by", f.cancel_requested_by);
    text("reason", f.cancel_reason);
    time("node_cancelled_at", f.node_cancelled_at);
    time("sale_cancelled_at", f.sale_cancelled_at);
    w.EndObject();
  }
  if (f.exception) {
    w.Key("exception").StartObject();
    w.Field("reason", f.exception->reason);
    w.Field("detail", f.exception->detail);
    w.Field("since", FormatRfc3339(f.exception->since));
    w.EndObject();
  }
  time("closed_at", f.closed_at);
  w.EndObject();
}
}  // namespace

void Api::GetOrder(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  auto rec = VisibleOrder(*ctx, id, respond);
  if (!rec) return;
  auto flow = DecodeFlowState(rec->flow_state);
  if (!flow.ok()) {
    respond(FromStatus(*ctx, flow.status()));
    return;
  }
  auto history = store_.GetHistory(id);
  if (!history.ok()) {
    respond(FromStatus(*ctx, history.status()));
    return;
  }
  JsonWriter w;
  w.StartObject();
  w.Key("order");
  WriteOrder(w, rec->order);
  w.Key("fulfillment").StartObject();
  w.Field("node", flow->Nodes());
  if (flow->allocations.size() == 1 && !flow->allocations[0].node_ref.empty()) {
    w.Field("node_ref", flow->allocations[0].node_ref);
  }
  auto time = [&](const char* key, const std::optional<TimePoint>& t) {
    if (t) w.Field(key, FormatRfc3339(*t));
  };
  if (!flow->allocations.empty()) {
    w.Key("allocations").StartArray();
    for (const auto& a : flow->allocations) {
      w.StartObject().Field("node", a.node);
      if (!a.lines.empty()) {
        w.Key("lines").StartArray();
        for (const auto& l : a.lines) w.String(l);
        w.EndArray();
      }
      if (!a.node_ref.empty()) w.Field("node_ref", a.node_ref);
      time("allocated_at", a.allocated_at);
      time("acknowledged_at", a.acknowledged_at);
      time("delivered_at", a.delivered_at);
      time("cancelled_at", a.cancelled_at);
      w.EndObject();
    }
    w.EndArray();
  }
  time("received_at", flow->received_at);
  time("allocated_at", flow->allocated_at);
  time("dispatched_at", flow->dispatched_at);
  time("shipped_at", flow->shipped_at);
  w.Key("shipped").StartObject();
  for (const auto& [line, qty] : flow->shipped) w.Field(line, qty);
  w.EndObject();
  time("picked_at", flow->picked_at);
  time("packed_at", flow->packed_at);
  time("delivered_at", flow->delivered_at);
  w.EndObject();
  WriteOrchestration(w, *flow);
  w.Key("history").StartArray();
  for (const auto& h : *history) {
    w.StartObject();
    w.Field("seq", h.seq);
    w.Field("at", FormatRfc3339(h.at));
    w.Field("type", h.type);
    w.Key("data").Raw(h.detail);
    if (!h.trace_id.empty()) w.Field("trace_id", h.trace_id);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::PostShipment(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& node = ctx->route.params["node"];
  if (!NodeMayReport(*ctx, node, respond, "confirm its shipments")) return;
  DecodeOptions opts;
  opts.max_depth = options_.max_json_depth;
  auto decoded = DecodeShipment(ctx->request.body, opts);
  if (!decoded.ok()) {
    respond(DecodeFailure(*ctx, "shipment", decoded.syntax_error, std::move(decoded.errors)));
    return;
  }
  ApplyShipmentFrom(ctx, node, std::move(*decoded.value), std::move(respond));
}

void Api::ApplyShipmentFrom(std::shared_ptr<RequestContext> ctx, const std::string& node,
                            Shipment shipment, Respond respond) {
  flow_.ApplyShipment(node, std::move(shipment), ctx->trace,
                      [this, ctx, respond = std::move(respond)](Result<ShipmentOutcome> r) {
                        if (!r.ok()) {
                          respond(FromStatus(*ctx, r.status()));
                          return;
                        }
                        if (r->rejection) {
                          respond(RejectionProblem(*ctx, *r->rejection, r->order_id));
                          return;
                        }
                        JsonWriter w;
                        w.StartObject();
                        w.Field("order_id", r->order_id);
                        w.Field("result", r->duplicate ? "duplicate" : "applied");
                        if (!r->status.empty()) w.Field("status", r->status);
                        w.EndObject();
                        respond(HttpResponse::Json(r->duplicate ? 200 : 201, w.Take()));
                      });
}

void Api::Livez(std::shared_ptr<RequestContext>, Respond respond) {
  respond(HttpResponse::Json(200, R"({"status":"live"})"));
}

void Api::Readyz(std::shared_ptr<RequestContext> ctx, Respond respond) {
  if (!ready_) {
    HttpResponse r = Fail(*ctx, ProblemType::kUnavailable, "starting or draining");
    r.headers["Retry-After"] = "1";
    respond(std::move(r));
    return;
  }
  // A cheap primary-key read proves the store answers.
  auto probe = store_.GetSubscriberOffset("readyz-probe");
  if (!probe.ok()) {
    respond(FromStatus(*ctx, probe.status()));
    return;
  }
  respond(HttpResponse::Json(200, R"({"status":"ready"})"));
}

// openapi_document.cc, generated from docs/openapi.json in pieces (string-literal limits).
extern const char* const kOpenApiDocument[];
extern const int kOpenApiDocument_count;

void Api::OpenApi(std::shared_ptr<RequestContext>, Respond respond) {
  static const std::string document = [] {
    std::string out;
    for (int i = 0; i < kOpenApiDocument_count; ++i) out += kOpenApiDocument[i];
    return out;
  }();
  respond(HttpResponse::Json(200, document));
}

std::optional<std::string> Api::RoutePattern(std::string_view method, std::string_view path) const {
  RouteMatch m = router_.Match(method, path);
  if (m.kind != RouteMatch::Kind::kFound) return std::nullopt;
  return router_.Pattern(m.route);
}

std::vector<std::pair<std::string, std::string>> Api::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < routes_.size(); ++i) {
    out.emplace_back(router_.Method(static_cast<int>(i)), router_.Pattern(static_cast<int>(i)));
  }
  return out;
}

void Api::Metrics(std::shared_ptr<RequestContext>, Respond respond) {
  respond(HttpResponse::Text(200, metrics_.RenderPrometheus(),
                             "text/plain; version=0.0.4; charset=utf-8"));
}

}  // namespace crossdock
