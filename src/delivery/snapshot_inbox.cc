#include "delivery/snapshot_inbox.h"

#include "flows/reconcile_job.h"

namespace crossdock {

SnapshotInbox::SnapshotInbox(std::string node, SnapshotFolder config, Store& store,
                             const Clock& clock, IdGenerator& ids, MetricsRegistry& metrics,
                             Logger& log, Corrected on_corrected)
    : node_(std::move(node)),
      config_(std::move(config)),
      transport_(config_.folder),
      store_(store),
      clock_(clock),
      ids_(ids),
      log_(log),
      on_corrected_(std::move(on_corrected)) {
  const char* help = "Inventory snapshot files taken from a node's snapshot folder, by outcome.";
  reconciled_ = &metrics.GetCounter("crossdock_snapshot_files_total", help,
                                    "node=\"" + node_ + "\",outcome=\"reconciled\"");
  failed_ = &metrics.GetCounter("crossdock_snapshot_files_total", help,
                                "node=\"" + node_ + "\",outcome=\"failed\"");
}

SnapshotInbox::~SnapshotInbox() {
  Stop();
}

Status SnapshotInbox::Prepare() {
  return transport_.Prepare();
}

void SnapshotInbox::Start() {
  task_.Start("snapshots-" + node_.substr(0, 5), config_.poll_interval, PeriodicTask::First::kNow,
              [this] {
                auto n = PollOnce();
                if (!n.ok()) {
                  log_.Warn("snapshot folder pass failed; the files wait for the next one",
                            {{"node", node_}, {"error", n.status().message()}});
                }
              });
}

void SnapshotInbox::Stop() {
  task_.Stop();
}

Result<int> SnapshotInbox::PollOnce() {
  auto names = transport_.Inbound();
  if (!names.ok()) return names.status();
  int taken = 0;
  for (const auto& name : *names) {
    auto bytes = transport_.ReadInbound(name);
    if (!bytes.ok()) return bytes.status();
    auto written = transport_.InboundModifiedAt(name);
    if (!written.ok()) return written.status();
    auto refuse = [&](const std::string& why) -> Status {
      failed_->Inc();
      log_.Warn("snapshot file refused", {{"node", node_}, {"file", name}, {"error", why}});
      ++taken;
      return transport_.Fail(name, why);
    };
    CsvInventory inv = DecodeCsvInventory(*bytes, config_.mapping, *written);
    if (!inv.ok()) {
      std::string why;
      for (const auto& e : inv.errors) why += e.ToString() + "\n";
      CROSSDOCK_RETURN_IF_ERROR(refuse(why));
      continue;
    }
    size_t other_nodes = 0;
    // Without an as_of column the file's time stands for the snapshot's.
    std::optional<TimePoint> as_of;
    if (config_.mapping.as_of.empty()) as_of = *written;
    auto job = SnapshotReconciliation(std::move(inv.counts), config_.mapping, node_, as_of,
                                      config_.policy, other_nodes);
    if (!job.ok()) {
      CROSSDOCK_RETURN_IF_ERROR(refuse(job.status().message() + "\n"));
      continue;
    }
    auto run = RunInventoryReconciliation(store_, clock_, ids_, *job);
    if (!run.ok()) {
      // The file stays for the next pass; later files are not held up by it.
      log_.Warn("snapshot not reconciled; it is tried again at the next pass",
                {{"node", node_}, {"file", name}, {"error", run.status().message()}});
      continue;
    }
    CROSSDOCK_RETURN_IF_ERROR(transport_.Archive(name));
    reconciled_->Inc();
    ++taken;
    const ReconcileReport& r = run->report;
    log_.Info("snapshot reconciled", {{"node", node_},
                                      {"file", name},
                                      {"run", run->id},
                                      {"skus", std::to_string(r.skus)},
                                      {"adjusted", std::to_string(r.adjusted)},
                                      {"for_review", std::to_string(r.for_review)}});
    std::vector<std::string> corrected;
    for (const auto& d : r.discrepancies) {
      if (d.adjusted) corrected.push_back(d.sku);
    }
    if (!corrected.empty() && on_corrected_) on_corrected_(corrected, job->as_of);
  }
  return taken;
}

}  // namespace crossdock
