// Handler-level tests of the HTTP API: real SQLite store and order flow, no sockets.
#include "gateway/api.h"
#include "flows/order_state.h"

#include <gtest/gtest.h>

#include <simdjson.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "codecs/canonical_json.h"
#include "delivery/webhook_signer.h"
#include "model/order_generator.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {
namespace {

namespace fs = std::filesystem;

// Holds every write until released: lets a test keep a request "in flight".
class GatedStore final : public Store {
 public:
  explicit GatedStore(Store& inner) : inner_(inner) {}
  void Write(WriteJob job, WriteDone done) override {
    if (failing_) {
      done(Unavailable("store down for the test"));
      return;
    }
    std::unique_lock lock(mu_);
    if (closed_) {
      held_.push_back({std::move(job), std::move(done)});
      return;
    }
    lock.unlock();
    inner_.Write(std::move(job), std::move(done));
  }
  // Every call fails as Unavailable, like a broken disk.
  void SetFailing(bool failing) { failing_ = failing; }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void Open() {
    std::vector<std::pair<WriteJob, WriteDone>> held;
    {
      std::lock_guard lock(mu_);
      closed_ = false;
      held.swap(held_);
    }
    for (auto& [j, d] : held) inner_.Write(std::move(j), std::move(d));
  }
  Result<std::optional<OrderRecord>> GetOrder(const std::string& id) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetOrder(id);
  }
  Result<std::vector<HistoryEntry>> GetHistory(const std::string& id) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetHistory(id);
  }
  Result<std::vector<EventRecord>> ReadEvents(int64_t a, int l) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ReadEvents(a, l);
  }
  Result<int64_t> GetSubscriberOffset(const std::string& s) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetSubscriberOffset(s);
  }
  Result<std::optional<TimePoint>> NextOutboxDue() override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.NextOutboxDue();
  }
  Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& q) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListOrders(q);
  }
  Result<std::optional<ReturnRecord>> GetReturn(const std::string& id) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetReturn(id);
  }
  Result<std::vector<InventoryLevel>> GetInventory(const std::string& sku) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetInventory(sku);
  }
  Result<std::vector<std::string>> ListOrderIds(int l, const std::string& a) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListOrderIds(l, a);
  }
  Result<StoreStats> Stats() override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.Stats();
  }
  Result<std::vector<OutboxItem>> ListDeadLetters(const DeadLetterFilter& f) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListDeadLetters(f);
  }
  Result<std::optional<OutboxItem>> GetOutboxItem(int64_t id) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetOutboxItem(id);
  }
  Result<std::vector<QuotaState>> LoadQuotaStates() override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.LoadQuotaStates();
  }
  Result<std::vector<AuditRecord>> ListAudit(int limit) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListAudit(limit);
  }
  Result<std::vector<InventoryLevel>> ListInventoryAt(const std::string& node) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListInventoryAt(node);
  }
  Result<std::map<std::string, int64_t>> OnHandChangesAfter(const std::string& node,
                                                            TimePoint at) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.OnHandChangesAfter(node, at);
  }
  Result<std::vector<StockException>> ListStockExceptions(
      const StockExceptionFilter& filter) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListStockExceptions(filter);
  }
  Result<std::map<std::string, int64_t>> ListPublications(const std::string& channel) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListPublications(channel);
  }
  Result<std::vector<X12Transmission>> ListX12Transmissions(const std::string& partner,
                                                            int limit) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListX12Transmissions(partner, limit);
  }
  Result<std::vector<ReconciliationRecord>> ListReconciliations(int limit) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.ListReconciliations(limit);
  }
  Result<std::optional<ReconciliationRecord>> GetReconciliation(const std::string& id) override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.GetReconciliation(id);
  }
  Result<int64_t> CountDeadLetters() override {
    if (failing_) return Unavailable("store down for the test");
    return inner_.CountDeadLetters();
  }

 private:
  Store& inner_;
  std::mutex mu_;
  bool closed_ = false;
  std::atomic<bool> failing_{false};
  std::vector<std::pair<WriteJob, WriteDone>> held_;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crossdock_api_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open({(dir_ / "db").string()});
    ASSERT_TRUE(s.ok());
    sqlite_ = std::move(*s);
    gated_ = std::make_unique<GatedStore>(*sqlite_);
    flow_ = std::make_unique<OrderFlow>(*gated_, clock_, ids_, metrics_,
                                        OrderFlowOptions{RoutingPolicy{{}, "tpl-east"}});
    Authenticator auth(
        {Authenticator::FromPlainKey({"shop", PartnerKind::kChannel}, "shop-key"),
         Authenticator::FromPlainKey({"portal", PartnerKind::kChannel}, "portal-key"),
         Authenticator::FromPlainKey({"b2b", PartnerKind::kChannel}, "b2b-key"),
         Authenticator::FromPlainKey({"tpl-east", PartnerKind::kThirdPartyLogistics}, "east-key"),
         Authenticator::FromPlainKey({"tpl-west", PartnerKind::kThirdPartyLogistics}, "west-key"),
         Authenticator::FromPlainKey({"ops", PartnerKind::kOperator}, "ops-key"),
         Authenticator::FromPlainKey({"hook", PartnerKind::kSubscriber}, "hook-key"),
         Authenticator::FromPlainKey({"reader", PartnerKind::kChannel, {"orders:read"}},
                                     "reader-key"),
         Authenticator::FromPlainKey({"limited", PartnerKind::kChannel, {}, {0.001, 2}},
                                     "limited-key")});
    log_ = Logger::Null();
    ApiOptions options;
    // Signed webhooks: a Shopify store, and node tpl-east pushing Standard Webhooks.
    Partner store{"shopify-store", PartnerKind::kChannel, DefaultScopes(PartnerKind::kChannel)};
    store.channel = "shopify";
    store.scopes.insert("inventory:write");
    // Its location 905684977 is node tpl-west; inventory item 808950810 is SKU-1.
    options.webhook_partners["shopify-store"] = {
        store,
        {WebhookScheme::kShopify, {{kShopifySecret, {}}}, std::chrono::hours(1)},
        {{{"905684977", "tpl-west"}}, {{"808950810", "SKU-1"}}}};
    Partner east{"tpl-east", PartnerKind::kThirdPartyLogistics,
                 DefaultScopes(PartnerKind::kThirdPartyLogistics)};
    east.limits.max_body_bytes = 8192;
    options.webhook_partners["tpl-east"] = {
        east, {WebhookScheme::kStandard, {{kStandardSecret, {}}}, std::chrono::seconds(300)}};
    // A portal without a built-in codec: its own order JSON, read by a declarative mapping.
    Partner portal{"acme", PartnerKind::kChannel, DefaultScopes(PartnerKind::kChannel)};
    PartnerFormat acme{"mapping", "acme", JsonOrderMapping{}};
    JsonOrderMapping& m = *acme.mapping;
    m.channel = "acme-portal";
    m.lookups["sku"] = {{"A-100", "SKU-RED"}};
    auto pointer = [](const char* p) {
      MappingExpr e;
      e.pointer = p;
      return e;
    };
    m.fields["external_ref"] = pointer("/orderNumber");
    MappingExpr usd;
    usd.kind = MappingExpr::Kind::kConst;
    usd.value = "USD";
    m.fields["currency"] = usd;
    for (const char* f : {"line1", "city", "country"})
      m.fields[std::string("ship_to.") + f] = pointer((std::string("/shipTo/") + f).c_str());
    m.lines = "/items";
    MappingExpr sku = pointer("/partNumber");
    sku.lookup = "sku";
    m.line_fields["sku"] = sku;
    m.line_fields["quantity"] = pointer("/qty");
    m.line_fields["unit_price"] = pointer("/price");
    options.webhook_partners["acme"] = {
        portal,
        {WebhookScheme::kStandard, {{kStandardSecret, {}}}, std::chrono::seconds(300)},
        {},
        acme};
    options.channel_owners["acme-portal"] = "acme";
    // tpl-east also speaks X12 over HTTP; "tpl-broken"'s folder does not exist (writes fail).
    auto x12 = std::make_shared<FolderTransport>((dir_ / "x12").string());
    ASSERT_TRUE(x12->Prepare().ok());
    options.x12_inbound["tpl-east"] = x12;
    options.x12_inbound["tpl-broken"] =
        std::make_shared<FolderTransport>((dir_ / "missing" / "x12").string());
    options.channel_nodes["web"] = {"tpl-east"};
    options.nodes = {"tpl-east", "tpl-west"};
    options.channel_owners["shopify"] = "shopify-store";
    api_ = std::make_unique<Api>(*gated_, *flow_, std::move(auth), metrics_, clock_, random_, *log_,
                                 options);
    api_->SetReady(true);
  }
  void TearDown() override {
    gated_->Open();
    api_.reset();
    flow_.reset();
    gated_.reset();
    sqlite_.reset();
    fs::remove_all(dir_);
  }

  HttpRequest Req(std::string method, std::string path, std::string body = "",
                  std::string key = "shop-key") {
    HttpRequest r;
    r.method = std::move(method);
    r.path = r.target = std::move(path);
    r.body = std::move(body);
    if (!key.empty()) r.headers["Authorization"] = "Bearer " + key;
    if (r.method == "POST") r.headers["Content-Type"] = "application/json";
    return r;
  }
  // A well-formed interchange (an 846 from tpl-east).
  static constexpr const char* kX12Interchange =
      "ISA*00*          *00*          *ZZ*TPLEAST        *ZZ*CROSSDOCK      *261128*1200*U*00401*"
      "000000001*0*P*>~GS*IB*TPLEAST*CROSSDOCK*20261128*1200*1*X*004010~ST*846*0001~"
      "BIA*00*MM*C1*20261128~LIN**SK*SKU-1~QTY*17*5~SE*5*0001~GE*1*1~IEA*1*000000001~";
  // Obviously fake test secrets.
  static constexpr const char* kShopifySecret = "FAKE-shopify-app-secret";
  static constexpr const char* kStandardSecret = "TESTONLYFAKEFAKEFAKE1234";
  HttpRequest ShopifyDelivery(std::string body, const std::string& id,
                              std::string topic = "orders/create") {
    HttpRequest r = Req("POST", "/v1/webhooks/shopify-store", std::move(body), "");
    r.headers["X-Shopify-Hmac-Sha256"] = SignShopifyWebhook(kShopifySecret, r.body);
    r.headers["X-Shopify-Webhook-Id"] = id;
    r.headers["X-Shopify-Triggered-At"] = FormatRfc3339(clock_.Now());
    r.headers["X-Shopify-Topic"] = std::move(topic);
    return r;
  }
  HttpRequest StandardDelivery(const std::string& type, const std::string& data,
                               const std::string& id, std::string partner = "tpl-east") {
    std::string body = data.empty() ? "" : R"({"type":")" + type + R"(","data":)" + data + "}";
    HttpRequest r = Req("POST", "/v1/webhooks/" + partner, body, "");
    int64_t ts =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    r.headers["webhook-id"] = id;
    r.headers["webhook-timestamp"] = std::to_string(ts);
    r.headers["webhook-signature"] =
        SignStandardWebhook(*DecodeWebhookSecret(kStandardSecret), id, ts, r.body);
    return r;
  }
  // The body of a shipment of order `id` (`o`) at tpl-east: every line in full, or, with
  // `first_units` > 0, only that many units of the first line.
  static std::string ShipmentBody(const std::string& id, const Order& o, const std::string& event,
                                  int64_t first_units = 0) {
    Shipment s;
    s.order_id = id;
    s.partner_event_id = event;
    Package p;
    for (const auto& l : o.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
    if (first_units > 0) p.lines = {{o.lines[0].line_id, o.lines[0].sku, first_units}};
    s.packages.push_back(p);
    return EncodeShipment(s);
  }
  // Confirms that shipment as node tpl-east; the answer's status.
  int Ship(const std::string& id, const Order& o, const std::string& event,
           int64_t first_units = 0) {
    return Call(Req("POST", "/v1/nodes/tpl-east/shipments", ShipmentBody(id, o, event, first_units),
                    "east-key"))
        .status;
  }
  HttpRequest PostOrder(const std::string& body, const std::string& idem,
                        std::string key = "shop-key") {
    HttpRequest r = Req("POST", "/v1/orders", body, std::move(key));
    if (!idem.empty()) r.headers["Idempotency-Key"] = idem;
    return r;
  }
  std::future<HttpResponse> Start(HttpRequest r) {
    auto p = std::make_shared<std::promise<HttpResponse>>();
    auto f = p->get_future();
    api_->Handle(std::move(r), [p](HttpResponse resp) { p->set_value(std::move(resp)); });
    return f;
  }
  HttpResponse Call(HttpRequest r) {
    std::string method = r.method, path = r.path;
    HttpResponse resp = Start(std::move(r)).get();
    // Every answer of a served route must be documented in docs/openapi.json.
    if (auto pattern = api_->RoutePattern(method, path)) {
      EXPECT_TRUE(Documented().count({method, *pattern, resp.status}))
          << method << " " << *pattern << " answered " << resp.status
          << " which docs/openapi.json does not document";
    }
    return resp;
  }

  // (method, path pattern, status) triples from docs/openapi.json.
  static const std::set<std::tuple<std::string, std::string, int>>& Documented() {
    static const auto* documented = [] {
      auto* out = new std::set<std::tuple<std::string, std::string, int>>;
      std::ifstream in(std::string(CROSSDOCK_DOCS_DIR) + "/openapi.json");
      std::stringstream ss;
      ss << in.rdbuf();
      simdjson::dom::parser parser;
      simdjson::dom::element doc = parser.parse(ss.str());
      for (auto [path, ops] : doc["paths"].get_object()) {
        for (auto [method, op] : ops.get_object()) {
          std::string m(method);
          for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          for (auto [status, resp] : op["responses"].get_object()) {
            (void)resp;
            out->insert({m, std::string(path), std::stoi(std::string(status))});
          }
        }
      }
      return out;
    }();
    return *documented;
  }

  // Checks the RFC 9457 shape and returns the body's `type` slug.
  std::string ProblemSlugOf(const HttpResponse& r) {
    EXPECT_EQ(r.headers.at("Content-Type"), "application/problem+json") << r.body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    EXPECT_FALSE(parser.parse(r.body).get(doc)) << r.body;
    std::string_view type, title, trace;
    int64_t status = 0;
    EXPECT_FALSE(doc["type"].get_string().get(type));
    EXPECT_FALSE(doc["title"].get_string().get(title));
    EXPECT_FALSE(doc["status"].get_int64().get(status));
    EXPECT_FALSE(doc["trace_id"].get_string().get(trace));
    EXPECT_EQ(status, r.status);
    EXPECT_EQ(trace.size(), 32u);
    return std::string(type.substr(kProblemBase.size()));
  }
  std::vector<std::string> Pointers(const HttpResponse& r) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body);
    std::vector<std::string> out;
    for (auto e : doc["errors"].get_array()) out.emplace_back(std::string_view(e["pointer"]));
    return out;
  }

  fs::path dir_;
  ManualClock clock_;
  SeededRandom random_{5};
  IdGenerator ids_{clock_, random_};
  MetricsRegistry metrics_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<GatedStore> gated_;
  std::unique_ptr<OrderFlow> flow_;
  std::unique_ptr<Logger> log_;
  std::unique_ptr<Api> api_;
  OrderGenerator gen_{8, "web", "A"};
};

