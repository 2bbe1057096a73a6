// Availability feeds to sales channels, the pure part: a channel's feed settings and the queue
// that coalesces changes per SKU and paces the calls by the channel's quota
// (delivery/inventory_publisher.h sends them; flows/availability.h says what the value is).
// No I/O; injected time.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "delivery/quota.h"
#include "store/records.h"

namespace crossdock {

// A channel's availability feed.
struct ChannelFeed {
  std::string channel;
  std::vector<std::string> nodes;  // whose stock the channel sells
  int64_t safety_stock = 0;        // held back from the channel
  // Orders of the channel may wait for stock (routing.backorder for the channel); unset = the
  // routing policy's.
  std::optional<bool> backorder;
  // Share of the available to promise not published (absorbs sales made while an update is on
  // its way); orders are still allocated up to the whole figure.
  int64_t buffer_percent = 0;
  std::string url;        // POST {"sku", "available", "changed_at"} here
  std::string api_key;    // sent as "Authorization: Bearer <key>"; may be empty
  double burst = 40;      // the channel's call quota: bucket size …
  double per_second = 2;  // … and refill rate (Shopify REST: 40, 2/s)
  // Every this many minutes every SKU of the channel's nodes is looked at again (and at
  // start); a figure the channel already has costs no call. 0 = at start only.
  int64_t resync_minutes = 60;
};

// The pure core of one channel's feed: which SKU to send next, and when. Not thread-safe.
class PublicationQueue {
 public:
  PublicationQueue(double burst, double per_second, TimePoint now);
  // The SKU's stock changed at `changed_at` (a count's as_of, or when an order changed it);
  // queued `now`. The queue orders by when changes were queued (Crossdock's clock), not by the
  // nodes' clocks.
  void Changed(const std::string& sku, TimePoint changed_at, TimePoint now);
  struct Next {
    std::string sku;
    TimePoint first_change;   // the oldest change this send covers (its sync delay counts)
    TimePoint pending_since;  // queued since
  };
  // A SKU pending longer than this goes before fresher ones.
  static constexpr Duration kMaxWait = std::chrono::seconds(30);
  // The SKU to look at now: the most recently changed one, if the quota has a call for it;
  // else nullopt and `wait` says how long until it may have one (zero when nothing is
  // pending). Taking it spends nothing: Spend() when a call is made (a value the channel has
  // already costs no call).
  std::optional<Next> Take(TimePoint now, Duration& wait);
  void Spend(TimePoint now) { quota_.TryTake(now); }
  // A send failed: the SKU is pending again (its first change and place in age kept).
  void Retry(const Next& n, TimePoint now);
  // Whether `value` is what the channel already has for `sku` (then no call is made).
  bool Unchanged(const std::string& sku, int64_t value) const;
  void Published(const std::string& sku, int64_t value) { published_[sku] = value; }
  bool KnowsPublished(const std::string& sku) const { return published_.count(sku) > 0; }
  size_t pending() const { return pending_.size(); }

 private:
  TokenBucket quota_;
  struct Entry {
    TimePoint first_change;
    TimePoint pending_since;
    TimePoint last_queued;
  };
  std::map<std::string, Entry> pending_;
  std::set<std::pair<TimePoint, std::string>> by_last_;   // (last queued, sku): freshest last
  std::set<std::pair<TimePoint, std::string>> by_since_;  // (pending since, sku): oldest first
  std::map<std::string, int64_t> published_;
};

}  // namespace crossdock
