// Store: the durable home of orders, their history, the outbox, idempotency records, inbound
// deduplication and the event log. Callers depend only on this interface; sqlite/ is the
// embedded implementation and a PostgreSQL one can follow without touching callers.
//
// Writes run as jobs: Write(job, done) runs `job` inside a transaction together with other
// pending jobs (group commit) and calls `done` only after that transaction is durable. A job
// that returns an error is rolled back alone; the others in its group still commit. A job may
// be run more than once before it commits (its group is retried after another job's failure),
// so it must derive everything it writes from the transaction and its own inputs, and set its
// results afresh on every run. Reads see committed data only. All methods are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/records.h"

namespace crossdock {

// What a write job may do. Valid only during the job's call; never keep it.
class WriteTx {
 public:
  virtual ~WriteTx() = default;

  virtual Result<std::optional<OrderRecord>> GetOrder(const std::string& id) = 0;
  virtual Result<std::optional<std::string>> FindOrderByExternalRef(const std::string& channel,
                                                                    const std::string& ref) = 0;
  // AlreadyExists when the id or (channel, external_ref) is taken. Sets version to 1.
  virtual Status InsertOrder(OrderRecord& record) = 0;
  // Conflict unless the stored version equals record.version; then stores and increments it.
  virtual Status UpdateOrder(OrderRecord& record) = 0;
  // Appends at entry.seq when it is > 0 (AlreadyExists if taken), else after the last entry;
  // sets entry.seq.
  virtual Status AppendHistory(const std::string& order_id, HistoryEntry& entry) = 0;

  // Assigns item.id.
  virtual Status EnqueueOutbox(OutboxItem& item) = 0;
  virtual Result<std::optional<OutboxItem>> GetOutboxItem(int64_t id) = 0;
  // Items whose turn has come: pending, due, not leased, not for one of `excluded`
  // destinations, and with no earlier pending or dead item of the same aggregate. Leases them
  // until `lease_until`. At most `limit`.
  virtual Result<std::vector<OutboxItem>> ClaimOutbox(TimePoint now, TimePoint lease_until,
                                                      int limit,
                                                      const std::vector<std::string>& excluded) = 0;
  // Puts a claimed item back until `until` without counting an attempt (breaker open, quota).
  virtual Status ParkOutbox(int64_t id, TimePoint until) = 0;
  virtual Status CompleteOutbox(int64_t id, int attempts) = 0;
  // `in_doubt`: the attempt's outcome is unknown (see OutboxItem::in_doubt).
  virtual Status RetryOutboxLater(int64_t id, int attempts, TimePoint next_attempt_at,
                                  const std::string& error, bool in_doubt) = 0;
  // `in_doubt`: whether the final attempt's outcome is unknown (a replay must resolve it).
  virtual Status DeadLetterOutbox(int64_t id, int attempts, const std::string& error,
                                  bool in_doubt) = 0;
  // Clears every lease. Only for a store used by one process, at start-up: items leased by the
  // previous (crashed) run become claimable at once instead of after their lease expires.
  virtual Status ResetLeases() = 0;

  // Assigns event.seq.
  virtual Status AppendEvent(EventRecord& event) = 0;

  virtual Result<std::optional<IdempotencyRecord>> GetIdempotency(const std::string& partner,
                                                                  const std::string& key) = 0;
  // AlreadyExists when (partner, key) is stored already.
  virtual Status PutIdempotency(const IdempotencyRecord& record) = 0;

  // Records an inbound partner event id. Returns false if it was already recorded.
  virtual Result<bool> MarkInboundSeen(const std::string& source, const std::string& event_id,
                                       TimePoint at) = 0;

  // Durable subscriber offsets in the event log.
  virtual Status SetSubscriberOffset(const std::string& subscriber, int64_t seq) = 0;

  // Dead letters: re-queues a dead item (optionally with a new payload), keeping its
  // idempotency key; or marks it discarded. NotFound unless the item is dead.
  virtual Status ReplayDeadLetter(int64_t id, TimePoint now,
                                  const std::optional<std::string>& payload) = 0;
  virtual Status DiscardDeadLetter(int64_t id, const std::string& reason) = 0;
  // Discards every dead letter of one command sequence (an outbox aggregate id) and returns how
  // many: a re-routed order's commands to its old node.
  virtual Result<int64_t> DiscardDeadLettersOf(const std::string& aggregate_id,
                                               const std::string& reason) = 0;

  // Saves a quota's state so a restart does not start with a full bucket.
  virtual Status SaveQuotaState(const QuotaState& state) = 0;
  // Appends to the audit log (operator actions).
  virtual Status AppendAudit(AuditRecord& record) = 0;

