// Dead-letter administration for operators: list (filter by destination, error class, age),
// inspect, replay one (optionally with an edited payload), replay in bulk at a bounded rate,
// discard with a reason, and the audit log of all of it. Replays keep the original
// idempotency key. Every change is audited in the same transaction that makes it.
#include <simdjson.h>

#include "base/json.h"
#include "flows/command_answers.h"
#include "gateway/api.h"

namespace crossdock {

namespace {

void WriteItem(JsonWriter& w, const OutboxItem& it, bool with_payload) {
  w.StartObject();
  w.Field("id", it.id);
  w.Field("order_id", OrderIdOf(it));
  w.Field("type", it.type);
  w.Field("destination", it.destination);
  w.Field("idempotency_key", it.idempotency_key);
  w.Field("attempts", int64_t{it.attempts});
  w.Field("last_error", it.last_error);
  w.Field("error_class", ErrorClassOf(it.last_error));
  w.Field("in_doubt", it.in_doubt);
  w.Field("created_at", FormatRfc3339(it.created_at));
  if (with_payload) w.Key("payload").Raw(it.payload.empty() ? "null" : it.payload);
  w.EndObject();
}

Result<int64_t> ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return NotFound("no dead letter " + text);
  }
  return std::stoll(text);
}

std::string AuditDetail(const std::function<void(JsonWriter&)>& fill) {
  JsonWriter w;
  w.StartObject();
  fill(w);
  w.EndObject();
  return w.Take();
}

}  // namespace

std::optional<int64_t> Api::DeadLetterId(const RequestContext& ctx, const Respond& respond) {
  auto id = ParseId(ctx.route.params.at("id"));
  if (id.ok()) return *id;
  respond(Fail(ctx, ProblemType::kNotFound, id.status().message()));
  return std::nullopt;
}

std::optional<simdjson::dom::object> Api::ObjectBody(const RequestContext& ctx,
                                                     const Respond& respond,
                                                     simdjson::dom::parser& parser,
                                                     std::string_view empty_as) {
  std::string_view body = ctx.request.body.empty() ? empty_as : std::string_view(ctx.request.body);
  if (Status syntax = CheckJsonSyntax(body, options_.max_json_depth); !syntax.ok()) {
    respond(Fail(ctx, ProblemType::kMalformedJson, syntax.message()));
    return std::nullopt;
  }
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(body.data(), body.size()).get(doc) || doc.get_object().get(obj)) {
    respond(Fail(ctx, ProblemType::kValidation, "the body must be an object",
                 {{"", "must be an object"}}));
    return std::nullopt;
  }
  return obj;
}

void Api::ListDeadLetters(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto q = ParseQuery(ctx->request.query);
  DeadLetterFilter f;
  f.destination = q["destination"];
  f.error_class = q["error_class"];
  FieldErrors errors;
  int64_t limit = 100, older_than_s = -1, after = 0;
  QueryNumber(q, "limit", 1000, limit, errors);
  QueryNumber(q, "older_than_s", 10LL * 365 * 86400, older_than_s, errors);
  QueryNumber(q, "after", INT64_MAX / 2, after, errors);
  if (!f.error_class.empty() && f.error_class != "http_4xx" && f.error_class != "http_5xx" &&
      f.error_class != "transport" && f.error_class != "other") {
    errors.push_back({"/query/error_class", "must be http_4xx, http_5xx, transport or other"});
  }
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "bad query", std::move(errors)));
    return;
  }
  f.limit = static_cast<int>(std::max<int64_t>(1, limit));
  f.after_id = after;
  if (older_than_s >= 0) f.created_before = clock_.Now() - std::chrono::seconds(older_than_s);
  auto items = store_.ListDeadLetters(f);
  if (!items.ok()) {
    respond(FromStatus(*ctx, items.status()));
    return;
  }
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& it : *items) WriteItem(w, it, false);
  w.EndArray();
  if (static_cast<int>(items->size()) == f.limit) w.Field("next_after", items->back().id);
  w.EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::GetDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto id = DeadLetterId(*ctx, respond);
  if (!id) return;
  auto item = store_.GetOutboxItem(*id);
  if (!item.ok()) {
    respond(FromStatus(*ctx, item.status()));
    return;
  }
  if (!item->has_value() || (*item)->state != OutboxState::kDead) {
    respond(Fail(*ctx, ProblemType::kNotFound, "no dead letter " + ctx->route.params["id"]));
    return;
  }
  JsonWriter w;
  WriteItem(w, **item, true);
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::ReplayDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto id = DeadLetterId(*ctx, respond);
  if (!id) return;
  // Optional body: {"payload": {...}} replaces what is sent (the key stays the same).
  std::optional<std::string> payload;
  simdjson::dom::parser parser;
  auto obj = ObjectBody(*ctx, respond, parser);
  if (!obj) return;
  {
    FieldErrors errors;
    for (auto kv : *obj) {
      if (kv.key == "payload") {
        if (!kv.value.is_object())
          errors.push_back({"/payload", "must be an object"});
        else
          payload = simdjson::minify(kv.value);
      } else {
        errors.push_back({"/" + JsonPointerEscape(kv.key), "is not a known property"});
      }
    }
    if (!errors.empty()) {
      respond(Fail(*ctx, ProblemType::kValidation, "bad replay request", std::move(errors)));
      return;
    }
  }
  std::string actor = ctx->partner->id;
  TimePoint now = clock_.Now();
  int64_t item_id = *id;
  store_.Write(
      [=](WriteTx& tx) -> Status {
        CROSSDOCK_RETURN_IF_ERROR(tx.ReplayDeadLetter(item_id, now, payload));
        AuditRecord rec{
            0,
            now,
            actor,
            "dead_letter.replay",
            "outbox:" + std::to_string(item_id),
            AuditDetail([&](JsonWriter& w) { w.Field("payload_edited", payload.has_value()); })};
        return tx.AppendAudit(rec);
      },
      [this, ctx, respond, item_id](Status st) {
        if (!st.ok()) {
          respond(
              st.code() == StatusCode::kNotFound
                  ? Fail(*ctx, ProblemType::kNotFound, "no dead letter " + std::to_string(item_id))
                  : FromStatus(*ctx, st));
          return;
        }
        if (options_.on_replayed) options_.on_replayed();
        JsonWriter w;
        w.StartObject().Field("replayed", item_id).EndObject();
        respond(HttpResponse::Json(200, w.Take()));
      });
}