TEST_F(ApiTest, CreatesOrderAndReplaysIdenticallyOnSameKey) {
  std::string body = EncodeOrder(gen_.Next());
  HttpResponse first = Call(PostOrder(body, "key-1"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.headers.at("Content-Type"), "application/json");
  std::string location = first.headers.at("Location");
  EXPECT_EQ(location.rfind("/v1/orders/ord_", 0), 0u);
  HttpResponse again = Call(PostOrder(body, "key-1"));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);  // byte-identical
  EXPECT_EQ(again.headers.at("Location"), location);
  EXPECT_EQ(again.headers.at("Idempotent-Replayed"), "true");
  EXPECT_EQ(sqlite_->Stats()->orders, 1);

  HttpResponse get = Call(Req("GET", location));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_NE(get.body.find("\"type\":\"order.allocated\""), std::string::npos);
}

TEST_F(ApiTest, SameKeyDifferentBodyIs422) {
  Call(PostOrder(EncodeOrder(gen_.Next()), "key-1"));
  HttpResponse r = Call(PostOrder(EncodeOrder(gen_.Next()), "key-1"));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(ProblemSlugOf(r), "idempotency-key-reused");
  EXPECT_EQ(sqlite_->Stats()->orders, 1);
}

TEST_F(ApiTest, SameKeyWhileInFlightIs409WithRetryAfter) {
  std::string body = EncodeOrder(gen_.Next());
  gated_->Close();
  auto first = Start(PostOrder(body, "key-1"));
  HttpResponse second = Call(PostOrder(body, "key-1"));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(ProblemSlugOf(second), "idempotency-key-in-flight");
  EXPECT_EQ(second.headers.at("Retry-After"), "1");
  // Keys are scoped per partner: another partner's identical key is not blocked by it.
  auto other =
      Start(PostOrder(EncodeOrder(OrderGenerator(9, "portal", "P").Next()), "key-1", "portal-key"));
  gated_->Open();
  EXPECT_EQ(first.get().status, 201);
  EXPECT_EQ(other.get().status, 201);
  EXPECT_EQ(Call(PostOrder(body, "key-1")).status, 201);  // now a replay
}

TEST_F(ApiTest, HundredConcurrentRequestsWithOneKeyExecuteOnce) {
  std::string body = EncodeOrder(gen_.Next());
  std::vector<std::future<HttpResponse>> futures;
  for (int i = 0; i < 100; ++i) futures.push_back(Start(PostOrder(body, "same")));
  int created = 0, conflicts = 0;
  std::string created_body;
  for (auto& f : futures) {
    HttpResponse r = f.get();
    if (r.status == 201) {
      ++created;
      if (created_body.empty()) created_body = r.body;
      EXPECT_EQ(r.body, created_body);
    } else {
      EXPECT_EQ(r.status, 409);
      ++conflicts;
    }
  }
  EXPECT_EQ(created + conflicts, 100);
  EXPECT_GE(created, 1);
  EXPECT_EQ(sqlite_->Stats()->orders, 1);
  EXPECT_EQ(sqlite_->Stats()->outbox_pending, 1);
}

TEST_F(ApiTest, MissingAndMalformedIdempotencyKeyAre400AndStoreNothing) {
  std::string body = EncodeOrder(gen_.Next());
  HttpResponse missing = Call(PostOrder(body, ""));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(ProblemSlugOf(missing), "missing-idempotency-key");
  HttpResponse bad = Call(PostOrder(body, std::string(300, 'x')));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ProblemSlugOf(bad), "invalid-idempotency-key");
  EXPECT_EQ(sqlite_->Stats()->orders, 0);
}

TEST_F(ApiTest, AuthenticationFailuresAre401) {
  HttpResponse none = Call(PostOrder(EncodeOrder(gen_.Next()), "k", ""));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ProblemSlugOf(none), "unauthorized");
  EXPECT_EQ(none.headers.at("WWW-Authenticate"), "Bearer realm=\"crossdock\"");
  EXPECT_EQ(Call(PostOrder("{}", "k", "wrong-key")).status, 401);
  HttpRequest basic = Req("GET", "/v1/orders/x", "", "");
  basic.headers["Authorization"] = "Basic Zm9vOmJhcg==";
  EXPECT_EQ(Call(basic).status, 401);
}

TEST_F(ApiTest, MalformedJsonIs400WithByteOffset) {
  HttpResponse r = Call(PostOrder(R"({"channel": "web" "x": 1})", "k"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ProblemSlugOf(r), "malformed-json");
  EXPECT_NE(r.body.find("at byte 18"), std::string::npos) << r.body;
}

TEST_F(ApiTest, ValidationErrorsAre422WithEveryPointerAndKeyStaysFree) {
  Order o = gen_.Next();
  o.lines[0].quantity = 0;
  o.currency = "ZZZ";
  std::string body = EncodeOrder(o);
  body.insert(1, R"("status":"shipped","color":"red",)");
  HttpResponse r = Call(PostOrder(body, "k"));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(ProblemSlugOf(r), "validation-error");
  auto ptrs = Pointers(r);
  EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), "/status"), ptrs.end());
  EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), "/color"), ptrs.end());
  // Structural errors come first; fix them and the business rules are reported.
  HttpResponse r2 = Call(PostOrder(EncodeOrder(o), "k"));
  auto ptrs2 = Pointers(r2);
  EXPECT_NE(std::find(ptrs2.begin(), ptrs2.end(), "/lines/0/quantity"), ptrs2.end());
  EXPECT_NE(std::find(ptrs2.begin(), ptrs2.end(), "/currency"), ptrs2.end());
  // Nothing was stored under the key: a corrected body with the same key is accepted.
  EXPECT_EQ(Call(PostOrder(EncodeOrder(gen_.Next()), "k")).status, 201);
}

