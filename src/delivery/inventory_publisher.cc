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
        Feed{f, PublicationQueue(f.burst, f.per_second, clock.Now()), nullptr, nullptr});
    std::string labels = "channel=\"" + f.channel + "\"";
    feed->delay = &metrics.GetHistogram(
        "crossdock_inventory_sync_delay_seconds",
        "From a stock change to the channel's acknowledgement of the new availability.", labels);
    feed->calls = &metrics.GetCounter("crossdock_inventory_publications_total",
                                      "Availability updates a channel acknowledged.", labels);
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

void InventoryPublisher::Run(Feed& feed) {
  auto client = clients_();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Duration wait;
    auto next = feed.queue.Take(clock_.Now(), wait);
    if (!next) {
      if (wait == Duration::zero()) {
        cv_.wait(lock);
      } else {
        cv_.wait_for(lock, wait);
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
      feed.calls->Inc();
      feed.delay->Observe(std::chrono::duration<double>(clock_.Now() - next->first_change).count());
    }
  }
}

}  // namespace crossdock
