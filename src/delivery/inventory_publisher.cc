#include "delivery/inventory_publisher.h"

#include <algorithm>

#include "base/json.h"
#include "base/thread_name.h"
#include "flows/availability.h"

namespace crossdock {

InventoryPublisher::InventoryPublisher(Store& store, const Clock& clock, MetricsRegistry& metrics,
                                       Logger& log, std::vector<ChannelFeed> feeds,
                                       ClientFactory clients)
    : store_(store), clock_(clock), log_(log), clients_(std::move(clients)) {
  for (auto& f : feeds) {
    auto feed = std::make_unique<Feed>(
        Feed{f, PublicationQueue(f.burst, f.per_second, clock.Now()), nullptr, nullptr, nullptr});
    std::string labels = "channel=\"" + f.channel + "\"";
    feed->delay = &metrics.GetHistogram(
        "crossdock_inventory_sync_delay_seconds",
        "From a stock change to the channel's acknowledgement of the new availability.", labels);
    feed->calls = &metrics.GetCounter("crossdock_inventory_publications_total",
                                      "Availability updates a channel acknowledged.", labels);
    feed->resyncs = &metrics.GetCounter(
        "crossdock_inventory_resyncs_total",
        "Passes over every SKU of a channel's nodes (at start and every resync_minutes).", labels);
    feeds_.push_back(std::move(feed));
  }
}

InventoryPublisher::~InventoryPublisher() {
  Stop();
}

void InventoryPublisher::Start() {
  for (auto& f : feeds_) {
    threads_.emplace_back([this, feed = f.get()] {
      SetThreadName("publish-" + feed->config.channel.substr(0, 7));
      Run(*feed);
    });
  }
}

void InventoryPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void InventoryPublisher::Changed(const std::vector<std::string>& skus, TimePoint at) {
  if (feeds_.empty() || skus.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& f : feeds_) {
      for (const auto& sku : skus) f->queue.Changed(sku, at, clock_.Now());
    }
  }
  cv_.notify_all();
}

bool InventoryPublisher::Resync(Feed& feed) {
  auto published = store_.ListPublications(feed.config.channel);
  std::map<std::string, TimePoint> skus;  // SKU → its newest change at the feed's nodes
  bool ok = published.ok();
  if (ok) {
    for (const auto& [sku, value] : *published) skus.emplace(sku, TimePoint{});
  }
  for (const auto& node : feed.config.nodes) {
    auto levels = store_.ListInventoryAt(node);
    if (!levels.ok()) {
      ok = false;
      break;
    }
    for (const auto& l : *levels) {
      TimePoint& at = skus[l.sku];
      at = std::max(at, l.updated_at);
    }
  }
  if (!ok) {
    log_.Warn("availability resync could not read the store; it is tried again in 5 s",
              {{"channel", feed.config.channel}});
    return false;
  }
  TimePoint now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    // What this run has acknowledged is newer than the store (its writes may be queued).
    for (const auto& [sku, value] : *published) {
      if (!feed.queue.KnowsPublished(sku)) feed.queue.Published(sku, value);
    }
    for (const auto& [sku, at] : skus) feed.queue.Changed(sku, at == TimePoint{} ? now : at, now);
  }
  feed.resyncs->Inc();
  cv_.notify_all();
  return true;
}

void InventoryPublisher::Run(Feed& feed) {
  auto client = clients_();
  // A pass that could not read the store is tried again soon, whatever resync_minutes says.
  constexpr auto kRetry = std::chrono::seconds(5);
  bool resynced = Resync(feed);
  TimePoint next_resync =
      clock_.Now() +
      (resynced ? Duration(std::chrono::minutes(feed.config.resync_minutes)) : Duration(kRetry));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    bool periodic = feed.config.resync_minutes > 0 || !resynced;
    if (periodic && clock_.Now() >= next_resync) {
      lock.unlock();
      resynced = Resync(feed);
      next_resync =
          clock_.Now() + (resynced ? Duration(std::chrono::minutes(feed.config.resync_minutes))
                                   : Duration(kRetry));
      lock.lock();
      continue;
    }
    Duration wait;
    auto next = feed.queue.Take(clock_.Now(), wait);
    if (!next) {
      Duration until_resync = Duration::zero();
      if (feed.config.resync_minutes > 0 || !resynced) {
        until_resync =
            std::max<Duration>(std::chrono::duration_cast<Duration>(next_resync - clock_.Now()),
                               std::chrono::milliseconds(1));
      }
      if (wait == Duration::zero() && until_resync == Duration::zero()) {
        cv_.wait(lock);
      } else if (wait == Duration::zero()) {
        cv_.wait_for(lock, until_resync);
      } else {
        cv_.wait_for(lock, until_resync == Duration::zero() ? wait : std::min(wait, until_resync));
      }
      continue;
    }
    lock.unlock();
    // The value is read now: whatever changed since the SKU was queued is in it.
    auto levels = store_.GetInventory(next->sku);
    bool ok = levels.ok();
    int64_t value = ok ? PublishedAvailability(AvailableToPromise(*levels, &feed.config.nodes,
                                                                  feed.config.safety_stock),
                                               feed.config.buffer_percent)
                       : 0;
    bool skip = false;
    {
      std::lock_guard guard(mu_);
      skip = ok && feed.queue.Unchanged(next->sku, value);
    }
    if (ok && !skip) {
      JsonWriter w;
      w.StartObject().Field("sku", next->sku).Field("available", value);
      w.Field("changed_at", FormatRfc3339(next->first_change)).EndObject();
      ClientRequest req{"POST",
                        feed.config.url,
                        {{"Content-Type", "application/json"}},
                        w.Take(),
                        std::chrono::milliseconds(10'000)};
      if (!feed.config.api_key.empty()) {
        req.headers.push_back({"Authorization", "Bearer " + feed.config.api_key});
      }
      {
        std::lock_guard guard(mu_);
        feed.queue.Spend(clock_.Now());
      }
      auto answer = client->Send(req);
      ok = answer.ok() && answer->status / 100 == 2;
      if (!ok) {
        log_.Warn("channel refused an availability update",
                  {{"channel", feed.config.channel},
                   {"sku", next->sku},
                   {"error", answer.ok() ? "HTTP " + std::to_string(answer->status)
                                         : answer.status().message()}});
      }
    }
    lock.lock();
    if (!ok) {
      feed.queue.Retry(*next, clock_.Now());  // again, after the quota's next call
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
      continue;
    }
    if (!skip) {
      feed.queue.Published(next->sku, value);
      // Kept so a restart resends only what changed; losing this write costs one repeat.
      store_.Write([channel = feed.config.channel, sku = next->sku, value, at = clock_.Now()](
                       WriteTx& tx) { return tx.RecordPublication(channel, sku, value, at); },
                   [&log = log_, channel = feed.config.channel](Status st) {
                     if (!st.ok())
                       log.Warn("could not keep a channel's acknowledged availability",
                                {{"channel", channel}, {"error", st.message()}});
                   });
      feed.calls->Inc();
      feed.delay->Observe(std::chrono::duration<double>(clock_.Now() - next->first_change).count());
    }
  }
}

}  // namespace crossdock
