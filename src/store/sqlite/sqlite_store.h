// SqliteStore: the embedded Store on one SQLite file in WAL mode.
// One writer thread owns the write connection and commits queued jobs in groups (one fsync per
// group with synchronous=FULL); a completion thread then runs the jobs' `done` callbacks, so
// callers' work never delays the next commit; a checkpointer thread copies the WAL into the
// database; readers use a small pool of their own connections.
// Thread-safe. Destruction drains queued jobs, then stops the writer.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace crossdock {

struct SqliteStoreOptions {
  std::string path;  // database file; created when missing
  // PRAGMA synchronous: "FULL" (default, durable on power loss), "NORMAL" or "OFF" (only for
  // tests that must show what FULL protects against).
  std::string synchronous = "FULL";
  int max_group_size = 512;     // jobs per commit
  int checkpoint_pages = 8000;  // WAL size (pages) that wakes the background checkpointer
  int read_connections = 4;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  ~SqliteStore() override;

  void Write(WriteJob job, WriteDone done) override;
  Result<std::optional<OrderRecord>> GetOrder(const std::string& id) override;
  Result<std::vector<HistoryEntry>> GetHistory(const std::string& order_id) override;
  Result<std::vector<EventRecord>> ReadEvents(int64_t after_seq, int limit) override;
  Result<int64_t> GetSubscriberOffset(const std::string& subscriber) override;
  Result<std::optional<TimePoint>> NextOutboxDue() override;
  Result<std::vector<std::string>> ListOrderIds(int limit, const std::string& after_id) override;
  Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& query) override;
  Result<std::optional<ReturnRecord>> GetReturn(const std::string& id) override;
  Result<std::vector<InventoryLevel>> GetInventory(const std::string& sku) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<OutboxItem>> ListDeadLetters(const DeadLetterFilter& filter) override;
  Result<std::optional<OutboxItem>> GetOutboxItem(int64_t id) override;
  Result<std::vector<QuotaState>> LoadQuotaStates() override;
  Result<std::vector<AuditRecord>> ListAudit(int limit) override;
  Result<std::vector<InventoryLevel>> ListInventoryAt(const std::string& node) override;
  Result<std::map<std::string, int64_t>> OnHandChangesAfter(const std::string& node,
                                                            TimePoint at) override;
  Result<std::vector<StockException>> ListStockExceptions(
      const StockExceptionFilter& filter) override;
  Result<std::map<std::string, int64_t>> ListPublications(const std::string& channel) override;
  Result<std::vector<X12Transmission>> ListX12Transmissions(const std::string& partner,
                                                            int limit) override;
  Result<std::vector<ReconciliationRecord>> ListReconciliations(int limit) override;
  Result<std::optional<ReconciliationRecord>> GetReconciliation(const std::string& id) override;
  Result<int64_t> CountDeadLetters() override;

  // Groups committed so far and jobs in them (for metrics and benchmarks).
  uint64_t groups_committed() const { return groups_; }
  uint64_t jobs_committed() const { return jobs_; }

 private:
  struct Pending {
    WriteJob job;
    WriteDone done;
  };
  class ReaderLease;

  explicit SqliteStore(SqliteStoreOptions options) : options_(std::move(options)) {}
  void WriterLoop();
  void CommitGroup(std::vector<Pending>& group);
  // Aborted when a job failed on the fast path (no savepoints) and the group must run again.
  Status RunGroup(std::vector<Pending>& group, bool savepoints, std::vector<Status>& results);
  // Copies WAL pages into the database on its own connection and thread, so commits never
  // pay for checkpoints. Woken by the writer's WAL hook when the WAL passes a size.
  void CheckpointLoop();
  // Runs `done` callbacks off the writer thread, in commit order.
  void CompletionLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  Result<std::unique_ptr<sqlite::Db>> OpenConnection(bool read_only);
  std::unique_ptr<sqlite::Db> AcquireReader();
  void ReleaseReader(std::unique_ptr<sqlite::Db> db);

  SqliteStoreOptions options_;
  std::unique_ptr<sqlite::Db> writer_db_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex completions_mu_;
  std::condition_variable completions_cv_;
  std::deque<std::pair<WriteDone, Status>> completions_;
  bool completions_stopping_ = false;
  std::thread completer_;

  std::unique_ptr<sqlite::Db> checkpoint_db_;
  std::condition_variable checkpoint_cv_;
  int wal_pages_ = 0;  // guarded by mu_
  std::thread checkpointer_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<sqlite::Db>> readers_;

  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> jobs_{0};
};

}  // namespace crossdock
