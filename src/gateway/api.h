// Api: Crossdock's HTTP API as one asynchronous handler. Each request runs a short filter
// chain (trace context → route → authenticate → content negotiation), then its route handler.
// Handlers are plain functions of the request; they answer through `respond` once the store
// has committed whatever they changed. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <simdjson.h>

#include "base/clock.h"
#include "base/id.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/random.h"
#include "codecs/partner_format.h"
#include "codecs/shopify_inventory.h"
#include "delivery/folder_transport.h"
#include "delivery/quota.h"
#include "flows/order_flow.h"
#include "gateway/auth.h"
#include "gateway/http.h"
#include "gateway/idempotency.h"
#include "gateway/inbound_webhook.h"
#include "gateway/problem.h"
#include "gateway/router.h"
#include "model/validation.h"
#include "store/store.h"

namespace crossdock {

// A partner that sends signed webhooks instead of (or besides) calling with an API key.
struct WebhookPartner {
  Partner partner;
  InboundWebhookPolicy policy;
  // Shopify inventory_levels/update: which locations are nodes and which items SKUs; empty =
  // the topic is acknowledged and ignored.
  ShopifyInventoryMap inventory;
  // Standard Webhooks order.created: the data is the partner's own document in this format
  // (a built-in codec or a declarative mapping); format "" = a canonical order.
  PartnerFormat orders;
};

struct ApiOptions {
  // x12 nodes' folders: POST /v1/nodes/{node}/x12 writes a received interchange into its
  // inbound/ (the node's inbox reads it from there).
  std::map<std::string, std::shared_ptr<FolderTransport>> x12_inbound;
  int max_json_depth = 32;
  // Channels claimed by one partner (channel → partner id): only that partner, and operators,
  // may submit orders of the channel. Unclaimed channels are open to every channel partner.
  std::map<std::string, std::string> channel_owners;
  // Partners that may POST /v1/webhooks/{partner}, by id.
  std::map<std::string, WebhookPartner> webhook_partners;
  // Nodes that can fill each channel's orders (availability per channel); key "" = every
  // channel's fallback (the default node).
  std::map<std::string, std::vector<std::string>> channel_nodes;
  // Channel → units held back from its availability (channels[].safety_stock).
  std::map<std::string, int64_t>
      safety_stock;  // Every configured node (operators may re-route orders to any of them).
  std::set<std::string> nodes;
  OrderLimits order_limits;
  // Called after a dead letter was replayed or discarded (wakes delivery). Must not block.
  std::function<void()> on_replayed;
  // Called after the API itself committed events (returns): wakes event publishing.
  std::function<void()> on_committed;
  // Failed authentications allowed per source address: a burst, refilled at a rate.
  double auth_failure_burst = 20;
  double auth_failures_per_second = 0.2;
};

// What each filter says happens next.
enum class FilterResult {
  kContinue,  // run the next filter, then the handler
  kRespond,   // the filter has answered (an error); stop here
};

// Per-request state shared by filters and handlers.
struct RequestContext {
  HttpRequest request;
  TraceContext trace;
  std::optional<Partner> partner;
  RouteMatch route;
  TimePoint started;
};

class Api {
 public:
  Api(Store& store, OrderFlow& flow, Authenticator auth, MetricsRegistry& metrics,
      const Clock& clock, Random& random, Logger& log, ApiOptions options = {});

  void Handle(HttpRequest request, Respond respond);

  // Readiness: /readyz answers 503 while not ready (starting) or draining.
  void SetReady(bool ready) { ready_ = ready; }

