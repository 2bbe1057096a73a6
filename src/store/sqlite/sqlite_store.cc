#include "store/sqlite/sqlite_store.h"

#include "base/json.h"
#include "base/thread_name.h"
#include "codecs/canonical_json.h"
#include "store/sqlite/migrations.h"

namespace crossdock {

using sqlite::Db;
using sqlite::Stmt;

namespace {

int64_t Micros(TimePoint t) {
  return ToUnixMicros(t);
}

OutboxState ParseOutboxState(const std::string& s) {
  if (s == "done") return OutboxState::kDone;
  if (s == "dead") return OutboxState::kDead;
  if (s == "discarded") return OutboxState::kDiscarded;
  return OutboxState::kPending;
}

#define TRY_PREPARE(var, db, sql)             \
  auto var##_r = (db).Prepare(sql);           \
  if (!var##_r.ok()) return var##_r.status(); \
  Stmt& var = **var##_r

// parties as stored: "|shopify|tpl-east|", so one partner is found with instr(parties, '|id|').
std::string EncodeParties(const std::vector<std::string>& parties) {
  std::string out = "|";
  for (const auto& p : parties) out += p + "|";
  return out;
}

std::vector<std::string> DecodeParties(std::string_view stored) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < stored.size()) {
    size_t j = stored.find('|', i);
    if (j == std::string_view::npos) j = stored.size();
    if (j > i) out.emplace_back(stored.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Columns: body, flow_state, version, parties.
Result<OrderRecord> ReadOrderRow(Stmt& s) {
  OrderRecord rec;
  DecodeOptions opts;
  opts.allow_server_fields = true;
  opts.validate = false;
  auto decoded = DecodeOrder(s.Text(0), opts);
  if (!decoded.ok()) {
    return Internal("stored order does not decode: " + decoded.errors[0].pointer + " " +
                    decoded.errors[0].detail);
  }
  rec.order = std::move(*decoded.value);
  rec.flow_state = s.Text(1);
  rec.version = s.Int(2);
  rec.parties = DecodeParties(s.Text(3));
  if (!s.IsNull(4)) rec.exception_since = FromUnixMicros(s.Int(4));
  return rec;
}

constexpr const char* kOutboxColumns =
    "id, aggregatetype, aggregateid, type, destination, idempotency_key, payload, traceparent, "
    "created_at, next_attempt_at, attempts, state, last_error, lease_until, in_doubt";

OutboxItem ReadOutboxRow(Stmt& s) {
  OutboxItem it;
  it.id = s.Int(0);
  it.aggregate_type = s.Text(1);
  it.aggregate_id = s.Text(2);
  it.type = s.Text(3);
  it.destination = s.Text(4);
  it.idempotency_key = s.Text(5);
  it.payload = s.Text(6);
  it.traceparent = s.Text(7);
  it.created_at = FromUnixMicros(s.Int(8));
  it.next_attempt_at = FromUnixMicros(s.Int(9));
  it.attempts = static_cast<int>(s.Int(10));
  it.state = ParseOutboxState(s.Text(11));
  it.last_error = s.Text(12);
  if (!s.IsNull(13)) it.lease_until = FromUnixMicros(s.Int(13));
  it.in_doubt = s.Int(14) != 0;
  return it;
}

// The order with `id` on connection `db`, or nullopt.
Result<std::optional<OrderRecord>> SelectOrder(Db& db, const std::string& id) {
  TRY_PREPARE(
      s, db, "SELECT body, flow_state, version, parties, exception_since FROM orders WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OrderRecord>();
  auto rec = ReadOrderRow(s);
  s.Reset();
  if (!rec.ok()) return rec.status();
  return std::optional<OrderRecord>(std::move(*rec));
}

// The outbox item with `id` on connection `db`, or nullopt.
Result<std::optional<OutboxItem>> SelectOutboxItem(Db& db, int64_t id) {
  TRY_PREPARE(s, db, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<OutboxItem> out;
  if (*row) out = ReadOutboxRow(s);
  s.Reset();
  return out;
}

// Runs a statement without parameters or results from the connection's statement cache.
Status RunCached(Db& db, const std::string& sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Exec();
}

// Every node's position of `sku`.
Result<std::vector<InventoryLevel>> ReadInventory(Db& db, const std::string& sku);

// Columns of x12_transmissions in the order ReadX12Transmission expects.
constexpr const char* kX12TransmissionColumns =
    "key, partner, order_id, set_code, interchange, grp, created_at, sent_at, acked_at, ack";

X12Transmission ReadX12Transmission(const Stmt& s) {
  X12Transmission t{
      s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), FromUnixMicros(s.Int(6))};
  if (!s.IsNull(7)) t.sent_at = FromUnixMicros(s.Int(7));
  if (!s.IsNull(8)) t.acked_at = FromUnixMicros(s.Int(8));
  t.ack = s.Text(9);
  return t;
}

// Columns of stock_exceptions in the order ReadStockException expects.
constexpr const char* kStockExceptionColumns =
    "id, node, sku, ledger, counted, as_of, run_id, opened_at, resolved_at, resolution, "
    "resolved_by";

StockException ReadStockException(const Stmt& s) {
  StockException e;
  e.id = s.Int(0);
  e.node = s.Text(1);
  e.sku = s.Text(2);
  e.ledger = s.Int(3);
  e.counted = s.Int(4);
  e.as_of = FromUnixMicros(s.Int(5));
  e.run_id = s.Text(6);
  e.opened_at = FromUnixMicros(s.Int(7));
  if (!s.IsNull(8)) e.resolved_at = FromUnixMicros(s.Int(8));
  e.resolution = s.Text(9);
  e.resolved_by = s.Text(10);
  return e;
}

Result<std::optional<StockException>> SelectStockException(Db& db, int64_t id) {
  TRY_PREPARE(
      s, db,
      std::string("SELECT ") + kStockExceptionColumns + " FROM stock_exceptions WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<StockException> out;
  if (*row) out = ReadStockException(s);
  s.Reset();
  return out;
}

class SqliteWriteTx final : public WriteTx {
 public:
  explicit SqliteWriteTx(Db& db) : db_(db) {}

  Result<std::optional<OrderRecord>> GetOrder(const std::string& id) override {
    return SelectOrder(db_, id);
  }

  Result<std::optional<std::string>> FindOrderByExternalRef(const std::string& channel,
                                                            const std::string& ref) override {
    TRY_PREPARE(s, db_, "SELECT id FROM orders WHERE channel = ? AND external_ref = ?");
    s.Bind(1, channel).Bind(2, ref);
    auto row = s.Step();
    if (!row.ok()) return row.status();
    std::optional<std::string> id;
    if (*row) id = s.Text(0);
    s.Reset();
    return id;
  }

  Status InsertOrder(OrderRecord& rec) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO orders (id, partner, channel, external_ref, status, version, "
                "created_at, updated_at, body, flow_state, parties, exception_since) "
                "VALUES (?,?,?,?,?,1,?,?,?,?,?,?)");
    rec.version = 1;
    const Order& o = rec.order;
    s.Bind(1, o.id).Bind(2, o.partner).Bind(3, o.channel).Bind(4, o.external_ref);
    s.Bind(5, OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
    s.Bind(6, Micros(o.created_at.value_or(TimePoint())))
        .Bind(7, Micros(o.updated_at.value_or(TimePoint())));
    std::string encoded = rec.order_json.empty() ? EncodeOrder(o) : std::string();
    s.BindStatic(8, rec.order_json.empty() ? encoded : rec.order_json)
        .BindStatic(9, rec.flow_state);
    s.Bind(10, EncodeParties(rec.parties));
    BindException(s, 11, rec.exception_since);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    return IndexParties(o.id, rec.parties);
  }

  static void BindException(Stmt& s, int index, const std::optional<TimePoint>& since) {
    if (since) {
      s.Bind(index, Micros(*since));
    } else {
      s.BindNull(index);
    }
  }

  Status UpdateOrder(OrderRecord& rec) override {
    TRY_PREPARE(s, db_,
                "UPDATE orders SET status = ?, version = version + 1, updated_at = ?, body = ?, "
                "flow_state = ?, parties = ?, exception_since = ? WHERE id = ? AND version = ?");
    const Order& o = rec.order;
    s.Bind(1, OrderStatusName(o.status.value_or(OrderStatus::kReceived)));
    s.Bind(2, Micros(o.updated_at.value_or(TimePoint())));
    s.Bind(3, rec.order_json.empty() ? EncodeOrder(o) : rec.order_json);
    s.Bind(4, rec.flow_state).Bind(5, EncodeParties(rec.parties));
    BindException(s, 6, rec.exception_since);
    s.Bind(7, o.id).Bind(8, rec.version);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    if (db_.Changes() != 1) return Conflict("order " + o.id + " changed concurrently");
    ++rec.version;
    return IndexParties(o.id, rec.parties);  // parties only grow (the node is added)
  }

  // order_parties rows for every party (kept in step with orders.parties).
  Status IndexParties(const std::string& order_id, const std::vector<std::string>& parties) {
    TRY_PREPARE(s, db_, "INSERT OR IGNORE INTO order_parties (party, order_id) VALUES (?, ?)");
    for (const auto& p : parties) {
      s.Bind(1, p).Bind(2, order_id);
      CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    }
    return Status::Ok();
  }

  Status AppendHistory(const std::string& order_id, HistoryEntry& e) override {
    if (e.seq > 0) {  // the caller knows the position (a new order's first entries)
      TRY_PREPARE(k, db_,
                  "INSERT INTO order_history (order_id, seq, at, type, detail, trace_id) "
                  "VALUES (?, ?, ?, ?, ?, ?)");
      k.Bind(1, order_id)
          .Bind(2, e.seq)
          .Bind(3, Micros(e.at))
          .Bind(4, e.type)
          .BindStatic(5, e.detail);
      k.Bind(6, e.trace_id);
      return k.Exec();
    }
    TRY_PREPARE(s, db_,
                "INSERT INTO order_history (order_id, seq, at, type, detail, trace_id) "
                "VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_history WHERE "
                "order_id = ?1), ?2, ?3, ?4, ?5) RETURNING seq");
    s.Bind(1, order_id)
        .Bind(2, Micros(e.at))
        .Bind(3, e.type)
        .BindStatic(4, e.detail)
        .Bind(5, e.trace_id);
    auto row = s.Step();
    if (!row.ok()) return row.status();
    e.seq = s.Int(0);
    s.Reset();
    return Status::Ok();
  }

  Status EnqueueOutbox(OutboxItem& it) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO outbox (aggregatetype, aggregateid, type, destination, "
                "idempotency_key, payload, traceparent, created_at, next_attempt_at) "
                "VALUES (?,?,?,?,?,?,?,?,?)");
    s.Bind(1, it.aggregate_type).Bind(2, it.aggregate_id).Bind(3, it.type).Bind(4, it.destination);
    s.Bind(5, it.idempotency_key).BindStatic(6, it.payload).Bind(7, it.traceparent);
    s.Bind(8, Micros(it.created_at)).Bind(9, Micros(it.next_attempt_at));
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    it.id = db_.LastInsertId();
    return Status::Ok();
  }

  Result<std::optional<OutboxItem>> GetOutboxItem(int64_t id) override {
    return SelectOutboxItem(db_, id);
  }

  Result<std::vector<OutboxItem>> ClaimOutbox(TimePoint now, TimePoint lease_until, int limit,
                                              const std::vector<std::string>& excluded) override {
    TRY_PREPARE(s, db_,
                std::string("SELECT ") + kOutboxColumns +
                    " FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 "
                    "AND (o.lease_until IS NULL OR o.lease_until <= ?1) "
                    "AND o.destination NOT IN (SELECT value FROM json_each(?3)) "
                    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.aggregateid = o.aggregateid "
                    "AND p.id < o.id AND p.state IN ('pending', 'dead')) "
                    "ORDER BY o.next_attempt_at, o.id LIMIT ?2");
    JsonWriter list;
    list.StartArray();
    for (const auto& d : excluded) list.String(d);
    list.EndArray();
    std::string excluded_json = list.Take();
    s.Bind(1, Micros(now)).Bind(2, int64_t{limit}).BindStatic(3, excluded_json);
    std::vector<OutboxItem> items;
    while (true) {
      auto row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      items.push_back(ReadOutboxRow(s));
    }
    s.Reset();
    TRY_PREPARE(u, db_, "UPDATE outbox SET lease_until = ? WHERE id = ?");
    for (auto& it : items) {
      u.Bind(1, Micros(lease_until)).Bind(2, it.id);
      CROSSDOCK_RETURN_IF_ERROR(u.Exec());
      it.lease_until = lease_until;
    }
    return items;
  }

  Status ParkOutbox(int64_t id, TimePoint until) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET next_attempt_at = ?, lease_until = NULL "
                "WHERE id = ? AND state = 'pending'");
    s.Bind(1, Micros(until)).Bind(2, id);
    return s.Exec();
  }

  Status ReplayDeadLetter(int64_t id, TimePoint now,
                          const std::optional<std::string>& payload) override {
    // A fresh retry budget (attempts and age start again); the idempotency key stays.
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET state = 'pending', attempts = 0, created_at = ?1, "
                "next_attempt_at = ?1, lease_until = NULL, payload = COALESCE(?2, payload) "
                "WHERE id = ?3 AND state = 'dead'");
    s.Bind(1, Micros(now));
    if (payload) {
      s.Bind(2, *payload);
    } else {
      s.BindNull(2);
    }
    s.Bind(3, id);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    if (db_.Changes() != 1) return NotFound("no dead letter " + std::to_string(id));
    return Status::Ok();
  }

  Status DiscardDeadLetter(int64_t id, const std::string& reason) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET state = 'discarded', discard_reason = ?, lease_until = NULL "
                "WHERE id = ? AND state = 'dead'");
    s.Bind(1, reason).Bind(2, id);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    if (db_.Changes() != 1) return NotFound("no dead letter " + std::to_string(id));
    return Status::Ok();
  }

