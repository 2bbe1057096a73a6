// WebhookPublisher: sends the event log to one webhook subscriber, in log order, from the
// subscriber's durable offset. Each event is a CloudEvent (structured JSON) signed per
// Standard Webhooks; `webhook-id` is the event id, so a re-sent event keeps its id and the
// subscriber can deduplicate. Transient failures are retried with backoff; 410 Gone disables
// the subscription; other 4xx answers skip the event (counted and logged). At-least-once:
// the offset is stored after each batch (up to 100 events), so after a crash the events after
// the last stored offset are sent again with their original webhook-id.
// Thread-safe: Wake() from any thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/random.h"
#include "delivery/endpoint.h"
#include "delivery/http_client.h"
#include "store/store.h"

namespace crossdock {

struct WebhookSubscription {
  std::string id;          // subscriber id; its offset is stored under "webhook:<id>"
  Endpoint endpoint;       // url, timeout, retry policy
  std::string secret_key;  // raw key bytes (decoded from whsec_…)
};

class WebhookPublisher {
 public:
  WebhookPublisher(Store& store, const Clock& clock, Random& random, MetricsRegistry& metrics,
                   Logger& log, WebhookSubscription subscription);
  ~WebhookPublisher();
  void Start();
  void Stop();
  void Wake();

 private:
  void Loop();
  // Sends one event until it is taken, skipped or we stop. True if the offset may advance.
  bool Send(HttpClient& client, const EventRecord& event);
  // Sleeps for `d` unless woken by Stop. False when stopping.
  bool SleepFor(Duration d);

  Store& store_;
  const Clock& clock_;
  Random& random_;
  MetricsRegistry& metrics_;
  Logger& log_;
  WebhookSubscription sub_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  bool disabled_ = false;
  std::thread thread_;
};

}  // namespace crossdock
