// SqliteStore: the embedded Store on one SQLite file in WAL mode.
// One writer thread owns the write connection and commits queued jobs in groups (one fsync per
// group with synchronous=FULL); readers use a small pool of their own connections.
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
  int max_group_size = 512;  // jobs per commit
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
  Result<StoreStats> Stats() override;

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

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<sqlite::Db>> readers_;

  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> jobs_{0};
};

}  // namespace crossdock