  Result<int64_t> DiscardDeadLettersOf(const std::string& aggregate_id,
                                       const std::string& reason) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET state = 'discarded', discard_reason = ?, lease_until = NULL "
                "WHERE aggregateid = ? AND state = 'dead'");
    s.Bind(1, reason).Bind(2, aggregate_id);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    return static_cast<int64_t>(db_.Changes());
  }

  Status SaveQuotaState(const QuotaState& q) override {
    TRY_PREPARE(
        s, db_,
        "INSERT INTO quota_state (destination, tokens, at) VALUES (?, ?, ?) "
        "ON CONFLICT (destination) DO UPDATE SET tokens = excluded.tokens, at = excluded.at");
    s.Bind(1, q.destination).BindDouble(2, q.tokens).Bind(3, Micros(q.at));
    return s.Exec();
  }

  Status AppendAudit(AuditRecord& r) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?,?,?,?,?)");
    s.Bind(1, Micros(r.at)).Bind(2, r.actor).Bind(3, r.action).Bind(4, r.subject).Bind(5, r.detail);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    r.seq = db_.LastInsertId();
    return Status::Ok();
  }

  Status InsertReturn(const ReturnRecord& r) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO returns (id, order_id, partner, parties, status, created_at, body) "
                "VALUES (?,?,?,?,?,?,?)");
    s.Bind(1, r.id).Bind(2, r.order_id).Bind(3, r.partner).Bind(4, EncodeParties(r.parties));
    s.Bind(5, r.status).Bind(6, Micros(r.created_at)).Bind(7, r.body);
    return s.Exec();
  }

  Result<X12ControlNumbers> NextX12ControlNumbers(const std::string& partner) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO x12_control_numbers (partner, interchange, grp) VALUES (?1, 1, 1) "
                "ON CONFLICT (partner) DO UPDATE SET interchange = interchange + 1, grp = grp + 1 "
                "RETURNING interchange, grp");
    s.Bind(1, partner);
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Internal("no control numbers returned for " + partner);
    X12ControlNumbers out{s.Int(0), s.Int(1)};
    s.Reset();
    if (out.interchange > 999'999'999 || out.group > 999'999'999) {
      return Status(StatusCode::kResourceExhausted,
                    "X12 control numbers for " + partner + " are used up (999999999)");
    }
    return out;
  }

  Result<std::vector<ReturnRecord>> ReturnsForOrder(const std::string& order_id) override {
    TRY_PREPARE(s, db_,
                "SELECT id, order_id, partner, parties, status, created_at, body FROM returns "
                "WHERE order_id = ? ORDER BY id");
    s.Bind(1, order_id);
    std::vector<ReturnRecord> out;
    while (true) {
      auto row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back({s.Text(0), s.Text(1), s.Text(2), DecodeParties(s.Text(3)), s.Text(4),
                     FromUnixMicros(s.Int(5)), s.Text(6)});
    }
    s.Reset();
    return out;
  }

  Result<bool> PutInventoryLevel(const InventoryLevel& l) override {
    // The count is of the node's stock at as_of: what it shipped after that (consumed by
    // shipments Crossdock recorded with a later time) is no longer there.
    TRY_PREPARE(s, db_,
                "INSERT INTO inventory_levels (sku, node, on_hand, as_of, updated_at) "
                "VALUES (?1, ?2, ?3 + (SELECT COALESCE(SUM(CASE kind WHEN 'adjust' THEN quantity "
                "ELSE -quantity END), 0) FROM inventory_events WHERE sku = ?1 AND node = ?2 AND "
                "kind IN ('consume', 'ship', 'adjust') AND at > ?4), ?4, ?5) "
                "ON CONFLICT (sku, node) DO UPDATE SET on_hand = excluded.on_hand, as_of = ?4, "
                "updated_at = ?5 WHERE excluded.as_of > as_of");
    s.Bind(1, l.sku).Bind(2, l.node).Bind(3, l.on_hand).Bind(4, Micros(l.as_of));
    s.Bind(5, Micros(l.updated_at));
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    if (db_.Changes() != 1) return false;
    CROSSDOCK_RETURN_IF_ERROR(RecordStockEvent(l.sku, l.node, "count", l.on_hand, l.as_of,
                                               "node:" + l.node, l.updated_at));
    return true;
  }

  Status ApplyStock(const StockChange& c) override {
    // One upsert: a node that never reported stock gets its position at its first change (as
    // of the epoch, so its first count wins), with the change applied to zeros; an existing
    // position takes the change. A count taken after the change (as_of later) already
    // reflects it, so on-hand moves only for changes dated after the last count.
    const int64_t q = c.quantity;
    int64_t on_hand = 0, reserved = 0, shipped = 0;  // the change applied to a new position
    const char* update = nullptr;
    switch (c.kind) {
      case StockChange::Kind::kReserve:
        reserved = q;
        update = "reserved = reserved + ?3";
        break;
      case StockChange::Kind::kRelease:
        update = "reserved = MAX(0, reserved - ?3)";
        break;
      case StockChange::Kind::kConsume:
        on_hand = -q;
        shipped = q;
        update =
            "reserved = MAX(0, reserved - ?3), shipped = shipped + ?3, "
            "on_hand = on_hand - CASE WHEN ?4 > as_of THEN ?3 ELSE 0 END";
        break;
      case StockChange::Kind::kShip:
        on_hand = -q;
        shipped = q;
        update =
            "shipped = shipped + ?3, on_hand = on_hand - CASE WHEN ?4 > as_of THEN ?3 ELSE 0 END";
        break;
      case StockChange::Kind::kAdjust:
        on_hand = q;
        update = "on_hand = on_hand + CASE WHEN ?4 > as_of THEN ?3 ELSE 0 END";
        break;
    }
    TRY_PREPARE(s, db_,
                std::string("INSERT INTO inventory_levels (sku, node, on_hand, as_of, updated_at, "
                            "reserved, shipped) VALUES (?1, ?2, ?5, 0, ?4, ?6, ?7) "
                            "ON CONFLICT (sku, node) DO UPDATE SET ") +
                    update + ", updated_at = ?4");
    s.Bind(1, c.sku).Bind(2, c.node).Bind(3, q).Bind(4, Micros(c.at)).Bind(5, on_hand);
    s.Bind(6, reserved).Bind(7, shipped);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    return RecordStockEvent(c.sku, c.node, StockChangeKindName(c.kind), q, c.at, c.source, c.at);
  }

  Result<std::vector<InventoryLevel>> GetInventory(const std::string& sku) override {
    return ReadInventory(db_, sku);
  }

  Result<X12Transmission> PrepareX12Transmission(X12Transmission t) override {
    {
      TRY_PREPARE(s, db_,
                  std::string("SELECT ") + kX12TransmissionColumns +
                      " FROM x12_transmissions WHERE key = ?");
      s.Bind(1, t.key);
      auto row = s.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        X12Transmission stored = ReadX12Transmission(s);
        s.Reset();
        return stored;
      }
      s.Reset();
    }
    auto numbers = NextX12ControlNumbers(t.partner);
    if (!numbers.ok()) return numbers.status();
    t.interchange = numbers->interchange;
    t.group = numbers->group;
    TRY_PREPARE(s, db_,
                "INSERT INTO x12_transmissions (key, partner, order_id, set_code, interchange, "
                "grp, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, t.key).Bind(2, t.partner).Bind(3, t.order_id).Bind(4, t.set_code);
    s.Bind(5, t.interchange).Bind(6, t.group).Bind(7, Micros(t.created_at));
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    return t;
  }

  Status OpenStockException(StockException& e) override {
    {
      TRY_PREPARE(s, db_,
                  "UPDATE stock_exceptions SET ledger = ?, counted = ?, as_of = ?, run_id = ? "
                  "WHERE node = ? AND sku = ? AND resolved_at IS NULL RETURNING id, opened_at");
      s.Bind(1, e.ledger).Bind(2, e.counted).Bind(3, Micros(e.as_of)).Bind(4, e.run_id);
      s.Bind(5, e.node).Bind(6, e.sku);
      auto row = s.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        e.id = s.Int(0);
        e.opened_at = FromUnixMicros(s.Int(1));
        s.Reset();
        return Status::Ok();
      }
      s.Reset();
    }
    TRY_PREPARE(s, db_,
                "INSERT INTO stock_exceptions (node, sku, ledger, counted, as_of, run_id, "
                "opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, e.node).Bind(2, e.sku).Bind(3, e.ledger).Bind(4, e.counted);
    s.Bind(5, Micros(e.as_of)).Bind(6, e.run_id).Bind(7, Micros(e.opened_at));
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    e.id = db_.LastInsertId();
    return Status::Ok();
  }

  Result<std::optional<StockException>> GetStockException(int64_t id) override {
    return SelectStockException(db_, id);
  }

  Status ResolveStockException(int64_t id, const std::string& resolution, const std::string& by,
                               TimePoint at) override {
    {
      TRY_PREPARE(s, db_,
                  "UPDATE stock_exceptions SET resolved_at = ?, resolution = ?, resolved_by = ? "
                  "WHERE id = ? AND resolved_at IS NULL");
      s.Bind(1, Micros(at)).Bind(2, resolution).Bind(3, by).Bind(4, id);
      CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    }
    if (db_.Changes() == 1) return Status::Ok();
    auto e = SelectStockException(db_, id);
    if (!e.ok()) return e.status();
    if (!*e) return NotFound("no stock exception " + std::to_string(id));
    return Conflict("stock exception " + std::to_string(id) + " was resolved already (" +
                    (*e)->resolution + ")");
  }

  Status RecordPublication(const std::string& channel, const std::string& sku, int64_t available,
                           TimePoint at) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO channel_publications (channel, sku, available, published_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (channel, sku) DO UPDATE SET "
                "available = excluded.available, published_at = excluded.published_at");
    s.Bind(1, channel).Bind(2, sku).Bind(3, available).Bind(4, Micros(at));
    return s.Exec();
  }

  Status MarkX12Sent(const std::string& key, TimePoint at) override {
    TRY_PREPARE(s, db_,
                "UPDATE x12_transmissions SET sent_at = COALESCE(sent_at, ?) WHERE key = ?");
    s.Bind(1, Micros(at)).Bind(2, key);
    return s.Exec();
  }

  Result<std::optional<X12Transmission>> AckX12Group(const std::string& partner, int64_t group,
                                                     const std::string& ack,
                                                     TimePoint at) override {
    {
      TRY_PREPARE(s, db_,
                  "UPDATE x12_transmissions SET acked_at = ?, ack = ? "
                  "WHERE partner = ? AND grp = ? AND acked_at IS NULL");
      s.Bind(1, Micros(at)).Bind(2, ack).Bind(3, partner).Bind(4, group);
      CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    }
    bool recorded = db_.Changes() == 1;
    TRY_PREPARE(s, db_,
                std::string("SELECT ") + kX12TransmissionColumns +
                    " FROM x12_transmissions WHERE partner = ? AND grp = ?");
    s.Bind(1, partner).Bind(2, group);
    auto row = s.Step();
    if (!row.ok()) return row.status();
    std::optional<X12Transmission> out;
    if (*row) {
      out = ReadX12Transmission(s);
      out->newly_acked = recorded;
    }
    s.Reset();
    return out;
  }

  Status InsertReconciliation(const ReconciliationRecord& r) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO reconciliations (id, kind, node, started_at, finished_at, "
                "report_json, report_csv) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, r.id).Bind(2, r.kind).Bind(3, r.node).Bind(4, Micros(r.started_at));
    s.Bind(5, Micros(r.finished_at)).Bind(6, r.report_json).Bind(7, r.report_csv);
    return s.Exec();
  }

 private:
  Status RecordStockEvent(const std::string& sku, const std::string& node, const char* kind,
                          int64_t quantity, TimePoint at, const std::string& source,
                          TimePoint recorded) {
    TRY_PREPARE(s, db_,
                "INSERT INTO inventory_events (sku, node, kind, quantity, at, source, recorded) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, sku).Bind(2, node).Bind(3, kind).Bind(4, quantity).Bind(5, Micros(at));
    s.Bind(6, source).Bind(7, Micros(recorded));
    return s.Exec();
  }

 public:
  Status CompleteOutbox(int64_t id, int attempts) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET state = 'done', attempts = ?, lease_until = NULL, "
                "last_error = '', in_doubt = 0 WHERE id = ?");
    s.Bind(1, int64_t{attempts}).Bind(2, id);
    return s.Exec();
  }

  Status RetryOutboxLater(int64_t id, int attempts, TimePoint next, const std::string& error,
                          bool in_doubt) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, "
                "lease_until = NULL, in_doubt = ? WHERE id = ? AND state = 'pending'");
    s.Bind(1, int64_t{attempts}).Bind(2, Micros(next)).Bind(3, error);
    s.Bind(4, int64_t{in_doubt ? 1 : 0}).Bind(5, id);
    return s.Exec();
  }

  Status DeadLetterOutbox(int64_t id, int attempts, const std::string& error,
                          bool in_doubt) override {
    TRY_PREPARE(s, db_,
                "UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, "
                "lease_until = NULL, in_doubt = ? WHERE id = ?");
    s.Bind(1, int64_t{attempts}).Bind(2, error).Bind(3, int64_t{in_doubt ? 1 : 0}).Bind(4, id);
    return s.Exec();
  }

  Status ResetLeases() override {
    return db_.Exec(
        "UPDATE outbox SET lease_until = NULL WHERE state = 'pending' AND "
        "lease_until IS NOT NULL");
  }

  Status AppendEvent(EventRecord& e) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO events (id, source, type, subject, time, data, traceparent) "
                "VALUES (?,?,?,?,?,?,?)");
    s.Bind(1, e.id).Bind(2, e.source).Bind(3, e.type).Bind(4, e.subject);
    s.Bind(5, Micros(e.time)).BindStatic(6, e.data).Bind(7, e.traceparent);
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    e.seq = db_.LastInsertId();
    return Status::Ok();
  }

  Result<std::optional<IdempotencyRecord>> GetIdempotency(const std::string& partner,
                                                          const std::string& key) override {
    TRY_PREPARE(s, db_,
                "SELECT request_hash, status_code, response_body, location, created_at "
                "FROM idempotency_keys WHERE partner = ? AND key = ?");
    s.Bind(1, partner).Bind(2, key);
    auto row = s.Step();
    if (!row.ok()) return row.status();
    std::optional<IdempotencyRecord> out;
    if (*row) {
      out = IdempotencyRecord{partner,
                              key,
                              s.Text(0),
                              static_cast<int>(s.Int(1)),
                              s.Text(2),
                              s.Text(3),
                              FromUnixMicros(s.Int(4))};
    }
    s.Reset();
    return out;
  }

  Status PutIdempotency(const IdempotencyRecord& r) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO idempotency_keys (partner, key, request_hash, status_code, "
                "response_body, location, created_at) VALUES (?,?,?,?,?,?,?)");
    s.Bind(1, r.partner).Bind(2, r.key).Bind(3, r.request_hash).Bind(4, int64_t{r.status_code});
    s.BindStatic(5, r.response_body).Bind(6, r.location).Bind(7, Micros(r.created_at));
    return s.Exec();
  }

  Result<bool> MarkInboundSeen(const std::string& source, const std::string& event_id,
                               TimePoint at) override {
    TRY_PREPARE(s, db_,
                "INSERT OR IGNORE INTO inbound_events (source, event_id, received_at) "
                "VALUES (?,?,?)");
    s.Bind(1, source).Bind(2, event_id).Bind(3, Micros(at));
    CROSSDOCK_RETURN_IF_ERROR(s.Exec());
    return db_.Changes() == 1;
  }

  Status SetSubscriberOffset(const std::string& subscriber, int64_t seq) override {
    TRY_PREPARE(s, db_,
                "INSERT INTO subscriber_offsets (subscriber, seq) VALUES (?, ?) "
                "ON CONFLICT (subscriber) DO UPDATE SET seq = excluded.seq");
    s.Bind(1, subscriber).Bind(2, seq);
    return s.Exec();
  }

 private:
  Db& db_;
};

}  // namespace

