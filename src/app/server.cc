#include "app/server.h"

#include "app/partner_cli.h"

#include <algorithm>
#include <set>

#include <filesystem>

#include "delivery/erp/erp_poll_loop.h"
#include "delivery/erp/financial_reconciler.h"
#include "delivery/erp/tryton_connector.h"
#include "delivery/faulty_http_client.h"
#include "delivery/inventory_publisher.h"
#include "delivery/outbox_dispatcher.h"
#include "delivery/snapshot_inbox.h"
#include "delivery/webhook_publisher.h"
#include "delivery/webhook_signer.h"
#include "delivery/x12/x12_http_post.h"
#include "delivery/x12/x12_node.h"
#include "flows/order_flow.h"
#include "gateway/api.h"
#include "gateway/http_server.h"
#include "store/faulty_store.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {

std::shared_ptr<TrytonConnector> TrytonConnectorOf(const Config& config) {
  if (config.erp.kind != "tryton") return nullptr;
  std::map<std::string, std::string> warehouses;  // nodes run in Tryton's stock module
  for (const auto& n : config.nodes) {
    if (n.kind == "tryton") warehouses[n.id] = n.warehouse;
  }
  TrytonRpcOptions rpc{config.erp.endpoint.url, config.erp.user, config.erp.password,
                       config.erp.endpoint.timeout};
  return std::make_shared<TrytonConnector>(rpc, config.erp.catalog, std::move(warehouses));
}

Server::Server(const Config& config, Logger& log)
    : config_(config),
      log_(log),
      clock_(SystemClock::Instance()),
      random_(ThreadLocalRandom::Instance()),
      ids_(clock_, random_) {}

Server::~Server() {
  Stop(std::chrono::milliseconds(0));
}

uint16_t Server::port() const {
  return http_ ? http_->port() : 0;
}

