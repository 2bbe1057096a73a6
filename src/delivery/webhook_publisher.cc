#include "delivery/webhook_publisher.h"

#include "base/thread_name.h"
#include "bus/cloud_event.h"
#include "delivery/webhook_signer.h"

namespace crossdock {

WebhookPublisher::WebhookPublisher(Store& store, const Clock& clock, Random& random,
                                   MetricsRegistry& metrics, Logger& log,
                                   WebhookSubscription subscription)
    : store_(store),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      log_(log),
      sub_(std::move(subscription)) {}

WebhookPublisher::~WebhookPublisher() {
  Stop();
}

void WebhookPublisher::Start() {
  thread_ = std::thread([this] {
    SetThreadName("cd-webhook");
    Loop();
  });
}

void WebhookPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookPublisher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool WebhookPublisher::SleepFor(Duration d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_; });
  return !stopping_;
}

void WebhookPublisher::Loop() {
  auto client = HttpClient::Create();
  const std::string offset_key = "webhook:" + sub_.id;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    auto offset = store_.GetSubscriberOffset(offset_key);
    auto events = offset.ok() ? store_.ReadEvents(*offset, 100)
                              : Result<std::vector<EventRecord>>(offset.status());
    if (!events.ok()) {
      log_.Warn("webhook: reading the event log failed",
                {{"subscriber", sub_.id}, {"error", events.status().message()}});
      if (!SleepFor(std::chrono::seconds(1))) return;
      continue;
    }
    if (events->empty() || disabled_) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_ || woken_; });
      continue;
    }
    // The offset is stored once per batch: after a crash up to one batch is sent again, with
    // the same webhook-id, for the subscriber to deduplicate.
    int64_t delivered = -1;
    bool stopping = false;
    for (const auto& e : *events) {
      if (!Send(*client, e)) {
        stopping = true;
        break;
      }
      delivered = e.seq;
      if (disabled_) break;
    }
    if (delivered >= 0) {
      Status st = store_.WriteAndWait(
          [&](WriteTx& tx) { return tx.SetSubscriberOffset(offset_key, delivered); });
      if (!st.ok()) {
        log_.Warn("webhook: storing the offset failed",
                  {{"subscriber", sub_.id}, {"error", st.message()}});
      }
    }
    if (stopping) return;
  }
}

bool WebhookPublisher::Send(HttpClient& client, const EventRecord& e) {
  std::string body = FormatCloudEvent(e);
  std::string label = "subscriber=\"" + PromLabelValue(sub_.id) + "\"";
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
    }
    int64_t ts = ToUnixMicros(clock_.Now()) / 1'000'000;
    ClientRequest req;
    req.url = sub_.endpoint.url;
    req.timeout = sub_.endpoint.timeout;
    req.headers = sub_.endpoint.headers;
    req.headers.emplace_back("Content-Type", "application/cloudevents+json");
    req.headers.emplace_back("webhook-id", e.id);
    req.headers.emplace_back("webhook-timestamp", std::to_string(ts));
    req.headers.emplace_back("webhook-signature",
                             SignStandardWebhook(sub_.secret_key, e.id, ts, body));
    if (!e.traceparent.empty()) req.headers.emplace_back("traceparent", e.traceparent);
    req.body = body;
    auto resp = client.Send(req);
    int status = resp.ok() ? resp->status : 0;
    CallOutcome outcome = ClassifyHttpStatus(status);
    if (outcome == CallOutcome::kSuccess) {
      metrics_
          .GetCounter("crossdock_webhook_deliveries_total", "Webhook deliveries by outcome.",
                      label + ",outcome=\"success\"")
          .Inc();
      return true;
    }
    if (status == 410) {
      disabled_ = true;
      log_.Error("webhook: subscriber answered 410 Gone; subscription disabled",
                 {{"subscriber", sub_.id}});
      metrics_
          .GetCounter("crossdock_webhook_deliveries_total", "Webhook deliveries by outcome.",
                      label + ",outcome=\"gone\"")
          .Inc();
      return true;
    }
    if (outcome == CallOutcome::kPermanent) {
      log_.Error("webhook: event refused permanently; skipped",
                 {{"subscriber", sub_.id}, {"event_id", e.id}, {"status", std::to_string(status)}});
      metrics_
          .GetCounter("crossdock_webhook_deliveries_total", "Webhook deliveries by outcome.",
                      label + ",outcome=\"refused\"")
          .Inc();
      return true;
    }
    metrics_
        .GetCounter("crossdock_webhook_deliveries_total", "Webhook deliveries by outcome.",
                    label + ",outcome=\"transient\"")
        .Inc();
    std::optional<Duration> retry_after;
    if (resp.ok()) retry_after = ParseRetryAfter(resp->Header("Retry-After"));
    if (!SleepFor(sub_.endpoint.retry.NextDelay(attempt, random_, retry_after))) return false;
  }
}

}  // namespace crossdock
