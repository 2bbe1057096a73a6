#include "delivery/publication_queue.h"

#include <algorithm>

namespace crossdock {

PublicationQueue::PublicationQueue(double burst, double per_second, TimePoint now)
    : quota_(burst, per_second, now) {}

void PublicationQueue::Changed(const std::string& sku, TimePoint changed_at, TimePoint now) {
  auto it = pending_.find(sku);
  if (it == pending_.end()) {
    pending_[sku] = {changed_at, now, now};
    by_last_.insert({now, sku});
    by_since_.insert({now, sku});
    return;
  }
  Entry& e = it->second;
  e.first_change = std::min(e.first_change, changed_at);
  by_last_.erase({e.last_queued, sku});
  e.last_queued = std::max(e.last_queued, now);
  by_last_.insert({e.last_queued, sku});
}

std::optional<PublicationQueue::Next> PublicationQueue::Take(TimePoint now, Duration& wait) {
  wait = Duration::zero();
  if (pending_.empty()) return std::nullopt;
  if (quota_.tokens(now) < 1) {
    // At least a millisecond: a wait rounded down to zero would read as "nothing pending".
    wait = std::max<Duration>(quota_.WaitTime(now), std::chrono::milliseconds(1));
    return std::nullopt;
  }
  // Freshest first, unless something has waited longer than kMaxWait: then the oldest, so a
  // stream of fresh changes never holds a SKU back for good.
  std::string sku = by_since_.begin()->first + kMaxWait < now ? by_since_.begin()->second
                                                              : std::prev(by_last_.end())->second;
  Entry e = pending_[sku];
  by_last_.erase({e.last_queued, sku});
  by_since_.erase({e.pending_since, sku});
  pending_.erase(sku);
  return Next{sku, e.first_change, e.pending_since};
}

void PublicationQueue::Retry(const Next& n, TimePoint now) {
  Changed(n.sku, n.first_change, now);
  Entry& e = pending_[n.sku];
  if (n.pending_since < e.pending_since) {  // it keeps its place in the ageing order
    by_since_.erase({e.pending_since, n.sku});
    e.pending_since = n.pending_since;
    by_since_.insert({e.pending_since, n.sku});
  }
}

bool PublicationQueue::Unchanged(const std::string& sku, int64_t value) const {
  auto it = published_.find(sku);
  return it != published_.end() && it->second == value;
}

}  // namespace crossdock
