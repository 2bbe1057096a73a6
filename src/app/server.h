// Server: the composition root of `crossdock serve`. It turns a Config into running
// components — store, order flow, HTTP API and server, outbox dispatcher, webhook publishers —
// and stops them in the reverse order. Start and Stop are called from one thread.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "base/clock.h"
#include "base/id.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/random.h"

namespace crossdock {

class SqliteStore;
class Store;
class OrderFlow;
class Api;
class HttpServer;
class OutboxDispatcher;
class WebhookPublisher;
class ErpPollLoop;
class X12InboxLoop;
class SnapshotInbox;
class FinancialReconcileLoop;
class InventoryPublisher;

class TrytonConnector;
// The Tryton connector of erp.kind tryton, knowing the warehouses of the nodes of kind tryton;
// null for another ERP. Shared by the server and the CLI commands that talk to the ERP.
std::shared_ptr<TrytonConnector> TrytonConnectorOf(const Config& config);

class Server {
 public:
  // Opens the store (creating data_dir), applies migrations, starts delivery and listens.
  // Fails fast with a clear message on any set-up error.
  static Result<std::unique_ptr<Server>> Start(const Config& config, Logger& log);
  ~Server();

  uint16_t port() const;
  SqliteStore& store() { return *store_; }
  MetricsRegistry& metrics() { return metrics_; }
  // Drains: /readyz turns 503, the listener closes, open requests get `grace` to finish,
  // delivery stops after its current calls, the store closes.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  Server(const Config& config, Logger& log);

  Config config_;
  Logger& log_;
  SystemClock& clock_;
  ThreadLocalRandom& random_;
  IdGenerator ids_;
  MetricsRegistry metrics_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Store> faulty_store_;  // set only when fault injection is configured
  Store* active_store_ = nullptr;        // what the components use: store_ or faulty_store_
  std::unique_ptr<OrderFlow> flow_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
  std::shared_ptr<void> erp_poller_;  // keeps the ERP connector the poll loop asks alive
  std::unique_ptr<ErpPollLoop> erp_poll_;
  std::vector<std::unique_ptr<X12InboxLoop>> x12_inboxes_;        // one per node of kind x12
  std::vector<std::unique_ptr<SnapshotInbox>> snapshot_inboxes_;  // nodes[].snapshots
  std::unique_ptr<FinancialReconcileLoop> financial_;             // erp.reconcile_every_minutes
  std::unique_ptr<InventoryPublisher> inventory_publisher_;       // availability feeds to channels
  std::vector<std::unique_ptr<WebhookPublisher>> publishers_;
  std::unique_ptr<HttpServer> http_;
  bool stopped_ = false;
};

}  // namespace crossdock