Result<std::unique_ptr<Server>> Server::Start(const Config& config, Logger& log) {
  CROSSDOCK_RETURN_IF_ERROR(ValidateConfig(config));
  std::unique_ptr<Server> s(new Server(config, log));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Unavailable("cannot create data_dir " + config.data_dir + ": " + ec.message());

  SqliteStoreOptions store_options;
  store_options.path = StorePathOf(config);
  store_options.synchronous = config.synchronous;
  auto store = SqliteStore::Open(store_options);
  if (!store.ok()) return Status(store.status().code(), "store: " + store.status().message());
  s->store_ = std::move(*store);
  s->active_store_ = s->store_.get();
  if (config.fault_store_write_rate > 0 || config.fault_store_read_rate > 0) {
    s->faulty_store_ = std::make_unique<FaultyStore>(*s->store_, config.fault_store_write_rate,
                                                     config.fault_store_read_rate, 20261128);
    s->active_store_ = s->faulty_store_.get();
    log.Warn("FAULT INJECTION: the store fails a share of calls on purpose (fault_injection)");
  }

  std::vector<WebhookPublisher*> publishers;
  OrderFlowOptions flow_options;
  flow_options.policy = OrderPolicyOf(config);
  Server* self = s.get();
  flow_options.on_committed = [self] {
    if (self->dispatcher_) self->dispatcher_->Wake();
    for (auto& p : self->publishers_) p->Wake();
  };
  // Routing facts: stock as the nodes last reported it, and nodes whose breaker is open.
  const RoutingPolicy routing = config.routing;
  flow_options.routing_facts = [self, routing](const Order& order, bool with_stock) {
    RoutingFacts facts;
    if (routing.require_stock && with_stock) {
      std::set<std::string> skus;
      for (const auto& l : order.lines) skus.insert(l.sku);
      for (const auto& sku : skus) {
        auto levels = self->active_store_->GetInventory(sku);
        if (!levels.ok()) continue;  // unknown stock counts as none
        for (const auto& l : *levels) facts.on_hand[l.node][sku] = l.available();
      }
    }
    if (routing.skip_unhealthy && self->dispatcher_) {
      for (const auto& d : self->dispatcher_->OpenBreakers()) {
        if (d.rfind("node:", 0) == 0) facts.unhealthy.insert(d.substr(5));
      }
    }
    return facts;
  };
  flow_options.on_stock_changed = [self](const std::vector<std::string>& skus, TimePoint at) {
    if (self->inventory_publisher_) self->inventory_publisher_->Changed(skus, at);
  };
  s->flow_ =
      std::make_unique<OrderFlow>(*s->active_store_, s->clock_, s->ids_, s->metrics_, flow_options);

  std::vector<PartnerCredential> creds;
  ApiOptions api_options;
  for (const auto& n : config.nodes) api_options.nodes.insert(n.id);
  for (const auto& p : config.partners) {
    Partner partner{p.id, p.kind, p.scopes, p.quota, p.limits, p.sla, p.channel};
    if (partner.scopes.empty()) partner.scopes = DefaultScopes(partner.kind);
    for (const auto& key : p.api_keys) creds.push_back(Authenticator::FromPlainKey(partner, key));
    if (p.webhooks)
      api_options.webhook_partners[p.id] = {partner, *p.webhooks, p.shopify_inventory,
                                            PartnerFormatOf(p)};
    for (const auto& channel : p.channels) api_options.channel_owners[channel] = p.id;
  }
  api_options.channel_nodes = ChannelNodesOf(config);
  for (const auto& ch : config.channels) api_options.safety_stock[ch.channel] = ch.safety_stock;
  {
    std::vector<ChannelFeed> feeds;
    for (ChannelFeed feed : config.channels) {
      if (feed.url.empty()) continue;  // a stock policy only: nothing to publish
      if (feed.nodes.empty()) {
        auto it = api_options.channel_nodes.find(feed.channel);
        if (it == api_options.channel_nodes.end()) it = api_options.channel_nodes.find("");
        if (it != api_options.channel_nodes.end()) feed.nodes = it->second;
      }
      feeds.push_back(std::move(feed));
    }
    if (!feeds.empty()) {
      s->inventory_publisher_ = std::make_unique<InventoryPublisher>(
          *s->active_store_, s->clock_, s->metrics_, log, std::move(feeds));
    }
  }
  api_options.on_replayed = [self] {
    if (self->dispatcher_) self->dispatcher_->Wake();
  };
  api_options.on_committed = [self] {
    for (auto& p : self->publishers_) p->Wake();
  };
  // Each x12 node's folders (and HTTP POST, when set); the API takes POSTed interchanges into
  // their inbound/.
  std::map<std::string, std::shared_ptr<FolderTransport>> x12_transports;
  for (const auto& n : config.nodes) {
    if (n.kind != "x12") continue;
    auto transport = std::make_shared<FolderTransport>(n.x12.folder);
    if (!n.x12.post_url.empty()) {
      transport->SetPoster(X12HttpPoster(n.x12.post_url, n.api_key, n.endpoint.timeout));
    }
    x12_transports[n.id] = transport;
  }
  api_options.x12_inbound = x12_transports;
  s->api_ = std::make_unique<Api>(*s->active_store_, *s->flow_, Authenticator(std::move(creds)),
                                  s->metrics_, s->clock_, s->random_, log, api_options);

  std::map<std::string, Endpoint> endpoints;
  std::shared_ptr<TrytonConnector> tryton = TrytonConnectorOf(config);
  std::vector<std::pair<X12NodeOptions, std::shared_ptr<FolderTransport>>> x12_nodes;
  for (const auto& n : config.nodes) {
    Endpoint ep = n.endpoint;
    if (n.kind == "tryton") ep.connector = tryton;
    if (n.kind == "x12") {
      X12NodeOptions x12{n.id, n.x12.profile, n.x12.folder,
                         std::chrono::milliseconds(n.x12.poll_interval_ms)};
      auto transport = x12_transports.at(n.id);
      Status prepared = transport->Prepare();
      if (!prepared.ok()) return InvalidArgument("node " + n.id + ": " + prepared.message());
      ep.connector =
          std::make_shared<X12NodeConnector>(x12, transport, *s->active_store_, s->clock_);
      x12_nodes.emplace_back(std::move(x12), std::move(transport));
    }
    if (!n.api_key.empty()) ep.headers.emplace_back("Authorization", "Bearer " + n.api_key);
    endpoints[ep.id] = ep;
  }
  if (!config.erp.kind.empty()) {
    Endpoint ep = config.erp.endpoint;
    if (tryton) {
      ep.connector = tryton;
    } else if (!config.erp.api_key.empty()) {
      ep.headers.emplace_back("Authorization", "Bearer " + config.erp.api_key);
    }
    endpoints[ep.id] = ep;
  }
  DispatcherOptions dispatcher_options;
  dispatcher_options.workers = config.delivery_workers;
  OutboxDispatcher::ClientFactory clients = HttpClient::Create;
  if (config.fault_http_rate > 0) {
    double rate = config.fault_http_rate;
    auto seed = std::make_shared<std::atomic<uint64_t>>(1);
    clients = [rate, seed] {
      return std::unique_ptr<HttpClient>(
          std::make_unique<FaultyHttpClient>(HttpClient::Create(), rate, seed->fetch_add(1)));
    };
    log.Warn("FAULT INJECTION: outbound HTTP calls fail on purpose (fault_injection)");
  }
  s->dispatcher_ = std::make_unique<OutboxDispatcher>(
      *s->active_store_, s->clock_, s->random_, s->metrics_, log, *s->flow_, std::move(endpoints),
      dispatcher_options, clients);
  if (tryton && config.erp.poll_interval_s > 0) {
    ErpPollOptions poll;
    poll.interval = std::chrono::seconds(config.erp.poll_interval_s);
    poll.overlap = std::chrono::seconds(config.erp.poll_overlap_s);
    s->erp_poller_ = tryton;
    s->erp_poll_ = std::make_unique<ErpPollLoop>(*tryton, *s->flow_, *s->active_store_, s->clock_,
                                                 s->metrics_, log, poll);
    s->erp_poll_->Start();
  }
  if (tryton && config.erp.reconcile_every_minutes > 0) {
    s->financial_ = std::make_unique<FinancialReconcileLoop>(
        *s->active_store_, *s->flow_, *tryton, s->clock_, s->ids_, log, FinancialJobOf(config),
        std::chrono::minutes(config.erp.reconcile_every_minutes));
    s->financial_->Start();
  }
  if (s->inventory_publisher_) {
    s->inventory_publisher_->Start();
  }
  for (auto& [x12, transport] : x12_nodes) {
    auto loop = std::make_unique<X12InboxLoop>(x12, transport, *s->flow_, *s->active_store_,
                                               s->clock_, s->metrics_, log);
    loop->Start();
    s->x12_inboxes_.push_back(std::move(loop));
  }
  for (const auto& n : config.nodes) {
    if (!n.snapshots) continue;
    auto inbox = std::make_unique<SnapshotInbox>(
        n.id, *n.snapshots, *s->active_store_, s->clock_, s->ids_, s->metrics_, log,
        [self](const std::vector<std::string>& skus, TimePoint as_of) {
          self->flow_->StockReported(skus, as_of);
        });
    if (Status st = inbox->Prepare(); !st.ok()) {
      return Unavailable("node " + n.id + ": snapshots.folder: " + st.message());
    }
    inbox->Start();
    s->snapshot_inboxes_.push_back(std::move(inbox));
  }
  if (config.delivery_enabled) {
    CROSSDOCK_RETURN_IF_ERROR(s->dispatcher_->Start());
  } else {
    log.Warn("delivery is paused (delivery.enabled: false): commands stay in the outbox");
  }
  for (const auto& sub : config.subscribers) {
    auto key = DecodeWebhookSecret(sub.secret);
    if (!key.ok()) return InvalidArgument("subscriber " + sub.id + ": " + key.status().message());
    auto p =
        std::make_unique<WebhookPublisher>(*s->active_store_, s->clock_, s->random_, s->metrics_,
                                           log, WebhookSubscription{sub.id, sub.endpoint, *key});
    p->Start();
    s->publishers_.push_back(std::move(p));
  }

  auto addr = ParseListenAddress(config.listen);
  if (!addr.ok()) return addr.status();
  HttpServerOptions http_options;
  http_options.host = addr->host;
  http_options.port = addr->port;
  http_options.threads = config.http_threads;
  http_options.body_limit = config.body_limit_bytes;
  http_options.read_timeout = std::chrono::seconds(config.read_timeout_s);
  http_options.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  http_options.max_connections = config.max_connections;
  Api* api = s->api_.get();
  auto http = HttpServer::Start(http_options, [api](HttpRequest req, Respond respond) {
    api->Handle(std::move(req), std::move(respond));
  });
  if (!http.ok()) return http.status();
  s->http_ = std::move(*http);
  s->api_->SetReady(true);
  log.Info("crossdock serving", {{"listen", addr->host + ":" + std::to_string(s->http_->port())},
                                 {"data_dir", config.data_dir}});
  return s;
}

