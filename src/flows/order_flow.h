// OrderFlow: the runner around the order decider. It loads an order, asks Decide() what
// happens, and persists the new state, its history entries, its CloudEvents and its outbox
// commands in ONE store transaction — the transaction that also holds the idempotency record
// or the inbound deduplication mark. Callers are answered only after that commit.
// Thread-safe (all state is in the store).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/id.h"
#include "base/metrics.h"
#include "base/trace.h"
#include "flows/order_decider.h"
#include "flows/returns.h"
#include "store/store.h"

namespace crossdock {

// What a request handler answered; stored with the Idempotency-Key and replayed verbatim.
struct StoredResponse {
  int status = 0;
  std::string body;
  std::string location;
};

struct SubmitRequest {
  Order order;  // decoded and validated; no server-owned fields
  std::string partner;
  std::string idempotency_key;
  std::string request_hash;
  TraceContext trace;
};

struct SubmitOutcome {
  enum class Kind {
    kCreated,               // stored now; `response` is the first answer
    kReplayed,              // same key, same request: `response` is the stored first answer
    kKeyReused,             // same key, different request (422)
    kDuplicateExternalRef,  // another key already created this channel order (409); see order_id
    kRejected,              // the decider refused it; see rejection
  };
  Kind kind = Kind::kCreated;
  StoredResponse response;
  std::string order_id;
  Rejection rejection;
};

struct ShipmentOutcome {
  bool duplicate = false;  // this partner event id was applied before; nothing changed
  std::optional<Rejection> rejection;
  std::string order_id;
  std::string status;  // the order's status after the shipment
};

struct ReturnRequest {
  std::string order_id;
  std::vector<ReturnLineRequest> lines;
  std::string notes;
  std::string partner;  // who initiates it
  std::string idempotency_key;
  std::string request_hash;
  TraceContext trace;
};

struct ReturnOutcome {
  enum class Kind {
    kCreated,    // stored now; `response` is the answer
    kReplayed,   // same key, same request: the stored first answer
    kKeyReused,  // same key, different request (422)
    kRejected,   // `errors`: quantities or lines the order does not allow (422)
    kNotFound,   // no such order
  };
  Kind kind = Kind::kCreated;
  StoredResponse response;
  FieldErrors errors;
};

// The outcome of an input applied to a stored order (Act).
struct ActOutcome {
  std::optional<Rejection> rejection;  // NotFound, Conflict, InvalidArgument
  bool changed = false;                // false: the input was known already; nothing written
  std::string status;                  // the order's status afterwards
};

struct CancelOutcome {
  std::optional<Rejection> rejection;  // NotFound, or Conflict when the order has shipped
  bool already_requested = false;      // an earlier request stands; nothing changed
  std::string status;                  // the order's status
  TimePoint requested_at;
};

// Delivery reports what became of an outbox command through this interface.
class DispatchOutcomeSink {
 public:
  virtual ~DispatchOutcomeSink() = default;
  // The partner accepted the command; `response_body` is what it answered.
  virtual Status OnDelivered(WriteTx& tx, const OutboxItem& item,
                             std::string_view response_body) = 0;
  // The command was dead-lettered after `error`.
  virtual Status OnDeadLettered(WriteTx& tx, const OutboxItem& item, const std::string& error) = 0;
  // The transaction that recorded `item`'s outcome committed (or, `committed` false, failed).
  virtual void AfterCommit(const OutboxItem& item, bool committed) {
    (void)item;
    (void)committed;
  }
};

struct OrderFlowOptions {
  OrderPolicy policy;
  std::string event_source = "/crossdock/orders";
  // Called after a commit that wrote events or outbox commands (wakes delivery). Must not block.
  std::function<void()> on_committed;
  // What routing needs to know now (stock per node when `with_stock`, unhealthy nodes) for an
  // order about to be routed; called inside the write transaction, so it must be quick. A
  // decision in a write job reads stock from its own transaction and asks without stock.
  // Unset = no facts.
  std::function<RoutingFacts(const Order&, bool with_stock)> routing_facts;
  // Called after a commit that changed the stock of these SKUs (reservations, shipments, with
  // the commit's time; reported counts and receipts, with the oldest one's time); must not
  // block (availability publication queues them).
  std::function<void(const std::vector<std::string>& skus, TimePoint at)> on_stock_changed;
};

class OrderFlow final : public DispatchOutcomeSink {
 public:
  // Renders the response for a newly created order, given the order and its canonical JSON.
  // Runs before the write; the result is stored with the Idempotency-Key.
  using Renderer = std::function<StoredResponse(const Order&, const std::string& order_json)>;

  OrderFlow(Store& store, const Clock& clock, IdGenerator& ids, MetricsRegistry& metrics,
            OrderFlowOptions options);

  void Submit(SubmitRequest request, Renderer render,
              std::function<void(Result<SubmitOutcome>)> done);
  // `node` comes from the authenticated route; shipment.node is overwritten with it.
  void ApplyShipment(const std::string& node, Shipment shipment, TraceContext trace,
                     std::function<void(Result<ShipmentOutcome>)> done);

