#include "store/sqlite/migrations.h"

#include <iterator>

namespace crossdock::sqlite {

namespace {
// Each entry is one migration. Never edit an entry once released; append a new one.
constexpr const char* kMigrations[] = {
    // 1: orders, history, outbox, events, idempotency, inbound dedup, subscriber offsets.
    R"sql(
CREATE TABLE orders (
  id           TEXT PRIMARY KEY,
  partner      TEXT NOT NULL,
  channel      TEXT NOT NULL,
  external_ref TEXT NOT NULL,
  status       TEXT NOT NULL,
  version      INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,  -- unix microseconds
  updated_at   INTEGER NOT NULL,
  body         TEXT NOT NULL,     -- canonical Order JSON, server fields included
  flow_state   TEXT NOT NULL,     -- JSON owned by flows/
  UNIQUE (channel, external_ref)
);
CREATE INDEX orders_status ON orders(status);

CREATE TABLE order_history (
  order_id TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  at       INTEGER NOT NULL,
  type     TEXT NOT NULL,
  detail   TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  PRIMARY KEY (order_id, seq)
) WITHOUT ROWID;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  aggregatetype   TEXT NOT NULL,
  aggregateid     TEXT NOT NULL,
  type            TEXT NOT NULL,
  destination     TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload         TEXT NOT NULL,
  traceparent     TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  state           TEXT NOT NULL DEFAULT 'pending',  -- pending | done | dead
  last_error      TEXT NOT NULL DEFAULT '',
  lease_until     INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_aggregate ON outbox(aggregateid, id) WHERE state != 'done';

CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL,
  source      TEXT NOT NULL,
  type        TEXT NOT NULL,
  subject     TEXT NOT NULL,
  time        INTEGER NOT NULL,
  data        TEXT NOT NULL,
  traceparent TEXT NOT NULL,
  UNIQUE (source, id)
);

CREATE TABLE idempotency_keys (
  partner       TEXT NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status_code   INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  location      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (partner, key)
) WITHOUT ROWID;

CREATE TABLE inbound_events (
  source      TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (source, event_id)
) WITHOUT ROWID;

CREATE TABLE subscriber_offsets (
  subscriber TEXT PRIMARY KEY,
  seq        INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 2: quota state per destination, the operators' audit log, a reason for discarded items.
    R"sql(
CREATE TABLE quota_state (
  destination TEXT PRIMARY KEY,
  tokens      REAL NOT NULL,
  at          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN discard_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_dead ON outbox(id) WHERE state = 'dead';
)sql",
    // 3: commands whose last attempt has an unknown outcome.
    R"sql(
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: tenant isolation (who may see each order), returns, inventory levels.
    R"sql(
ALTER TABLE orders ADD COLUMN parties TEXT NOT NULL DEFAULT '';  -- "|partner|node|"
UPDATE orders SET parties = '|' || partner || '|' ||
  COALESCE(NULLIF(json_extract(flow_state, '$.node'), '') || '|', '');
-- The same, as an index: a partner's orders in id order, without scanning everyone's.
CREATE TABLE order_parties (
  party    TEXT NOT NULL,
  order_id TEXT NOT NULL,
  PRIMARY KEY (party, order_id)
) WITHOUT ROWID;
INSERT INTO order_parties SELECT partner, id FROM orders;
INSERT OR IGNORE INTO order_parties SELECT json_extract(flow_state, '$.node'), id FROM orders
  WHERE COALESCE(json_extract(flow_state, '$.node'), '') <> '';

CREATE TABLE returns (
  id         TEXT PRIMARY KEY,
  order_id   TEXT NOT NULL,
  partner    TEXT NOT NULL,
  parties    TEXT NOT NULL,
  status     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  body       TEXT NOT NULL
);
CREATE INDEX returns_order ON returns(order_id);

CREATE TABLE inventory_levels (
  sku        TEXT NOT NULL,
  node       TEXT NOT NULL,
  on_hand    INTEGER NOT NULL,
  as_of      INTEGER NOT NULL,   -- the node's time of the count, unix microseconds
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (sku, node)
) WITHOUT ROWID;
)sql",
    // 5: X12 control numbers per trading partner, never reused.
    R"sql(
CREATE TABLE x12_control_numbers (
  partner     TEXT PRIMARY KEY,
  interchange INTEGER NOT NULL,   -- last ISA13 used
  grp         INTEGER NOT NULL    -- last GS06 used
) WITHOUT ROWID;
)sql",
    // 6: the exception inbox: orders that cannot proceed without an operator.
    R"sql(
ALTER TABLE orders ADD COLUMN exception_since INTEGER;  -- unix microseconds; NULL = none
CREATE INDEX orders_exception ON orders(exception_since) WHERE exception_since IS NOT NULL;
)sql",
    // 7: the stock ledger: reservations and shipments beside each count, and every change as an
    // event with its source and time. Orders allocated before this migration hold no
    // reservation (their shipments still count, reserved never goes below 0).
    R"sql(