  // The route pattern ("/v1/orders/{id}") a request would take, for tests and tools.
  std::optional<std::string> RoutePattern(std::string_view method, std::string_view path) const;
  // Every (method, pattern) served — what docs/openapi.json must document.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  using RouteHandler = void (Api::*)(std::shared_ptr<RequestContext>, Respond);
  struct RouteEntry {
    RouteHandler handler;
    const char* scope;  // nullptr: no credential needed (or the handler authenticates)
    // A deprecated route answers `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a
    // `Link` to its successor.
    const char* deprecated_since = nullptr;  // HTTP-date
    const char* sunset = nullptr;            // HTTP-date
    const char* successor = nullptr;         // path template of the replacement
    // The media type a POST body must have (X12 interchanges come as themselves).
    const char* body_type = "application/json";
    std::string deprecation;  // the Deprecation value, "@<unix seconds>"
  };
  FilterResult Throttle(RequestContext& ctx, HttpResponse& out);
  // Counts a failed authentication from the request's address (brute-force limit).
  void CountAuthFailure(const RequestContext& ctx);
  // 429 when the address has failed too often.
  FilterResult CheckAuthFailures(RequestContext& ctx, HttpResponse& out);
  void ListPartners(std::shared_ptr<RequestContext> ctx, Respond respond);

  FilterResult Authenticate(RequestContext& ctx, HttpResponse& out);
  FilterResult Negotiate(RequestContext& ctx, const RouteEntry& entry, HttpResponse& out);

