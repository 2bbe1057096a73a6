// Experience APIs: what channels, portals and service tools ask about orders — lists with
// cursor paging, tracking, cancellation requests, availability, returns — and the inventory
// levels nodes report. Every object read here is filtered by the caller (Partner::MaySee);
// another tenant's id answers exactly like a missing one.
#include <simdjson.h>

#include <algorithm>

#include "base/crypto.h"
#include "base/json.h"
#include "codecs/canonical_json.h"
#include "codecs/json_reader.h"
#include "codecs/x12.h"
#include "flows/availability.h"
#include "flows/order_state.h"
#include "flows/returns.h"
#include "gateway/api.h"

namespace crossdock {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr size_t kMaxSkusPerLookup = 50;
constexpr size_t kMaxInventoryLevels = 10'000;
constexpr size_t kMaxReturnLines = 1'000;
constexpr auto kMaxClockSkew = std::chrono::minutes(5);

// Cursors are opaque to clients: base64url of the last id on the page.
std::string EncodeCursor(const std::string& last_id) {
  std::string b = Base64Encode(last_id);
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

Result<std::string> DecodeCursor(std::string cursor) {
  for (char& c : cursor) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (cursor.size() % 4) cursor.push_back('=');
  auto raw = Base64Decode(cursor);
  if (!raw.ok() || raw->empty() || raw->size() > 64 ||
      raw->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
          std::string::npos) {
    return InvalidArgument("cursor is not one this server issued");
  }
  return *raw;
}

// ?limit= (capped at kMaxPageSize, not refused) and ?cursor= into `query`.
void ReadPaging(std::map<std::string, std::string>& q, OrderQuery& query, FieldErrors& errors) {
  query.limit = kDefaultPageSize;
  if (const std::string& v = q["limit"]; !v.empty()) {
    if (v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(v) < 1) {
      errors.push_back({"limit", "must be a whole number from 1; pages hold at most 200"});
    } else {
      query.limit = std::min(std::stoi(v), kMaxPageSize);
    }
  }
  if (const std::string& v = q["cursor"]; !v.empty()) {
    auto after = DecodeCursor(v);
    if (after.ok())
      query.after_id = *after;
    else
      errors.push_back({"cursor", after.status().message()});
  }
}

// Closes a page whose items `w` holds (inside the open top-level object): the next cursor and
// its Link header when `last_id` is set (another page follows).
HttpResponse FinishPage(JsonWriter& w, const std::string& last_id, const std::string& path,
                        int page, const std::string& filters) {
  HttpResponse resp;
  if (!last_id.empty()) {
    std::string cursor = EncodeCursor(last_id);
    w.Field("next_cursor", cursor);
    std::string next = path + "?limit=" + std::to_string(page) + "&cursor=" + cursor + filters;
    resp.headers["Link"] = "<" + next + ">; rel=\"next\"";
  }
  w.EndObject();
  resp.status = 200;
  resp.body = w.Take();
  resp.headers["Content-Type"] = "application/json";
  return resp;
}

void WriteTime(JsonWriter& w, const char* key, const std::optional<TimePoint>& t) {
  if (t) w.Field(key, FormatRfc3339(*t));
}

void WriteCancellation(JsonWriter& w, const OrderFlowState& flow) {
  if (!flow.cancel_requested_at) return;
  w.Key("cancellation").StartObject();
  w.Field("state", "requested");
  w.Field("requested_at", FormatRfc3339(*flow.cancel_requested_at));
  w.Field("requested_by", flow.cancel_requested_by);
  if (!flow.cancel_reason.empty()) w.Field("reason", flow.cancel_reason);
  w.EndObject();
}

}  // namespace

void Api::ListOrders(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto q = ParseQuery(ctx->request.query);
  OrderQuery query;
  FieldErrors errors;
  ReadPaging(q, query, errors);
  if (const std::string& v = q["status"]; !v.empty()) {
    if (ParseOrderStatus(v).ok())
      query.status = v;
    else
      errors.push_back({"status", "is not an order status"});
  }
  query.channel = q["channel"];
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kBadRequest, "invalid query parameters", std::move(errors)));
    return;
  }
  const Partner& p = *ctx->partner;
  query.party = p.kind == PartnerKind::kOperator ? "" : p.id;
  int page = query.limit;
  query.limit = page + 1;  // one more tells whether another page follows
  auto rows = store_.ListOrders(query);
  if (!rows.ok()) {
    respond(FromStatus(*ctx, rows.status()));
    return;
  }
  bool more = static_cast<int>(rows->size()) > page;
  if (more) rows->resize(page);
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : *rows) {
    const Order& o = r.order;
    w.StartObject();
    w.Field("id", o.id);
    w.Field("status", OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
    w.Field("channel", o.channel);
    w.Field("external_ref", o.external_ref);
    WriteTime(w, "created_at", o.created_at);
    WriteTime(w, "updated_at", o.updated_at);
    w.Field("grand_total", o.totals.grand_total.ToString());
    w.Field("currency", o.currency);
    w.EndObject();
  }
  w.EndArray();
  std::string filters;
  if (!query.status.empty()) filters += "&status=" + query.status;
  if (!query.channel.empty()) filters += "&channel=" + PercentEncode(query.channel);
  respond(FinishPage(w, more ? rows->back().order.id : "", "/v1/orders", page, filters));
}