ALTER TABLE inventory_levels ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_levels ADD COLUMN shipped INTEGER NOT NULL DEFAULT 0;
CREATE TABLE inventory_events (
  id       INTEGER PRIMARY KEY,
  sku      TEXT NOT NULL,
  node     TEXT NOT NULL,
  kind     TEXT NOT NULL,      -- count, reserve, release, consume, ship, adjust
  quantity INTEGER NOT NULL,   -- count: the counted on-hand; others: the change
  at       INTEGER NOT NULL,   -- the change's time (a count's as_of), unix microseconds
  source   TEXT NOT NULL,
  recorded INTEGER NOT NULL
);
CREATE INDEX inventory_events_position ON inventory_events(sku, node, kind, at);
)sql",
    // 8: reconciliation runs with their reports, kept for download.
    R"sql(
CREATE TABLE reconciliations (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  node        TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  report_json TEXT NOT NULL,
  report_csv  TEXT NOT NULL
);
CREATE INDEX reconciliations_started ON reconciliations(started_at);
CREATE INDEX inventory_levels_node ON inventory_levels(node, sku);
)sql",
    // 9: outbound X12 documents with their control numbers and the 997 that answered them.
    R"sql(
CREATE TABLE x12_transmissions (
  key         TEXT PRIMARY KEY,  -- the outbox command's idempotency key
  partner     TEXT NOT NULL,
  order_id    TEXT NOT NULL,
  set_code    TEXT NOT NULL,
  interchange INTEGER NOT NULL,
  grp         INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  acked_at    INTEGER,
  ack         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX x12_transmissions_group ON x12_transmissions(partner, grp);
)sql",
    // 10: the availability each channel last acknowledged per SKU, so a restart resends only
    // what changed.
    R"sql(
CREATE TABLE channel_publications (
  channel      TEXT NOT NULL,
  sku          TEXT NOT NULL,
  available    INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (channel, sku)
) WITHOUT ROWID;
)sql",
    // 11: snapshot differences left to an operator (one open per node and SKU).
    R"sql(
CREATE TABLE stock_exceptions (
  id          INTEGER PRIMARY KEY,
  node        TEXT NOT NULL,
  sku         TEXT NOT NULL,
  ledger      INTEGER NOT NULL,
  counted     INTEGER NOT NULL,
  as_of       INTEGER NOT NULL,
  run_id      TEXT NOT NULL,
  opened_at   INTEGER NOT NULL,
  resolved_at INTEGER,
  resolution  TEXT NOT NULL DEFAULT '',
  resolved_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX stock_exceptions_open ON stock_exceptions(node, sku)
  WHERE resolved_at IS NULL;
)sql",
};
}  // namespace

int LatestSchemaVersion() {
  return static_cast<int>(std::size(kMigrations));
}

Status Migrate(Db& db) {
  auto stmt = db.Prepare("PRAGMA user_version");
  if (!stmt.ok()) return stmt.status();
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  int current = static_cast<int>((*stmt)->Int(0));
  (*stmt)->Reset();
  if (current > LatestSchemaVersion()) {
    return Internal("database schema version " + std::to_string(current) +
                    " is newer than this build (" + std::to_string(LatestSchemaVersion()) +
                    "); upgrade crossdock");
  }
  for (int v = current + 1; v <= LatestSchemaVersion(); ++v) {
    CROSSDOCK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status st = db.Exec(kMigrations[v - 1]);
    if (st.ok()) st = db.Exec("PRAGMA user_version = " + std::to_string(v));
    if (!st.ok()) {
      (void)db.Exec("ROLLBACK");
      return Internal("migration " + std::to_string(v) + " failed: " + st.message());
    }
    CROSSDOCK_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return Status::Ok();
}

}  // namespace crossdock::sqlite