TEST_F(ApiTest, ContentNegotiationAndRouting) {
  HttpRequest r = PostOrder(EncodeOrder(gen_.Next()), "k");
  r.headers["Content-Type"] = "text/plain";
  HttpResponse wrong_type = Call(r);
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(ProblemSlugOf(wrong_type), "unsupported-media-type");
  HttpRequest a = Req("GET", "/v1/orders/x");
  a.headers["Accept"] = "application/xml";
  HttpResponse not_acceptable = Call(a);
  EXPECT_EQ(not_acceptable.status, 406);
  EXPECT_EQ(ProblemSlugOf(not_acceptable), "not-acceptable");
  HttpResponse unknown = Call(Req("GET", "/v2/orders"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ProblemSlugOf(unknown), "not-found");
  HttpResponse method = Call(Req("DELETE", "/v1/orders"));
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(ProblemSlugOf(method), "method-not-allowed");
  EXPECT_EQ(method.headers.at("Allow"), "POST, GET");
}

TEST_F(ApiTest, DuplicateExternalRefWithNewKeyIs409PointingAtTheOrder) {
  std::string body = EncodeOrder(gen_.Next());
  HttpResponse first = Call(PostOrder(body, "k1"));
  HttpResponse second = Call(PostOrder(body, "k2"));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(ProblemSlugOf(second), "duplicate-order");
  EXPECT_EQ(second.headers.at("Location"), first.headers.at("Location"));
}

TEST_F(ApiTest, ForeignOrMissingOrderIsTheSame404) {
  HttpResponse created = Call(PostOrder(EncodeOrder(gen_.Next()), "k1"));
  std::string location = created.headers.at("Location");
  HttpResponse foreign = Call(Req("GET", location, "", "portal-key"));
  HttpResponse missing =
      Call(Req("GET", "/v1/orders/ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "", "portal-key"));
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ProblemSlugOf(foreign), "not-found");
  // The node the order went to may read it.
  EXPECT_EQ(Call(Req("GET", location, "", "east-key")).status, 200);
  EXPECT_EQ(Call(Req("GET", location, "", "west-key")).status, 404);
}

TEST_F(ApiTest, ShipmentConfirmationIsAppliedOnceAndOnlyByItsNode) {
  Order o = gen_.Next();
  HttpResponse created = Call(PostOrder(EncodeOrder(o), "k1"));
  std::string id = created.headers.at("Location").substr(strlen("/v1/orders/"));
  Shipment s;
  s.order_id = id;
  s.partner_event_id = "east-evt-1";
  s.carrier = "UPS";
  Package p;
  for (const auto& l : o.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
  s.packages.push_back(p);
  std::string body = EncodeShipment(s);

  HttpResponse wrong_node = Call(Req("POST", "/v1/nodes/tpl-east/shipments", body, "west-key"));
  EXPECT_EQ(wrong_node.status, 403);
  EXPECT_EQ(ProblemSlugOf(wrong_node), "forbidden");
  HttpResponse channel = Call(Req("POST", "/v1/nodes/tpl-east/shipments", body, "shop-key"));
  EXPECT_EQ(channel.status, 403);

  HttpResponse applied = Call(Req("POST", "/v1/nodes/tpl-east/shipments", body, "east-key"));
  EXPECT_EQ(applied.status, 201) << applied.body;
  EXPECT_NE(applied.body.find("\"status\":\"shipped\""), std::string::npos);
  HttpResponse dup = Call(Req("POST", "/v1/nodes/tpl-east/shipments", body, "east-key"));
  EXPECT_EQ(dup.status, 200);
  EXPECT_NE(dup.body.find("\"result\":\"duplicate\""), std::string::npos);

  // Shipments for orders at another node answer 404; bad documents 422 / 400.
  s.partner_event_id = "west-evt-1";
  HttpResponse other =
      Call(Req("POST", "/v1/nodes/tpl-west/shipments", EncodeShipment(s), "west-key"));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(ProblemSlugOf(other), "not-found");
  HttpResponse invalid =
      Call(Req("POST", "/v1/nodes/tpl-east/shipments", R"({"order_id":1})", "east-key"));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(ProblemSlugOf(invalid), "validation-error");
  HttpResponse garbage = Call(Req("POST", "/v1/nodes/tpl-east/shipments", "{", "east-key"));
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(ProblemSlugOf(garbage), "malformed-json");
}

TEST_F(ApiTest, TraceparentIsContinued) {
  HttpRequest r = PostOrder("{", "k");
  r.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  HttpResponse resp = Call(r);
  EXPECT_NE(resp.body.find("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\""), std::string::npos);
}

TEST_F(ApiTest, HealthAndMetrics) {
  EXPECT_EQ(Call(Req("GET", "/livez", "", "")).status, 200);
  EXPECT_EQ(Call(Req("GET", "/readyz", "", "")).status, 200);
  api_->SetReady(false);
  HttpResponse draining = Call(Req("GET", "/readyz", "", ""));
  EXPECT_EQ(draining.status, 503);
  EXPECT_EQ(ProblemSlugOf(draining), "unavailable");
  Call(PostOrder(EncodeOrder(gen_.Next()), "k1"));
  HttpResponse m = Call(Req("GET", "/metrics", "", ""));
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("crossdock_orders_received_total 1"), std::string::npos);
  EXPECT_NE(
      m.body.find(
          "crossdock_http_requests_total{route=\"/v1/orders\",method=\"POST\",code=\"201\"} 1"),
      std::string::npos)
      << m.body;
}

TEST_F(ApiTest, DeadLettersListInspectReplayDiscardAndAudit) {
  // Two orders whose dispatch was dead-lettered: one refused (422), one after timeouts.
  std::vector<int64_t> ids;
  for (int i = 0; i < 2; ++i) Call(PostOrder(EncodeOrder(gen_.Next()), "dl-" + std::to_string(i)));
  ASSERT_TRUE(
      sqlite_
          ->WriteAndWait([&](WriteTx& tx) {
            auto items =
                tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 10, {});
            if (!items.ok()) return items.status();
            for (const auto& it : *items) ids.push_back(it.id);
            CROSSDOCK_RETURN_IF_ERROR(
                tx.DeadLetterOutbox(ids[0], 1, "HTTP 422: unknown SKU", false));
            return tx.DeadLetterOutbox(ids[1], 12, "DEADLINE_EXCEEDED: response timed out", true);
          })
          .ok());

  EXPECT_EQ(Call(Req("GET", "/v1/admin/dead-letters", "", "shop-key")).status, 403);
  HttpRequest list = Req("GET", "/v1/admin/dead-letters", "", "ops-key");
  list.query = "error_class=http_4xx";
  HttpResponse r = Call(list);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"id\":" + std::to_string(ids[0])), std::string::npos);
  EXPECT_EQ(r.body.find("\"id\":" + std::to_string(ids[1])), std::string::npos);
  list.query = "error_class=bogus";
  EXPECT_EQ(Call(list).status, 422);

  std::string one = "/v1/admin/dead-letters/" + std::to_string(ids[0]);
  HttpResponse got = Call(Req("GET", one, "", "ops-key"));
  ASSERT_EQ(got.status, 200);
  EXPECT_NE(got.body.find("\"payload\":{"), std::string::npos);
  EXPECT_NE(got.body.find("\"idempotency_key\":\"dispatch-"), std::string::npos);

  // Replay with an edited payload keeps the key; a second replay finds nothing dead.
  HttpResponse replay =
      Call(Req("POST", one + "/replay", R"({"payload":{"edited":true}})", "ops-key"));
  EXPECT_EQ(replay.status, 200) << replay.body;
  auto item = *sqlite_->GetOutboxItem(ids[0]);
  EXPECT_EQ(item->state, OutboxState::kPending);
  EXPECT_EQ(item->payload, R"({"edited":true})");
  EXPECT_EQ(item->idempotency_key.rfind("dispatch-", 0), 0u);
  EXPECT_EQ(Call(Req("POST", one + "/replay", "", "ops-key")).status, 404);
  EXPECT_EQ(Call(Req("POST", one + "/replay", R"({"payload":1})", "ops-key")).status, 422);

  // Discard needs a reason.
  std::string two = "/v1/admin/dead-letters/" + std::to_string(ids[1]);
  EXPECT_NE(Call(Req("GET", two, "", "ops-key")).body.find("\"in_doubt\":true"), std::string::npos);
  EXPECT_EQ(Call(Req("POST", two + "/discard", "", "ops-key")).status, 422);
  HttpResponse no_reason = Call(Req("POST", two + "/discard", "{}", "ops-key"));
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(ProblemSlugOf(no_reason), "validation-error");
  EXPECT_EQ(
      Call(Req("POST", two + "/discard", R"({"reason":"cancelled by phone"})", "ops-key")).status,
      200);
  EXPECT_EQ((*sqlite_->GetOutboxItem(ids[1]))->state, OutboxState::kDiscarded);
  EXPECT_EQ(Call(Req("GET", two, "", "ops-key")).status, 404);

  HttpResponse audit = Call(Req("GET", "/v1/admin/audit", "", "ops-key"));
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("\"action\":\"dead_letter.discard\""), std::string::npos);
  EXPECT_NE(audit.body.find("\"reason\":\"cancelled by phone\""), std::string::npos);
  EXPECT_NE(audit.body.find("\"action\":\"dead_letter.replay\""), std::string::npos);
  EXPECT_NE(audit.body.find("\"actor\":\"ops\""), std::string::npos);
}

TEST_F(ApiTest, BulkReplayStaggersItemsAtTheRequestedRate) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i)
    Call(PostOrder(EncodeOrder(gen_.Next()), "bulk-" + std::to_string(i)));
  ASSERT_TRUE(
      sqlite_
          ->WriteAndWait([&](WriteTx& tx) {
            auto items =
                tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 10, {});
            if (!items.ok()) return items.status();
            for (const auto& it : *items) {
              ids.push_back(it.id);
              CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(it.id, 3, "HTTP 503: down", false));
            }
            return Status::Ok();
          })
          .ok());
  HttpResponse r = Call(Req("POST", "/v1/admin/dead-letters/replay",
                            R"({"error_class":"http_5xx","per_second":2,"max":3})", "ops-key"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"replayed\":3"), std::string::npos);
  // Released one per half second: 0, 0.5, 1.0 s after now.
  int64_t t0 = ToUnixMicros((*sqlite_->GetOutboxItem(ids[0]))->next_attempt_at);
  EXPECT_EQ(ToUnixMicros((*sqlite_->GetOutboxItem(ids[2]))->next_attempt_at) - t0, 1'000'000);
  EXPECT_EQ((*sqlite_->GetOutboxItem(ids[3]))->state, OutboxState::kDead);
  EXPECT_EQ(
      Call(Req("POST", "/v1/admin/dead-letters/replay", R"({"per_second":-1})", "ops-key")).status,
      422);
  // A mistyped class must not widen the selection to everything.
  HttpResponse typo =
      Call(Req("POST", "/v1/admin/dead-letters/replay", R"({"error_class":"http5xx"})", "ops-key"));
  EXPECT_EQ(typo.status, 422);
  EXPECT_EQ(Pointers(typo), std::vector<std::string>{"/error_class"});
}

