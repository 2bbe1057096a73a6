// The durable records the Store keeps. Each is described field by field in docs/formats.md.
// Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "model/order.h"

namespace crossdock {

// An order as stored: the canonical Order (with server-owned fields set), the opaque flow state
// owned by the flows layer, and a version for optimistic concurrency.
struct OrderRecord {
  Order order;             // id, status, partner, created_at, updated_at are set
  std::string flow_state;  // JSON, owned and versioned by flows/
  int64_t version = 0;     // incremented on every update
  // The canonical JSON of `order`, when the caller has it already: lets callers encode off the
  // store's writer thread. Empty = the store encodes `order` itself.
  std::string order_json;
  // The partners allowed to see the order (tenant isolation): its submitter and the node it is
  // allocated to. Operators see every order. Set by the flows layer on every write.
  std::vector<std::string> parties;
  // Since when the order has an open exception (flows' FlowException); empty when none. Kept
  // in a column of its own so the exception inbox is an index scan.
  std::optional<TimePoint> exception_since;
};

// Which orders to list. Orders come in id order (ids are ULIDs: creation order).
struct OrderQuery {
  std::string party;     // only orders this partner may see; "" = every order (operators)
  std::string status;    // "" = any
  std::string channel;   // "" = any
  std::string after_id;  // paging: orders with id > after_id
  int limit = 50;
  bool exceptions_only = false;  // only orders with an open exception (the inbox)
};

// A return initiated by a channel or an operator (a request for an RMA).
struct ReturnRecord {
  std::string id;  // "ret_<ULID>"
  std::string order_id;
  std::string partner;               // who initiated it
  std::vector<std::string> parties;  // who may see it: the order's parties
  std::string status;                // "requested"
  TimePoint created_at;
  std::string body;  // canonical JSON of the return (docs/schemas/return.schema.json)
};

// The X12 control numbers last used towards one trading partner. Each outbound interchange
// takes the next ones in the same transaction that records it, so none is ever used twice.
struct X12ControlNumbers {
  int64_t interchange = 0;  // ISA13, 1..999999999
  int64_t group = 0;        // GS06, 1..999999999
};

// One outbound X12 document (a 940 to a 3PL): the command and order it carries and the
// control numbers it was given, so a retried command writes the same interchange again (the
// partner discards a repeated ISA13) and the partner's 997 finds its order by group number.
struct X12Transmission {
  std::string key;      // the outbox command's idempotency key
  std::string partner;  // the node id
  std::string order_id;
  std::string set_code;               // "940"
  int64_t interchange = 0;            // ISA13
  int64_t group = 0;                  // GS06
  TimePoint created_at;               // also the date written in the envelope
  std::optional<TimePoint> sent_at;   // the file was renamed into the outbound folder
  std::optional<TimePoint> acked_at;  // a 997 answered its group
  std::string ack;                    // the 997's AK9 code: "A", "E", "P" or "R"; "" = none yet
  // Set by AckX12Group only: this call recorded the verdict (the group had none before).
  bool newly_acked = false;
};

// The stock ledger's position of one SKU at one node: on hand as the node last counted it,
// less what shipped after that count; reserved by allocated, unshipped order lines; shipped
// in all (docs/inventory.md).
struct InventoryLevel {
  std::string sku;
  std::string node;
  int64_t on_hand = 0;
  TimePoint as_of;       // the node's time of its last count; older counts never overwrite newer
  TimePoint updated_at;  // when Crossdock last changed it
  int64_t reserved = 0;
  int64_t shipped = 0;
  int64_t available() const { return on_hand - reserved; }
};

// One change of the stock ledger besides a count, kept as an inventory event.
struct StockChange {
  enum class Kind { kReserve, kRelease, kConsume, kShip, kAdjust };
  std::string sku;
  std::string node;
  Kind kind = Kind::kReserve;
  int64_t quantity = 0;  // kReserve, kRelease, kConsume: ≥ 0; kAdjust: signed
  TimePoint at;
  std::string source;  // "order:<id>", "operator:<id>", "reconcile:<run>" …
  friend bool operator==(const StockChange&, const StockChange&) = default;
};
const char* StockChangeKindName(StockChange::Kind k);

// One run of a reconciliation job and its report (flows/reconcile.h).
struct ReconciliationRecord {
  std::string id;    // "rec_…"
  std::string kind;  // "inventory"
  std::string node;
  TimePoint started_at;
  TimePoint finished_at;
  std::string report_json;  // summary and discrepancies
  std::string report_csv;   // the discrepancies
};

// A snapshot difference too large to correct without an operator (reconciliation's "review"):
// one open exception per (node, SKU); a later run updates it, or closes it when the position
// matches or was corrected. An operator applies the count (as of the snapshot) or dismisses it.
struct StockException {
  int64_t id = 0;
  std::string node;
  std::string sku;
  int64_t ledger = 0;   // the ledger's on hand as of the snapshot
  int64_t counted = 0;  // the snapshot's
  TimePoint as_of{};    // the snapshot's time
  std::string run_id;   // the reconciliation that found it (last)
  TimePoint opened_at{};
  std::optional<TimePoint> resolved_at;
  std::string
      resolution;  // "applied", "dismissed" or "settled" (a later run matched or corrected it)
  std::string resolved_by;  // the operator, or "reconcile:<run>"
  friend bool operator==(const StockException&, const StockException&) = default;
};

struct StockExceptionFilter {
  std::string node;       // "" = any
  bool open_only = true;  // else open and resolved
  int limit = 100;
  int64_t after_id = 0;  // paging: exceptions with id > after_id
};

// One entry of an order's timeline.
struct HistoryEntry {
  int64_t seq = 0;  // per order, from 1; assigned by the store
  TimePoint at;
  std::string type;    // "order.received", "order.allocated", "order.dispatch_failed", …
  std::string detail;  // JSON object with what happened
  std::string trace_id;
};

enum class OutboxState { kPending, kDone, kDead, kDiscarded };

// A command to a partner, written in the same transaction as the state change that caused it.
// Column names follow Debezium's outbox (aggregatetype, aggregateid, type, payload).
struct OutboxItem {
  int64_t id = 0;               // assigned by the store; delivery order within an aggregate
  std::string aggregate_type;   // "order"
  std::string aggregate_id;     // the order id: items of one aggregate are delivered in id order
  std::string type;             // "node.dispatch"
  std::string destination;      // endpoint id, e.g. "node:tpl-east"
  std::string idempotency_key;  // stable across every attempt; sent to the partner
  std::string payload;          // JSON body to send
  std::string traceparent;      // W3C trace context of the request that caused it
  TimePoint created_at;
  TimePoint next_attempt_at;
  int attempts = 0;
  OutboxState state = OutboxState::kPending;
  std::string last_error;
  std::optional<TimePoint> lease_until;  // set while a worker holds the item
  // The last attempt's outcome is unknown (sent, no answer): the next attempt must resolve it
  // (same idempotency key, or look the effect up first) before anything is sent again.
  bool in_doubt = false;
};

// A CloudEvents 1.0 event in the append-only event log.
struct EventRecord {
  int64_t seq = 0;      // log position, assigned by the store, strictly increasing
  std::string id;       // "evt_<ULID>"; with `source`, the end-to-end dedup key
  std::string source;   // "/crossdock/orders"
  std::string type;     // "dev.crossdock.order.shipped.v1"
  std::string subject;  // the order id
  TimePoint time;
  std::string data;         // JSON object
  std::string traceparent;  // distributed-tracing extension
};

// The stored first response to a request made with an Idempotency-Key.
struct IdempotencyRecord {
  std::string partner;  // keys are scoped per partner
  std::string key;
  std::string request_hash;  // SHA-256 of method, path and body
  int status_code = 0;
  std::string response_body;
  std::string location;  // Location header, if any
  TimePoint created_at;
};

// Which dead letters to list.
struct DeadLetterFilter {
  std::string destination;  // "" = any
  std::string error_class;  // "" = any; "http_4xx", "http_5xx", "transport", "other"
  std::optional<TimePoint> created_before;  // only items created before this time
  std::string order_id;  // "" = any; else only the order's commands (every sequence)
  int limit = 100;
  int64_t after_id = 0;  // paging: items with id > after_id
};

// The error class of a last_error text written by delivery ("HTTP 422: …", "UNAVAILABLE: …").
std::string ErrorClassOf(const std::string& last_error);

// Persisted quota state of one destination (a token bucket's level at a time).
struct QuotaState {
  std::string destination;
  double tokens = 0;
  TimePoint at;
};

// An operator action, kept for audit.
struct AuditRecord {
  int64_t seq = 0;  // assigned by the store
  TimePoint at;
  std::string actor;    // partner id of the operator
  std::string action;   // "dead_letter.replay", "dead_letter.discard", …
  std::string subject;  // what it acted on ("outbox:42")
  std::string detail;   // JSON object
};

// Counts for demos, health and metrics.
struct StoreStats {
  int64_t orders = 0;
  int64_t orders_shipped = 0;
  int64_t outbox_pending = 0;
  int64_t outbox_dead = 0;
  int64_t events = 0;
};

}  // namespace crossdock
