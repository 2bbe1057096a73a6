#include "delivery/erp/erp_poll_loop.h"

#include <algorithm>
#include <future>
#include <map>

#include "base/thread_name.h"
#include "flows/order_state.h"

namespace crossdock {

ErpPollLoop::ErpPollLoop(ErpPoller& erp, OrderFlow& flow, Store& store, const Clock& clock,
                         MetricsRegistry& metrics, Logger& log, ErpPollOptions options)
    : erp_(erp),
      flow_(flow),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      polls_(metrics.GetCounter("crossdock_erp_polls_total", "Delta polls of the ERP.")),
      failures_(metrics.GetCounter("crossdock_erp_poll_failures_total",
                                   "Delta polls of the ERP that failed (tried again later).")) {}

ErpPollLoop::~ErpPollLoop() {
  Stop();
}

void ErpPollLoop::Start() {
  task_.Start("erp-poll", options_.interval, PeriodicTask::First::kNow, [this] {
    auto r = PollOnce();
    if (!r.ok()) {
      failures_.Inc();
      log_.Warn("ERP poll failed; trying again later", {{"error", r.status().message()}});
    }
  });
}

void ErpPollLoop::Stop() {
  task_.Stop();
}

Result<int> ErpPollLoop::PollOnce() {
  polls_.Inc();
  auto cursor = store_.GetSubscriberOffset(options_.cursor_name);
  if (!cursor.ok()) return cursor.status();
  TimePoint started = clock_.Now();
  TimePoint since = FromUnixMicros(*cursor) - options_.overlap;
  auto changes = erp_.InvoicesChangedSince(since);
  if (!changes.ok()) return changes.status();
  int paid = 0;
  for (const auto& c : *changes) {
    if (c.state != "paid") continue;
    std::string order_id = c.reference.substr(0, c.reference.find('/'));
    std::promise<Status> done;
    flow_.Act(order_id, InvoicePaid{c.reference, c.invoice}, TraceContext{},
              [&done](Result<ActOutcome> r) {
                // An invoice of an order this store does not know is someone else's: skip it.
                done.set_value(r.ok() || r.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                                    : r.status());
              });
    CROSSDOCK_RETURN_IF_ERROR(done.get_future().get());  // the cursor stays: polled again
    ++paid;
  }
  auto shipments = erp_.ShipmentsChangedSince(since);
  if (!shipments.ok()) return shipments.status();
  for (const auto& c : *shipments) CROSSDOCK_RETURN_IF_ERROR(ReportShipment(c, paid));
  // Everything up to the start of this poll is seen; the overlap covers late commits.
  Status saved = store_.WriteAndWait([&](WriteTx& tx) {
    return tx.SetSubscriberOffset(options_.cursor_name, ToUnixMicros(started));
  });
  if (!saved.ok()) return saved;
  return paid;
}

Status ErpPollLoop::ActAndWait(const std::string& order_id, OrderInput input) {
  std::promise<Status> done;
  flow_.Act(order_id, std::move(input), TraceContext{}, [&](Result<ActOutcome> r) {
    if (r.ok() && r->rejection && r->rejection->status.code() != StatusCode::kNotFound) {
      log_.Warn("ERP shipment progress refused",
                {{"order_id", order_id}, {"error", r->rejection->status.message()}});
    }
    done.set_value(r.ok() || r.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                        : r.status());
  });
  return done.get_future().get();
}

Status ErpPollLoop::ReportShipment(const ErpShipmentChange& c, int& handed) {
  // Tryton's states in order; a shipment seen late (done already) reports every step it passed.
  static const std::vector<std::string> kSteps = {"picked", "packed", "done"};
  auto reached = std::find(kSteps.begin(), kSteps.end(), c.state);
  if (reached == kSteps.end()) return Status::Ok();  // waiting, assigned, cancelled: nothing
  for (auto step = kSteps.begin(); step != reached + 1 && *step != "done"; ++step) {
    CROSSDOCK_RETURN_IF_ERROR(ActAndWait(
        c.order_id,
        MilestoneReported{*step, c.node, "tryton-" + c.shipment + "-" + *step, c.changed_at}));
    ++handed;
  }
  if (c.state != "done") return Status::Ok();
  // Which of the order's lines left: the node's lines with each SKU, in order, filled up to
  // what the warehouse shipped.
  auto rec = store_.GetOrder(c.order_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return Status::Ok();
  auto flow = DecodeFlowState((*rec)->flow_state);
  if (!flow.ok()) return flow.status();
  const Allocation* at = flow->AllocationAt(c.node);
  if (!at) return Status::Ok();  // re-routed away: the flow would refuse it
  std::map<std::string, int64_t> left;
  for (const auto& l : c.lines) left[l.sku] += l.quantity;
  Shipment s;
  s.order_id = c.order_id;
  s.node = c.node;
  s.partner_event_id = "tryton-shipment-" + c.shipment;
  s.shipped_at = c.changed_at;
  Package p;
  for (const auto& line : (*rec)->order.lines) {
    if (!at->Ships(line.line_id)) continue;
    int64_t& qty = left[line.sku];
    int64_t take = std::min(
        qty, line.quantity - [&] {
          auto it = flow->shipped.find(line.line_id);
          return it == flow->shipped.end() ? int64_t{0} : it->second;
        }());
    if (take <= 0) continue;
    qty -= take;
    p.lines.push_back({line.line_id, line.sku, take});
  }
  if (p.lines.empty()) return Status::Ok();  // applied before (its units are counted)
  s.packages.push_back(std::move(p));
  std::promise<Status> done;
  flow_.ApplyShipment(c.node, std::move(s), TraceContext{}, [&](Result<ShipmentOutcome> r) {
    if (r.ok() && r->rejection && r->rejection->status.code() != StatusCode::kNotFound) {
      log_.Warn("ERP shipment refused",
                {{"order_id", c.order_id}, {"error", r->rejection->status.message()}});
    }
    done.set_value(r.ok() || r.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                        : r.status());
  });
  CROSSDOCK_RETURN_IF_ERROR(done.get_future().get());
  ++handed;
  return Status::Ok();
}

}  // namespace crossdock