Result<std::unique_ptr<Db>> SqliteStore::OpenConnection(bool read_only) {
  auto db = Db::Open(options_.path, read_only);
  if (!db.ok()) return db.status();
  if (!read_only) {
    CROSSDOCK_RETURN_IF_ERROR((*db)->Exec("PRAGMA journal_mode = WAL"));
  }
  CROSSDOCK_RETURN_IF_ERROR((*db)->Exec("PRAGMA synchronous = " + options_.synchronous));
  CROSSDOCK_RETURN_IF_ERROR((*db)->Exec("PRAGMA foreign_keys = ON"));
  // Savepoint sub-journals and temporary b-trees in memory, not in temp files.
  CROSSDOCK_RETURN_IF_ERROR((*db)->Exec("PRAGMA temp_store = MEMORY"));
  CROSSDOCK_RETURN_IF_ERROR((*db)->Exec("PRAGMA cache_size = -16384"));  // 16 MiB
  return db;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.synchronous != "FULL" && options.synchronous != "NORMAL" &&
      options.synchronous != "OFF" && options.synchronous != "EXTRA") {
    return InvalidArgument("synchronous must be FULL, EXTRA, NORMAL or OFF");
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  auto writer = store->OpenConnection(false);
  if (!writer.ok()) return writer.status();
  store->writer_db_ = std::move(*writer);
  CROSSDOCK_RETURN_IF_ERROR(sqlite::Migrate(*store->writer_db_));
  for (int i = 0; i < options.read_connections; ++i) {
    auto r = store->OpenConnection(true);
    if (!r.ok()) return r.status();
    store->readers_.push_back(std::move(*r));
  }
  auto checkpointer = store->OpenConnection(false);
  if (!checkpointer.ok()) return checkpointer.status();
  store->checkpoint_db_ = std::move(*checkpointer);
  // The writer never checkpoints itself; the checkpointer thread does (see CheckpointLoop).
  CROSSDOCK_RETURN_IF_ERROR(store->writer_db_->Exec("PRAGMA wal_autocheckpoint = 0"));
  sqlite3_wal_hook(store->writer_db_->raw(), &SqliteStore::OnWalCommit, store.get());
  store->checkpointer_ = std::thread([s = store.get()] {
    SetThreadName("cd-checkpoint");
    s->CheckpointLoop();
  });
  store->completer_ = std::thread([s = store.get()] {
    SetThreadName("cd-store-done");
    s->CompletionLoop();
  });
  store->writer_ = std::thread([s = store.get()] {
    SetThreadName("cd-store-write");
    s->WriterLoop();
  });
  return store;
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(completions_mu_);
    completions_stopping_ = true;
  }
  completions_cv_.notify_all();
  if (completer_.joinable()) completer_.join();
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  // A final full checkpoint keeps the WAL small between runs (best effort).
  if (checkpoint_db_) (void)checkpoint_db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