TEST_F(ApiTest, ScopesDecideWhatAKeyMayDo) {
  // "reader" is a channel whose configuration grants only orders:read.
  HttpResponse write = Call(PostOrder(EncodeOrder(gen_.Next()), "k", "reader-key"));
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(ProblemSlugOf(write), "forbidden");
  EXPECT_NE(write.body.find("lacks the scope 'orders:write'"), std::string::npos);
  EXPECT_EQ(Call(Req("GET", "/v1/orders/ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "", "reader-key")).status,
            404);
  // A subscriber has no API scope at all; only operators hold admin.
  EXPECT_EQ(Call(Req("GET", "/v1/orders/x", "", "hook-key")).status, 403);
  EXPECT_EQ(Call(Req("GET", "/v1/admin/partners", "", "shop-key")).status, 403);
  EXPECT_EQ(DefaultScopes(PartnerKind::kThirdPartyLogistics),
            (std::set<std::string>{"orders:read", "shipments:write", "inventory:write"}));
}

TEST_F(ApiTest, PartnerQuotaAnswers429WithRetryAfterAndRateLimitHeaders) {
  // "limited": burst 2, then 0.001 per second.
  EXPECT_EQ(Call(Req("GET", "/v1/orders/x", "", "limited-key")).status, 404);
  EXPECT_EQ(Call(Req("GET", "/v1/orders/x", "", "limited-key")).status, 404);
  HttpResponse r = Call(Req("GET", "/v1/orders/x", "", "limited-key"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ProblemSlugOf(r), "rate-limited");
  EXPECT_GT(std::stoi(r.headers.at("Retry-After")), 900);  // a token every 1000 s
  EXPECT_EQ(r.headers.at("RateLimit-Limit"), "2");
  EXPECT_EQ(r.headers.at("RateLimit-Remaining"), "0");
  // Quotas are per partner: the others are not affected.
  EXPECT_EQ(Call(Req("GET", "/v1/orders/x", "", "shop-key")).status, 404);
  // On the injected clock the bucket refills.
  clock_.Advance(std::chrono::seconds(1000));
  EXPECT_EQ(Call(Req("GET", "/v1/orders/x", "", "limited-key")).status, 404);
}

TEST_F(ApiTest, FailedAuthenticationIsLimitedPerSourceAddress) {
  auto attempt = [&](const char* address, const char* key) {
    HttpRequest r = Req("GET", "/v1/orders/x", "", key);
    r.remote_address = address;
    return Call(std::move(r));
  };
  int unauthorized = 0;
  for (int i = 0; i < 20; ++i) unauthorized += attempt("198.51.100.7", "guess").status == 401;
  EXPECT_EQ(unauthorized, 20);
  HttpResponse blocked = attempt("198.51.100.7", "guess");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(ProblemSlugOf(blocked), "rate-limited");
  EXPECT_TRUE(blocked.headers.count("Retry-After"));
  // Even the right key waits from that address; other addresses are unaffected.
  EXPECT_EQ(attempt("198.51.100.7", "shop-key").status, 429);
  EXPECT_EQ(attempt("198.51.100.8", "shop-key").status, 404);
  clock_.Advance(std::chrono::seconds(10));  // 0.2 per second: two more tries
  EXPECT_EQ(attempt("198.51.100.7", "shop-key").status, 404);
}

TEST_F(ApiTest, PartnerListShowsKeysOnlyByPrefix) {
  HttpResponse r = Call(Req("GET", "/v1/admin/partners", "", "ops-key"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"id\":\"shop\""), std::string::npos);
  EXPECT_NE(r.body.find("\"shop…\""), std::string::npos);  // "shop-key" shown as its prefix
  EXPECT_EQ(r.body.find("shop-key"), std::string::npos);
  EXPECT_EQ(r.body.find("ops-key"), std::string::npos);
  EXPECT_NE(r.body.find("\"admin\""), std::string::npos);
}

TEST_F(ApiTest, EveryServedRouteIsDocumented) {
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [m, p, st] : Documented()) documented.insert({m, p});
  for (const auto& [method, pattern] : api_->Routes()) {
    EXPECT_TRUE(documented.count({method, pattern}))
        << method << " " << pattern << " is undocumented";
  }
  EXPECT_EQ(documented.size(), api_->Routes().size()) << "a documented route is not served";
  HttpResponse doc = Call(Req("GET", "/openapi.json", "", ""));
  EXPECT_EQ(doc.status, 200);
  std::ifstream in(std::string(CROSSDOCK_DOCS_DIR) + "/openapi.json", std::ios::binary);
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(doc.body, file.str());  // served byte for byte as generated
}

// For every documented (route, status), a request that produces it. Call() checks the other
// direction (every served status is documented) on every request of this file.
TEST_F(ApiTest, EveryDocumentedStatusIsServed) {
  // Fixtures: an order at tpl-east, a shipped order, orders to cancel and to ship by webhook,
  // a return, dead letters.
  Order o = gen_.Next();
  HttpResponse created = Call(PostOrder(EncodeOrder(o), "doc-1"));
  std::string order_path = created.headers.at("Location");
  std::string order_id = order_path.substr(strlen("/v1/orders/"));
  auto submit = [&](const Order& ord, const std::string& key) {
    return Call(PostOrder(EncodeOrder(ord), key)).headers.at("Location").substr(11);
  };
  Order shipped = gen_.Next();
  std::string shipped_id = submit(shipped, "doc-2");
  std::string cancel_again_id = submit(gen_.Next(), "doc-3");
  std::string cancel_id = submit(gen_.Next(), "doc-4");
  Order by_hook = gen_.Next();
  std::string by_hook_id = submit(by_hook, "doc-5");
  auto ship_body = [&](const std::string& id, const Order& ord, const std::string& event) {
    Shipment s;
    s.order_id = id;
    s.partner_event_id = event;
    Package p;
    for (const auto& l : ord.lines) p.lines.push_back({l.line_id, l.sku, l.quantity});
    s.packages.push_back(p);
    return EncodeShipment(s);
  };
  ASSERT_EQ(Call(Req("POST", "/v1/nodes/tpl-east/shipments", ship_body(shipped_id, shipped, "s-1"),
                     "east-key"))
                .status,
            201);
  ASSERT_EQ(Call(Req("POST", "/v1/orders/" + cancel_again_id + "/cancel", "")).status, 202);
  std::string return_body = R"({"order_id":")" + shipped_id + R"(","lines":[{"line_id":")" +
                            shipped.lines[0].line_id + R"(","quantity":1,"reason":"damaged"}]})";
  HttpRequest first_return = Req("POST", "/v1/returns", return_body);
  first_return.headers["Idempotency-Key"] = "ret-0";
  HttpResponse ret = Call(std::move(first_return));
  ASSERT_EQ(ret.status, 201) << ret.body;
  std::string return_id = ret.headers.at("Location").substr(strlen("/v1/returns/"));
  std::vector<int64_t> dead;
  for (int i = 0; i < 3; ++i)
    Call(PostOrder(EncodeOrder(gen_.Next()), "doc-dl-" + std::to_string(i)));
  ASSERT_TRUE(
      sqlite_
          ->WriteAndWait([&](WriteTx& tx) {
            auto items =
                tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 20, {});
            if (!items.ok()) return items.status();
            for (const auto& it : *items) {
              std::string of = it.aggregate_id.substr(0, it.aggregate_id.find('/'));
              if (of.rfind("ord_", 0) != 0) continue;
              if (of == order_id || of == shipped_id || of == cancel_id || of == cancel_again_id ||
                  of == by_hook_id)
                continue;
              dead.push_back(it.id);
              CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(it.id, 1, "HTTP 422: no", false));
            }
            return Status::Ok();
          })
          .ok());
  ASSERT_GE(dead.size(), 3u);
  // Return receipts: one return received already (for the repeat), one still to receive.
  auto receipt = [&](const std::string& ret_id, const std::string& line_id) {
    return R"({"return_id":")" + ret_id + R"(","lines":[{"line_id":")" + line_id +
           R"(","quantity":1,"condition":"sellable"}]})";
  };
  const std::string received_receipt = receipt(return_id, shipped.lines[0].line_id);
  ASSERT_EQ(Call(Req("POST", "/v1/nodes/tpl-east/returns", received_receipt, "east-key")).status,
            201);
  Order second = gen_.Next();
  std::string second_id = submit(second, "doc-ret2");
  ASSERT_EQ(Call(Req("POST", "/v1/nodes/tpl-east/shipments", ship_body(second_id, second, "s-r2"),
                     "east-key"))
                .status,
            201);
  HttpRequest second_return =
      Req("POST", "/v1/returns",
          R"({"order_id":")" + second_id + R"(","lines":[{"line_id":")" + second.lines[0].line_id +
              R"(","quantity":1,"reason":"damaged"}]})");
  second_return.headers["Idempotency-Key"] = "ret-b";
  HttpResponse second_ret = Call(std::move(second_return));
  ASSERT_EQ(second_ret.status, 201) << second_ret.body;
  const std::string pending_receipt = receipt(
      second_ret.headers.at("Location").substr(strlen("/v1/returns/")), second.lines[0].line_id);
  // A held order, for the release route: its flow state says so.
  std::string held_id = submit(gen_.Next(), "doc-held");
  ASSERT_TRUE(sqlite_
                  ->WriteAndWait([&](WriteTx& tx) {
                    auto rec = tx.GetOrder(held_id);
                    if (!rec.ok()) return rec.status();
                    OrderRecord r = **rec;
                    auto flow = DecodeFlowState(r.flow_state);
                    if (!flow.ok()) return flow.status();
                    flow->allocations.clear();
                    flow->held_at = clock_.Now();
                    flow->hold_reason = "credit limit";
                    r.flow_state = EncodeFlowState(*flow);
                    r.order.status = OrderStatus::kHeld;
                    return tx.UpdateOrder(r);
                  })
                  .ok());
  // An order whose dispatch failed for good (for retry), and one to act on (cancel).
  std::string retry_id = submit(gen_.Next(), "doc-retry");
  std::string act_id = submit(gen_.Next(), "doc-act");
  ASSERT_TRUE(
      sqlite_
          ->WriteAndWait([&](WriteTx& tx) {
            auto items =
                tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 50, {});
            if (!items.ok()) return items.status();
            for (const auto& it : *items) {
              if (it.aggregate_id.rfind(retry_id, 0) != 0) continue;
              CROSSDOCK_RETURN_IF_ERROR(tx.DeadLetterOutbox(it.id, 1, "HTTP 422: refused", false));
            }
            return tx.ResetLeases();
          })
          .ok());
  // A milestone reported before, for the duplicate answer.
  const std::string milestone_body =
      R"({"order_id":")" + order_id + R"(","kind":"picked","partner_event_id":"m-dup"})";
  ASSERT_EQ(Call(Req("POST", "/v1/nodes/tpl-east/milestones", milestone_body, "east-key")).status,
            201);
  const std::string missing_order = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  // A reconciliation run with its reports.
  const std::string reconciliation_id = "rec_01JDXW8Z4M6Q2C1T9XK3A7B5RG";
  ASSERT_TRUE(sqlite_
                  ->WriteAndWait([&](WriteTx& tx) {
                    return tx.InsertReconciliation(
                        {reconciliation_id, "inventory", "tpl-east", clock_.Now(), clock_.Now(),
                         R"({"id":"x","summary":{"skus":1},"discrepancies":[]})",
                         "sku,ledger,counted,difference,value,action\r\n"});
                  })
                  .ok());
  // Two stock exceptions: one open (to resolve), one resolved already.
  StockException open_exception{0, "tpl-east",   "SKU-1",           5,
                                9, clock_.Now(), reconciliation_id, clock_.Now()};
  StockException closed_exception = open_exception;
  closed_exception.sku = "SKU-2";
  ASSERT_TRUE(sqlite_
                  ->WriteAndWait([&](WriteTx& tx) {
                    CROSSDOCK_RETURN_IF_ERROR(tx.OpenStockException(open_exception));
                    CROSSDOCK_RETURN_IF_ERROR(tx.OpenStockException(closed_exception));
                    return tx.ResolveStockException(closed_exception.id, "dismissed", "ops",
                                                    clock_.Now());
                  })
                  .ok());
  auto fill = [&](std::string pattern, int status) {
    bool missing = status == 404;
    auto put = [&](const std::string& param, const std::string& value) {
      auto pos = pattern.find(param);
      if (pos != std::string::npos) pattern.replace(pos, param.size(), value);
    };
    // X12 over HTTP: tpl-west is no x12 node (404); tpl-broken's folder cannot be written (503).
    if (pattern == "/v1/nodes/{node}/x12" && (status == 404 || status == 503)) {
      put("{node}", status == 404 ? "tpl-west" : "tpl-broken");
    }
    put("{node}", "tpl-east");
    put("{partner}", "tpl-east");
    if (pattern == "/v1/orders/{id}/cancel") {
      put("{id}", missing         ? missing_order
                  : status == 200 ? cancel_again_id
                  : status == 409 ? shipped_id
                                  : cancel_id);
    }
    if (pattern == "/v1/admin/orders/{id}/actions") {
      put("{id}", missing         ? missing_order
                  : status == 202 ? retry_id
                  : status == 201 ? act_id
                  : status == 200 ? cancel_again_id
                                  : order_id);
    }
    if (pattern == "/v1/admin/orders/{id}/release") {
      put("{id}", missing ? missing_order : status == 201 ? held_id : order_id);
    }
    if (pattern.rfind("/v1/orders/", 0) == 0) put("{id}", missing ? missing_order : order_id);
    if (pattern.rfind("/v1/admin/reconciliations/", 0) == 0) {
      put("{id}", missing ? "rec_01JDXW8Z4M6Q2C1T9XK3A7B5RF" : reconciliation_id);
    }
    if (pattern.rfind("/v1/returns/", 0) == 0)
      put("{id}", missing ? "ret_01JDXW8Z4M6Q2C1T9XK3A7B5RF" : return_id);
    if (pattern.rfind("/v1/admin/stock-exceptions/", 0) == 0) {
      put("{id}", std::to_string(missing         ? 999999
                                 : status == 409 ? closed_exception.id
                                                 : open_exception.id));
    }
    put("{id}", missing ? "999999" : std::to_string(dead.back()));
    return pattern;
  };
  int hook_seq = 0;
  auto hook_id = [&] { return "msg_doc_" + std::to_string(++hook_seq); };
  auto request_for = [&](const std::string& method, const std::string& pattern,
                         int status) -> HttpRequest {
    std::string path = fill(pattern, status);
    std::string key = pattern.rfind("/v1/admin", 0) == 0   ? "ops-key"
                      : pattern.rfind("/v1/nodes", 0) == 0 ? "east-key"
                      : pattern.rfind("/v1/", 0) == 0      ? "shop-key"
                                                           : "";
    if (pattern == "/v1/webhooks/{partner}") {
      std::string data = ship_body(by_hook_id, by_hook, "hook-ship-1");
      std::string type = "shipment.confirmed";
      if (status == 200) {
        type = "inventory.levels";
        data = R"({"levels":[{"sku":"SKU-1","on_hand":5,"as_of":"2026-11-01T00:00:00Z"}]})";
      }
      if (status == 403) data = EncodeOrder(gen_.Next()), type = "order.created";
      if (status == 404) data = ship_body(missing_order, o, "hook-missing");
      if (status == 409) data = ship_body(shipped_id, shipped, "hook-again");
      if (status == 413) data = R"({"levels":[)" + std::string(9000, ' ') + "]}";
      if (status == 422) type = "parcel.lost";
      return StandardDelivery(type, data, hook_id());
    }
    std::string body;
    if (method == "POST") {
      body = "{}";
      if (pattern == "/v1/orders") body = EncodeOrder(gen_.Next());
      if (pattern == "/v1/nodes/{node}/shipments")
        body = ship_body(order_id, o, "s-doc-" + std::to_string(dead.size()));
      if (pattern == "/v1/nodes/{node}/inventory")
        body = R"({"levels":[{"sku":"SKU-1","on_hand":3,"as_of":"2026-10-01T00:00:00Z"}]})";
      if (pattern == "/v1/admin/dead-letters/{id}/discard") body = R"({"reason":"doc test"})";
      if (pattern == "/v1/admin/stock-exceptions/{id}/resolve") body = R"({"action":"dismiss"})";
      if (pattern == "/v1/nodes/{node}/x12") body = kX12Interchange;
      if (pattern == "/v1/nodes/{node}/returns") {
        body = status == 200   ? received_receipt
               : status == 404 ? receipt("ret_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "1")
                               : pending_receipt;
      }
      if (pattern == "/v1/admin/orders/{id}/actions") {
        body = status == 202                    ? R"({"action":"retry"})"
               : status == 201 || status == 200 ? R"({"action":"cancel","reason":"doc"})"
                                                : R"({"action":"resolve"})";
      }
      if (pattern == "/v1/nodes/{node}/milestones") {
        body = status == 200 ? milestone_body
                             : R"({"order_id":")" + (status == 404 ? missing_order : order_id) +
                                   R"(","kind":"packed","partner_event_id":"m-)" +
                                   std::to_string(dead.size() + hook_seq++) + R"("})";
      }
      if (pattern == "/v1/returns")
        body = status == 404 ? R"({"order_id":")" + missing_order +
                                   R"(","lines":[{"line_id":"1",)"
                                   R"("quantity":1,"reason":"x"}]})"
                             : return_body;
    }
    if (pattern == "/v1/nodes/{node}/x12") {
      // The node itself sends; an operator for the node whose folder is broken.
      key = status == 404 ? "west-key" : status == 503 ? "ops-key" : key;
    }
    HttpRequest r = Req(method, path, body, key);
    if (method == "GET" && pattern == "/v1/availability") r.query = "sku=SKU-1&channel=web";
    if (pattern == "/v1/nodes/{node}/x12") r.headers["Content-Type"] = "application/edi-x12";
    return r;
  };
  // An address that failed authentication too often gets 429 on every authenticated route.
  for (int i = 0; i < 25; ++i) {
    HttpRequest bad = Req("GET", "/v1/orders/x", "", "wrong-key");
    bad.remote_address = "203.0.113.9";
    Call(std::move(bad));
  }
  int produced = 0;
  for (const auto& [method, pattern, status] : Documented()) {
    SCOPED_TRACE(method + " " + pattern + " " + std::to_string(status));
    bool hook = pattern == "/v1/webhooks/{partner}";
    // The server's own body limit is enforced by the HTTP server before any handler (e2e).
    if (status == 413 && !hook) continue;
    HttpRequest r = request_for(method, pattern, status);
    std::string idem = "doc-" + std::to_string(produced);
    if (pattern == "/v1/orders" || pattern == "/v1/returns") r.headers["Idempotency-Key"] = idem;
    switch (status) {
      case 401:
        // Each from its own address, so these failures never add up to the limit.
        r.remote_address = "198.51.100." + std::to_string(produced % 250);
        r.headers.erase("Authorization");
        if (hook) r.headers["webhook-signature"] = "v1,AAAA";
        break;
      case 429:
        r.remote_address = "203.0.113.9";
        break;
      case 406:
        r.headers["Accept"] = "application/xml";
        break;
      case 415:
        r.headers["Content-Type"] = "text/plain";
        break;
      case 400:
        if (method == "GET") {
          r.query = pattern == "/v1/orders" || pattern == "/v1/admin/exceptions" ? "limit=abc" : "";
        } else if (hook) {
          r = StandardDelivery("", "", hook_id());
          r.body = "{";
          int64_t ts =
              std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch())
                  .count();
          r.headers["webhook-signature"] = SignStandardWebhook(
              *DecodeWebhookSecret(kStandardSecret), r.headers["webhook-id"], ts, r.body);
        } else {
          r.body = "{";
        }
        break;
      case 403:
        if (!hook) {
          r.headers["Authorization"] = pattern.rfind("/v1/nodes", 0) == 0   ? "Bearer west-key"
                                       : pattern.rfind("/v1/admin", 0) == 0 ? "Bearer shop-key"
                                                                            : "Bearer hook-key";
        }
        break;
      case 409:
        if (pattern == "/v1/orders") {
          r.body = EncodeOrder(o);  // the channel order exists already
        } else if (pattern == "/v1/returns") {
          // A second request with a key whose first request is still being stored.
          gated_->Close();
          HttpRequest first = request_for(method, pattern, 201);
          first.headers["Idempotency-Key"] = idem;
          auto pending = Start(std::move(first));
          HttpResponse resp = Call(std::move(r));
          EXPECT_EQ(resp.status, 409) << resp.body;
          gated_->Open();
          EXPECT_EQ(pending.get().status, 201);
          ++produced;
          continue;
        } else if (pattern == "/v1/nodes/{node}/shipments") {
          r.body = ship_body(shipped_id, shipped, "s-again");  // already fully shipped
        }
        break;
      case 404:
        if (pattern == "/v1/nodes/{node}/shipments") {
          r.body = ship_body(missing_order, o, "s-missing");
        }
        break;
      case 422:
        if (pattern == "/v1/admin/dead-letters" || pattern == "/v1/admin/stock-exceptions")
          r.query = "limit=abc";
        else if (pattern == "/v1/admin/dead-letters/{id}/replay")
          r.body = R"({"payload":1})";
        else if (pattern == "/v1/nodes/{node}/milestones")
          r.body = R"({"order_id":")" + order_id + R"(","kind":"lost","partner_event_id":"x"})";
        else if (!hook)
          r.body = R"({"unknown":1})";
        break;
      case 200:
        if (pattern == "/v1/admin/dead-letters/replay") r.body = R"({"destination":"node:none"})";
        if (pattern == "/v1/nodes/{node}/shipments")
          r.body = ship_body(shipped_id, shipped, "s-1");  // duplicate
        if (pattern == "/v1/admin/dead-letters/{id}/replay")
          r.path = r.target =
              fill("/v1/admin/dead-letters/" + std::to_string(dead[0]) + "/replay", 200);
        if (pattern == "/v1/admin/dead-letters/{id}/discard")
          r.path = r.target = "/v1/admin/dead-letters/" + std::to_string(dead[1]) + "/discard";
        break;
      default:
        break;
    }
    bool store_down = status == 503;
    if (store_down && pattern == "/readyz") api_->SetReady(false);
    gated_->SetFailing(store_down);
    HttpResponse resp = Call(std::move(r));
    gated_->SetFailing(false);
    api_->SetReady(true);
    EXPECT_EQ(resp.status, status) << resp.body;
    ++produced;
  }
  EXPECT_GT(produced, 100);
}

