#include "flows/order_flow.h"

#include <algorithm>
#include <mutex>

#include "codecs/json_reader.h"
#include "flows/availability.h"
#include "flows/command_answers.h"
#include "flows/order_state.h"
#include "flows/stock_changes.h"

namespace crossdock {

namespace {

double Seconds(TimePoint a, TimePoint b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

OrderFlow::OrderFlow(Store& store, const Clock& clock, IdGenerator& ids, MetricsRegistry& metrics,
                     OrderFlowOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      received_(
          metrics.GetCounter("crossdock_orders_received_total", "Orders accepted at intake.")),
      dispatched_(metrics.GetCounter("crossdock_orders_dispatched_total",
                                     "Orders acknowledged by their node.")),
      shipped_(metrics.GetCounter("crossdock_orders_shipped_total", "Orders fully shipped.")),
      dead_lettered_(metrics.GetCounter("crossdock_dispatch_dead_lettered_total",
                                        "Dispatch commands dead-lettered.")),
      release_latency_(metrics.GetHistogram(
          "crossdock_order_release_latency_seconds",
          "Order release latency: intake committed until the node acknowledged the order.")),
      ship_latency_(metrics.GetHistogram("crossdock_order_ship_latency_seconds",
                                         "Intake committed until the order was fully shipped.", "",
                                         {0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600, 86400})) {}

Result<OrderFlow::LoadedOrder> OrderFlow::Load(WriteTx& tx, const std::string& order_id) {
  auto rec = tx.GetOrder(order_id);
  if (!rec.ok()) return rec.status();
  LoadedOrder out;
  if (!rec->has_value()) return out;
  auto flow = DecodeFlowState((*rec)->flow_state);
  if (!flow.ok()) return flow.status();
  out.aggregate = OrderAggregate{(*rec)->order, std::move(*flow)};
  out.record = std::move(**rec);
  return out;
}

OrderFlow::PreparedWrite OrderFlow::Prepare(const std::optional<OrderRecord>& before,
                                            const std::optional<OrderAggregate>& before_aggregate,
                                            const Decision& d, const std::string& traceparent,
                                            const std::string& trace_id) {
  TimePoint now = clock_.Now();
  PreparedWrite w;
  w.stock = StockChanges(before_aggregate, d.next, now);
  w.insert = !before.has_value();
  w.record.order = d.next.order;
  w.record.flow_state = EncodeFlowState(d.next.flow);
  if (d.next.flow.exception) w.record.exception_since = d.next.flow.exception->since;
  w.record.version = before ? before->version : 0;
  // Who may see the order: its submitter and the nodes it is allocated to.
  w.record.parties = {d.next.order.partner};
  for (const auto& a : d.next.flow.allocations) {
    if (a.node != d.next.order.partner) w.record.parties.push_back(a.node);
  }
  // A dispatch of the whole order carries its canonical JSON: encode it once for both. (A
  // split's dispatches carry only their lines.)
  const auto& allocations = d.next.flow.allocations;
  if (allocations.size() == 1 && allocations[0].lines.empty()) {
    for (const auto& c : d.commands) {
      if (c.type == command::kDispatch) w.record.order_json = c.payload;
    }
  }
  int64_t seq = 0;  // a new order's history starts at 1; updates append after the last entry
  for (const auto& e : d.events) {
    w.history.push_back(HistoryEntry{before ? 0 : ++seq, now, e.type, e.data, trace_id});
    w.events.push_back(EventRecord{0, ids_.Next("evt"), options_.event_source,
                                   "dev.crossdock." + e.type + ".v1", w.record.order.id, now,
                                   e.data, traceparent});
  }
  for (const auto& c : d.commands) {
    OutboxItem item;
    item.aggregate_type = "order";
    // The store hands out one open item per aggregate id at a time: the sequence.
    item.aggregate_id = SequenceId(w.record.order.id, c.sequence);
    item.type = c.type;
    item.destination = c.destination;
    item.idempotency_key = c.idempotency_key;
    item.payload = c.payload;
    item.traceparent = traceparent;
    item.created_at = now;
    item.next_attempt_at = c.not_before.value_or(now);
    w.outbox.push_back(std::move(item));
  }
  return w;
}

Status OrderFlow::Apply(WriteTx& tx, PreparedWrite& w) {
  if (w.insert) {
    CROSSDOCK_RETURN_IF_ERROR(tx.InsertOrder(w.record));
  } else {
    CROSSDOCK_RETURN_IF_ERROR(tx.UpdateOrder(w.record));
  }
  for (auto& h : w.history) CROSSDOCK_RETURN_IF_ERROR(tx.AppendHistory(w.record.order.id, h));
  for (auto& e : w.events) CROSSDOCK_RETURN_IF_ERROR(tx.AppendEvent(e));
  for (auto& o : w.outbox) CROSSDOCK_RETURN_IF_ERROR(tx.EnqueueOutbox(o));
  for (const auto& c : w.stock) CROSSDOCK_RETURN_IF_ERROR(tx.ApplyStock(c));
  return Status::Ok();
}

Status OrderFlow::Persist(WriteTx& tx, const LoadedOrder& before, Decision& d,
                          const std::string& traceparent, const std::string& trace_id,
                          StockSkus* stock) {
  PreparedWrite w = Prepare(before.record, before.aggregate, d, traceparent, trace_id);
  if (stock) {
    for (const auto& c : w.stock) stock->insert(c.sku);
  }
  return Apply(tx, w);
}

void OrderFlow::NotifyStock(const StockSkus& skus) {
  if (!options_.on_stock_changed || skus.empty()) return;
  options_.on_stock_changed({skus.begin(), skus.end()}, clock_.Now());
}

void OrderFlow::AfterCommit(const OutboxItem& item, bool committed) {
  StockSkus skus;
  {
    std::lock_guard lock(stock_mu_);
    auto it = stock_by_item_.find(item.id);
    if (it == stock_by_item_.end()) return;
    skus = std::move(it->second);
    stock_by_item_.erase(it);
  }
  if (committed) NotifyStock(skus);
}

bool OrderFlow::Overbooks(WriteTx& tx, const std::vector<StockChange>& changes,
                          const std::string& channel, Status& error) {
  const RoutingPolicy& routing = options_.policy.routing;
  if (!routing.require_stock) return false;  // stock is not a constraint
  auto policy = routing.channels.find(channel);
  const ChannelStock* own = policy == routing.channels.end() ? nullptr : &policy->second;
  std::map<std::string, std::map<std::string, int64_t>> wanted;  // SKU → node → units
  for (const auto& c : changes) {
    if (c.kind == StockChange::Kind::kReserve) wanted[c.sku][c.node] += c.quantity;
  }
  for (const auto& [sku, at] : wanted) {
    auto levels = tx.GetInventory(sku);
    if (!levels.ok()) {
      error = levels.status();
      return true;
    }
    for (const auto& [node, qty] : at) {
      int64_t available = 0;
      for (const auto& l : *levels) {
        if (l.node == node) available = l.available();
      }
      if (available < qty) return true;
    }
    // The channel's safety stock is not to be reached into, whichever nodes reserve.
    if (own) {
      int64_t total = 0;
      for (const auto& [node, qty] : at) total += qty;
      if (AvailableToPromise(*levels, own->nodes.empty() ? nullptr : &own->nodes,
                             own->safety_stock) < total)
        return true;
    }
  }
  return false;
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

Result<bool> OrderFlow::KnownKey(WriteTx& tx, const SubmitRequest& req, SubmitOutcome& outcome) {
  auto existing = tx.GetIdempotency(req.partner, req.idempotency_key);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return false;
  const IdempotencyRecord& rec = **existing;
  outcome.rejection = Rejection{};
  if (rec.request_hash != req.request_hash) {
    outcome.kind = SubmitOutcome::Kind::kKeyReused;
  } else {
    outcome.kind = SubmitOutcome::Kind::kReplayed;
    outcome.response = {rec.status_code, rec.response_body, rec.location};
  }
  return true;
}

void OrderFlow::Submit(SubmitRequest req, Renderer render,
                       std::function<void(Result<SubmitOutcome>)> done) {
  // Decide and encode on the caller's thread; the store's writer thread only checks the keys
  // and inserts. If the key turns out to be a replay, this work is simply dropped.
  Order order = req.order;
  order.id = ids_.Next("ord");
  order.partner = req.partner;
  Order submitted = order;
  auto result = Decide(std::nullopt, SubmitOrder{std::move(order), {}});
  struct Shared {
    SubmitRequest req;
    Order order;  // as submitted (id and partner set), for a second decision
    SubmitOutcome outcome;
    std::optional<Decision> decision;
    PreparedWrite write;
    StoredResponse response;
    bool created = false;
  };
  auto sh = std::make_shared<Shared>();
  sh->req = std::move(req);
  if (auto* rej = std::get_if<Rejection>(&result)) {
    // Refused, unless the key is known (a retry of a request that was taken, whose order now
    // holds the stock this decision found missing): nothing is stored, the key stays free.
    sh->outcome.kind = SubmitOutcome::Kind::kRejected;
    sh->outcome.rejection = *rej;
    store_.Write(
        [this, sh](WriteTx& tx) -> Status {
          auto known = KnownKey(tx, sh->req, sh->outcome);
          return known.ok() ? Status::Ok() : known.status();
        },
        [sh, done = std::move(done)](Status st) {
          if (!st.ok()) {
            done(st);
            return;
          }
          done(std::move(sh->outcome));
        });
    return;
  }
  sh->decision = std::move(std::get<Decision>(result));
  sh->order = std::move(submitted);
  sh->write = Prepare(std::nullopt, std::nullopt, *sh->decision, sh->req.trace.ToTraceparent(),
                      sh->req.trace.trace_id);
  sh->response = render(sh->decision->next.order, sh->write.record.order_json);
  store_.Write(
      [this, sh, render](WriteTx& tx) -> Status {
        SubmitRequest& req = sh->req;
        // Decided on stock as last committed: an order committed since (in this group, say)
        // may have reserved the same units. Then decide again on the stock this transaction
        // sees, so no two orders reserve the last units.
        Status read;
        if (Overbooks(tx, sh->write.stock, sh->order.channel, read)) {
          CROSSDOCK_RETURN_IF_ERROR(read);
          // A retry of a request that was taken: its answer stands.
          auto known = KnownKey(tx, req, sh->outcome);
          if (!known.ok()) return known.status();
          if (*known) return Status::Ok();
          auto again = Decide(std::nullopt, SubmitOrder{sh->order, {}}, &tx);
          if (auto* rej = std::get_if<Rejection>(&again)) {
            sh->outcome.kind = SubmitOutcome::Kind::kRejected;
            sh->outcome.rejection = *rej;
            return Status::Ok();  // nothing written; the key stays free
          }
          sh->decision = std::move(std::get<Decision>(again));
          sh->write = Prepare(std::nullopt, std::nullopt, *sh->decision, req.trace.ToTraceparent(),
                              req.trace.trace_id);
          sh->response = render(sh->decision->next.order, sh->write.record.order_json);
        }
        const StoredResponse& resp = sh->response;
        // The common case costs no lookups: claim the key, then insert the order (its
        // (channel, external_ref) is unique). A conflict on either is rare and looked up then.
        Status claimed = tx.PutIdempotency({req.partner, req.idempotency_key, req.request_hash,
                                            resp.status, resp.body, resp.location, clock_.Now()});
        if (claimed.code() == StatusCode::kAlreadyExists) {
          auto known = KnownKey(tx, req, sh->outcome);
          if (!known.ok()) return known.status();
          return *known ? Status::Ok() : Internal("idempotency key vanished");
        }
        CROSSDOCK_RETURN_IF_ERROR(claimed);
        Status applied = Apply(tx, sh->write);
        if (applied.code() == StatusCode::kAlreadyExists) {
          auto dup = tx.FindOrderByExternalRef(req.order.channel, req.order.external_ref);
          if (!dup.ok()) return dup.status();
          if (!dup->has_value()) return applied;  // some other uniqueness: a real error
          sh->outcome.kind = SubmitOutcome::Kind::kDuplicateExternalRef;
          sh->outcome.order_id = **dup;
          // Roll back the claimed key: the request did not create anything.
          return Status(StatusCode::kAlreadyExists, "duplicate external_ref");
        }
        CROSSDOCK_RETURN_IF_ERROR(applied);
        sh->created = true;
        return Status::Ok();
      },
      [this, sh, done = std::move(done)](Status st) {
        if (sh->outcome.kind == SubmitOutcome::Kind::kDuplicateExternalRef ||
            sh->outcome.kind == SubmitOutcome::Kind::kRejected) {
          done(std::move(sh->outcome));  // the job rolled itself back on purpose
          return;
        }
        if (!st.ok()) {
          done(st);
          return;
        }
        if (sh->created) {
          sh->outcome.kind = SubmitOutcome::Kind::kCreated;
          sh->outcome.response = std::move(sh->response);
          sh->outcome.order_id = sh->decision->next.order.id;
          CountTransition(std::nullopt, *sh->decision);
          if (options_.on_committed) options_.on_committed();
          StockSkus skus;
          for (const auto& c : sh->write.stock) skus.insert(c.sku);
          NotifyStock(skus);
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
    StockSkus stock;
  };
  shipment.node = node;
  auto sh = std::make_shared<Shared>(Shared{std::move(shipment), std::move(trace), {}, {}, {}, {}});
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
        auto loaded = Load(tx, s.order_id);
        if (!loaded.ok()) return loaded.status();
        s.id = ids_.Next("shp");
        auto result = Decide(loaded->aggregate, ShipmentConfirmed{s}, &tx);
        if (auto* rej = std::get_if<Rejection>(&result)) {
          sh->outcome.rejection = *rej;
          // Roll back the dedup mark too: a corrected resend must be applied.
          return rej->status;
        }
        Decision& d = std::get<Decision>(result);
        sh->stock.clear();
        CROSSDOCK_RETURN_IF_ERROR(
            Persist(tx, *loaded, d, sh->trace.ToTraceparent(), sh->trace.trace_id, &sh->stock));
        sh->outcome.status = OrderStatusName(*d.next.order.status);
        sh->before = loaded->aggregate;
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
          NotifyStock(sh->stock);
        }
        done(std::move(sh->outcome));
      });
}

void OrderFlow::RequestCancel(const std::string& order_id, CancelRequested request,
                              TraceContext trace, std::function<void(Result<CancelOutcome>)> done) {
  struct Shared {
    CancelRequested request;
    TraceContext trace;
    CancelOutcome outcome;
    StockSkus stock;
  };
  auto sh = std::make_shared<Shared>(Shared{std::move(request), std::move(trace), {}, {}});
  store_.Write(
      [this, sh, order_id](WriteTx& tx) -> Status {
        sh->outcome = CancelOutcome{};
        auto loaded = Load(tx, order_id);
        if (!loaded.ok()) return loaded.status();
        auto result = Decide(loaded->aggregate, sh->request, &tx);
        if (auto* rej = std::get_if<Rejection>(&result)) {
          sh->outcome.rejection = *rej;
          return Status::Ok();  // nothing written
        }
        Decision& d = std::get<Decision>(result);
        sh->outcome.already_requested = d.events.empty();
        sh->outcome.status = OrderStatusName(*d.next.order.status);
        if (d.next.flow.cancel_requested_at) {
          sh->outcome.requested_at = *d.next.flow.cancel_requested_at;
        }
        if (sh->outcome.already_requested) return Status::Ok();
        sh->stock.clear();
        return Persist(tx, *loaded, d, sh->trace.ToTraceparent(), sh->trace.trace_id, &sh->stock);
      },
      [this, sh, done = std::move(done)](Status st) {
        if (!st.ok()) {
          done(st);
          return;
        }
        NotifyStock(sh->stock);
        if (!sh->outcome.already_requested && !sh->outcome.rejection && options_.on_committed) {
          options_.on_committed();
        }
        done(std::move(sh->outcome));
      });
}

void OrderFlow::InitiateReturn(ReturnRequest request,
                               std::function<void(Result<ReturnOutcome>)> done) {
  struct Shared {
    ReturnRequest request;
    std::string return_id, event_id;
    ReturnOutcome outcome;
  };
  auto sh =
      std::make_shared<Shared>(Shared{std::move(request), ids_.Next("ret"), ids_.Next("evt"), {}});
  store_.Write(
      [this, sh](WriteTx& tx) -> Status {
        const ReturnRequest& req = sh->request;
        ReturnOutcome& out = sh->outcome;
        out = ReturnOutcome{};
        auto prior = tx.GetIdempotency(req.partner, req.idempotency_key);
        if (!prior.ok()) return prior.status();
        if (prior->has_value()) {
          const IdempotencyRecord& p = **prior;
          out.kind = p.request_hash == req.request_hash ? ReturnOutcome::Kind::kReplayed
                                                        : ReturnOutcome::Kind::kKeyReused;
          out.response = {p.status_code, p.response_body, p.location};
          return Status::Ok();
        }
        auto loaded = Load(tx, req.order_id);
        if (!loaded.ok()) return loaded.status();
        if (!loaded->aggregate) {
          out.kind = ReturnOutcome::Kind::kNotFound;
          return Status::Ok();
        }
        auto earlier = tx.ReturnsForOrder(req.order_id);
        if (!earlier.ok()) return earlier.status();
        std::map<std::string, int64_t> returned;
        for (const auto& r : *earlier) {
          CROSSDOCK_RETURN_IF_ERROR(AddReturnedQuantities(r.body, returned));
        }
        out.errors = CheckReturn(*loaded->aggregate, returned, req.lines);
        if (!out.errors.empty()) {
          out.kind = ReturnOutcome::Kind::kRejected;
          return Status::Ok();  // nothing written
        }
        // The RMA: the return policy authorizes it (or refuses it, writing nothing).
        ReturnRequested rma{sh->return_id, {}};
        for (const auto& l : req.lines) rma.lines.push_back({l.line_id, l.quantity, l.reason});
        auto decided = Decide(loaded->aggregate, rma, &tx);
        if (auto* rej = std::get_if<Rejection>(&decided)) {
          out.kind = ReturnOutcome::Kind::kRejected;
          out.errors = rej->errors;
          return Status::Ok();
        }
        CROSSDOCK_RETURN_IF_ERROR(Persist(tx, *loaded, std::get<Decision>(decided),
                                          req.trace.ToTraceparent(), req.trace.trace_id));
        TimePoint now = clock_.Now();
        ReturnRecord ret{
            sh->return_id,
            req.order_id,
            req.partner,
            loaded->record->parties,
            "authorized",
            now,
            EncodeReturn(sh->return_id, req.order_id, req.partner, now, req.lines, req.notes)};
        if (std::find(ret.parties.begin(), ret.parties.end(), ret.partner) == ret.parties.end()) {
          ret.parties.push_back(ret.partner);  // an operator who opened it sees it too
        }
        out.response = {201, ret.body, "/v1/returns/" + ret.id};
        CROSSDOCK_RETURN_IF_ERROR(tx.InsertReturn(ret));
        CROSSDOCK_RETURN_IF_ERROR(
            tx.PutIdempotency({req.partner, req.idempotency_key, req.request_hash, 201, ret.body,
                               out.response.location, now}));
        HistoryEntry h{0, now, "order.return_requested", ret.body, req.trace.trace_id};
        CROSSDOCK_RETURN_IF_ERROR(tx.AppendHistory(req.order_id, h));
        EventRecord e{0,
                      sh->event_id,
                      "/crossdock/returns",
                      "dev.crossdock.return.requested.v1",
                      req.order_id,
                      now,
                      ret.body,
                      req.trace.ToTraceparent()};
        return tx.AppendEvent(e);
      },
      [this, sh, done = std::move(done)](Status st) {
        if (!st.ok()) {
          done(st);
          return;
        }
        if (sh->outcome.kind == ReturnOutcome::Kind::kCreated && options_.on_committed) {
          options_.on_committed();
        }
        done(std::move(sh->outcome));
      });
}

RoutingFacts OrderFlow::Facts(const Order& order, WriteTx* tx) const {
  // In a write job the stock is the one this transaction sees (available: on hand less
  // reserved), so the provider gives only what is not in the store (node health).
  bool stock_from_tx = tx && options_.policy.routing.require_stock;
  RoutingFacts facts =
      options_.routing_facts ? options_.routing_facts(order, !stock_from_tx) : RoutingFacts{};
  if (!stock_from_tx) return facts;
  for (const auto& l : order.lines) {
    auto levels = tx->GetInventory(l.sku);
    if (!levels.ok()) continue;  // unknown stock counts as none
    for (const auto& level : *levels) facts.on_hand[level.node][l.sku] = level.available();
  }
  return facts;
}

DecideResult OrderFlow::Decide(const std::optional<OrderAggregate>& current, OrderInput input,
                               WriteTx* tx) const {
  // Inputs that lead to routing carry the facts routing needs, as of now; a recorded history
  // keeps them, so a replay routes the same way.
  if (options_.routing_facts || tx) {
    if (auto* submit = std::get_if<SubmitOrder>(&input)) {
      submit->facts = Facts(submit->order, tx);
    } else if (auto* sale = std::get_if<ErpSaleCreated>(&input); sale && current) {
      sale->facts = Facts(current->order, tx);
    } else if (auto* again = std::get_if<Reallocate>(&input); again && current) {
      again->facts = Facts(current->order, tx);
    } else if (auto* release = std::get_if<HoldReleased>(&input); release && current) {
      release->facts = Facts(current->order, tx);
    }
  }
  return crossdock::Decide(current, input, clock_.Now(), options_.policy);
}

void OrderFlow::StockReported(const std::vector<std::string>& skus, TimePoint oldest) {
  RetryBackorders([](Result<int>) {});
  if (options_.on_stock_changed && !skus.empty()) options_.on_stock_changed(skus, oldest);
}

void OrderFlow::RetryBackorders(std::function<void(Result<int>)> done) {
  OrderQuery q;
  q.status = OrderStatusName(OrderStatus::kBackordered);
  q.limit = 500;
  Result<std::vector<OrderRecord>> rows = std::vector<OrderRecord>{};
  while (true) {  // every backordered order, a page at a time
    auto page = store_.ListOrders(q);
    if (!page.ok()) {
      done(page.status());
      return;
    }
    for (auto& r : *page) rows->push_back(std::move(r));
    if (static_cast<int>(page->size()) < q.limit) break;
    q.after_id = rows->back().order.id;
  }
  if (rows->empty()) {
    done(0);
    return;
  }
  struct Count {
    std::mutex mu;
    int pending = 0, allocated = 0;
    Status first_error;
    std::function<void(Result<int>)> done;
  };
  auto count = std::make_shared<Count>();
  count->pending = static_cast<int>(rows->size());
  count->done = std::move(done);
  for (const auto& r : *rows) {
    Act(r.order.id, Reallocate{}, TraceContext{}, [count](Result<ActOutcome> out) {
      std::function<void(Result<int>)> finish;
      Result<int> result = 0;
      {
        std::lock_guard lock(count->mu);
        if (!out.ok() && count->first_error.ok()) count->first_error = out.status();
        if (out.ok() && out->status == OrderStatusName(OrderStatus::kAllocated)) {
          ++count->allocated;
        }
        if (--count->pending > 0) return;
        finish = std::move(count->done);
        result = count->first_error.ok() ? Result<int>(count->allocated)
                                         : Result<int>(count->first_error);
      }
      finish(std::move(result));
    });
  }
}

void OrderFlow::Act(const std::string& order_id, OrderInput input, TraceContext trace,
                    std::function<void(Result<ActOutcome>)> done,
                    std::function<Status(WriteTx&)> also) {
  struct Shared {
    OrderInput input;
    TraceContext trace;
    ActOutcome outcome;
    std::optional<OrderAggregate> before;
    std::optional<Decision> decision;
    StockSkus stock;
  };
  auto sh = std::make_shared<Shared>(Shared{std::move(input), std::move(trace), {}, {}, {}, {}});
  store_.Write(
      [this, sh, order_id, also = std::move(also)](WriteTx& tx) -> Status {
        sh->outcome = ActOutcome{};
        sh->decision.reset();
        auto loaded = Load(tx, order_id);
        if (!loaded.ok()) return loaded.status();
        auto result = Decide(loaded->aggregate, sh->input, &tx);
        if (auto* rej = std::get_if<Rejection>(&result)) {
          sh->outcome.rejection = *rej;
          return Status::Ok();  // nothing written
        }
        Decision& d = std::get<Decision>(result);
        sh->outcome.status = OrderStatusName(*d.next.order.status);
        sh->outcome.changed = !d.events.empty();
        if (!sh->outcome.changed) return Status::Ok();
        sh->stock.clear();
        CROSSDOCK_RETURN_IF_ERROR(
            Persist(tx, *loaded, d, sh->trace.ToTraceparent(), sh->trace.trace_id, &sh->stock));
        // A re-routed order's dead commands to its old node are obsolete: a replay of them
        // would send the order to a node it has left.
        if (const auto* moved = std::get_if<Rerouted>(&sh->input)) {
          for (const auto& old : loaded->aggregate->flow.allocations) {
            if (d.next.flow.AllocationAt(old.node)) continue;
            auto n = tx.DiscardDeadLettersOf(SequenceId(order_id, "node:" + old.node),
                                             "re-routed to " + moved->node);
            if (!n.ok()) return n.status();
          }
        }
        if (also) CROSSDOCK_RETURN_IF_ERROR(also(tx));
        sh->before = loaded->aggregate;
        sh->decision = std::move(d);
        return Status::Ok();
      },
      [this, sh, done = std::move(done)](Status st) {
        if (!st.ok()) {
          done(st);
          return;
        }
        if (sh->decision) {
          CountTransition(sh->before, *sh->decision);
          if (options_.on_committed) options_.on_committed();
          NotifyStock(sh->stock);
        }
        done(std::move(sh->outcome));
      });
}

Status OrderFlow::ReactToOutcome(WriteTx& tx, const OutboxItem& item, const OrderInput& input) {
  std::string order_id = OrderIdOf(item);
  auto loaded = Load(tx, order_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->aggregate) return Internal("outbox item for missing order " + order_id);
  auto result = Decide(loaded->aggregate, input, &tx);
  // The partner's answer is final; if the order cannot take it, sending again would not
  // change that, so the command is still done.
  if (std::holds_alternative<Rejection>(result)) return Status::Ok();
  Decision& d = std::get<Decision>(result);
  if (d.events.empty()) return Status::Ok();
  std::string trace_id;
  if (auto tc = ParseTraceparent(item.traceparent)) trace_id = tc->trace_id;
  StockSkus stock;
  CROSSDOCK_RETURN_IF_ERROR(Persist(tx, *loaded, d, item.traceparent, trace_id, &stock));
  if (!stock.empty() && options_.on_stock_changed) {
    std::lock_guard lock(stock_mu_);
    stock_by_item_[item.id] = std::move(stock);  // notified after the commit (AfterCommit)
  }
  CountTransition(loaded->aggregate, d);  // before commit: a failed commit over-counts, rarely
  return Status::Ok();
}

Status OrderFlow::OnDelivered(WriteTx& tx, const OutboxItem& item, std::string_view body) {
  if (item.aggregate_type != "order") return Status::Ok();
  return ReactToOutcome(tx, item, InputFromAnswer(item, body));
}

Status OrderFlow::OnDeadLettered(WriteTx& tx, const OutboxItem& item, const std::string& error) {
  if (item.aggregate_type != "order") return Status::Ok();
  if (item.type == command::kDispatch) dead_lettered_.Inc();
  return ReactToOutcome(tx, item, InputFromFailure(item, error));
}

}  // namespace crossdock