int SqliteStore::OnWalCommit(void* self, sqlite3*, const char*, int pages) {
  auto* s = static_cast<SqliteStore*>(self);
  bool wake;
  {
    std::lock_guard lock(s->mu_);
    s->wal_pages_ = pages;
    wake = pages >= s->options_.checkpoint_pages;
  }
  if (wake) s->checkpoint_cv_.notify_one();
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      checkpoint_cv_.wait(lock,
                          [&] { return stopping_ || wal_pages_ >= options_.checkpoint_pages; });
      if (stopping_) return;
      wal_pages_ = 0;
    }
    int log = 0, done = 0;
    // PASSIVE: copies what it can without blocking the writer or readers.
    sqlite3_wal_checkpoint_v2(checkpoint_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                              &done);
  }
}

void SqliteStore::Write(WriteJob job, WriteDone done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Unavailable("store is shutting down"));
}

void SqliteStore::WriterLoop() {
  std::vector<Pending> group;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && static_cast<int>(group.size()) < options_.max_group_size) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

// Runs every job of the group in one transaction. The fast path runs them back to back; if a
// job fails, the whole transaction is rolled back and the group runs again with a savepoint
// around each job, so the failing job is undone alone (the savepoints cost a copy of every page
// a job touches, which only this rare path pays). Jobs may therefore run twice.
void SqliteStore::CommitGroup(std::vector<Pending>& group) {
  Db& db = *writer_db_;
  std::vector<Status> results(group.size());
  Status st = RunGroup(group, /*savepoints=*/false, results);
  if (st.code() == StatusCode::kAborted) st = RunGroup(group, /*savepoints=*/true, results);
  if (!st.ok()) {
    for (auto& r : results) {
      if (r.ok()) r = st;
    }
  } else {
    groups_.fetch_add(1, std::memory_order_relaxed);
    jobs_.fetch_add(group.size(), std::memory_order_relaxed);
  }
  (void)db;
  {
    std::lock_guard lock(completions_mu_);
    for (size_t i = 0; i < group.size(); ++i) {
      completions_.emplace_back(std::move(group[i].done), std::move(results[i]));
    }
  }
  completions_cv_.notify_one();
}