// Removes what legitimately differs between two 404 answers: the trace id and the id asked.
std::string Normalized(std::string body, const std::string& id) {
  auto t = body.find("\"trace_id\":\"");
  if (t != std::string::npos) body.erase(t, body.find('"', t + 12) + 1 - t);
  for (auto pos = body.find(id); pos != std::string::npos; pos = body.find(id)) {
    body.replace(pos, id.size(), "<id>");
  }
  return body;
}

// S1: three partners × every object endpoint × the ids the others own. Every attempt answers
// exactly what a missing id answers, and none has an effect.
TEST_F(ApiTest, TenantIsolationMatrix) {
  const std::vector<std::string> partners = {"shop", "portal", "b2b"};
  struct Owned {
    std::string order_id, return_id;
    Order order;
  };
  std::map<std::string, Owned> owned;
  for (const auto& p : partners) {
    Owned& o = owned[p];
    o.order = gen_.Next();
    HttpResponse created = Call(PostOrder(EncodeOrder(o.order), "iso-" + p, p + "-key"));
    ASSERT_EQ(created.status, 201);
    o.order_id = created.headers.at("Location").substr(strlen("/v1/orders/"));
    Shipment s;
    s.order_id = o.order_id;
    s.partner_event_id = "iso-ship-" + p;
    Package pkg;
    for (const auto& l : o.order.lines) pkg.lines.push_back({l.line_id, l.sku, l.quantity});
    s.packages.push_back(pkg);
    ASSERT_EQ(
        Call(Req("POST", "/v1/nodes/tpl-east/shipments", EncodeShipment(s), "east-key")).status,
        201);
    HttpRequest r = Req("POST", "/v1/returns",
                        R"({"order_id":")" + o.order_id + R"(","lines":[{"line_id":")" +
                            o.order.lines[0].line_id + R"(","quantity":1,"reason":"x"}]})",
                        p + "-key");
    r.headers["Idempotency-Key"] = "iso-ret-" + p;
    HttpResponse ret = Call(std::move(r));
    ASSERT_EQ(ret.status, 201) << ret.body;
    o.return_id = ret.headers.at("Location").substr(strlen("/v1/returns/"));
  }
  const std::string missing_order = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  const std::string missing_return = "ret_01JDXW8Z4M6Q2C1T9XK3A7B5RF";
  // Each object endpoint as (request for an id, the id a missing object would have).
  struct Endpoint {
    std::string name;
    std::function<HttpRequest(const Owned&, const std::string& key, bool missing)> make;
    bool return_id = false;
  };
  int n = 0;
  const std::vector<Endpoint> endpoints = {
      {"GET order",
       [&](const Owned& o, const std::string& k, bool m) {
         return Req("GET", "/v1/orders/" + (m ? missing_order : o.order_id), "", k);
       }},
      {"GET tracking",
       [&](const Owned& o, const std::string& k, bool m) {
         return Req("GET", "/v1/orders/" + (m ? missing_order : o.order_id) + "/tracking", "", k);
       }},
      {"GET status",
       [&](const Owned& o, const std::string& k, bool m) {
         return Req("GET", "/v1/orders/" + (m ? missing_order : o.order_id) + "/status", "", k);
       }},
      {"POST cancel",
       [&](const Owned& o, const std::string& k, bool m) {
         return Req("POST", "/v1/orders/" + (m ? missing_order : o.order_id) + "/cancel", "", k);
       }},
      {"POST return",
       [&](const Owned& o, const std::string& k, bool m) {
         HttpRequest r = Req("POST", "/v1/returns",
                             R"({"order_id":")" + (m ? missing_order : o.order_id) +
                                 R"(","lines":[{"line_id":")" + o.order.lines[0].line_id +
                                 R"(","quantity":1,"reason":"x"}]})",
                             k);
         r.headers["Idempotency-Key"] = "iso-x-" + std::to_string(++n);
         return r;
       }},
      {"GET return",
       [&](const Owned& o, const std::string& k, bool m) {
         return Req("GET", "/v1/returns/" + (m ? missing_return : o.return_id), "", k);
       },
       true},
  };
  auto history_size = [&](const std::string& id) { return sqlite_->GetHistory(id)->size(); };
  std::map<std::string, size_t> history_before;
  for (const auto& [p, o] : owned) history_before[p] = history_size(o.order_id);
  int attempts = 0;
  for (const auto& caller : partners) {
    for (const auto& [owner, o] : owned) {
      if (owner == caller) continue;
      for (const auto& ep : endpoints) {
        SCOPED_TRACE(caller + " → " + owner + "'s " + ep.name);
        HttpResponse foreign = Call(ep.make(o, caller + "-key", false));
        HttpResponse missing = Call(ep.make(o, caller + "-key", true));
        EXPECT_EQ(foreign.status, 404) << foreign.body;
        EXPECT_EQ(ProblemSlugOf(foreign), "not-found");
        const std::string& asked = ep.return_id ? o.return_id : o.order_id;
        const std::string& absent = ep.return_id ? missing_return : missing_order;
        EXPECT_EQ(Normalized(foreign.body, asked), Normalized(missing.body, absent));
        ++attempts;
      }
      // The list never shows another tenant's order.
      HttpResponse list = Call(Req("GET", "/v1/orders", "", caller + "-key"));
      EXPECT_EQ(list.status, 200);
      EXPECT_EQ(list.body.find(o.order_id), std::string::npos);
      EXPECT_NE(list.body.find(owned[caller].order_id), std::string::npos);
    }
  }
  EXPECT_EQ(attempts, 3 * 2 * static_cast<int>(endpoints.size()));
  // No effect: no cancellation request or return was recorded on any order.
  for (const auto& [p, o] : owned) EXPECT_EQ(history_size(o.order_id), history_before[p]) << p;
  // A node sees only the orders allocated to it, and cannot ship another node's order.
  EXPECT_EQ(Call(Req("GET", "/v1/orders/" + owned["shop"].order_id, "", "west-key")).status, 404);
  EXPECT_EQ(Call(Req("GET", "/v1/orders/" + owned["shop"].order_id, "", "east-key")).status, 200);
  HttpResponse west_list = Call(Req("GET", "/v1/orders", "", "west-key"));
  EXPECT_EQ(west_list.body, R"({"items":[]})");
}