  // AlreadyExists when the id is taken.
  virtual Status InsertReturn(const ReturnRecord& record) = 0;
  // Takes the next interchange and group control numbers for `partner` (starting at 1) and
  // stores them; ResourceExhausted once either would pass 999999999 (X12's nine digits): a
  // number is never reused, so an operator must agree a new range with the partner.
  virtual Result<X12ControlNumbers> NextX12ControlNumbers(const std::string& partner) = 0;
  // The transmission recorded under t.key; without one, takes the partner's next control
  // numbers (NextX12ControlNumbers), fills them into `t` and records it.
  virtual Result<X12Transmission> PrepareX12Transmission(X12Transmission t) = 0;
  // Marks the transmission under `key` as written to the partner's folder.
  virtual Status MarkX12Sent(const std::string& key, TimePoint at) = 0;
  // Records a 997's verdict (`ack`) on the partner's group `group` and returns the
  // transmission (newly_acked when this call recorded the verdict); nullopt for a group number
  // never sent. The first verdict is kept.
  virtual Result<std::optional<X12Transmission>> AckX12Group(const std::string& partner,
                                                             int64_t group, const std::string& ack,
                                                             TimePoint at) = 0;
  // Every return of the order, oldest first.
  virtual Result<std::vector<ReturnRecord>> ReturnsForOrder(const std::string& order_id) = 0;
  // A node's count: stores it unless a count at least as new (as_of) is stored already, with
  // the consumptions and adjustments dated after the count applied on top (the count cannot
  // know them); returns whether it was stored. Reserved and shipped stay. Recorded as an
  // inventory event "count". So the final on-hand never depends on the order counts and
  // changes arrive in: stale data never overwrites fresh.
  virtual Result<bool> PutInventoryLevel(const InventoryLevel& level) = 0;
  // Applies one ledger change and records it as an inventory event:
  //   kReserve  reserved += q;   kRelease  reserved -= q (not below 0);
  //   kConsume  reserved -= q (not below 0), shipped += q, on_hand -= q;
  //   kShip     shipped += q, on_hand -= q (units that left without a reservation);
  //   kAdjust   on_hand += q.
  // On-hand changes only when the change is dated after the last count (as_of): a later count
  // already reflects it.
  virtual Status ApplyStock(const StockChange& change) = 0;
  // Every node's position of `sku`, as this transaction sees it.
  virtual Result<std::vector<InventoryLevel>> GetInventory(const std::string& sku) = 0;
  // AlreadyExists when the id is taken.
  virtual Status InsertReconciliation(const ReconciliationRecord& record) = 0;
  // Opens the (node, SKU)'s stock exception, or updates the open one (figures, as_of, run);
  // sets e.id and e.opened_at (kept from the open one).
  virtual Status OpenStockException(StockException& e) = 0;
  virtual Result<std::optional<StockException>> GetStockException(int64_t id) = 0;
  // Closes an open exception; Conflict when it is closed already, NotFound when
  // there is none.
  virtual Status ResolveStockException(int64_t id, const std::string& resolution,
                                       const std::string& by, TimePoint at) = 0;
  // The channel acknowledged `available` for `sku` at `at` (replaces what it had).
  virtual Status RecordPublication(const std::string& channel, const std::string& sku,
                                   int64_t available, TimePoint at) = 0;
};

using WriteJob = std::function<Status(WriteTx&)>;
using WriteDone = std::function<void(Status)>;

class Store {
 public:
  virtual ~Store() = default;

  // Queues `job`; `done` runs on an internal thread once the job's group is durable (or failed).
  // `done` must not block. Unavailable when the store is shutting down.
  virtual void Write(WriteJob job, WriteDone done) = 0;
  // Convenience: Write and wait.
  Status WriteAndWait(WriteJob job);

  virtual Result<std::optional<OrderRecord>> GetOrder(const std::string& id) = 0;
  virtual Result<std::vector<HistoryEntry>> GetHistory(const std::string& order_id) = 0;
  // Up to `limit` events with seq > after_seq, ascending.
  virtual Result<std::vector<EventRecord>> ReadEvents(int64_t after_seq, int limit) = 0;
  virtual Result<int64_t> GetSubscriberOffset(const std::string& subscriber) = 0;
  // Earliest next_attempt_at among pending items, if any: lets delivery sleep until then.
  virtual Result<std::optional<TimePoint>> NextOutboxDue() = 0;
  virtual Result<std::vector<std::string>> ListOrderIds(int limit, const std::string& after_id) = 0;
  virtual Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& query) = 0;
  virtual Result<std::optional<ReturnRecord>> GetReturn(const std::string& id) = 0;
  // Every node's level of `sku`, by node.
  virtual Result<std::vector<InventoryLevel>> GetInventory(const std::string& sku) = 0;
  // Dead-lettered outbox items matching `filter`, oldest first.
  virtual Result<std::vector<OutboxItem>> ListDeadLetters(const DeadLetterFilter& filter) = 0;
  virtual Result<std::optional<OutboxItem>> GetOutboxItem(int64_t id) = 0;
  virtual Result<std::vector<QuotaState>> LoadQuotaStates() = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(int limit) = 0;
  // Every SKU's position at `node`, by SKU.
  virtual Result<std::vector<InventoryLevel>> ListInventoryAt(const std::string& node) = 0;
  // SKU → the net on-hand effect (adjustments less consumptions and unreserved shipments) of
  // the changes at `node` dated after `at`: a position's on-hand as of `at` is its on-hand now
  // less this (when its last count is not newer than `at`).
  virtual Result<std::map<std::string, int64_t>> OnHandChangesAfter(const std::string& node,
                                                                    TimePoint at) = 0;
  // The newest runs first; report_json holds each run's summary only (no discrepancies) and
  // report_csv is empty.
  virtual Result<std::vector<ReconciliationRecord>> ListReconciliations(int limit) = 0;
  virtual Result<std::optional<ReconciliationRecord>> GetReconciliation(const std::string& id) = 0;
  // By id, ascending.
  virtual Result<std::vector<StockException>> ListStockExceptions(
      const StockExceptionFilter& filter) = 0;
  // SKU → the availability the channel last acknowledged (RecordPublication).
  virtual Result<std::map<std::string, int64_t>> ListPublications(const std::string& channel) = 0;
  // The partner's transmissions, newest first, at most `limit`.
  virtual Result<std::vector<X12Transmission>> ListX12Transmissions(const std::string& partner,
                                                                    int limit) = 0;
  // Dead-lettered items (cheap: an index of dead items only).
  virtual Result<int64_t> CountDeadLetters() = 0;
  virtual Result<StoreStats> Stats() = 0;
};

}  // namespace crossdock