Status SqliteStore::RunGroup(std::vector<Pending>& group, bool savepoints,
                             std::vector<Status>& results) {
  Db& db = *writer_db_;
  CROSSDOCK_RETURN_IF_ERROR(RunCached(db, "BEGIN IMMEDIATE"));
  SqliteWriteTx tx(db);
  for (size_t i = 0; i < group.size(); ++i) {
    if (savepoints) {
      Status sp = RunCached(db, "SAVEPOINT job");
      if (!sp.ok()) {
        results[i] = sp;
        continue;
      }
    }
    results[i] = group[i].job(tx);
    if (!results[i].ok() && !savepoints) {
      (void)RunCached(db, "ROLLBACK");
      return Status(StatusCode::kAborted, "a job failed; retrying the group with savepoints");
    }
    if (savepoints) {
      if (results[i].ok()) {
        Status rel = RunCached(db, "RELEASE job");
        if (!rel.ok()) results[i] = rel;
      } else {
        (void)RunCached(db, "ROLLBACK TO job");
        (void)RunCached(db, "RELEASE job");
      }
    }
  }
  Status commit = RunCached(db, "COMMIT");
  if (!commit.ok()) {
    (void)RunCached(db, "ROLLBACK");
    return Unavailable("commit failed: " + commit.message());
  }
  return Status::Ok();
}