TEST_F(ApiTest, OrderListPagesWithAnOpaqueCursorAndCapsThePageSize) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    HttpResponse r = Call(PostOrder(EncodeOrder(gen_.Next()), "page-" + std::to_string(i)));
    ids.push_back(r.headers.at("Location").substr(strlen("/v1/orders/")));
  }
  std::vector<std::string> seen;
  std::string query = "limit=3";
  for (int page = 0; page < 5 && !query.empty(); ++page) {
    HttpRequest r = Req("GET", "/v1/orders");
    r.query = query;
    HttpResponse resp = Call(std::move(r));
    ASSERT_EQ(resp.status, 200);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(resp.body);
    for (auto item : doc["items"].get_array()) seen.emplace_back(item["id"].get_string().value());
    std::string_view cursor;
    if (doc["next_cursor"].get(cursor) == simdjson::SUCCESS) {
      query = "limit=3&cursor=" + std::string(cursor);
      EXPECT_NE(resp.headers.at("Link").find("rel=\"next\""), std::string::npos);
    } else {
      query.clear();
    }
  }
  EXPECT_EQ(seen, ids);  // every order once, in creation order
  HttpRequest big = Req("GET", "/v1/orders");
  big.query = "limit=100000";
  EXPECT_EQ(Call(std::move(big)).status, 200);  // capped, not refused
  for (std::string bad : {"limit=0", "limit=-1", "cursor=%21%21", "status=lost"}) {
    HttpRequest r = Req("GET", "/v1/orders");
    r.query = bad;
    HttpResponse resp = Call(std::move(r));
    EXPECT_EQ(resp.status, 400) << bad;
    EXPECT_EQ(ProblemSlugOf(resp), "bad-request");
  }
  HttpRequest shipped = Req("GET", "/v1/orders");
  shipped.query = "status=shipped";
  EXPECT_EQ(Call(std::move(shipped)).body, R"({"items":[]})");
}

