#include "flows/stock_exceptions.h"

#include "base/json.h"

namespace crossdock {

std::optional<StockExceptionAction> ParseStockExceptionAction(std::string_view name) {
  if (name == "apply") return StockExceptionAction::kApply;
  if (name == "dismiss") return StockExceptionAction::kDismiss;
  return std::nullopt;
}

Status ResolveStockExceptionIn(WriteTx& tx, TimePoint now, int64_t id, StockExceptionAction action,
                               const std::string& actor, const std::string& note,
                               StockException& out) {
  auto found = tx.GetStockException(id);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound("no stock exception " + std::to_string(id));
  StockException e = **found;
  if (e.resolved_at) {
    return Conflict("stock exception " + std::to_string(id) + " was resolved already (" +
                    e.resolution + ")");
  }
  bool apply = action == StockExceptionAction::kApply;
  if (apply) {
    auto stored = tx.PutInventoryLevel({e.sku, e.node, e.counted, e.as_of, now});
    if (!stored.ok()) return stored.status();
    if (!*stored) {
      return Conflict("node " + e.node + " has reported a count of " + e.sku +
                      " as new as or newer than the snapshot of " + FormatRfc3339(e.as_of) +
                      "; the snapshot's count is stale: dismiss the exception");
    }
  }
  std::string resolution = apply ? "applied" : "dismissed";
  CROSSDOCK_RETURN_IF_ERROR(tx.ResolveStockException(id, resolution, actor, now));
  JsonWriter w;
  w.StartObject().Field("node", e.node).Field("sku", e.sku).Field("ledger", e.ledger);
  w.Field("counted", e.counted).Field("as_of", FormatRfc3339(e.as_of)).Field("run", e.run_id);
  if (!note.empty()) w.Field("note", note);
  w.EndObject();
  AuditRecord audit{0,
                    now,
                    actor,
                    "stock_exception." + std::string(apply ? "apply" : "dismiss"),
                    "stock_exception:" + std::to_string(id),
                    w.Take()};
  CROSSDOCK_RETURN_IF_ERROR(tx.AppendAudit(audit));
  e.resolved_at = now;
  e.resolution = resolution;
  e.resolved_by = actor;
  out = e;
  return Status::Ok();
}

Result<StockException> ResolveStockException(Store& store, const Clock& clock, int64_t id,
                                             StockExceptionAction action, const std::string& actor,
                                             const std::string& note) {
  StockException resolved;
  Status st = store.WriteAndWait([&](WriteTx& tx) {
    return ResolveStockExceptionIn(tx, clock.Now(), id, action, actor, note, resolved);
  });
  if (!st.ok()) return st;
  return resolved;
}

void WriteStockException(JsonWriter& w, const StockException& e) {
  w.StartObject().Field("id", e.id).Field("node", e.node).Field("sku", e.sku);
  w.Field("ledger", e.ledger).Field("counted", e.counted).Field("difference", e.counted - e.ledger);
  w.Field("as_of", FormatRfc3339(e.as_of)).Field("run", e.run_id);
  w.Field("opened_at", FormatRfc3339(e.opened_at));
  if (e.resolved_at) {
    w.Field("resolved_at", FormatRfc3339(*e.resolved_at)).Field("resolution", e.resolution);
    w.Field("resolved_by", e.resolved_by);
  }
  w.EndObject();
}

}  // namespace crossdock