void SqliteStore::CompletionLoop() {
  std::deque<std::pair<WriteDone, Status>> batch;
  while (true) {
    {
      std::unique_lock lock(completions_mu_);
      completions_cv_.wait(lock, [&] { return completions_stopping_ || !completions_.empty(); });
      if (completions_.empty() && completions_stopping_) return;
      batch.swap(completions_);
    }
    for (auto& [done, status] : batch) done(std::move(status));
    batch.clear();
  }
}

std::unique_ptr<Db> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  auto db = OpenConnection(true);
  return db.ok() ? std::move(*db) : nullptr;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Db> db) {
  std::lock_guard lock(readers_mu_);
  if (static_cast<int>(readers_.size()) < options_.read_connections * 4) {
    readers_.push_back(std::move(db));
  }
}

// Borrows a read connection for one call and returns it on destruction.
class SqliteStore::ReaderLease {
 public:
  explicit ReaderLease(SqliteStore& s) : s_(s), db_(s.AcquireReader()) {}
  ~ReaderLease() {
    if (db_) s_.ReleaseReader(std::move(db_));
  }
  Db* get() { return db_.get(); }

 private:
  SqliteStore& s_;
  std::unique_ptr<Db> db_;
};

#define WITH_READER(db)                                        \
  ReaderLease lease_(*this);                                   \
  if (!lease_.get()) return Unavailable("no read connection"); \
  Db& db = *lease_.get()