TEST_F(ApiTest, DeprecatedRouteAnswersDeprecationSunsetAndSuccessor) {
  HttpResponse created = Call(PostOrder(EncodeOrder(gen_.Next()), "dep-1"));
  std::string location = created.headers.at("Location");
  HttpResponse r = Call(Req("GET", location + "/status"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("Deprecation"), "@1793491200");  // 2026-11-01T00:00:00Z
  EXPECT_EQ(r.headers.at("Sunset"), "Wed, 30 Jun 2027 00:00:00 GMT");
  EXPECT_EQ(r.headers.at("Link"), "<" + location + "/tracking>; rel=\"successor-version\"");
  // Errors on the deprecated route carry the headers too; the successor has none.
  EXPECT_TRUE(Call(Req("GET", "/v1/orders/x/status")).headers.count("Sunset"));
  EXPECT_FALSE(Call(Req("GET", location + "/tracking")).headers.count("Deprecation"));
  EXPECT_EQ(Call(Req("GET", "/v2" + location.substr(3))).status, 404);  // unknown version
}

TEST_F(ApiTest, ExceptionInboxListsAFailedDispatchAndRerouteClearsIt) {
  Order o = gen_.Next();
  std::string id = Call(PostOrder(EncodeOrder(o), "inbox-1")).headers.at("Location").substr(11);
  // The node refuses the dispatch for good: delivery dead-letters it and tells the flow.
  ASSERT_TRUE(
      sqlite_
          ->WriteAndWait([&](WriteTx& tx) {
            auto items =
                tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 50, {});
            if (!items.ok()) return items.status();
            for (const auto& it : *items) {
              if (it.aggregate_id.rfind(id, 0) != 0) continue;
              CROSSDOCK_RETURN_IF_ERROR(
                  tx.DeadLetterOutbox(it.id, 3, "HTTP 422: unknown SKU", false));
              CROSSDOCK_RETURN_IF_ERROR(flow_->OnDeadLettered(tx, it, "HTTP 422: unknown SKU"));
            }
            return tx.ResetLeases();
          })
          .ok());
  clock_.Advance(std::chrono::seconds(90));
  HttpResponse inbox = Call(Req("GET", "/v1/admin/exceptions", "", "ops-key"));
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_NE(inbox.body.find(R"("order_id":")" + id + R"(")"), std::string::npos) << inbox.body;
  EXPECT_NE(inbox.body.find(R"("reason":"node.dispatch-failed")"), std::string::npos);
  EXPECT_NE(inbox.body.find(R"("detail":"node:tpl-east: HTTP 422: unknown SKU")"),
            std::string::npos)
      << inbox.body;
  EXPECT_NE(inbox.body.find(R"("age_seconds":90)"), std::string::npos);
  EXPECT_NE(inbox.body.find(R"("owner":"node:tpl-east")"), std::string::npos);
  EXPECT_NE(inbox.body.find(R"("actions":["retry","reroute","cancel","resolve"])"),
            std::string::npos);
  // Channels never see the inbox.
  EXPECT_EQ(Call(Req("GET", "/v1/admin/exceptions")).status, 403);
  // Unknown node, then a real one.
  HttpResponse bad = Call(Req("POST", "/v1/admin/orders/" + id + "/actions",
                              R"({"action":"reroute","node":"tpl-mars"})", "ops-key"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("/node"), std::string::npos);
  HttpResponse moved =
      Call(Req("POST", "/v1/admin/orders/" + id + "/actions",
               R"({"action":"reroute","node":"tpl-west","reason":"east refuses"})", "ops-key"));
  ASSERT_EQ(moved.status, 201) << moved.body;
  EXPECT_NE(moved.body.find(R"("status":"allocated")"), std::string::npos);
  inbox = Call(Req("GET", "/v1/admin/exceptions", "", "ops-key"));
  EXPECT_EQ(inbox.body.find(id), std::string::npos) << inbox.body;
  // The old node's dead dispatch is discarded; the new node's dispatch is queued.
  DeadLetterFilter f;
  f.order_id = id;
  EXPECT_TRUE(sqlite_->ListDeadLetters(f)->empty());
  auto items = sqlite_->WriteAndWait([&](WriteTx& tx) -> Status {
    auto claimed = tx.ClaimOutbox(clock_.Now(), clock_.Now() + std::chrono::seconds(30), 50, {});
    if (!claimed.ok()) return claimed.status();
    for (const auto& it : *claimed) {
      if (it.aggregate_id.rfind(id, 0) == 0 && it.destination == "node:tpl-west" &&
          it.idempotency_key == "dispatch-" + id + "-tpl-west-r1") {
        return Status::Ok();
      }
    }
    return NotFound("no dispatch to tpl-west");
  });
  EXPECT_TRUE(items.ok()) << items.ToString();
  // The order is now visible to its new node, and the action is audited.
  EXPECT_EQ(Call(Req("GET", "/v1/orders/" + id, "", "west-key")).status, 200);
  HttpResponse audit = Call(Req("GET", "/v1/admin/audit", "", "ops-key"));
  EXPECT_NE(audit.body.find(R"("action":"order.reroute")"), std::string::npos) << audit.body;
  // Nothing left to retry.
  EXPECT_EQ(
      Call(Req("POST", "/v1/admin/orders/" + id + "/actions", R"({"action":"retry"})", "ops-key"))
          .status,
      409);
}

TEST_F(ApiTest, CancellationIsRecordedOnceAndRefusedAfterShipment) {
  Order o = gen_.Next();
  std::string id =
      Call(PostOrder(EncodeOrder(o), "can-1")).headers.at("Location").substr(strlen("/v1/orders/"));
  HttpResponse first =
      Call(Req("POST", "/v1/orders/" + id + "/cancel", R"({"reason":"customer request"})"));
  EXPECT_EQ(first.status, 202) << first.body;
  HttpResponse again = Call(Req("POST", "/v1/orders/" + id + "/cancel", ""));
  EXPECT_EQ(again.status, 200);
  HttpResponse tracking = Call(Req("GET", "/v1/orders/" + id + "/tracking"));
  EXPECT_NE(tracking.body.find(R"("cancellation":{"state":"requested")"), std::string::npos);
  EXPECT_NE(tracking.body.find("customer request"), std::string::npos);
  auto history = sqlite_->GetHistory(id);
  EXPECT_EQ(std::count_if(history->begin(), history->end(),
                          [](const HistoryEntry& h) { return h.type == "order.cancel_requested"; }),
            1);
  // Mass assignment and unknown properties are refused with their pointer.
  HttpResponse status_write =
      Call(Req("POST", "/v1/orders/" + id + "/cancel", R"({"status":"cancelled"})"));
  EXPECT_EQ(status_write.status, 422);
  EXPECT_NE(status_write.body.find(R"("pointer":"/status")"), std::string::npos);

  Order s = gen_.Next();
  std::string shipped_id =
      Call(PostOrder(EncodeOrder(s), "can-2")).headers.at("Location").substr(strlen("/v1/orders/"));
  ASSERT_EQ(Ship(shipped_id, s, "can-ship", 1), 201);
  HttpResponse late = Call(Req("POST", "/v1/orders/" + shipped_id + "/cancel", ""));
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(ProblemSlugOf(late), "conflict");
}

TEST_F(ApiTest, ReturnsCoverOnlyShippedQuantitiesAndRefuseServerFields) {
  Order o = gen_.Next();
  o.lines[0].quantity = 2;
  o.totals = *ComputeTotals(o);
  std::string id =
      Call(PostOrder(EncodeOrder(o), "ret-o")).headers.at("Location").substr(strlen("/v1/orders/"));
  auto post = [&](const std::string& body, const std::string& key) {
    HttpRequest r = Req("POST", "/v1/returns", body);
    r.headers["Idempotency-Key"] = key;
    return Call(std::move(r));
  };
  std::string line = o.lines[0].line_id;
  std::string one = R"({"order_id":")" + id + R"(","lines":[{"line_id":")" + line +
                    R"(","quantity":1,"reason":"damaged"}]})";
  HttpResponse unshipped = post(one, "r1");
  EXPECT_EQ(unshipped.status, 422);
  EXPECT_NE(unshipped.body.find(R"("pointer":"/lines/0/quantity")"), std::string::npos);
  ASSERT_EQ(Ship(id, o, "ret-ship", 1), 201);
  HttpResponse ok = post(one, "r2");
  EXPECT_EQ(ok.status, 201) << ok.body;
  HttpResponse replay = post(one, "r2");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, ok.body);  // byte for byte
  EXPECT_EQ(replay.headers.at("Idempotent-Replayed"), "true");
  EXPECT_EQ(post(R"({"order_id":")" + id + R"(","lines":[{"line_id":")" + line +
                     R"(","quantity":1,"reason":"other"}]})",
                 "r2")
                .status,
            422);  // same key, different body
  HttpResponse two = post(R"({"order_id":")" + id + R"(","lines":[{"line_id":")" + line +
                              R"(","quantity":2,"reason":"x"}]})",
                          "r3");
  EXPECT_EQ(two.status, 422);  // only one unit shipped
  // S4: server-owned properties are refused, each with its pointer.
  HttpResponse mass =
      post(R"({"id":"ret_x","status":"approved","partner":"ops",)"
           R"("created_at":"2026-01-01T00:00:00Z","order_id":")" +
               id + R"(","lines":[{"line_id":")" + line + R"(","quantity":1,"reason":"x"}]})",
           "r4");
  EXPECT_EQ(mass.status, 422);
  for (const char* ptr : {"/id", "/status", "/partner", "/created_at"}) {
    EXPECT_NE(mass.body.find(std::string(R"("pointer":")") + ptr + "\""), std::string::npos) << ptr;
  }
  HttpResponse got = Call(Req("GET", ok.headers.at("Location")));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, ok.body);
}

TEST_F(ApiTest, AvailabilityComesFromReportedLevelsAndStaleReportsAreIgnored) {
  auto report = [&](const std::string& body, const std::string& key = "east-key") {
    return Call(Req("POST", "/v1/nodes/tpl-east/inventory", body, key));
  };
  HttpResponse first =
      report(R"({"levels":[{"sku":"A","on_hand":10,"as_of":"2026-11-01T10:00:00Z"},)"
             R"({"sku":"B","on_hand":4,"as_of":"2026-11-01T10:00:00Z"}]})");
  EXPECT_EQ(first.body, R"({"applied":2,"stale":0})");
  HttpResponse stale =
      report(R"({"levels":[{"sku":"A","on_hand":99,"as_of":"2026-11-01T09:00:00Z"}]})");
  EXPECT_EQ(stale.body, R"({"applied":0,"stale":1})");
  EXPECT_EQ(report(R"({"levels":[{"sku":"A","on_hand":1}]})").status, 422);  // no as_of
  EXPECT_EQ(report(R"({"levels":[]})", "west-key").status, 403);             // not its node
  HttpRequest q = Req("GET", "/v1/availability");
  q.query = "sku=A,B,C&channel=web";
  HttpResponse a = Call(std::move(q));
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.body.find(R"({"sku":"A","nodes":[{"node":"tpl-east","on_hand":10,)"),
            std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find(R"("sku":"C","nodes":[],"available":0)"), std::string::npos);
  HttpRequest other = Req("GET", "/v1/availability");
  other.query = "sku=A&channel=marketplace";  // no node feeds it
  EXPECT_NE(Call(std::move(other)).body.find(R"("available":0)"), std::string::npos);
}

// A store whose location is a node: its inventory_levels/update webhooks are counts of that
// node; an older one changes nothing; an unmapped item is refused at its pointer.
TEST_F(ApiTest, ShopifyInventoryLevelWebhooksAreCountsOfTheMappedNode) {
  auto level = [](const std::string& item, int available, const std::string& at) {
    return R"({"inventory_item_id":)" + item + R"(,"location_id":905684977,"available":)" +
           std::to_string(available) + R"(,"updated_at":")" + at + R"("})";
  };
  const std::string topic = "inventory_levels/update";
  HttpResponse first =
      Call(ShopifyDelivery(level("808950810", 7, "2026-11-01T10:00:00-04:00"), "inv-1", topic));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body, R"({"applied":1,"stale":0})");
  HttpResponse older =
      Call(ShopifyDelivery(level("808950810", 2, "2026-11-01T09:00:00-04:00"), "inv-2", topic));
  EXPECT_EQ(older.body, R"({"applied":0,"stale":1})");
  auto levels = sqlite_->GetInventory("SKU-1");
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 1u);
  EXPECT_EQ((*levels)[0].node, "tpl-west");
  EXPECT_EQ((*levels)[0].on_hand, 7);
  EXPECT_EQ(FormatRfc3339((*levels)[0].as_of), "2026-11-01T14:00:00.000Z");
  HttpResponse unmapped =
      Call(ShopifyDelivery(level("1", 3, "2026-11-01T11:00:00Z"), "inv-3", topic));
  EXPECT_EQ(unmapped.status, 422);
  EXPECT_NE(unmapped.body.find(R"("pointer":"/inventory_item_id")"), std::string::npos)
      << unmapped.body;
  HttpResponse future =
      Call(ShopifyDelivery(level("808950810", 3, "2099-01-01T00:00:00Z"), "inv-4", topic));
  EXPECT_EQ(future.status, 422);
  EXPECT_NE(future.body.find(R"("pointer":"/updated_at")"), std::string::npos) << future.body;
}

