// Returns: the rules for what may come back (pure), and the stored form of a return request.
// OrderFlow::InitiateReturn applies them in the store transaction that records the return.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "flows/order_decider.h"
#include "model/field_error.h"

namespace crossdock {

struct ReturnLineRequest {
  std::string line_id;
  int64_t quantity = 0;
  std::string reason;
};

// Only what has shipped can come back, counting what earlier returns of the order took
// (`earlier`: units per line). One error per offending request line, with its pointer.
FieldErrors CheckReturn(const OrderAggregate& order, const std::map<std::string, int64_t>& earlier,
                        const std::vector<ReturnLineRequest>& lines);

// Adds the units per line of a stored return body ({"lines":[{"line_id","quantity"}]}).
Status AddReturnedQuantities(const std::string& body, std::map<std::string, int64_t>& out);

// The stored and answered JSON of a return (docs/schemas/return.schema.json StoredReturn), as
// it is authorized.
std::string EncodeReturn(const std::string& id, const std::string& order_id,
                         const std::string& partner, TimePoint created_at,
                         const std::vector<ReturnLineRequest>& lines, const std::string& notes);

// The stored JSON of a return with its progress since: the current status, and once received
// the units and conditions per line, the node and the ERP's credit note.
std::string WithProgress(const std::string& stored, const ReturnState& state);

}  // namespace crossdock