Result<std::optional<OrderRecord>> SqliteStore::GetOrder(const std::string& id) {
  WITH_READER(db);
  return SelectOrder(db, id);
}

Result<std::vector<HistoryEntry>> SqliteStore::GetHistory(const std::string& order_id) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT seq, at, type, detail, trace_id FROM order_history WHERE order_id = ? "
              "ORDER BY seq");
  s.Bind(1, order_id);
  std::vector<HistoryEntry> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Int(0), FromUnixMicros(s.Int(1)), s.Text(2), s.Text(3), s.Text(4)});
  }
  s.Reset();
  return out;
}

Result<std::vector<EventRecord>> SqliteStore::ReadEvents(int64_t after_seq, int limit) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT seq, id, source, type, subject, time, data, traceparent FROM events "
              "WHERE seq > ? ORDER BY seq LIMIT ?");
  s.Bind(1, after_seq).Bind(2, int64_t{limit});
  std::vector<EventRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), FromUnixMicros(s.Int(5)),
                   s.Text(6), s.Text(7)});
  }
  s.Reset();
  return out;
}

Result<int64_t> SqliteStore::GetSubscriberOffset(const std::string& subscriber) {
  WITH_READER(db);
  TRY_PREPARE(s, db, "SELECT seq FROM subscriber_offsets WHERE subscriber = ?");
  s.Bind(1, subscriber);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  int64_t seq = *row ? s.Int(0) : 0;
  s.Reset();
  return seq;
}

Result<std::optional<TimePoint>> SqliteStore::NextOutboxDue() {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT MIN(MAX(o.next_attempt_at, COALESCE(o.lease_until, 0))) FROM outbox o "
              "WHERE o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox p WHERE "
              "p.aggregateid = o.aggregateid AND p.id < o.id AND p.state IN ('pending', 'dead'))");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<TimePoint> out;
  if (*row && !s.IsNull(0)) out = FromUnixMicros(s.Int(0));
  s.Reset();
  return out;
}

Result<std::vector<std::string>> SqliteStore::ListOrderIds(int limit, const std::string& after_id) {
  WITH_READER(db);
  TRY_PREPARE(s, db, "SELECT id FROM orders WHERE id > ? ORDER BY id LIMIT ?");
  s.Bind(1, after_id).Bind(2, int64_t{limit});
  std::vector<std::string> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(s.Text(0));
  }
  s.Reset();
  return out;
}

Result<std::vector<OrderRecord>> SqliteStore::ListOrders(const OrderQuery& q) {
  WITH_READER(db);
  // A partner's orders come through the order_parties index; an operator's from orders.
  TRY_PREPARE(s, db,
              q.party.empty()
                  ? "SELECT body, flow_state, version, parties, exception_since FROM orders "
                    "WHERE id > ?1 AND ?2 = '' AND (?3 = '' OR status = ?3) "
                    "AND (?4 = '' OR channel = ?4) "
                    "AND (?6 = 0 OR exception_since IS NOT NULL) ORDER BY id LIMIT ?5"
                  : "SELECT o.body, o.flow_state, o.version, o.parties, o.exception_since "
                    "FROM order_parties p JOIN orders o ON o.id = p.order_id "
                    "WHERE p.party = ?2 AND p.order_id > ?1 "
                    "AND (?3 = '' OR o.status = ?3) AND (?4 = '' OR o.channel = ?4) "
                    "AND (?6 = 0 OR o.exception_since IS NOT NULL) "
                    "ORDER BY p.order_id LIMIT ?5");
  s.Bind(1, q.after_id).Bind(2, q.party).Bind(3, q.status).Bind(4, q.channel);
  s.Bind(5, int64_t{q.limit}).Bind(6, int64_t{q.exceptions_only ? 1 : 0});
  std::vector<OrderRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto rec = ReadOrderRow(s);
    if (!rec.ok()) return rec.status();
    out.push_back(std::move(*rec));
  }
  s.Reset();
  return out;
}

Result<std::optional<ReturnRecord>> SqliteStore::GetReturn(const std::string& id) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT id, order_id, partner, parties, status, created_at, body FROM returns "
              "WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<ReturnRecord> out;
  if (*row) {
    out = ReturnRecord{s.Text(0), s.Text(1),
                       s.Text(2), DecodeParties(s.Text(3)),
                       s.Text(4), FromUnixMicros(s.Int(5)),
                       s.Text(6)};
  }
  s.Reset();
  return out;
}

namespace {

constexpr const char* kPositionColumns =
    "SELECT sku, node, on_hand, as_of, updated_at, reserved, shipped FROM inventory_levels ";

// The positions a prepared, bound query over kPositionColumns yields.
Result<std::vector<InventoryLevel>> ReadPositions(Stmt& s) {
  std::vector<InventoryLevel> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Text(0), s.Text(1), s.Int(2), FromUnixMicros(s.Int(3)),
                   FromUnixMicros(s.Int(4)), s.Int(5), s.Int(6)});
  }
  s.Reset();
  return out;
}

Result<std::vector<InventoryLevel>> ReadInventory(Db& db, const std::string& sku) {
  TRY_PREPARE(s, db, std::string(kPositionColumns) + "WHERE sku = ? ORDER BY node");
  s.Bind(1, sku);
  return ReadPositions(s);
}

}  // namespace

Result<std::vector<InventoryLevel>> SqliteStore::GetInventory(const std::string& sku) {
  WITH_READER(db);
  return ReadInventory(db, sku);
}

