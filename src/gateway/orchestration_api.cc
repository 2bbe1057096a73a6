// Orchestration endpoints: fulfilment milestones reported by nodes, and operator actions on an
// order's lifecycle. Each decodes, authorizes and maps the flow's outcome; the decisions are
// the order decider's (flows/order_decider.h).
#include <simdjson.h>

#include <set>

#include "base/json.h"
#include "codecs/json_reader.h"
#include "flows/order_state.h"
#include "gateway/api.h"

namespace crossdock {

HttpResponse Api::RejectionProblem(const RequestContext& ctx, const Rejection& rej,
                                   const std::string& order_id) {
  switch (rej.status.code()) {
    case StatusCode::kNotFound:
      return Fail(ctx, ProblemType::kNotFound, "no order " + order_id);
    case StatusCode::kConflict:
      return Fail(ctx, ProblemType::kConflict, rej.status.message());
    default:
      return Fail(ctx, ProblemType::kValidation, rej.status.message(), rej.errors);
  }
}

bool Api::NodeMayReport(const RequestContext& ctx, const std::string& node, const Respond& respond,
                        const char* what) {
  const Partner& p = *ctx.partner;
  if (p.kind == PartnerKind::kOperator ||
      (p.kind == PartnerKind::kThirdPartyLogistics && p.id == node)) {
    return true;
  }
  respond(Fail(ctx, ProblemType::kForbidden, "only node '" + node + "' may " + what));
  return false;
}

void Api::RespondToAct(std::shared_ptr<RequestContext> ctx, const std::string& order_id,
                       Result<ActOutcome> r, const Respond& respond) {
  if (!r.ok()) {
    respond(FromStatus(*ctx, r.status()));
    return;
  }
  if (r->rejection) {
    respond(RejectionProblem(*ctx, *r->rejection, order_id));
    return;
  }
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", order_id);
  w.Field("result", r->changed ? "applied" : "duplicate");
  w.Field("status", r->status);
  w.EndObject();
  respond(HttpResponse::Json(r->changed ? 201 : 200, w.Take()));
}

// POST /v1/nodes/{node}/milestones {"order_id", "kind", "partner_event_id", "at"?}
void Api::PostMilestone(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& node = ctx->route.params["node"];
  if (!NodeMayReport(*ctx, node, respond, "report its milestones")) return;
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser);
  if (!body) return;
  FieldErrors errors;
  json_reader::Reader r(errors);
  MilestoneReported m;
  m.node = node;
  std::string order_id;
  std::optional<TimePoint> at;
  std::vector<std::string_view> seen;
  for (auto kv : *body) {
    std::string_view k = kv.key;
    std::string ptr = json_reader::Child("", k);
    seen.push_back(k);
    if (k == "order_id")
      r.String(kv.value, ptr, order_id);
    else if (k == "kind")
      r.String(kv.value, ptr, m.kind);
    else if (k == "partner_event_id")
      r.String(kv.value, ptr, m.partner_event_id);
    else if (k == "at")
      r.Time(kv.value, ptr, at);
    else
      r.Error(ptr, "is not a property of a milestone");
  }
  r.Require("", {"order_id", "kind", "partner_event_id"}, seen);
  if (!m.kind.empty() && m.kind != "picked" && m.kind != "packed" && m.kind != "delivered") {
    errors.push_back({"/kind", "must be picked, packed or delivered"});
  }
  if (m.partner_event_id.size() > 200) {
    errors.push_back({"/partner_event_id", "must be at most 200 bytes"});
  }
  if (at && *at > clock_.Now() + std::chrono::minutes(5)) {
    errors.push_back({"/at", "is in the future"});
  }
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid milestone", errors));
    return;
  }
  m.at = at.value_or(clock_.Now());
  flow_.Act(order_id, std::move(m), ctx->trace,
            [this, ctx, order_id, respond = std::move(respond)](Result<ActOutcome> r) {
              RespondToAct(ctx, order_id, std::move(r), respond);
            });
}

