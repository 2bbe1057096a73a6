#include "delivery/x12/x12_node.h"

#include "codecs/x12_dictionary.h"

#include <cstdio>
#include <future>

#include "base/json.h"
#include "codecs/canonical_json.h"
#include "codecs/x12.h"
#include "flows/command_answers.h"

namespace crossdock {

namespace {

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string Padded(int64_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(n));
  return buf;
}

}  // namespace

std::string X12FileName(const std::string& node, const std::string& set, int64_t interchange) {
  return node + "-" + set + "-" + Padded(interchange) + ".x12";
}

X12NodeConnector::X12NodeConnector(X12NodeOptions options,
                                   std::shared_ptr<FolderTransport> transport, Store& store,
                                   const Clock& clock)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      store_(store),
      clock_(clock) {}

Result<ClientResponse> X12NodeConnector::Execute(const OutboxItem& item) {
  if (item.type != command::kDispatch) {
    // No X12 set carries a cancellation here: the dead letter becomes an operator's exception.
    return ConnectorAnswer(422, "the X12 node " + options_.node + " takes no " + item.type +
                                    " over EDI; settle it with the 3PL and resolve the exception");
  }
  DecodeOptions decode;
  decode.allow_server_fields = true;
  decode.validate = false;
  auto order = DecodeOrder(item.payload, decode);
  if (!order.ok()) {
    return ConnectorAnswer(422, "the dispatch payload is not an order: " + order.errors[0].pointer +
                                    ": " + order.errors[0].detail);
  }
  // The control numbers are taken and recorded before anything is written: a retry finds them
  // and writes the same interchange (the same bytes) again.
  X12Transmission t;
  Status prepared = store_.WriteAndWait([&](WriteTx& tx) -> Status {
    X12Transmission want;
    want.key = item.idempotency_key;
    want.partner = options_.node;
    want.order_id = order.value->id;
    want.set_code = "940";
    want.created_at = clock_.Now();
    auto got = tx.PrepareX12Transmission(want);
    if (!got.ok()) return got.status();
    t = *got;
    return Status::Ok();
  });
  if (!prepared.ok()) return prepared;
  std::string name = X12FileName(options_.node, "940", t.interchange);
  std::string what = "940 interchange " + Padded(t.interchange) + ", group " +
                     std::to_string(t.group) + ", file " + name;
  JsonWriter answer;
  answer.StartObject().Field("transmitted", what).EndObject();
  if (t.sent_at) return ConnectorAnswer(200, answer.Take());

  Built940 built = Build940(*order.value, options_.profile, {t.interchange, t.group}, t.created_at);
  if (!built.ok()) {
    return ConnectorAnswer(422,
                           "the order cannot be written as a 940: " + Join(built.errors, "; "));
  }
  CROSSDOCK_RETURN_IF_ERROR(transport_->Send(name, SerializeX12(built.interchange)));
  CROSSDOCK_RETURN_IF_ERROR(store_.WriteAndWait(
      [&](WriteTx& tx) { return tx.MarkX12Sent(item.idempotency_key, clock_.Now()); }));
  return ConnectorAnswer(200, answer.Take());
}

X12InboxLoop::X12InboxLoop(X12NodeOptions options, std::shared_ptr<FolderTransport> transport,
                           OrderFlow& flow, Store& store, const Clock& clock,
                           MetricsRegistry& metrics, Logger& log)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      flow_(flow),
      store_(store),
      clock_(clock),
      log_(log),
      metrics_(metrics) {}

X12InboxLoop::~X12InboxLoop() {
  Stop();
}

void X12InboxLoop::Start() {
  task_.Start("x12-" + options_.node, options_.poll_interval, PeriodicTask::First::kNow, [this] {
    auto took = PollOnce();
    if (!took.ok()) {
      log_.Warn("X12 inbox poll failed",
                {{"node", options_.node}, {"error", took.status().message()}});
    }
  });
}

void X12InboxLoop::Stop() {
  task_.Stop();
}

Result<int> X12InboxLoop::PollOnce() {
  auto names = transport_->Inbound();
  if (!names.ok()) return names.status();
  std::string labels = "node=\"" + options_.node + "\",outcome=\"";
  int took = 0;
  for (const auto& name : *names) {
    auto bytes = transport_->ReadInbound(name);
    if (!bytes.ok()) return bytes.status();
    std::vector<std::string> problems;
    // A store or flow failure leaves the file where it is, to be read again.
    CROSSDOCK_RETURN_IF_ERROR(ProcessFile(name, *bytes, problems));
    bool failed = !problems.empty();
    if (failed) {
      log_.Warn("X12 file refused",
                {{"node", options_.node}, {"file", name}, {"error", problems.front()}});
      CROSSDOCK_RETURN_IF_ERROR(transport_->Fail(name, Join(problems, "\n")));
    } else {
      CROSSDOCK_RETURN_IF_ERROR(transport_->Archive(name));
    }
    metrics_
        .GetCounter("crossdock_x12_files_total",
                    "X12 files read from partners' inbound folders, by outcome.",
                    labels + (failed ? "failed\"" : "processed\""))
        .Inc();
    ++took;
  }
  return took;
}