// GET /v1/admin/exceptions: orders that cannot proceed without an operator, in id order.
void Api::ListExceptions(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto q = ParseQuery(ctx->request.query);
  OrderQuery query;
  FieldErrors errors;
  ReadPaging(q, query, errors);
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kBadRequest, "invalid query parameters", std::move(errors)));
    return;
  }
  query.exceptions_only = true;
  int page = query.limit;
  query.limit = page + 1;
  auto rows = store_.ListOrders(query);
  if (!rows.ok()) {
    respond(FromStatus(*ctx, rows.status()));
    return;
  }
  bool more = static_cast<int>(rows->size()) > page;
  if (more) rows->resize(page);
  TimePoint now = clock_.Now();
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : *rows) {
    auto flow = DecodeFlowState(r.flow_state);
    if (!flow.ok() || !flow->exception) continue;  // closed since the index said so
    const FlowException& e = *flow->exception;
    const Order& o = r.order;
    w.StartObject();
    w.Field("order_id", o.id);
    w.Field("channel", o.channel);
    w.Field("external_ref", o.external_ref);
    w.Field("status", OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
    w.Field("reason", e.reason);
    w.Field("detail", e.detail);
    if (!e.command.empty()) w.Field("command", e.command);
    w.Field("since", FormatRfc3339(e.since));
    w.Field("age_seconds",
            static_cast<int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(now - e.since).count()));
    w.Field("owner", ExceptionOwner(e, *flow));
    w.Key("actions").StartArray();
    for (const auto& a : ExceptionActions(e)) w.String(a);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  respond(FinishPage(w, more ? rows->back().order.id : "", "/v1/admin/exceptions", page, ""));
}

