// What a partner's answer to an outbox command means for the order: the JSON answers of ERP
// connectors (Tryton's, or a REST ERP speaking the same shapes) and of nodes, turned into
// decider inputs. Pure functions; docs/erp.md documents each shape.
#pragma once

#include <string_view>

#include "base/status.h"
#include "codecs/json_reader.h"
#include "flows/order_decider.h"
#include "store/records.h"

namespace crossdock {

// The input an answer to `item` adds to its order. An answer that cannot be read becomes
// CommandFailed naming the fault (an operator looks at it); a command whose answer carries no
// news (a timer that is not due any more, say) still yields its input.
OrderInput InputFromAnswer(const OutboxItem& item, std::string_view body);

// The input a dead-lettered `item` adds to its order.
OrderInput InputFromFailure(const OutboxItem& item, const std::string& error);

// Reads one member of the erp.check answer shape into `out` (answers and recorded histories
// share it); false for a member the shape does not have. A null credit_limit means none.
bool ReadErpCheckedMember(json_reader::Reader& r, std::string_view key, json_reader::element v,
                          const std::string& pointer, ErpChecked& out);

// The outbox aggregate id of an order's command sequence: "<order id>" for "" (the order's
// own), else "<order id>/<sequence>". OrderIdOf reverses it.
std::string SequenceId(const std::string& order_id, const std::string& sequence);

// The order a command belongs to.
std::string OrderIdOf(const OutboxItem& item);

// The node of a "node:<id>" destination.
std::string NodeOf(const OutboxItem& item);

}  // namespace crossdock