void Api::ReplayDeadLetters(std::shared_ptr<RequestContext> ctx, Respond respond) {
  // Body: {"destination": "...", "error_class": "...", "older_than_s": N, "max": N,
  //        "per_second": R}. Items are released one per 1/R seconds, so a recovered partner is
  // not flooded.
  simdjson::dom::parser parser;
  auto obj = ObjectBody(*ctx, respond, parser);
  if (!obj) return;
  DeadLetterFilter f;
  f.limit = 100;
  double per_second = 10;
  int64_t older_than_s = -1;
  FieldErrors errors;
  for (auto kv : *obj) {
    std::string p = "/" + JsonPointerEscape(kv.key);
    std::string_view sv;
    int64_t n;
    double d;
    if (kv.key == "destination" && !kv.value.get_string().get(sv))
      f.destination = std::string(sv);
    else if (kv.key == "error_class" && !kv.value.get_string().get(sv))
      f.error_class = std::string(sv);
    else if (kv.key == "older_than_s" && !kv.value.get_int64().get(n) && n >= 0)
      older_than_s = n;
    else if (kv.key == "max" && !kv.value.get_int64().get(n) && n >= 1 && n <= 10000)
      f.limit = static_cast<int>(n);
    else if (kv.key == "per_second" && !kv.value.get_double().get(d) && d > 0 && d <= 10000)
      per_second = d;
    else if (kv.key == "destination" || kv.key == "error_class" || kv.key == "older_than_s" ||
             kv.key == "max" || kv.key == "per_second") {
      errors.push_back({p, "has the wrong type or is out of range"});
    } else {
      errors.push_back({p, "is not a known property"});
    }
  }
  if (!f.error_class.empty() && f.error_class != "http_4xx" && f.error_class != "http_5xx" &&
      f.error_class != "transport" && f.error_class != "other") {
    errors.push_back({"/error_class", "must be http_4xx, http_5xx, transport or other"});
  }
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "bad bulk replay request", std::move(errors)));
    return;
  }
  TimePoint now = clock_.Now();
  if (older_than_s >= 0) f.created_before = now - std::chrono::seconds(older_than_s);
  auto items = store_.ListDeadLetters(f);
  if (!items.ok()) {
    respond(FromStatus(*ctx, items.status()));
    return;
  }
  std::string actor = ctx->partner->id;
  auto ids = std::make_shared<std::vector<int64_t>>();
  for (const auto& it : *items) ids->push_back(it.id);
  auto replayed = std::make_shared<int64_t>(0);
  store_.Write(
      [=](WriteTx& tx) -> Status {
        *replayed = 0;
        for (size_t i = 0; i < ids->size(); ++i) {
          auto at = now + std::chrono::duration_cast<Duration>(
                              std::chrono::duration<double>(i / per_second));
          Status st = tx.ReplayDeadLetter((*ids)[i], at, std::nullopt);
          if (st.code() == StatusCode::kNotFound) continue;  // replayed or discarded meanwhile
          CROSSDOCK_RETURN_IF_ERROR(st);
          ++*replayed;
        }
        AuditRecord rec{
            0, now, actor, "dead_letter.replay_bulk", "outbox", AuditDetail([&](JsonWriter& w) {
              w.Field("destination", f.destination).Field("error_class", f.error_class);
              w.Field("count", *replayed);
              w.Key("per_second").Double(per_second);
              w.Key("ids").StartArray();
              for (int64_t id : *ids) w.Int(id);
              w.EndArray();
            })};
        return tx.AppendAudit(rec);
      },
      [this, ctx, respond, replayed, per_second](Status st) {
        if (!st.ok()) {
          respond(FromStatus(*ctx, st));
          return;
        }
        if (options_.on_replayed) options_.on_replayed();
        JsonWriter w;
        w.StartObject().Field("replayed", *replayed);
        w.Key("per_second").Double(per_second);
        w.EndObject();
        respond(HttpResponse::Json(200, w.Take()));
      });
}

