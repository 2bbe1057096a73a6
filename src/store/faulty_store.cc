#include "store/faulty_store.h"

namespace crossdock {

FaultyStore::FaultyStore(Store& inner, double write_error_rate, double read_error_rate,
                         uint64_t seed)
    : inner_(inner), write_rate_(write_error_rate), read_rate_(read_error_rate), random_(seed) {}

bool FaultyStore::Fail(double rate) {
  if (rate <= 0) return false;
  std::lock_guard lock(mu_);
  if (random_.NextDouble() >= rate) return false;
  ++injected_;
  return true;
}

void FaultyStore::Write(WriteJob job, WriteDone done) {
  if (Fail(write_rate_)) {
    done(Unavailable("injected store fault"));
    return;
  }
  inner_.Write(std::move(job), std::move(done));
}

#define FAULTY_READ(call)                                           \
  if (Fail(read_rate_)) return Unavailable("injected store fault"); \
  return inner_.call

Result<std::optional<OrderRecord>> FaultyStore::GetOrder(const std::string& id) {
  FAULTY_READ(GetOrder(id));
}
Result<std::vector<HistoryEntry>> FaultyStore::GetHistory(const std::string& id) {
  FAULTY_READ(GetHistory(id));
}
Result<std::vector<EventRecord>> FaultyStore::ReadEvents(int64_t after, int limit) {
  FAULTY_READ(ReadEvents(after, limit));
}
Result<int64_t> FaultyStore::GetSubscriberOffset(const std::string& s) {
  FAULTY_READ(GetSubscriberOffset(s));
}
Result<std::optional<TimePoint>> FaultyStore::NextOutboxDue() {
  FAULTY_READ(NextOutboxDue());
}
Result<std::vector<std::string>> FaultyStore::ListOrderIds(int limit, const std::string& after) {
  FAULTY_READ(ListOrderIds(limit, after));
}
Result<std::vector<OrderRecord>> FaultyStore::ListOrders(const OrderQuery& q) {
  FAULTY_READ(ListOrders(q));
}
Result<std::optional<ReturnRecord>> FaultyStore::GetReturn(const std::string& id) {
  FAULTY_READ(GetReturn(id));
}
Result<std::vector<InventoryLevel>> FaultyStore::GetInventory(const std::string& sku) {
  FAULTY_READ(GetInventory(sku));
}
Result<StoreStats> FaultyStore::Stats() {
  return inner_.Stats();
}  // used by health and demos
Result<std::vector<OutboxItem>> FaultyStore::ListDeadLetters(const DeadLetterFilter& f) {
  FAULTY_READ(ListDeadLetters(f));
}
Result<std::optional<OutboxItem>> FaultyStore::GetOutboxItem(int64_t id) {
  FAULTY_READ(GetOutboxItem(id));
}
Result<std::vector<QuotaState>> FaultyStore::LoadQuotaStates() {
  return inner_.LoadQuotaStates();
}
Result<std::vector<AuditRecord>> FaultyStore::ListAudit(int limit) {
  FAULTY_READ(ListAudit(limit));
}

Result<std::vector<InventoryLevel>> FaultyStore::ListInventoryAt(const std::string& node) {
  FAULTY_READ(ListInventoryAt(node));
}

Result<std::map<std::string, int64_t>> FaultyStore::OnHandChangesAfter(const std::string& node,
                                                                       TimePoint at) {
  FAULTY_READ(OnHandChangesAfter(node, at));
}

Result<std::vector<StockException>> FaultyStore::ListStockExceptions(
    const StockExceptionFilter& filter) {
  FAULTY_READ(ListStockExceptions(filter));
}

Result<std::map<std::string, int64_t>> FaultyStore::ListPublications(const std::string& channel) {
  FAULTY_READ(ListPublications(channel));
}

Result<std::vector<X12Transmission>> FaultyStore::ListX12Transmissions(const std::string& partner,
                                                                       int limit) {
  FAULTY_READ(ListX12Transmissions(partner, limit));
}

Result<std::vector<ReconciliationRecord>> FaultyStore::ListReconciliations(int limit) {
  FAULTY_READ(ListReconciliations(limit));
}

Result<std::optional<ReconciliationRecord>> FaultyStore::GetReconciliation(const std::string& id) {
  FAULTY_READ(GetReconciliation(id));
}
Result<int64_t> FaultyStore::CountDeadLetters() {
  FAULTY_READ(CountDeadLetters());
}

}  // namespace crossdock