Result<std::vector<OutboxItem>> SqliteStore::ListDeadLetters(const DeadLetterFilter& f) {
  WITH_READER(db);
  std::string sql =
      std::string("SELECT ") + kOutboxColumns +
      " FROM outbox WHERE state = 'dead' AND id > ?1 AND (?2 = '' OR destination = ?2) "
      "AND created_at < ?3 AND (?5 = '' OR aggregateid = ?5 OR aggregateid LIKE ?5 || '/%')";
  if (f.error_class == "http_4xx") sql += " AND last_error LIKE 'HTTP 4%'";
  if (f.error_class == "http_5xx") sql += " AND last_error LIKE 'HTTP 5%'";
  if (f.error_class == "transport") {
    sql += " AND (last_error LIKE 'UNAVAILABLE%' OR last_error LIKE 'DEADLINE_EXCEEDED%')";
  }
  if (f.error_class == "other") {
    sql +=
        " AND last_error NOT LIKE 'HTTP 4%' AND last_error NOT LIKE 'HTTP 5%' AND "
        "last_error NOT LIKE 'UNAVAILABLE%' AND last_error NOT LIKE 'DEADLINE_EXCEEDED%'";
  }
  sql += " ORDER BY id LIMIT ?4";
  TRY_PREPARE(s, db, sql);
  s.Bind(1, f.after_id).Bind(2, f.destination);
  s.Bind(3, f.created_before ? Micros(*f.created_before) : INT64_MAX).Bind(4, int64_t{f.limit});
  s.Bind(5, f.order_id);
  std::vector<OutboxItem> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadOutboxRow(s));
  }
  s.Reset();
  return out;
}

Result<std::optional<OutboxItem>> SqliteStore::GetOutboxItem(int64_t id) {
  WITH_READER(db);
  return SelectOutboxItem(db, id);
}

Result<std::vector<QuotaState>> SqliteStore::LoadQuotaStates() {
  WITH_READER(db);
  TRY_PREPARE(s, db, "SELECT destination, tokens, at FROM quota_state");
  std::vector<QuotaState> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Text(0), s.Double(1), FromUnixMicros(s.Int(2))});
  }
  s.Reset();
  return out;
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(int limit) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT seq, at, actor, action, subject, detail FROM audit_log ORDER BY seq DESC "
              "LIMIT ?");
  s.Bind(1, int64_t{limit});
  std::vector<AuditRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Int(0), FromUnixMicros(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
  }
  s.Reset();
  return out;
}

Result<std::vector<InventoryLevel>> SqliteStore::ListInventoryAt(const std::string& node) {
  WITH_READER(db);
  TRY_PREPARE(s, db, std::string(kPositionColumns) + "WHERE node = ? ORDER BY sku");
  s.Bind(1, node);
  return ReadPositions(s);
}

Result<std::map<std::string, int64_t>> SqliteStore::OnHandChangesAfter(const std::string& node,
                                                                       TimePoint at) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT sku, SUM(CASE kind WHEN 'adjust' THEN quantity ELSE -quantity END) "
              "FROM inventory_events WHERE node = ? AND kind IN ('consume', 'ship', 'adjust') "
              "AND at > ? GROUP BY sku");
  s.Bind(1, node).Bind(2, Micros(at));
  std::map<std::string, int64_t> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[s.Text(0)] = s.Int(1);
  }
  s.Reset();
  return out;
}

Result<std::vector<ReconciliationRecord>> SqliteStore::ListReconciliations(int limit) {
  WITH_READER(db);
  // The summary is the report's head: the JSON up to its discrepancies.
  TRY_PREPARE(s, db,
              "SELECT id, kind, node, started_at, finished_at, "
              "substr(report_json, 1, instr(report_json, ',\"discrepancies\":[') - 1) || '}' "
              "FROM reconciliations ORDER BY started_at DESC, id DESC LIMIT ?");
  s.Bind(1, int64_t{limit});
  std::vector<ReconciliationRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Text(0), s.Text(1), s.Text(2), FromUnixMicros(s.Int(3)),
                   FromUnixMicros(s.Int(4)), s.Text(5), ""});
  }
  s.Reset();
  return out;
}

Result<std::optional<ReconciliationRecord>> SqliteStore::GetReconciliation(const std::string& id) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT id, kind, node, started_at, finished_at, report_json, report_csv "
              "FROM reconciliations WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<ReconciliationRecord> out;
  if (*row) {
    out = ReconciliationRecord{
        s.Text(0), s.Text(1), s.Text(2), FromUnixMicros(s.Int(3)), FromUnixMicros(s.Int(4)),
        s.Text(5), s.Text(6)};
  }
  s.Reset();
  return out;
}

Result<std::vector<X12Transmission>> SqliteStore::ListX12Transmissions(const std::string& partner,
                                                                       int limit) {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              std::string("SELECT ") + kX12TransmissionColumns +
                  " FROM x12_transmissions WHERE partner = ? ORDER BY grp DESC LIMIT ?");
  s.Bind(1, partner).Bind(2, int64_t{limit});
  std::vector<X12Transmission> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadX12Transmission(s));
  }
  s.Reset();
  return out;
}

Result<std::vector<StockException>> SqliteStore::ListStockExceptions(
    const StockExceptionFilter& filter) {
  WITH_READER(db);
  std::string sql = std::string("SELECT ") + kStockExceptionColumns +
                    " FROM stock_exceptions WHERE id > ?1 AND (?2 = '' OR node = ?2)";
  if (filter.open_only) sql += " AND resolved_at IS NULL";
  sql += " ORDER BY id LIMIT ?3";
  TRY_PREPARE(s, db, sql);
  s.Bind(1, filter.after_id).Bind(2, filter.node).Bind(3, int64_t{filter.limit});
  std::vector<StockException> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadStockException(s));
  }
  s.Reset();
  return out;
}

Result<std::map<std::string, int64_t>> SqliteStore::ListPublications(const std::string& channel) {
  WITH_READER(db);
  TRY_PREPARE(s, db, "SELECT sku, available FROM channel_publications WHERE channel = ?");
  s.Bind(1, channel);
  std::map<std::string, int64_t> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[s.Text(0)] = s.Int(1);
  }
  s.Reset();
  return out;
}

Result<int64_t> SqliteStore::CountDeadLetters() {
  WITH_READER(db);
  TRY_PREPARE(s, db, "SELECT COUNT(*) FROM outbox WHERE state = 'dead'");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  int64_t n = s.Int(0);
  s.Reset();
  return n;
}

Result<StoreStats> SqliteStore::Stats() {
  WITH_READER(db);
  TRY_PREPARE(s, db,
              "SELECT (SELECT COUNT(*) FROM orders), "
              "(SELECT COUNT(*) FROM orders WHERE status = 'shipped'), "
              "(SELECT COUNT(*) FROM outbox WHERE state = 'pending'), "
              "(SELECT COUNT(*) FROM outbox WHERE state = 'dead'), "
              "(SELECT COALESCE(MAX(seq), 0) FROM events)");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  StoreStats st{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4)};
  s.Reset();
  return st;
}

}  // namespace crossdock
