// Orchestration endpoints: fulfilment milestones reported by nodes, and operator actions on an
// order's lifecycle. Each decodes, authorizes and maps the flow's outcome; the decisions are
// the order decider's (flows/order_decider.h).
#include <simdjson.h>

#include "base/json.h"
#include "codecs/json_reader.h"
#include "gateway/api.h"

namespace crossdock {

void Api::RespondToAct(std::shared_ptr<RequestContext> ctx, const std::string& order_id,
                       Result<ActOutcome> r, const Respond& respond) {
  if (!r.ok()) {
    respond(FromStatus(*ctx, r.status()));
    return;
  }
  if (r->rejection) {
    const Rejection& rej = *r->rejection;
    if (rej.status.code() == StatusCode::kNotFound) {
      respond(Fail(*ctx, ProblemType::kNotFound, "no order " + order_id));
    } else if (rej.status.code() == StatusCode::kConflict) {
      respond(Fail(*ctx, ProblemType::kConflict, rej.status.message()));
    } else {
      respond(Fail(*ctx, ProblemType::kValidation, rej.status.message(), rej.errors));
    }
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
  const Partner& p = *ctx->partner;
  if (!(p.kind == PartnerKind::kOperator ||
        (p.kind == PartnerKind::kThirdPartyLogistics && p.id == node))) {
    respond(
        Fail(*ctx, ProblemType::kForbidden, "only node '" + node + "' may report its milestones"));
    return;
  }
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
  AuditRecord audit{0, clock_.Now(), ctx->partner->id, "order.release", "order:" + id,
                    detail.Take()};
  flow_.Act(
      id, HoldReleased{by, reason}, ctx->trace,
      [this, ctx, id, respond = std::move(respond)](Result<ActOutcome> r) {
        RespondToAct(ctx, id, std::move(r), respond);
      },
      [audit](WriteTx& tx) mutable { return tx.AppendAudit(audit); });
}

}  // namespace crossdock
