#include "delivery/publication_queue.h"

#include <algorithm>

namespace crossdock {

int64_t AvailableToPromise(const std::vector<InventoryLevel>& levels, const ChannelFeed& feed) {
  int64_t total = 0;
  for (const auto& l : levels) {
    if (std::find(feed.nodes.begin(), feed.nodes.end(), l.node) == feed.nodes.end()) continue;
    total += std::max<int64_t>(0, l.available());
  }
  return std::max<int64_t>(0, total - feed.safety_stock);
}

PublicationQueue::PublicationQueue(double burst, double per_second, TimePoint now)
    : quota_(burst, per_second, now) {}

void PublicationQueue::Changed(const std::string& sku, TimePoint at) {
  auto it = pending_.find(sku);
  if (it == pending_.end()) {
    pending_[sku] = {at, at};
    by_last_.insert({at, sku});
    return;
  }
  auto& [first, last] = it->second;
  if (at <= last) {
    first = std::min(first, at);
    return;
  }
  by_last_.erase({last, sku});
  last = at;
  by_last_.insert({last, sku});
}

std::optional<PublicationQueue::Next> PublicationQueue::Take(TimePoint now, Duration& wait) {
  wait = Duration::zero();
  if (pending_.empty()) return std::nullopt;
  if (quota_.tokens(now) < 1) {
    wait = quota_.WaitTime(now);
    return std::nullopt;
  }
  auto freshest = std::prev(by_last_.end());
  std::string sku = freshest->second;
  by_last_.erase(freshest);
  Next n{sku, pending_[sku].first};
  pending_.erase(sku);
  return n;
}

void PublicationQueue::Retry(const Next& n) {
  Changed(n.sku, n.first_change);
}

bool PublicationQueue::Unchanged(const std::string& sku, int64_t value) const {
  auto it = published_.find(sku);
  return it != published_.end() && it->second == value;
}

}  // namespace crossdock