void Api::DiscardDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto id = DeadLetterId(*ctx, respond);
  if (!id) return;
  simdjson::dom::parser parser;
  auto obj = ObjectBody(*ctx, respond, parser);
  if (!obj) return;
  std::string_view reason;
  if ((*obj)["reason"].get_string().get(reason) || reason.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "a discard needs a reason",
                 {{"/reason", "is required: a non-empty string"}}));
    return;
  }
  std::string actor = ctx->partner->id;
  std::string why(reason);
  TimePoint now = clock_.Now();
  int64_t item_id = *id;
  store_.Write(
      [=](WriteTx& tx) -> Status {
        CROSSDOCK_RETURN_IF_ERROR(tx.DiscardDeadLetter(item_id, why));
        AuditRecord rec{0,
                        now,
                        actor,
                        "dead_letter.discard",
                        "outbox:" + std::to_string(item_id),
                        AuditDetail([&](JsonWriter& w) { w.Field("reason", why); })};
        return tx.AppendAudit(rec);
      },
      [this, ctx, respond, item_id](Status st) {
        if (!st.ok()) {
          respond(
              st.code() == StatusCode::kNotFound
                  ? Fail(*ctx, ProblemType::kNotFound, "no dead letter " + std::to_string(item_id))
                  : FromStatus(*ctx, st));
          return;
        }
        if (options_.on_replayed) options_.on_replayed();  // later commands may go now
        JsonWriter w;
        w.StartObject().Field("discarded", item_id).EndObject();
        respond(HttpResponse::Json(200, w.Take()));
      });
}

void Api::ListAudit(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto records = store_.ListAudit(200);
  if (!records.ok()) {
    respond(FromStatus(*ctx, records.status()));
    return;
  }
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : *records) {
    w.StartObject();
    w.Field("seq", r.seq).Field("at", FormatRfc3339(r.at)).Field("actor", r.actor);
    w.Field("action", r.action).Field("subject", r.subject);
    w.Key("detail").Raw(r.detail);
    w.EndObject();
  }
  w.EndArray().EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::ListReconciliations(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto runs = store_.ListReconciliations(100);
  if (!runs.ok()) {
    respond(FromStatus(*ctx, runs.status()));
    return;
  }
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : *runs) {
    w.StartObject().Field("id", r.id).Field("kind", r.kind).Field("node", r.node);
    w.Field("started_at", FormatRfc3339(r.started_at));
    w.Field("finished_at", FormatRfc3339(r.finished_at));
    // The stored report's head: id, kind, node, as_of and the summary.
    simdjson::dom::parser parser;
    simdjson::dom::element head, summary;
    if (!parser.parse(r.report_json).get(head) && !head["summary"].get(summary)) {
      w.Key("summary").Raw(simdjson::minify(summary));
    }
    w.Field("report", "/v1/admin/reconciliations/" + r.id);
    w.Field("report_csv", "/v1/admin/reconciliations/" + r.id + "/report.csv").EndObject();
  }
  w.EndArray().EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

std::optional<ReconciliationRecord> Api::LoadReconciliation(RequestContext& ctx,
                                                            const Respond& respond) {
  auto run = store_.GetReconciliation(ctx.route.params["id"]);
  if (!run.ok()) {
    respond(FromStatus(ctx, run.status()));
    return std::nullopt;
  }
  if (!run->has_value()) {
    respond(Fail(ctx, ProblemType::kNotFound, "no reconciliation " + ctx.route.params["id"]));
  }
  return std::move(*run);
}

void Api::GetReconciliation(std::shared_ptr<RequestContext> ctx, Respond respond) {
  if (auto run = LoadReconciliation(*ctx, respond)) {
    respond(HttpResponse::Json(200, run->report_json));
  }
}

void Api::GetReconciliationCsv(std::shared_ptr<RequestContext> ctx, Respond respond) {
  if (auto run = LoadReconciliation(*ctx, respond)) {
    respond(HttpResponse::Text(200, run->report_csv, "text/csv; charset=utf-8"));
  }
}

}  // namespace crossdock