// POST /v1/nodes/{node}/returns {"return_id", "lines": [{"line_id", "quantity", "condition"}]}:
// the node received a return's goods. Goods in a restockable condition are restocked (event),
// and with an ERP the credit note is requested.
void Api::PostReturnReceipt(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& node = ctx->route.params["node"];
  if (!NodeMayReport(*ctx, node, respond, "report its receipts")) return;
  const Partner& p = *ctx->partner;
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser);
  if (!body) return;
  FieldErrors errors;
  json_reader::Reader r(errors);
  ReturnReceived in;
  in.node = node;
  std::vector<std::string_view> seen;
  for (auto kv : *body) {
    std::string ptr = json_reader::Child("", kv.key);
    seen.push_back(kv.key);
    if (kv.key == "return_id") {
      r.String(kv.value, ptr, in.return_id);
    } else if (kv.key == "lines") {
      r.ForEachItem(kv.value, ptr, [&](simdjson::dom::element item, const std::string& ip) {
        ReturnReceived::Line line;
        std::vector<std::string_view> line_seen;
        r.ForEachField(item, ip,
                       [&](std::string_view k, simdjson::dom::element v, const std::string& lp) {
                         line_seen.push_back(k);
                         if (k == "line_id")
                           r.String(v, lp, line.line_id);
                         else if (k == "quantity")
                           r.Int(v, lp, line.quantity);
                         else if (k == "condition")
                           r.String(v, lp, line.condition);
                         else
                           return false;
                         return true;
                       });
        r.Require(ip, {"line_id", "quantity", "condition"}, line_seen);
        if (line.quantity < 0) r.Error(ip + "/quantity", "must not be negative");
        in.lines.push_back(std::move(line));
      });
    } else {
      r.Error(ptr, "is not a property of a return receipt");
    }
  }
  r.Require("", {"return_id", "lines"}, seen);
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid return receipt", errors));
    return;
  }
  auto ret = store_.GetReturn(in.return_id);
  if (!ret.ok()) {
    respond(FromStatus(*ctx, ret.status()));
    return;
  }
  if (!ret->has_value() || !p.MaySee((*ret)->parties)) {
    respond(Fail(*ctx, ProblemType::kNotFound, "no return " + in.return_id));
    return;
  }
  std::string order_id = (*ret)->order_id;
  flow_.Act(order_id, std::move(in), ctx->trace,
            [this, ctx, order_id, respond = std::move(respond)](Result<ActOutcome> r) {
              RespondToAct(ctx, order_id, std::move(r), respond);
            });
}

// POST /v1/admin/orders/{id}/release {"reason"?}: releases a held order.
void Api::ReleaseOrder(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser);
  if (!body) return;
  FieldErrors errors;
  json_reader::Reader r(errors);
  std::string reason;
  for (auto kv : *body) {
    std::string ptr = json_reader::Child("", kv.key);
    if (kv.key == "reason") {
      r.String(kv.value, ptr, reason);
    } else {
      r.Error(ptr, "is not a property of a release request");
    }
  }
  if (reason.size() > 500) errors.push_back({"/reason", "must be at most 500 bytes"});
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid release request", errors));
    return;
  }
  std::string by = "operator:" + ctx->partner->id;
  JsonWriter detail;
  detail.StartObject().Field("reason", reason).EndObject();
  AuditRecord audit{
      0, clock_.Now(), ctx->partner->id, "order.release", "order:" + id, detail.Take()};
  flow_.Act(
      id, HoldReleased{by, reason}, ctx->trace,
      [this, ctx, id, respond = std::move(respond)](Result<ActOutcome> r) {
        RespondToAct(ctx, id, std::move(r), respond);
      },
      [audit](WriteTx& tx) mutable { return tx.AppendAudit(audit); });
}