void Server::Stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  if (api_) api_->SetReady(false);
  if (http_) http_->Stop(grace);
  if (erp_poll_) erp_poll_->Stop();
  if (financial_) financial_->Stop();
  for (auto& inbox : x12_inboxes_) inbox->Stop();
  x12_inboxes_.clear();
  for (auto& inbox : snapshot_inboxes_) inbox->Stop();
  snapshot_inboxes_.clear();
  if (dispatcher_) dispatcher_->Stop();
  if (inventory_publisher_) inventory_publisher_->Stop();
  for (auto& p : publishers_) p->Stop();
  publishers_.clear();
  // Nothing writes any more. A write still queued (a request cut off by the grace period) calls
  // back into the API and the flow once it commits: let it, before they are destroyed. Writes
  // complete in order, so an empty write's completion comes after theirs.
  if (store_) (void)store_->WriteAndWait([](WriteTx&) { return Status::Ok(); });
  dispatcher_.reset();
  // The HTTP server goes last: a request's answer callback still held by the API, the flow or
  // the store owns that request's session, whose socket belongs to the server's I/O context;
  // it must be destroyed (or called) while that context still exists.
  api_.reset();
  flow_.reset();
  faulty_store_.reset();
  store_.reset();
  http_.reset();
  log_.Info("crossdock stopped");
}

}  // namespace crossdock