  // Applies an operator's or partner's input (HoldReleased, MilestoneReported, …) to a stored
  // order in one transaction.
  // `also` (optional) writes in the same transaction when the input changes the order: an
  // operator action's audit record, say.
  void Act(const std::string& order_id, OrderInput input, TraceContext trace,
           std::function<void(Result<ActOutcome>)> done, std::function<Status(WriteTx&)> also = {});

  // Stock was reported: every backordered order tries to route again (Reallocate). Returns
  // through `done` how many were allocated.
  void RetryBackorders(std::function<void(Result<int>)> done);

  // Counts or receipts of these SKUs were stored (the oldest dated `oldest`): backordered orders
  // try to route again (RetryBackorders) and on_stock_changed hears of the SKUs. For every
  // source of stock reports (the inventory API, X12 846 and 944), after its commit.
  void StockReported(const std::vector<std::string>& skus, TimePoint oldest);

  // Records a cancellation request (see CancelRequested in order_decider.h).
  void RequestCancel(const std::string& order_id, CancelRequested request, TraceContext trace,
                     std::function<void(Result<CancelOutcome>)> done);

  // Records a return request with its history entry and return.requested event, under its
  // Idempotency-Key, checking in the same transaction that only shipped units come back
  // (counting earlier returns, so concurrent requests cannot both take the last units).
  void InitiateReturn(ReturnRequest request, std::function<void(Result<ReturnOutcome>)> done);

  Status OnDelivered(WriteTx& tx, const OutboxItem& item, std::string_view response_body) override;
  Status OnDeadLettered(WriteTx& tx, const OutboxItem& item, const std::string& error) override;
  void AfterCommit(const OutboxItem& item, bool committed) override;

  // The outbox item type of dispatch commands.
  static constexpr const char* kDispatchType = command::kDispatch;

 private:
  // An order as stored and as the decider sees it; both empty when there is no such order.
  struct LoadedOrder {
    std::optional<OrderRecord> record;
    std::optional<OrderAggregate> aggregate;
  };
  // Reads the order once.
  Result<LoadedOrder> Load(WriteTx& tx, const std::string& order_id);
  // Decides a partner's answer to an outbox command for the item's order and persists the
  // decision. A decision the order refuses changes nothing: the answer stays final.
  Status ReactToOutcome(WriteTx& tx, const OutboxItem& item, const OrderInput& input);
  // Decide() with the routing facts filled into the inputs that route (in place: no copy of the
  // order on the intake path).
  // In a write job (`tx` given) the stock facts are the transaction's.
  DecideResult Decide(const std::optional<OrderAggregate>& current, OrderInput input,
                      WriteTx* tx = nullptr) const;
  RoutingFacts Facts(const Order& order, WriteTx* tx) const;
  // Whether `changes` reserve more than the nodes have available (only when routing requires
  // stock); a failed read sets `error` and counts as true.
  bool Overbooks(WriteTx& tx, const std::vector<StockChange>& changes, const std::string& channel,
                 Status& error);
  // Every row a decision writes, encoded and ready to insert. Built outside the store's writer
  // thread where possible, so the writer only inserts.
  struct PreparedWrite {
    bool insert = false;  // insert the order, else update it at record.version
    OrderRecord record;
    std::vector<HistoryEntry> history;
    std::vector<EventRecord> events;
    std::vector<OutboxItem> outbox;
    std::vector<StockChange> stock;  // reservations, releases and consumptions
  };
  PreparedWrite Prepare(const std::optional<OrderRecord>& before,
                        const std::optional<OrderAggregate>& before_aggregate,
                        const Decision& decision, const std::string& traceparent,
                        const std::string& trace_id);
  static Status Apply(WriteTx& tx, PreparedWrite& write);
  // Whether the request's Idempotency-Key is taken; if so `outcome` says replayed (with the
  // stored answer) or reused (another body).
  Result<bool> KnownKey(WriteTx& tx, const SubmitRequest& req, SubmitOutcome& outcome);
  // The SKUs whose stock a write changed, handed to on_stock_changed after that write's own
  // commit (never another's: the publisher must read what this commit wrote).
  using StockSkus = std::set<std::string>;
  // `stock` (optional) collects the SKUs whose stock the write changes.
  Status Persist(WriteTx& tx, const LoadedOrder& before, Decision& decision,
                 const std::string& traceparent, const std::string& trace_id,
                 StockSkus* stock = nullptr);
  void CountTransition(const std::optional<OrderAggregate>& before, const Decision& d);
  void NotifyStock(const StockSkus& skus);

  Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  OrderFlowOptions options_;
  std::mutex stock_mu_;
  std::map<int64_t, StockSkus> stock_by_item_;  // outbox item → SKUs, until its commit
  Counter& received_;
  Counter& dispatched_;
  Counter& shipped_;
  Counter& dead_lettered_;
  Histogram& release_latency_;
  Histogram& ship_latency_;
};

}  // namespace crossdock