TEST_F(ApiTest, ShopifyWebhookCreatesOneOrderWhateverTheRetries) {
  std::ifstream in(std::string(CROSSDOCK_DOCS_DIR) +
                   "/../tests/golden/shopify/order_two_lines.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  ASSERT_FALSE(body.empty());
  // R7: three deliveries of one webhook, two of them concurrent: every one 2xx, one order.
  auto a = Start(ShopifyDelivery(body, "wh-1"));
  auto b = Start(ShopifyDelivery(body, "wh-1"));
  HttpResponse ra = a.get(), rb = b.get();
  HttpResponse rc = Call(ShopifyDelivery(body, "wh-1"));
  for (const auto* r : {&ra, &rb, &rc}) EXPECT_EQ(r->status / 100, 2) << r->body;
  EXPECT_EQ(ra.headers.at("Location"), rc.headers.at("Location"));
  EXPECT_EQ(rb.headers.at("Location"), rc.headers.at("Location"));
  // A second webhook id for the same Shopify order: a duplicate, acknowledged 200.
  HttpResponse other_id = Call(ShopifyDelivery(body, "wh-2"));
  EXPECT_EQ(other_id.status, 200);
  EXPECT_NE(other_id.body.find("\"duplicate\""), std::string::npos);
  auto orders = sqlite_->ListOrders({"", "", "shopify", "", 10});
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].order.external_ref, "450789469");
  EXPECT_EQ((*orders)[0].order.partner, "shopify-store");
  // S3: a one-byte change, a truncated signature, a stale retry, no signature: 401, no effect.
  HttpRequest changed = ShopifyDelivery(body, "wh-3");
  changed.body[changed.body.size() / 2] ^= 0x01;
  HttpRequest truncated = ShopifyDelivery(body, "wh-4");
  truncated.headers["X-Shopify-Hmac-Sha256"].pop_back();
  HttpRequest stale = ShopifyDelivery(body, "wh-5");
  stale.headers["X-Shopify-Triggered-At"] = FormatRfc3339(clock_.Now() - std::chrono::hours(2));
  HttpRequest unsigned_req = ShopifyDelivery(body, "wh-6");
  unsigned_req.headers.erase("X-Shopify-Hmac-Sha256");
  for (HttpRequest* r : {&changed, &truncated, &stale, &unsigned_req}) {
    HttpResponse resp = Call(std::move(*r));
    EXPECT_EQ(resp.status, 401);
    EXPECT_EQ(ProblemSlugOf(resp), "invalid-signature");
  }
  // An unknown partner answers like a bad signature.
  HttpRequest unknown = ShopifyDelivery(body, "wh-7");
  unknown.path = unknown.target = "/v1/webhooks/nobody";
  EXPECT_EQ(Call(std::move(unknown)).status, 401);
  EXPECT_EQ(sqlite_->ListOrders({"", "", "", "", 10})->size(), 1u);
  // Other topics are acknowledged and ignored.
  HttpResponse topic = Call(ShopifyDelivery(R"({"id":1})", "wh-8", "products/update"));
  EXPECT_EQ(topic.status, 200);
  EXPECT_NE(topic.body.find("ignored"), std::string::npos);
  // A malformed Shopify order is refused with its pointer.
  HttpResponse bad = Call(ShopifyDelivery(R"({"id":5,"currency":"USD","line_items":[{"sku":"A",)"
                                          R"("quantity":"x","price":"1.00"}]})",
                                          "wh-9"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("/line_items/0/quantity"), std::string::npos);
}

// A partner's own order JSON arrives as a signed webhook and is read by its mapping; a value the
// mapping cannot translate is refused at its pointer under /data.
TEST_F(ApiTest, AMappedPartnersOwnOrderDocumentBecomesAnOrder) {
  std::string doc = R"({"orderNumber":"PO-7","shipTo":{"line1":"1 Main St","city":"Albany",)"
                    R"("country":"US"},"items":[{"partNumber":"A-100","qty":2,"price":"9.90"}]})";
  HttpResponse created = Call(StandardDelivery("order.created", doc, "acme-1", "acme"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto orders = sqlite_->ListOrders({"", "", "acme-portal", "", 10});
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].order.external_ref, "PO-7");
  EXPECT_EQ((*orders)[0].order.lines[0].sku, "SKU-RED");
  EXPECT_EQ((*orders)[0].order.partner, "acme");
  std::string unknown = doc;
  unknown.replace(unknown.find("A-100"), 5, "A-999");
  unknown.replace(unknown.find("PO-7"), 4, "PO-8");
  HttpResponse refused = Call(StandardDelivery("order.created", unknown, "acme-2", "acme"));
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find(R"("pointer":"/data/items/0/partNumber")"), std::string::npos)
      << refused.body;
}

TEST_F(ApiTest, StandardWebhooksFromANodeApplyShipmentsOnce) {
  Order o = gen_.Next();
  std::string id =
      Call(PostOrder(EncodeOrder(o), "sw-1")).headers.at("Location").substr(strlen("/v1/orders/"));
  std::string data = ShipmentBody(id, o, "east-42");
  HttpResponse first = Call(StandardDelivery("shipment.confirmed", data, "msg_1"));
  EXPECT_EQ(first.status, 201) << first.body;
  HttpResponse repeat = Call(StandardDelivery("shipment.confirmed", data, "msg_1"));
  EXPECT_EQ(repeat.status, 200);
  EXPECT_NE(repeat.body.find("duplicate"), std::string::npos);
  auto rec = sqlite_->GetOrder(id);
  EXPECT_EQ(rec->value().order.status, OrderStatus::kShipped);
  // Stale timestamp: 401, nothing applied.
  HttpRequest stale = StandardDelivery(
      "inventory.levels", R"({"levels":[{"sku":"Z","on_hand":1,"as_of":"2026-11-01T00:00:00Z"}]})",
      "msg_2");
  int64_t old_ts = std::chrono::duration_cast<std::chrono::seconds>(
                       (clock_.Now() - std::chrono::minutes(6)).time_since_epoch())
                       .count();
  stale.headers["webhook-timestamp"] = std::to_string(old_ts);
  stale.headers["webhook-signature"] =
      SignStandardWebhook(*DecodeWebhookSecret(kStandardSecret), "msg_2", old_ts, stale.body);
  EXPECT_EQ(Call(std::move(stale)).status, 401);
  EXPECT_TRUE(sqlite_->GetInventory("Z")->empty());
  // Errors inside data point into the whole body.
  HttpResponse bad = Call(StandardDelivery("shipment.confirmed", R"({"order_id":1})", "msg_3"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("\"/data/order_id\""), std::string::npos) << bad.body;
  // A node may not create orders.
  EXPECT_EQ(Call(StandardDelivery("order.created", EncodeOrder(gen_.Next()), "msg_4")).status, 403);
}

TEST_F(ApiTest, ClaimedChannelsAndDuplicatesDoNotCrossTenants) {
  // Only the channel's own partner may submit its orders: nobody can squat a Shopify order id.
  Order squat = gen_.Next();
  squat.channel = "shopify";
  squat.external_ref = "450789469";
  HttpResponse r = Call(PostOrder(EncodeOrder(squat), "squat-1", "portal-key"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemSlugOf(r), "forbidden");
  // A duplicate of another tenant's order is refused without naming it.
  Order o = gen_.Next();
  HttpResponse mine = Call(PostOrder(EncodeOrder(o), "dup-1", "shop-key"));
  std::string id = mine.headers.at("Location").substr(strlen("/v1/orders/"));
  HttpResponse theirs = Call(PostOrder(EncodeOrder(o), "dup-2", "portal-key"));
  EXPECT_EQ(theirs.status, 409);
  EXPECT_EQ(ProblemSlugOf(theirs), "duplicate-order");
  EXPECT_FALSE(theirs.headers.count("Location"));
  EXPECT_EQ(theirs.body.find(id), std::string::npos);
  // The owner is told which order it is.
  HttpResponse again = Call(PostOrder(EncodeOrder(o), "dup-3", "shop-key"));
  EXPECT_EQ(again.headers.at("Location"), "/v1/orders/" + id);
}

TEST_F(ApiTest, ReturnsCountEarlierReturnsInTheTransaction) {
  Order o = gen_.Next();
  std::string id =
      Call(PostOrder(EncodeOrder(o), "cum-o")).headers.at("Location").substr(strlen("/v1/orders/"));
  ASSERT_EQ(Ship(id, o, "cum-ship", 1), 201);
  std::string body = R"({"order_id":")" + id + R"(","lines":[{"line_id":")" + o.lines[0].line_id +
                     R"(","quantity":1,"reason":"x"}]})";
  // Two concurrent returns of the one shipped unit: exactly one is accepted.
  gated_->Close();
  HttpRequest a = Req("POST", "/v1/returns", body), b = Req("POST", "/v1/returns", body);
  a.headers["Idempotency-Key"] = "cum-a";
  b.headers["Idempotency-Key"] = "cum-b";
  auto fa = Start(std::move(a));
  auto fb = Start(std::move(b));
  gated_->Open();
  std::multiset<int> statuses = {fa.get().status, fb.get().status};
  EXPECT_EQ(statuses, (std::multiset<int>{201, 422}));
  HttpRequest c = Req("POST", "/v1/returns", body);
  c.headers["Idempotency-Key"] = "cum-c";
  HttpResponse third = Call(std::move(c));
  EXPECT_EQ(third.status, 422);
  EXPECT_NE(third.body.find("earlier returns"), std::string::npos) << third.body;
}

TEST_F(ApiTest, InventoryFromTheFutureIsRefused) {
  std::string future = FormatRfc3339(clock_.Now() + std::chrono::hours(1));
  HttpResponse r =
      Call(Req("POST", "/v1/nodes/tpl-east/inventory",
               R"({"levels":[{"sku":"F","on_hand":1,"as_of":")" + future + "\"}]}", "east-key"));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("/levels/0/as_of"), std::string::npos);
  // An oversized report says so once, not once per extra level.
  std::string many = R"({"levels":[)";
  for (int i = 0; i < 10'050; ++i) {
    many += std::string(i ? "," : "") + R"({"sku":"S","on_hand":1,"as_of":"2026-01-01T00:00:00Z"})";
  }
  many += "]}";
  HttpResponse big = Call(Req("POST", "/v1/nodes/tpl-east/inventory", many, "east-key"));
  EXPECT_EQ(big.status, 422);
  size_t count = 0;
  for (auto pos = big.body.find("more than 10000"); pos != std::string::npos;
       pos = big.body.find("more than 10000", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 1u);
}

TEST_F(ApiTest, ManyAddressesCannotResetTheFailedAuthenticationLimit) {
  auto fail = [&](const std::string& address) {
    HttpRequest r = Req("GET", "/v1/orders", "", "wrong-key");
    r.remote_address = address;
    return Call(std::move(r)).status;
  };
  for (int i = 0; i < 25; ++i) fail("198.51.100.7");
  EXPECT_EQ(fail("198.51.100.7"), 429);
  for (int i = 0; i < 10'050; ++i) fail("2001:db8::" + std::to_string(i));
  EXPECT_EQ(fail("198.51.100.7"), 429);  // still limited
}

TEST_F(ApiTest, WebhookFailuresAllAnswerTheSame) {
  std::string body = R"({"id":1})";
  HttpRequest unknown = ShopifyDelivery(body, "x-1");
  unknown.path = unknown.target = "/v1/webhooks/nobody";
  HttpRequest unsigned_req = ShopifyDelivery(body, "x-2");
  unsigned_req.headers.erase("X-Shopify-Hmac-Sha256");
  HttpRequest stale = ShopifyDelivery(body, "x-3");
  stale.headers["X-Shopify-Triggered-At"] = "2020-01-01T00:00:00Z";
  std::set<std::string> details;
  for (HttpRequest* r : {&unknown, &unsigned_req, &stale}) {
    HttpResponse resp = Call(std::move(*r));
    EXPECT_EQ(resp.status, 401);
    simdjson::dom::parser parser;
    details.insert(std::string(parser.parse(resp.body)["detail"].get_string().value()));
  }
  EXPECT_EQ(details.size(), 1u);
}

}  // namespace
}  // namespace crossdock