void Api::GetTracking(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  auto rec = VisibleOrder(*ctx, id, respond);
  if (!rec) return;
  auto flow = DecodeFlowState(rec->flow_state);
  auto history = store_.GetHistory(id);
  if (!flow.ok() || !history.ok()) {
    respond(FromStatus(*ctx, !flow.ok() ? flow.status() : history.status()));
    return;
  }
  const Order& o = rec->order;
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", o.id);
  w.Field("status", OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
  w.Field("channel", o.channel);
  w.Field("external_ref", o.external_ref);
  w.Field("node", flow->Nodes());
  if (flow->allocations.size() == 1 && !flow->allocations[0].node_ref.empty()) {
    w.Field("node_ref", flow->allocations[0].node_ref);
  }
  WriteTime(w, "updated_at", o.updated_at);
  w.Key("lines").StartArray();
  for (const auto& l : o.lines) {
    auto shipped = flow->shipped.find(l.line_id);
    w.StartObject().Field("line_id", l.line_id).Field("sku", l.sku);
    w.Field("ordered", l.quantity);
    w.Field("shipped", shipped == flow->shipped.end() ? int64_t{0} : shipped->second);
    w.EndObject();
  }
  w.EndArray();
  // Shipments with carrier and tracking, as the nodes confirmed them (from the history).
  w.Key("shipments").StartArray();
  simdjson::dom::parser parser;
  for (const auto& h : *history) {
    if (h.type != "order.shipped" && h.type != "order.partially_shipped") continue;
    simdjson::dom::element doc, shipment;
    if (parser.parse(h.detail).get(doc) || doc["shipment"].get(shipment)) continue;
    w.Raw(simdjson::minify(shipment));
  }
  w.EndArray();
  WriteCancellation(w, *flow);
  w.EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::GetOrderStatus(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  auto rec = VisibleOrder(*ctx, id, respond);
  if (!rec) return;
  JsonWriter w;
  w.StartObject();
  w.Field("order_id", rec->order.id);
  w.Field("status", OrderStatusName(rec->order.status.value_or(OrderStatus::kReceived)));
  WriteTime(w, "updated_at", rec->order.updated_at);
  w.EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::CancelOrder(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser);
  if (!body) return;
  std::string reason;
  FieldErrors errors;
  for (auto kv : *body) {
    if (kv.key == "reason") {
      std::string_view v;
      if (kv.value.get_string().get(v) || v.size() > 500) {
        errors.push_back({"/reason", "must be a string of at most 500 bytes"});
      } else {
        reason = std::string(v);
      }
    } else {
      errors.push_back({"/" + std::string(kv.key), "is not a property of a cancellation request"});
    }
  }
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid cancellation request", errors));
    return;
  }
  if (!VisibleOrder(*ctx, id, respond)) return;
  flow_.RequestCancel(
      id, CancelRequested{ctx->partner->id, reason}, ctx->trace,
      [this, ctx, id, respond = std::move(respond)](Result<CancelOutcome> r) {
        if (!r.ok()) {
          respond(FromStatus(*ctx, r.status()));
          return;
        }
        if (r->rejection) {
          respond(r->rejection->status.code() == StatusCode::kNotFound
                      ? Fail(*ctx, ProblemType::kNotFound, "no order " + id)
                      : Fail(*ctx, ProblemType::kConflict, r->rejection->status.message()));
          return;
        }
        JsonWriter w;
        w.StartObject();
        w.Field("order_id", id);
        w.Field("status", r->status);
        w.Key("cancellation").StartObject();
        w.Field("state", "requested");
        w.Field("requested_at", FormatRfc3339(r->requested_at));
        w.EndObject();
        w.EndObject();
        // 202: recorded; the node and the ERP act on it asynchronously.
        respond(HttpResponse::Json(r->already_requested ? 200 : 202, w.Take()));
      });
}

void Api::GetAvailability(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto q = ParseQuery(ctx->request.query);
  std::vector<std::string> skus;
  {
    const std::string& list = q["sku"];
    size_t i = 0;
    while (i < list.size()) {
      size_t j = list.find(',', i);
      if (j == std::string::npos) j = list.size();
      if (j > i) skus.push_back(list.substr(i, j - i));
      i = j + 1;
    }
  }
  if (skus.empty() || skus.size() > kMaxSkusPerLookup) {
    respond(Fail(*ctx, ProblemType::kBadRequest, "give 1 to 50 SKUs as ?sku=A,B",
                 {{"sku", "is required"}}));
    return;
  }
  const std::string& channel = q["channel"];
  // Which nodes feed the channel: those its routing can send orders to.
  static const std::vector<std::string> kNoNode;
  const std::vector<std::string>* feeding = nullptr;  // nullptr: every node
  if (!channel.empty()) {
    auto it = options_.channel_nodes.find(channel);
    if (it == options_.channel_nodes.end()) it = options_.channel_nodes.find("");
    // A channel no routing rule (and no default node) serves has nothing available.
    feeding = it != options_.channel_nodes.end() ? &it->second : &kNoNode;
  }
  JsonWriter w;
  w.StartObject();
  if (!channel.empty()) w.Field("channel", channel);
  w.Key("items").StartArray();
  for (const auto& sku : skus) {
    auto levels = store_.GetInventory(sku);
    if (!levels.ok()) {
      respond(FromStatus(*ctx, levels.status()));
      return;
    }
    w.StartObject().Field("sku", sku);
    w.Key("nodes").StartArray();
    for (const auto& l : *levels) {
      if (feeding && std::find(feeding->begin(), feeding->end(), l.node) == feeding->end()) {
        continue;
      }
      w.StartObject().Field("node", l.node).Field("on_hand", l.on_hand);
      w.Field("reserved", l.reserved).Field("available", NodeAvailable(l));
      w.Field("as_of", FormatRfc3339(l.as_of)).EndObject();
    }
    w.EndArray();
    int64_t safety = 0;
    if (auto held = options_.safety_stock.find(channel);
        !channel.empty() && held != options_.safety_stock.end()) {
      safety = held->second;
      w.Field("safety_stock", safety);
    }
    w.Field("available", AvailableToPromise(*levels, feeding, safety));
    // The ledger's: each node's last count, less what shipped since and what allocated,
    // unshipped order lines reserve (docs/inventory.md).
    w.Field("basis", "ledger");
    w.EndObject();
  }
  w.EndArray().EndObject();
  respond(HttpResponse::Json(200, w.Take()));
}

void Api::PostInventory(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& node = ctx->route.params["node"];
  const Partner& p = *ctx->partner;
  if (p.kind != PartnerKind::kOperator && p.id != node) {
    respond(Fail(*ctx, ProblemType::kForbidden, "only node '" + node + "' may report its stock"));
    return;
  }
  StoreInventory(ctx, node, ctx->request.body, "", std::move(respond));
}

void Api::PostX12(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& node = ctx->route.params["node"];
  const Partner& p = *ctx->partner;
  if (p.kind != PartnerKind::kOperator && p.id != node) {
    respond(Fail(*ctx, ProblemType::kForbidden, "only node '" + node + "' may send its X12"));
    return;
  }
  auto folder = options_.x12_inbound.find(node);
  if (folder == options_.x12_inbound.end()) {
    respond(Fail(*ctx, ProblemType::kNotFound, "node '" + node + "' is not an x12 node"));
    return;
  }
  // Only an interchange is taken: what cannot be read is refused now, with where.
  X12Document doc = ParseX12(ctx->request.body);
  if (!doc.readable) {
    respond(Fail(*ctx, ProblemType::kBadRequest,
                 doc.errors.empty() ? "not an X12 interchange" : doc.errors[0].ToString()));
    return;
  }
  // The node's inbox uses it (and answers with our 997) at its next pass, as any file.
  std::string name = "http-" + ids_.Next("x12") + ".x12";
  if (Status st = folder->second->Receive(name, ctx->request.body); !st.ok()) {
    // The folder's path stays in the log, not in the answer.
    log_.Warn("an X12 interchange could not be kept",
              {{"trace_id", ctx->trace.trace_id}, {"node", node}, {"error", st.message()}});
    HttpResponse r = Fail(*ctx, ProblemType::kUnavailable,
                          "the interchange could not be written to the node's folder; retry");
    r.headers["Retry-After"] = "5";
    respond(std::move(r));
    return;
  }
  JsonWriter w;
  w.StartObject()
      .Field("accepted", name)
      .Field("interchanges", static_cast<int64_t>(doc.interchanges.size()));
  w.EndObject();
  respond(HttpResponse::Json(202, w.Take()));
}

void Api::StoreInventory(std::shared_ptr<RequestContext> ctx, const std::string& node,
                         std::string_view body, const std::string& pointer_prefix,
                         Respond respond) {
  FieldErrors errors;
  auto doc = json_reader::Parse(body, options_.max_json_depth, errors);
  if (!doc) {
    respond(Fail(*ctx, ProblemType::kMalformedJson, errors[0].detail));
    return;
  }
  json_reader::Reader r(errors);
  auto levels = std::make_shared<std::vector<InventoryLevel>>();
  TimePoint now = clock_.Now();
  bool has_levels = false, too_many = false;
  r.ForEachField(*doc, "", [&](std::string_view k, json_reader::element v, const std::string& p) {
    if (k != "levels") return false;
    has_levels = true;
    r.ForEachItem(v, p, [&](json_reader::element item, const std::string& ip) {
      if (levels->size() >= kMaxInventoryLevels) {
        if (!too_many) r.Error(p, "has more than 10000 levels");
        too_many = true;
        return;
      }
      InventoryLevel l;
      l.node = node;
      l.updated_at = now;
      std::optional<TimePoint> as_of;
      std::vector<std::string_view> seen;
      r.ForEachField(item, ip,
                     [&](std::string_view f, json_reader::element fv, const std::string& fp) {
                       seen.push_back(f);
                       if (f == "sku")
                         r.String(fv, fp, l.sku);
                       else if (f == "on_hand")
                         r.Int(fv, fp, l.on_hand);
                       else if (f == "as_of")
                         r.Time(fv, fp, as_of);
                       else
                         return false;
                       return true;
                     });
      r.Require(ip, {"sku", "on_hand", "as_of"}, seen);
      if (as_of) l.as_of = *as_of;
      // A count from the future would make every real report after it look stale.
      if (as_of && *as_of > now + kMaxClockSkew) {
        r.Error(ip + "/as_of", "is in the future (more than 5 minutes ahead of this server)");
      }
      if (l.sku.size() > 64) r.Error(ip + "/sku", "is longer than 64 bytes");
      // Counts stay far from the integer limits the ledger's sums work in.
      if (l.on_hand < -1'000'000'000'000 || l.on_hand > 1'000'000'000'000) {
        r.Error(ip + "/on_hand", "must be between -1000000000000 and 1000000000000");
      }
      levels->push_back(std::move(l));
    });
    return true;
  });
  if (!has_levels) r.Error("/levels", "is required");
  if (!errors.empty()) {
    for (auto& e : errors) e.pointer = pointer_prefix + e.pointer;
    respond(Fail(*ctx, ProblemType::kValidation, "invalid inventory report", std::move(errors)));
    return;
  }
  StoreLevels(std::move(ctx), std::move(levels), std::move(respond));
}

void Api::StoreLevels(std::shared_ptr<RequestContext> ctx,
                      std::shared_ptr<std::vector<InventoryLevel>> levels, Respond respond) {
  auto applied = std::make_shared<int64_t>(0);
  store_.Write(
      [levels, applied](WriteTx& tx) -> Status {
        *applied = 0;
        for (const auto& l : *levels) {
          auto ok = tx.PutInventoryLevel(l);
          if (!ok.ok()) return ok.status();
          *applied += *ok ? 1 : 0;
        }
        return Status::Ok();
      },
      [this, ctx, levels, applied, respond = std::move(respond)](Status st) {
        if (!st.ok()) {
          respond(FromStatus(*ctx, st));
          return;
        }
        // Stock arrived: backordered orders may route now (they are not part of this answer),
        // and channels selling these SKUs get their new availability.
        if (*applied > 0) {
          std::vector<std::string> skus;
          TimePoint oldest = levels->front().as_of;
          for (const auto& l : *levels) {
            skus.push_back(l.sku);
            oldest = std::min(oldest, l.as_of);
          }
          flow_.StockReported(skus, oldest);
        }
        JsonWriter w;
        w.StartObject();
        w.Field("applied", *applied);
        // Reports older than what is stored for the same SKU and node change nothing.
        w.Field("stale", static_cast<int64_t>(levels->size()) - *applied);
        w.EndObject();
        respond(HttpResponse::Json(200, w.Take()));
      });
}

void Api::PostReturn(std::shared_ptr<RequestContext> ctx, Respond respond) {
  auto key = RequiredIdempotencyKey(*ctx, respond);
  if (!key) return;
  // {"order_id", "lines": [{"line_id", "quantity", "reason"}], "notes"}; server-owned
  // properties (id, status, partner, created_at) are refused like any unknown one.
  FieldErrors errors;
  auto doc = json_reader::Parse(ctx->request.body, options_.max_json_depth, errors);
  if (!doc) {
    respond(Fail(*ctx, ProblemType::kMalformedJson, errors[0].detail));
    return;
  }
  json_reader::Reader r(errors);
  std::string order_id, notes;
  std::vector<ReturnLineRequest> lines;
  std::vector<std::string_view> seen;
  r.ForEachField(*doc, "", [&](std::string_view k, json_reader::element v, const std::string& p) {
    seen.push_back(k);
    if (k == "order_id") {
      r.String(v, p, order_id);
    } else if (k == "notes") {
      r.String(v, p, notes);
      if (notes.size() > 2000) r.Error(p, "is longer than 2000 bytes");
    } else if (k == "lines") {
      r.ForEachItem(v, p, [&](json_reader::element item, const std::string& ip) {
        ReturnLineRequest l;
        std::vector<std::string_view> line_seen;
        r.ForEachField(item, ip,
                       [&](std::string_view f, json_reader::element fv, const std::string& fp) {
                         line_seen.push_back(f);
                         if (f == "line_id")
                           r.String(fv, fp, l.line_id);
                         else if (f == "quantity")
                           r.Int(fv, fp, l.quantity);
                         else if (f == "reason")
                           r.String(fv, fp, l.reason);
                         else
                           return false;
                         return true;
                       });
        r.Require(ip, {"line_id", "quantity", "reason"}, line_seen);
        if (l.quantity < 1) r.Error(ip + "/quantity", "must be at least 1");
        lines.push_back(std::move(l));
      });
      if (lines.empty()) r.Error(p, "must have at least one line");
      if (lines.size() > kMaxReturnLines) r.Error(p, "has more than 1000 lines");
    } else {
      return false;  // unknown or server-owned: reported with its pointer
    }
    return true;
  });
  r.Require("", {"order_id", "lines"}, seen);
  if (!errors.empty()) {
    respond(DecodeFailure(*ctx, "return request", false, std::move(errors)));
    return;
  }
  // Who may see the order may return from it; what may come back is the flow's decision.
  if (!VisibleOrder(*ctx, order_id, respond)) return;
  if (!AcquireIdempotencyKey(*ctx, *key, respond)) return;
  ReturnRequest req{order_id,
                    std::move(lines),
                    std::move(notes),
                    ctx->partner->id,
                    *key,
                    IdempotencyRequestHash("POST", ctx->request.path, ctx->request.body),
                    ctx->trace};
  flow_.InitiateReturn(std::move(req), [this, ctx, order_id, key = *key,
                                        respond = std::move(respond)](Result<ReturnOutcome> r) {
    in_flight_.Release(ctx->partner->id, key);
    if (!r.ok()) {
      respond(FromStatus(*ctx, r.status()));
      return;
    }
    using Kind = ReturnOutcome::Kind;
    switch (r->kind) {
      case Kind::kCreated:
      case Kind::kReplayed: {
        HttpResponse resp = HttpResponse::Json(r->response.status, r->response.body);
        resp.headers["Location"] = r->response.location;
        if (r->kind == Kind::kReplayed) resp.headers["Idempotent-Replayed"] = "true";
        respond(std::move(resp));
        return;
      }
      case Kind::kKeyReused:
        respond(Fail(*ctx, ProblemType::kIdempotencyKeyReused,
                     "this Idempotency-Key was first used with a different body"));
        return;
      case Kind::kRejected:
        respond(DecodeFailure(*ctx, "return request", false, std::move(r->errors)));
        return;
      case Kind::kNotFound:
        respond(Fail(*ctx, ProblemType::kNotFound, "no order " + order_id));
        return;
    }
  });
}

void Api::GetReturn(std::shared_ptr<RequestContext> ctx, Respond respond) {
  const std::string& id = ctx->route.params["id"];
  auto rec = store_.GetReturn(id);
  if (!rec.ok()) {
    respond(FromStatus(*ctx, rec.status()));
    return;
  }
  if (!rec->has_value() || !ctx->partner->MaySee((*rec)->parties)) {
    respond(Fail(*ctx, ProblemType::kNotFound, "no return " + id));
    return;
  }
  // The stored request, with its progress from the order's flow (received, credited).
  std::string body = (*rec)->body;
  auto order = store_.GetOrder((*rec)->order_id);
  if (order.ok() && order->has_value()) {
    auto flow = DecodeFlowState((**order).flow_state);
    if (flow.ok()) {
      auto it = flow->returns.find(id);
      if (it != flow->returns.end()) body = WithProgress(body, it->second);
    }
  }
  respond(HttpResponse::Json(200, body));
}

}  // namespace crossdock
