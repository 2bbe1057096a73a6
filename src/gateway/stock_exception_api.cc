// Stock exceptions for operators: snapshot differences a reconciliation left for review
// (flows/stock_exceptions.h). List them (open, or every one), and resolve one by applying the
// snapshot's count or dismissing it; each resolution is audited in its transaction.
#include <simdjson.h>

#include "base/json.h"
#include "flows/stock_exceptions.h"
#include "gateway/api.h"

namespace crossdock {

void Api::ListStockExceptions(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto q = ParseQuery(ctx->request.query);
  StockExceptionFilter f;
  f.node = q["node"];
  FieldErrors errors;
  const std::string& state = q["state"];
  if (state == "all") {
    f.open_only = false;
  } else if (!state.empty() && state != "open") {
    errors.push_back({"/query/state", "must be open or all"});
  }
  int64_t limit = 100, after = 0;
  QueryNumber(q, "limit", 1000, limit, errors);
  QueryNumber(q, "after", INT64_MAX / 2, after, errors);
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "bad query", std::move(errors)));
    return;
  }
  f.limit = static_cast<int>(std::max<int64_t>(1, limit));
  f.after_id = after;
  auto items = store_.ListStockExceptions(f);
  if (!items.ok()) {
    respond(FromStatus(*ctx, items.status()));
    return;
  }
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& e : *items) WriteStockException(w, e);
  w.EndArray();
  if (static_cast<int>(items->size()) == f.limit) w.Field("next_after", items->back().id);
  w.EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::ResolveStockException(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& text = ctx->route.params.at("id");
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    respond(Fail(*ctx, ProblemType::kNotFound, "no stock exception " + text));
    return;
  }
  int64_t id = std::stoll(text);
  simdjson::dom::parser parser;
  auto obj = ObjectBody(*ctx, respond, parser);
  if (!obj) return;
  std::string_view action_name, note;
  std::optional<StockExceptionAction> action;
  FieldErrors errors;
  for (auto kv : *obj) {
    if (kv.key == "action") {
      if (!kv.value.get_string().get(action_name)) action = ParseStockExceptionAction(action_name);
    } else if (kv.key == "note") {
      if (kv.value.get_string().get(note)) {
        errors.push_back({"/note", "must be a string"});
      } else if (note.size() > 500) {
        errors.push_back({"/note", "is longer than 500 bytes"});
      }
    } else {
      errors.push_back({"/" + std::string(kv.key), "is not a property of a resolution"});
    }
  }
  if (!action) errors.push_back({"/action", "is required: \"apply\" or \"dismiss\""});
  if (!errors.empty()) {
    respond(
        Fail(*ctx, ProblemType::kValidation, "a resolution needs an action", std::move(errors)));
    return;
  }
  struct Shared {
    StockException resolved;
  };
  auto sh = std::make_shared<Shared>();
  store_.Write(
      [sh, id, action = *action, actor = ctx->partner->id, note = std::string(note),
       now = clock_.Now()](WriteTx& tx) {
        return ResolveStockExceptionIn(tx, now, id, action, actor, note, sh->resolved);
      },
      [this, ctx, respond, sh](Status st) {
        if (!st.ok()) {
          respond(FromStatus(*ctx, st));
          return;
        }
        // An applied count is stock reported: backorders may route, feeds publish it.
        if (sh->resolved.resolution == "applied") {
          flow_.StockReported({sh->resolved.sku}, sh->resolved.as_of);
        }
        JsonWriter w;
        WriteStockException(w, sh->resolved);
        respond(HttpResponse::Json(200, w.Take()));
      });
}

}  // namespace crossdock
