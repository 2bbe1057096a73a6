// FaultyStore: a Store decorator that fails a share of calls, for fault-injection tests
// (reliability plan R12). A failed write never runs its job: it is answered Unavailable, as a
// busy or broken disk would be. Deterministic for a seed. Thread-safe.
#pragma once

#include <atomic>
#include <mutex>

#include "base/random.h"
#include "store/store.h"

namespace crossdock {

class FaultyStore final : public Store {
 public:
  // Fails each write with probability `write_error_rate` and each read with `read_error_rate`.
  FaultyStore(Store& inner, double write_error_rate, double read_error_rate, uint64_t seed);

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

  uint64_t injected() const { return injected_; }

 private:
  bool Fail(double rate);
  Store& inner_;
  double write_rate_;
  double read_rate_;
  std::mutex mu_;
  SeededRandom random_;
  std::atomic<uint64_t> injected_{0};
};

}  // namespace crossdock
