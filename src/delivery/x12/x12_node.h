// An X12 3PL node: orders go out as 940 files through the node's folders, and the 3PL's 997,
// 945, 846 and 944 files come back through them (docs/x12.md, "The EDI 3PL path").
//
// X12NodeConnector carries out `node.dispatch`: it records the transmission with the node's next
// control numbers (store, x12_transmissions) before writing, so a retried command writes the
// same interchange again, which the 3PL discards by its ISA13; and it answers
// {"transmitted": …}, which the flow records without treating it as the node's acknowledgment.
//
// X12InboxLoop reads the node's inbound folder: a 997 accepting the 940's group acknowledges
// the dispatch (DispatchAcknowledged), a rejecting one fails it (DispatchDeadLettered, an
// exception); a 945 is the node's shipment; an 846 is a count and a 944 a receipt in the stock
// ledger. Every group other than a 997 is acknowledged with a 997 of ours. A file whose effects
// are stored moves to archive/received; one that cannot be read, or whose content is refused,
// moves to failed/ with the reasons beside it. Effects are idempotent, so a file read again
// after a crash changes nothing (the 997 for it may be sent twice). A missing 997 is caught by
// the node's acknowledgment timer (NodeSla::dispatch_ack, from `x12.ack_timeout_s`).
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/periodic_task.h"
#include "codecs/x12_warehouse.h"
#include "delivery/connector.h"
#include "delivery/folder_transport.h"
#include "flows/order_flow.h"
#include "store/store.h"

namespace crossdock {

struct X12NodeOptions {
  std::string node;    // the node id; also the partner of its control numbers
  X12Profile profile;  // envelope parties, versions, delimiters, replacement (S8)
  std::string folder;  // the FolderTransport root
  std::chrono::milliseconds poll_interval{1000};
};

// "<node>-<set>-<ISA13, 9 digits>.x12"
std::string X12FileName(const std::string& node, const std::string& set, int64_t interchange);

class X12NodeConnector final : public Connector {
 public:
  X12NodeConnector(X12NodeOptions options, std::shared_ptr<FolderTransport> transport, Store& store,
                   const Clock& clock);
  Result<ClientResponse> Execute(const OutboxItem& item) override;

 private:
  X12NodeOptions options_;
  std::shared_ptr<FolderTransport> transport_;
  Store& store_;
  const Clock& clock_;
};

class X12InboxLoop {
 public:
  X12InboxLoop(X12NodeOptions options, std::shared_ptr<FolderTransport> transport, OrderFlow& flow,
               Store& store, const Clock& clock, MetricsRegistry& metrics, Logger& log);
  ~X12InboxLoop();
  void Start();
  void Stop();
  // Reads every waiting file once (tests and the loop); returns how many it took.
  Result<int> PollOnce();

 private:
  // Applies one file's effects; the reasons it cannot be used in full go to `problems`.
  Status ProcessFile(const std::string& name, const std::string& bytes,
                     std::vector<std::string>& problems);
  Status Acknowledge(const X12GroupAck& ack, std::vector<std::string>& problems);
  Status ApplyStock(const DecodedStock& stock, const std::string& file);
  Status SendAcknowledgments(const X12Interchange& received, const std::vector<X12Error>& errors);
  Status ActAndWait(const std::string& order_id, OrderInput input,
                    std::vector<std::string>& problems);

  X12NodeOptions options_;
  std::shared_ptr<FolderTransport> transport_;
  OrderFlow& flow_;
  Store& store_;
  const Clock& clock_;
  Logger& log_;
  MetricsRegistry& metrics_;
  PeriodicTask task_;
};

}  // namespace crossdock
