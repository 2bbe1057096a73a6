// Stock exceptions: snapshot differences a reconciliation left to an operator (store/records.h
// StockException). Applying one stores the snapshot's count as of the snapshot's time (what
// changed the stock since stays applied on top, as for an automatic correction); dismissing one
// leaves the ledger alone. Either is audited with the operator and an optional note.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "store/store.h"

namespace crossdock {

enum class StockExceptionAction { kApply, kDismiss };

// "apply" or "dismiss"; nullopt for anything else.
std::optional<StockExceptionAction> ParseStockExceptionAction(std::string_view name);

// Resolves exception `id`. NotFound when there is none; Conflict when it was resolved already,
// or (apply) when the node has reported a count newer than the snapshot since: the snapshot
// is stale, and only a dismissal is left.
Result<StockException> ResolveStockException(Store& store, const Clock& clock, int64_t id,
                                             StockExceptionAction action, const std::string& actor,
                                             const std::string& note);
// The same inside a write job (for callers that must not wait): sets `out` on success.
Status ResolveStockExceptionIn(WriteTx& tx, TimePoint now, int64_t id, StockExceptionAction action,
                               const std::string& actor, const std::string& note,
                               StockException& out);

// The exception as JSON: id, node, sku, ledger, counted, difference, as_of, run, opened_at,
// and when resolved resolved_at, resolution and resolved_by.
void WriteStockException(JsonWriter& w, const StockException& e);

}  // namespace crossdock
