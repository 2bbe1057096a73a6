// Publication of availability to sales channels (docs/inventory.md, Publication). When a SKU's
// stock changes (a node's count, an order's reservation or shipment), each channel that sells
// it is sent the SKU's available-to-promise (flows/availability.h). Changes are coalesced per SKU
// and channel (only the newest value is ever sent, read from the ledger at send time), paced by the
// channel's call quota, freshest change first. The inventory sync delay — from the change to the
// channel's 2xx — is exported per channel as crossdock_inventory_sync_delay_seconds. What each
// channel acknowledged is kept in the store: at start, and every feed's resync_minutes after,
// every SKU of the channel's nodes is looked at again and only a figure that differs from the
// acknowledged one is sent (a restart, a change made by another process such as
// `crossdock reconcile`, or a lost notification costs no more than that).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "delivery/http_client.h"
#include "delivery/publication_queue.h"
#include "store/store.h"

namespace crossdock {

class InventoryPublisher {
 public:
  using ClientFactory = std::function<std::unique_ptr<HttpClient>()>;
  InventoryPublisher(Store& store, const Clock& clock, MetricsRegistry& metrics, Logger& log,
                     std::vector<ChannelFeed> feeds, ClientFactory clients = HttpClient::Create);
  ~InventoryPublisher();
  void Start();
  void Stop();
  // Stock of these SKUs changed at `at`; every feed queues them. Never blocks on I/O.
  void Changed(const std::vector<std::string>& skus, TimePoint at);

 private:
  struct Feed {
    ChannelFeed config;
    PublicationQueue queue;
    Histogram* delay = nullptr;
    Counter* calls = nullptr;
    Counter* resyncs = nullptr;
  };
  void Run(Feed& feed);
  // Queues every SKU the feed's nodes hold or the channel was sent (each dated by its newest
  // change at those nodes); a value the channel already has costs no call.
  // False when the store could not be read (the pass is tried again shortly).
  bool Resync(Feed& feed);

  Store& store_;
  const Clock& clock_;
  Logger& log_;
  ClientFactory clients_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Feed>> feeds_;
  std::vector<std::thread> threads_;
};

}  // namespace crossdock