  void PostOrder(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetOrder(std::shared_ptr<RequestContext> ctx, Respond respond);
  void PostShipment(std::shared_ptr<RequestContext> ctx, Respond respond);
  // Experience APIs for channels, portals and service tools: experience_api.cc.
  void ListOrders(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetTracking(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetOrderStatus(std::shared_ptr<RequestContext> ctx, Respond respond);  // deprecated
  void CancelOrder(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetAvailability(std::shared_ptr<RequestContext> ctx, Respond respond);
  void PostInventory(std::shared_ptr<RequestContext> ctx, Respond respond);
  void PostX12(std::shared_ptr<RequestContext> ctx, Respond respond);
  void PostReturn(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetReturn(std::shared_ptr<RequestContext> ctx, Respond respond);
  // orchestration_api.cc: milestones from nodes, operator actions on orders.
  void PostMilestone(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ReleaseOrder(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ListExceptions(std::shared_ptr<RequestContext> ctx, Respond respond);
  void PostReturnReceipt(std::shared_ptr<RequestContext> ctx, Respond respond);
  void OrderAction(std::shared_ptr<RequestContext> ctx, Respond respond);
  void RetryOrderCommands(std::shared_ptr<RequestContext> ctx, const std::string& order_id,
                          const std::string& reason, Respond respond);
  void RespondToAct(std::shared_ptr<RequestContext> ctx, const std::string& order_id,
                    Result<ActOutcome> r, const Respond& respond);
  // The problem for an input the order refused: NotFound answers exactly as a missing order.
  HttpResponse RejectionProblem(const RequestContext& ctx, const Rejection& rejection,
                                const std::string& order_id);
  // Node routes: only the node itself (or an operator) may report for it. Answers 403 and
  // returns false otherwise; `what` completes "only node 'x' may …".
  bool NodeMayReport(const RequestContext& ctx, const std::string& node, const Respond& respond,
                     const char* what);
  // Signed inbound webhooks (Shopify, Standard Webhooks): webhook_api.cc.
  void PostWebhook(std::shared_ptr<RequestContext> ctx, Respond respond);
  // The server's order limits, tightened by the partner's own (limits.max_order_lines).
  OrderLimits PartnerOrderLimits(const Partner& partner) const;
  // The request's Idempotency-Key, or nullopt after answering 400 (missing or malformed).
  std::optional<std::string> RequiredIdempotencyKey(const RequestContext& ctx,
                                                    const Respond& respond);
  // Marks the key in flight for the caller, or answers 409 with Retry-After and returns false.
  bool AcquireIdempotencyKey(const RequestContext& ctx, const std::string& key,
                             const Respond& respond);
  // The order `id` if the caller may see it; otherwise answers 404 (exactly as for a missing
  // order) or the store's error, and returns nullopt.
  std::optional<OrderRecord> VisibleOrder(const RequestContext& ctx, const std::string& id,
                                          const Respond& respond);
  // Stores a decoded order as POST /v1/orders does. `guard_in_flight`: answer 409 to a second
  // request with the key while the first runs (API clients); webhooks instead let the store
  // serialise duplicates, so every delivery gets a 2xx.
  void SubmitOrder(std::shared_ptr<RequestContext> ctx, Order order, std::string key,
                   bool guard_in_flight, Respond respond);
  void ApplyShipmentFrom(std::shared_ptr<RequestContext> ctx, const std::string& node,
                         Shipment shipment, Respond respond);
  // `pointer_prefix` is put before every error's pointer ("/data" inside a webhook envelope).
  // Stores counts (each of its node), then answers {"applied", "stale"}.
  void StoreLevels(std::shared_ptr<RequestContext> ctx,
                   std::shared_ptr<std::vector<InventoryLevel>> levels, Respond respond);
  void StoreInventory(std::shared_ptr<RequestContext> ctx, const std::string& node,
                      std::string_view body, const std::string& pointer_prefix, Respond respond);
  void Livez(std::shared_ptr<RequestContext> ctx, Respond respond);
  void Readyz(std::shared_ptr<RequestContext> ctx, Respond respond);
  void Metrics(std::shared_ptr<RequestContext> ctx, Respond respond);
  void OpenApi(std::shared_ptr<RequestContext> ctx, Respond respond);
  // Dead-letter administration (operators only): dead_letter_api.cc.
  void ListDeadLetters(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ReplayDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ReplayDeadLetters(std::shared_ptr<RequestContext> ctx, Respond respond);
  void DiscardDeadLetter(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ListAudit(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ListReconciliations(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetReconciliation(std::shared_ptr<RequestContext> ctx, Respond respond);
  void GetReconciliationCsv(std::shared_ptr<RequestContext> ctx, Respond respond);
  // Stock exceptions (operators only): stock_exception_api.cc.
  void ListStockExceptions(std::shared_ptr<RequestContext> ctx, Respond respond);
  void ResolveStockException(std::shared_ptr<RequestContext> ctx, Respond respond);
  // The run of the route's {id}, or nullopt after answering 404 or the store's error.
  std::optional<ReconciliationRecord> LoadReconciliation(RequestContext& ctx,
                                                         const Respond& respond);
  // The dead letter's id from the route, or nullopt after answering 404.
  std::optional<int64_t> DeadLetterId(const RequestContext& ctx, const Respond& respond);
  // The request body as a JSON object (an empty body reads as `empty_as`), or nullopt after
  // answering 400 (not JSON) or 422 (not an object). `parser` owns the result.
  std::optional<simdjson::dom::object> ObjectBody(const RequestContext& ctx, const Respond& respond,
                                                  simdjson::dom::parser& parser,
                                                  std::string_view empty_as = "{}");

  HttpResponse Fail(const RequestContext& ctx, ProblemType type, std::string detail,
                    FieldErrors errors = {});
  HttpResponse FromStatus(const RequestContext& ctx, const Status& st);
  // 400 malformed-json (syntax) or 422 validation-error with every pointer.
  HttpResponse DecodeFailure(const RequestContext& ctx, std::string_view what, bool syntax,
                             FieldErrors errors);
  Respond Finish(std::shared_ptr<RequestContext> ctx, Respond respond);

  Store& store_;
  OrderFlow& flow_;
  Authenticator auth_;
  MetricsRegistry& metrics_;
  const Clock& clock_;
  Random& random_;
  Logger& log_;
  IdGenerator ids_{clock_, random_};
  ApiOptions options_;
  Router router_;
  std::vector<RouteEntry> routes_;
  // Per-route metrics, resolved once: the registry lookup builds strings and takes a lock.
  struct RouteMetrics {
    Histogram* duration = nullptr;
    std::mutex mu;
    std::map<std::pair<std::string, int>, Counter*> answered;  // (method, status) → counter
  };
  std::vector<std::unique_ptr<RouteMetrics>> route_metrics_;  // index = route; last = unmatched
  Counter& AnsweredCounter(RouteMetrics& m, const std::string& route, const std::string& method,
                           int status);
  InFlightKeys in_flight_;
  // Request quotas per partner and the failed-authentication limit per source address.
  std::mutex limits_mu_;
  std::map<std::string, TokenBucket> partner_buckets_;
  std::map<std::string, TokenBucket> auth_failures_;
  std::atomic<bool> ready_{false};
};

}  // namespace crossdock
