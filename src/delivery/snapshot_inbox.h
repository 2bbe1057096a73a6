// SnapshotInbox: a node's full inventory snapshots, dropped as CSV files into a folder, are each
// reconciled against the stock ledger as they arrive (the scheduled counterpart of
// `crossdock reconcile inventory`; docs/inventory.md, "Snapshot folders"). The folder is a
// FolderTransport root: the partner (or an SFTP job) writes into inbound/; a reconciled file
// moves to archive/received/ and its run is kept (GET /v1/admin/reconciliations); a file that
// cannot be read, or has no rows for the node, moves to failed/ with <name>.error.txt naming
// each fault's line and column. A store error leaves the file in place for the next pass.
// Differences up to `policy.auto_adjust_max` are corrected, larger ones become stock
// exceptions. The snapshot's time is its as_of column when mapped, else the file's
// modification time.
#pragma once

#include <functional>
#include <memory>

#include "base/clock.h"
#include "base/id.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/periodic_task.h"
#include "codecs/csv.h"
#include "delivery/folder_transport.h"
#include "flows/reconcile.h"
#include "store/store.h"

namespace crossdock {

struct SnapshotFolder {
  std::string folder;           // the FolderTransport root
  CsvInventoryMapping mapping;  // the partner's column names and delimiter
  ReconcilePolicy policy;       // auto_adjust_max
  std::chrono::milliseconds poll_interval{60'000};
};

class SnapshotInbox {
 public:
  // `on_corrected(skus, as_of)`: a run corrected these SKUs (backorders may route; feeds
  // publish).
  using Corrected = std::function<void(const std::vector<std::string>&, TimePoint)>;
  SnapshotInbox(std::string node, SnapshotFolder config, Store& store, const Clock& clock,
                IdGenerator& ids, MetricsRegistry& metrics, Logger& log, Corrected on_corrected);
  ~SnapshotInbox();
  // Creates the folders.
  Status Prepare();
  void Start();
  void Stop();
  // Reconciles every waiting file once, oldest first (the loop and tests); returns how many
  // were reconciled or refused.
  Result<int> PollOnce();

 private:
  std::string node_;
  SnapshotFolder config_;
  FolderTransport transport_;
  Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  Logger& log_;
  Corrected on_corrected_;
  Counter* reconciled_;
  Counter* failed_;
  PeriodicTask task_;
};

}  // namespace crossdock