Status X12InboxLoop::ProcessFile(const std::string& name, const std::string& bytes,
                                 std::vector<std::string>& problems) {
  X12Document doc = ParseX12(bytes);
  if (!doc.readable) {
    for (const auto& e : doc.errors) problems.push_back(name + ": " + e.ToString());
    if (problems.empty()) problems.push_back(name + ": not an X12 interchange");
    return Status::Ok();
  }
  for (size_t i = 0; i < doc.interchanges.size(); ++i) {
    const X12Interchange& x = doc.interchanges[i];
    std::vector<X12Error> errors;
    for (const auto& e : doc.errors) {
      if (e.interchange == static_cast<int>(i)) errors.push_back(e);
    }
    if (!errors.empty()) {
      // Counts or control numbers disagree: nothing of the interchange is used; the 997 names
      // the faults to the partner and the file waits in failed/ for an operator.
      for (const auto& e : errors) problems.push_back(name + ": " + e.ToString());
      CROSSDOCK_RETURN_IF_ERROR(SendAcknowledgments(x, errors));
      continue;
    }
    // Each set against the X12 dictionary and the partner's required segments: a set with a
    // fault is not used, and our 997 rejects it naming segment and element (lengths are not
    // checked: see docs/x12.md).
    X12Interchange usable = x;
    for (auto& g : usable.groups) {
      std::vector<X12Transaction> kept;
      for (auto& t : g.sets) {
        X12CheckOptions check;
        check.lengths = false;
        if (auto r = options_.profile.required_segments.find(t.Code());
            r != options_.profile.required_segments.end())
          check.required = r->second;
        auto faults = CheckX12Set(t, check);
        for (auto& f : faults) {
          f.interchange = static_cast<int>(i);
          problems.push_back(name + ": " + f.ToString());
          errors.push_back(std::move(f));
        }
        if (faults.empty()) kept.push_back(std::move(t));
      }
      g.sets = std::move(kept);
    }
    // What each set means. Content faults are reported whole and nothing of the set is used.
    Decoded997 acks = Read997(usable);
    Decoded945 shipments = Read945(usable);
    Decoded945 notices = Read856(usable);  // ship notices carry the same shipments
    for (auto& s : notices.shipments) shipments.shipments.push_back(std::move(s));
    DecodedStock stock = ReadStock(usable);
    for (const auto* list : {&acks.errors, &shipments.errors, &notices.errors, &stock.errors}) {
      for (const auto& e : *list) problems.push_back(name + ": " + e.ToString());
    }
    for (const auto& ack : acks.acks) CROSSDOCK_RETURN_IF_ERROR(Acknowledge(ack, problems));
    for (auto& s : shipments.shipments) {
      std::promise<Status> done;
      std::string order_id = s.order_id;
      std::string event = s.partner_event_id;  // "945-…" or "856-…": which set it came from
      flow_.ApplyShipment(
          options_.node, std::move(s), TraceContext{}, [&](Result<ShipmentOutcome> r) {
            if (r.ok() && r->rejection) {
              problems.push_back(name + ": shipment advice (" + event + ") for order " + order_id +
                                 " refused: " + r->rejection->status.message());
            }
            done.set_value(r.ok() ? Status::Ok() : r.status());
          });
      CROSSDOCK_RETURN_IF_ERROR(done.get_future().get());
    }
    CROSSDOCK_RETURN_IF_ERROR(ApplyStock(stock, name));
    CROSSDOCK_RETURN_IF_ERROR(SendAcknowledgments(x, errors));
  }
  return Status::Ok();
}