// POST /v1/admin/orders/{id}/actions {"action", "node"?, "reason"?}: an operator acts on an
// order in the exception inbox (or any order): retry its failed commands, re-route it to
// another node, cancel it, release it, or mark its exception resolved. Each action is
// audited in the transaction that carries it out.
void Api::OrderAction(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser);
  if (!body) return;
  FieldErrors errors;
  json_reader::Reader r(errors);
  std::string action, node, from, reason;
  std::vector<std::string_view> seen;
  for (auto kv : *body) {
    std::string ptr = json_reader::Child("", kv.key);
    seen.push_back(kv.key);
    if (kv.key == "action")
      r.String(kv.value, ptr, action);
    else if (kv.key == "node")
      r.String(kv.value, ptr, node);
    else if (kv.key == "from")
      r.String(kv.value, ptr, from);
    else if (kv.key == "reason")
      r.String(kv.value, ptr, reason);
    else
      r.Error(ptr, "is not a property of an order action");
  }
  r.Require("", {"action"}, seen);
  static const std::set<std::string> kActions = {"retry", "reroute", "cancel", "release",
                                                 "resolve"};
  if (!action.empty() && !kActions.count(action)) {
    errors.push_back({"/action", "must be retry, reroute, cancel, release or resolve"});
  }
  if (action == "reroute" && !options_.nodes.count(node)) {
    errors.push_back(
        {"/node", node.empty() ? "is required to re-route" : "no node '" + node + "'"});
  }
  if (action != "reroute" && !node.empty()) errors.push_back({"/node", "only for reroute"});
  if (action != "reroute" && !from.empty()) errors.push_back({"/from", "only for reroute"});
  if (reason.size() > 500) errors.push_back({"/reason", "must be at most 500 bytes"});
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid order action", errors));
    return;
  }
  if (action == "retry") {
    RetryOrderCommands(ctx, id, reason, std::move(respond));
    return;
  }
  std::string by = "operator:" + ctx->partner->id;
  JsonWriter detail;
  detail.StartObject().Field("reason", reason);
  if (!node.empty()) detail.Field("node", node);
  if (!from.empty()) detail.Field("from", from);
  detail.EndObject();
  AuditRecord audit{
      0, clock_.Now(), ctx->partner->id, "order." + action, "order:" + id, detail.Take()};
  OrderInput input;
  if (action == "reroute") {
    input = Rerouted{node, by, reason, from};
  } else if (action == "cancel") {
    input = CancelRequested{by, reason};
  } else if (action == "release") {
    input = HoldReleased{by, reason};
  } else {
    input = ExceptionResolved{by, reason};
  }
  flow_.Act(
      id, std::move(input), ctx->trace,
      [this, ctx, id, respond = std::move(respond)](Result<ActOutcome> r) {
        RespondToAct(ctx, id, std::move(r), respond);
      },
      [audit](WriteTx& tx) mutable { return tx.AppendAudit(audit); });
}

void Api::RetryOrderCommands(std::shared_ptr<RequestContext> ctx, const std::string& order_id,
                             const std::string& reason, Respond respond) {
  auto rec = store_.GetOrder(order_id);
  if (!rec.ok()) {
    respond(FromStatus(*ctx, rec.status()));
    return;
  }
  if (!rec->has_value()) {
    respond(Fail(*ctx, ProblemType::kNotFound, "no order " + order_id));
    return;
  }
  DeadLetterFilter filter;
  filter.order_id = order_id;
  auto dead = store_.ListDeadLetters(filter);
  if (!dead.ok()) {
    respond(FromStatus(*ctx, dead.status()));
    return;
  }
  if (dead->empty()) {
    respond(Fail(*ctx, ProblemType::kConflict, "order " + order_id + " has no failed command"));
    return;
  }
  std::vector<int64_t> ids;
  for (const auto& d : *dead) ids.push_back(d.id);
  JsonWriter detail;
  detail.StartObject().Field("reason", reason).Key("outbox").StartArray();
  for (int64_t i : ids) detail.Int(i);
  detail.EndArray().EndObject();
  AuditRecord audit{
      0, clock_.Now(), ctx->partner->id, "order.retry", "order:" + order_id, detail.Take()};
  TimePoint now = clock_.Now();
  store_.Write(
      [ids, audit, now](WriteTx& tx) mutable -> Status {
        for (int64_t i : ids) CROSSDOCK_RETURN_IF_ERROR(tx.ReplayDeadLetter(i, now, std::nullopt));
        return tx.AppendAudit(audit);
      },
      [this, ctx, order_id, n = ids.size(), respond = std::move(respond)](Status st) {
        if (!st.ok()) {
          respond(FromStatus(*ctx, st));
          return;
        }
        if (options_.on_replayed) options_.on_replayed();
        JsonWriter w;
        w.StartObject().Field("order_id", order_id).Field("action", "retry");
        w.Field("replayed", static_cast<int64_t>(n)).EndObject();
        respond(HttpResponse::Json(202, w.Take()));
      });
}

}  // namespace crossdock
