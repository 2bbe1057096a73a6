#include "flows/order_flow.h"

#include "codecs/json_reader.h"
#include "flows/order_state.h"

namespace crossdock {

namespace {

double Seconds(TimePoint a, TimePoint b) {
  return std::chrono::duration<double>(b - a).count();
}

// Pulls "node_ref" (or "id") out of a node's JSON answer; empty when absent or not JSON.
std::string NodeRefFrom(std::string_view body) {
  FieldErrors errors;
  auto doc = json_reader::Parse(body, 16, errors);
  if (!doc) return "";
  std::string_view ref;
  if (!(*doc)["node_ref"].get_string().get(ref)) return std::string(ref);
  if (!(*doc)["id"].get_string().get(ref)) return std::string(ref);
  return "";
}

std::string NodeOf(const OutboxItem& item) {
  constexpr std::string_view kPrefix = "node:";
  std::string_view d = item.destination;
  return d.substr(0, kPrefix.size()) == kPrefix ? std::string(d.substr(kPrefix.size()))
                                                : std::string(d);
}

}  // namespace

OrderFlow::OrderFlow(Store& store, const Clock& clock, IdGenerator& ids, MetricsRegistry& metrics,
                     OrderFlowOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      received_(metrics.GetCounter("crossdock_orders_received_total", "Orders accepted at intake.")),
      dispatched_(metrics.GetCounter("crossdock_orders_dispatched_total",
                                     "Orders acknowledged by their node.")),
      shipped_(metrics.GetCounter("crossdock_orders_shipped_total", "Orders fully shipped.")),
      dead_lettered_(metrics.GetCounter("crossdock_dispatch_dead_lettered_total",
                                        "Dispatch commands dead-lettered.")),
      release_latency_(metrics.GetHistogram(
          "crossdock_order_release_latency_seconds",
          "Order release latency: intake committed until the node acknowledged the order.")),
      ship_latency_(metrics.GetHistogram(
          "crossdock_order_ship_latency_seconds",
          "Intake committed until the order was fully shipped.", "",
          {0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600, 86400})) {}

Result<std::optional<OrderAggregate>> OrderFlow::Load(WriteTx& tx, const std::string& order_id) {
  auto rec = tx.GetOrder(order_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return std::optional<OrderAggregate>();
  auto flow = DecodeFlowState((*rec)->flow_state);
  if (!flow.ok()) return flow.status();
  return std::optional<OrderAggregate>(OrderAggregate{(*rec)->order, std::move(*flow)});
}

Status OrderFlow::Persist(WriteTx& tx, const std::optional<OrderRecord>& before,
                          Decision& d, const std::string& traceparent,
                          const std::string& trace_id) {
  TimePoint now = clock_.Now();
  OrderRecord rec;
  rec.order = d.next.order;
  rec.flow_state = EncodeFlowState(d.next.flow);
  if (before) {
    rec.version = before->version;
    CROSSDOCK_RETURN_IF_ERROR(tx.UpdateOrder(rec));
  } else {
    CROSSDOCK_RETURN_IF_ERROR(tx.InsertOrder(rec));
  }
  for (const auto& e : d.events) {
    HistoryEntry h{0, now, e.type, e.data, trace_id};
    CROSSDOCK_RETURN_IF_ERROR(tx.AppendHistory(rec.order.id, h));
    EventRecord ev{0, ids_.Next("evt"), options_.event_source, "dev.crossdock." + e.type + ".v1",
                   rec.order.id, now, e.data, traceparent};
    CROSSDOCK_RETURN_IF_ERROR(tx.AppendEvent(ev));
  }
  for (const auto& c : d.commands) {
    OutboxItem item;
    item.aggregate_type = "order";
    item.aggregate_id = rec.order.id;
    item.type = kDispatchType;
    item.destination = "node:" + c.node;
    item.idempotency_key = c.idempotency_key;
    item.payload = c.payload;
    item.traceparent = traceparent;
    item.created_at = item.next_attempt_at = now;
    CROSSDOCK_RETURN_IF_ERROR(tx.EnqueueOutbox(item));
  }
  return Status::Ok();
}

void OrderFlow::CountTransition(const std::optional<OrderAggregate>& before, const Decision& d) {
  const OrderFlowState& f = d.next.flow;
  if (!before) received_.Inc();
  if (f.dispatched_at && (!before || !before->flow.dispatched_at)) {
    dispatched_.Inc();
    if (f.received_at) release_latency_.Observe(Seconds(*f.received_at, *f.dispatched_at));
  }
  if (f.shipped_at && (!before || !before->flow.shipped_at)) {
    shipped_.Inc();
    if (f.received_at) ship_latency_.Observe(Seconds(*f.received_at, *f.shipped_at));
  }
}

void OrderFlow::Submit(SubmitRequest req, Renderer render,
                       std::function<void(Result<SubmitOutcome>)> done) {
  struct Shared {
    SubmitRequest req;
    Renderer render;
    SubmitOutcome outcome;
    bool rolled_back_on_purpose = false;
    std::optional<Decision> decision;
  };
  auto sh = std::make_shared<Shared>(Shared{std::move(req), std::move(render), {}, false, {}});
  store_.Write(
      [this, sh](WriteTx& tx) -> Status {
        SubmitRequest& req = sh->req;
        auto existing = tx.GetIdempotency(req.partner, req.idempotency_key);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          const IdempotencyRecord& rec = **existing;
          if (rec.request_hash != req.request_hash) {
            sh->outcome.kind = SubmitOutcome::Kind::kKeyReused;
          } else {
            sh->outcome.kind = SubmitOutcome::Kind::kReplayed;
            sh->outcome.response = {rec.status_code, rec.response_body, rec.location};
          }
          return Status::Ok();
        }
        auto dup = tx.FindOrderByExternalRef(req.order.channel, req.order.external_ref);
        if (!dup.ok()) return dup.status();
        if (dup->has_value()) {
          sh->outcome.kind = SubmitOutcome::Kind::kDuplicateExternalRef;
          sh->outcome.order_id = **dup;
          return Status::Ok();
        }
        Order order = req.order;
        order.id = ids_.Next("ord");
        order.partner = req.partner;
        auto result = Decide(std::nullopt, SubmitOrder{order}, clock_.Now(), options_.routing);
        if (auto* rej = std::get_if<Rejection>(&result)) {
          sh->outcome.kind = SubmitOutcome::Kind::kRejected;
          sh->outcome.rejection = *rej;
          return Status::Ok();  // nothing written
        }
        Decision& d = std::get<Decision>(result);
        CROSSDOCK_RETURN_IF_ERROR(Persist(tx, std::nullopt, d, req.trace.ToTraceparent(),
                                          req.trace.trace_id));
        StoredResponse resp = sh->render(d.next.order);
        CROSSDOCK_RETURN_IF_ERROR(tx.PutIdempotency({req.partner, req.idempotency_key,
                                                     req.request_hash, resp.status, resp.body,
                                                     resp.location, clock_.Now()}));
        sh->outcome.kind = SubmitOutcome::Kind::kCreated;
        sh->outcome.response = std::move(resp);
        sh->outcome.order_id = d.next.order.id;
        sh->decision = std::move(d);
        return Status::Ok();
      },
      [this, sh, done = std::move(done)](Status st) {
        if (!st.ok()) {
          done(st);
          return;
        }
        if (sh->decision) {
          CountTransition(std::nullopt, *sh->decision);
          if (options_.on_committed) options_.on_committed();
        }
        done(std::move(sh->outcome));
      });
}

void OrderFlow::ApplyShipment(const std::string& node, Shipment shipment, TraceContext trace,
                              std::function<void(Result<ShipmentOutcome>)> done) {
  struct Shared {
    Shipment shipment;
    TraceContext trace;
    ShipmentOutcome outcome;
    std::optional<OrderAggregate> before;
    std::optional<Decision> decision;
  };
  shipment.node = node;
  auto sh = std::make_shared<Shared>(Shared{std::move(shipment), std::move(trace), {}, {}, {}});
  store_.Write(
      [this, sh](WriteTx& tx) -> Status {
        Shipment& s = sh->shipment;
        sh->outcome.order_id = s.order_id;
        auto first = tx.MarkInboundSeen("node:" + s.node, s.partner_event_id, clock_.Now());
        if (!first.ok()) return first.status();
        if (!*first) {
          sh->outcome.duplicate = true;
          return Status::Ok();
        }
        auto rec = tx.GetOrder(s.order_id);
        if (!rec.ok()) return rec.status();
        auto current = Load(tx, s.order_id);
        if (!current.ok()) return current.status();
        s.id = ids_.Next("shp");
        auto result = Decide(*current, ShipmentConfirmed{s}, clock_.Now(), options_.routing);
        if (auto* rej = std::get_if<Rejection>(&result)) {
          sh->outcome.rejection = *rej;
          // Roll back the dedup mark too: a corrected resend must be applied.
          return rej->status;
        }
        Decision& d = std::get<Decision>(result);
        CROSSDOCK_RETURN_IF_ERROR(
            Persist(tx, *rec, d, sh->trace.ToTraceparent(), sh->trace.trace_id));
        sh->outcome.status = OrderStatusName(*d.next.order.status);
        sh->before = *current;
        sh->decision = std::move(d);
        return Status::Ok();
      },
      [this, sh, done = std::move(done)](Status st) {
        if (sh->outcome.rejection) {
          done(std::move(sh->outcome));
          return;
        }
        if (!st.ok()) {
          done(st);
          return;
        }
        if (sh->decision) {
          CountTransition(sh->before, *sh->decision);
          if (options_.on_committed) options_.on_committed();
        }
        done(std::move(sh->outcome));
      });
}

Status OrderFlow::OnDelivered(WriteTx& tx, const OutboxItem& item, std::string_view body) {
  if (item.type != kDispatchType) return Status::Ok();
  auto rec = tx.GetOrder(item.aggregate_id);
  if (!rec.ok()) return rec.status();
  auto current = Load(tx, item.aggregate_id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return Internal("outbox item for missing order " + item.aggregate_id);
  auto result = Decide(*current, DispatchAcknowledged{NodeOf(item), NodeRefFrom(body)},
                       clock_.Now(), options_.routing);
  if (auto* rej = std::get_if<Rejection>(&result)) return rej->status;
  Decision& d = std::get<Decision>(result);
  if (d.events.empty()) return Status::Ok();
  std::string trace_id;
  if (auto tc = ParseTraceparent(item.traceparent)) trace_id = tc->trace_id;
  CROSSDOCK_RETURN_IF_ERROR(Persist(tx, *rec, d, item.traceparent, trace_id));
  CountTransition(*current, d);  // counted before commit: a failed commit over-counts, rarely
  return Status::Ok();
}

Status OrderFlow::OnDeadLettered(WriteTx& tx, const OutboxItem& item, const std::string& error) {
  if (item.type != kDispatchType) return Status::Ok();
  auto rec = tx.GetOrder(item.aggregate_id);
  if (!rec.ok()) return rec.status();
  auto current = Load(tx, item.aggregate_id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return Status::Ok();
  auto result = Decide(*current, DispatchDeadLettered{NodeOf(item), error}, clock_.Now(),
                       options_.routing);
  if (auto* rej = std::get_if<Rejection>(&result)) return rej->status;
  Decision& d = std::get<Decision>(result);
  std::string trace_id;
  if (auto tc = ParseTraceparent(item.traceparent)) trace_id = tc->trace_id;
  dead_lettered_.Inc();
  return Persist(tx, *rec, d, item.traceparent, trace_id);
}

}  // namespace crossdock