Status X12InboxLoop::Acknowledge(const X12GroupAck& ack, std::vector<std::string>& problems) {
  if (ack.functional_id != "OW") return Status::Ok();  // a 997 for something we do not track
  std::optional<X12Transmission> sent;
  CROSSDOCK_RETURN_IF_ERROR(store_.WriteAndWait([&](WriteTx& tx) -> Status {
    auto got = tx.AckX12Group(options_.node, ack.group, ack.status, clock_.Now());
    if (!got.ok()) return got.status();
    sent = *got;
    return Status::Ok();
  }));
  if (!sent) {
    problems.push_back("997 for group " + std::to_string(ack.group) + ", which was never sent to " +
                       options_.node);
    return Status::Ok();
  }
  // The first verdict on a group stands: a later 997 (resent, or contradicting it) is
  // recorded nowhere and changes nothing; an acceptance may be handed on again (idempotent).
  bool first = sent->newly_acked;
  if (!first && sent->ack != ack.status) {
    problems.push_back("997 for group " + std::to_string(ack.group) + " says " + ack.status +
                       " but the group was answered " + sent->ack + " before; the first stands");
    return Status::Ok();
  }
  if (sent->ack == "A" || sent->ack == "E") {
    return ActAndWait(sent->order_id, DispatchAcknowledged{options_.node, ""}, problems);
  }
  if (!first) return Status::Ok();  // that rejection was handed on when it came
  return ActAndWait(
      sent->order_id,
      DispatchDeadLettered{options_.node, "997 for the 940 (group " + std::to_string(ack.group) +
                                              "): " + ack.Describe()},
      problems);
}

Status X12InboxLoop::ActAndWait(const std::string& order_id, OrderInput input,
                                std::vector<std::string>& problems) {
  std::promise<Status> done;
  flow_.Act(order_id, std::move(input), TraceContext{}, [&](Result<ActOutcome> r) {
    if (r.ok() && r->rejection) {
      problems.push_back("order " + order_id +
                         " refused the 997: " + r->rejection->status.message());
    }
    done.set_value(r.ok() ? Status::Ok() : r.status());
  });
  return done.get_future().get();
}

Status X12InboxLoop::ApplyStock(const DecodedStock& stock, const std::string& file) {
  if (stock.counts.empty() && stock.receipts.empty()) return Status::Ok();
  TimePoint now = clock_.Now();
  int64_t applied = 0;
  CROSSDOCK_RETURN_IF_ERROR(store_.WriteAndWait([&](WriteTx& tx) -> Status {
    applied = 0;
    for (const auto& c : stock.counts) {
      InventoryLevel l;
      l.sku = c.sku;
      l.node = options_.node;
      l.on_hand = c.on_hand;
      l.as_of = c.as_of;
      l.updated_at = now;
      auto stored = tx.PutInventoryLevel(l);
      if (!stored.ok()) return stored.status();
      applied += *stored ? 1 : 0;
    }
    for (const auto& r : stock.receipts) {
      // A receipt resent (in this file or a new one) is applied once.
      auto first = tx.MarkInboundSeen("x12:" + options_.node, "944-" + r.reference, now);
      if (!first.ok()) return first.status();
      if (!*first) continue;
      for (const auto& [sku, quantity] : r.lines) {
        StockChange change;
        change.sku = sku;
        change.node = options_.node;
        change.kind = StockChange::Kind::kAdjust;
        change.quantity = quantity;
        change.at = r.received_at;
        change.source = "944 " + r.reference + " (" + file + ")";
        CROSSDOCK_RETURN_IF_ERROR(tx.ApplyStock(change));
        ++applied;
      }
    }
    return Status::Ok();
  }));
  if (applied == 0) return Status::Ok();
  std::vector<std::string> skus;
  TimePoint oldest = now;
  for (const auto& c : stock.counts) {
    skus.push_back(c.sku);
    oldest = std::min(oldest, c.as_of);
  }
  for (const auto& r : stock.receipts) {
    for (const auto& line : r.lines) skus.push_back(line.first);
    oldest = std::min(oldest, r.received_at);
  }
  flow_.StockReported(skus, oldest);
  return Status::Ok();
}

Status X12InboxLoop::SendAcknowledgments(const X12Interchange& received,
                                         const std::vector<X12Error>& errors) {
  // A 997 answers every group but 997s themselves.
  X12Interchange to_ack = received;
  std::erase_if(to_ack.groups, [](const X12Group& g) { return g.gs.Element(1) == "FA"; });
  if (to_ack.groups.empty()) return Status::Ok();
  X12ControlNumbers numbers;
  CROSSDOCK_RETURN_IF_ERROR(store_.WriteAndWait([&](WriteTx& tx) -> Status {
    auto n = tx.NextX12ControlNumbers(options_.node);
    if (!n.ok()) return n.status();
    numbers = *n;
    return Status::Ok();
  }));
  auto [date, time] = X12DateTime(clock_.Now());
  X12Interchange ack = Build997(to_ack, errors, Padded(numbers.interchange),
                                std::to_string(numbers.group), date.substr(2), time);
  return transport_->Send(X12FileName(options_.node, "997", numbers.interchange),
                          SerializeX12(ack));
}

}  // namespace crossdock
