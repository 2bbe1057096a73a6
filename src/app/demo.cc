#include "app/demo.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <simdjson.h>

#include "app/child_process.h"
#include "app/server.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/percentile.h"
#include "base/random.h"
#include "delivery/http_client.h"
#include "flows/order_state.h"
#include "store/sqlite/sqlite_store.h"

namespace crossdock {

namespace {

namespace fs = std::filesystem;

// Stores the value of `r` in `out` when present; leaves `out` alone otherwise.
template <typename T>
void ReadIfPresent(simdjson::simdjson_result<T> r, T& out) {
  T v;
  if (!std::move(r).get(v)) out = v;
}

class Progress {
 public:
  Progress(bool enabled, bool tty) : enabled_(enabled), tty_(tty) {}
  void Show(int64_t accepted, int64_t shipped, int total, double seconds) {
    if (!enabled_) return;
    if (tty_) {
      int width = 30;
      int filled = total > 0 ? static_cast<int>(width * shipped / total) : 0;
      std::fprintf(stderr, "\r  [%s%s] stored %lld/%d  shipped %lld/%d  %.1fs ",
                   std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), '.').c_str(),
                   static_cast<long long>(accepted), total, static_cast<long long>(shipped), total,
                   seconds);
    } else if (seconds - last_ >= 2.0) {
      std::fprintf(stderr, "  stored %lld/%d, shipped %lld/%d after %.1fs\n",
                   static_cast<long long>(accepted), total, static_cast<long long>(shipped), total,
                   seconds);
      last_ = seconds;
    }
  }
  void Done() {
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  bool tty_;
  double last_ = -10;
};

Result<std::string> HttpGet(const std::string& url) {
  auto client = HttpClient::Create();
  ClientRequest req;
  req.method = "GET";
  req.url = url;
  auto r = client->Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Unavailable(url + " answered " + std::to_string(r->status));
  return r->body;
}

}  // namespace

int RunDemo(const DemoOptions& opt) {
  auto fail = [](const std::string& what) {
    std::cerr << "crossdock demo: " << what << "\n";
    return 1;
  };
  bool human = !opt.json;
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  std::string dir = opt.data_dir;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "crossdock-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return fail("cannot create a temporary folder");
    dir = tmpl;
  }
  fs::create_directories(dir);
  std::string sim =
      opt.sim_path.empty() ? (fs::path(SelfDirectory()) / "crossdock-sim").string() : opt.sim_path;
  if (!fs::exists(sim)) return fail("cannot find " + sim + " (build it, or pass --sim PATH)");

  // Fresh random credentials for this run; nothing secret lives in code or files.
  std::string channel_key = RandomHex(SystemRandom::Instance(), 16),
              node_key = RandomHex(SystemRandom::Instance(), 16),
              node_inbound_key = RandomHex(SystemRandom::Instance(), 16);
  std::string webhook_secret = "whsec_" + Base64Encode(RandomHex(SystemRandom::Instance(), 24));
  auto port = PickFreePort();
  if (!port.ok()) return fail(port.status().message());
  std::string crossdock_url = "http://127.0.0.1:" + std::to_string(*port);

  if (human) {
    std::cerr << "Crossdock demo: " << opt.orders
              << " orders, web channel → Crossdock → simulated 3PL "
              << "'tpl-east' → shipment confirmations back.\n  data: " << dir << "\n";
  }
  auto tpl = ChildProcess::Spawn(
      {sim, "3pl", "--listen", "127.0.0.1:0", "--node", "tpl-east", "--crossdock-url",
       crossdock_url, "--ship-delay-ms", std::to_string(opt.ship_delay_ms)},
      {{"CROSSDOCK_SIM_API_KEY", node_key},
       {"CROSSDOCK_SIM_INBOUND_KEY", node_inbound_key},
       {"CROSSDOCK_SIM_WEBHOOK_SECRET", webhook_secret}});
  if (!tpl.ok()) return fail(tpl.status().message());
  auto hello = (*tpl)->ReadLine();
  if (!hello.ok()) return fail("the 3PL simulator did not start");
  simdjson::dom::parser parser;
  simdjson::dom::element hello_doc;
  std::string_view listening;
  if (parser.parse(*hello).get(hello_doc) || hello_doc["listening"].get_string().get(listening)) {
    return fail("unexpected simulator greeting: " + *hello);
  }
  std::string sim_url = "http://" + std::string(listening);

  Config config;
  config.listen = "127.0.0.1:" + std::to_string(*port);
  config.data_dir = dir;
  config.partners = {{"webshop", PartnerKind::kChannel, {channel_key}},
                     {"tpl-east", PartnerKind::kThirdPartyLogistics, {node_key}}};
  NodeConfig node;
  node.id = "tpl-east";
  node.name = "East 3PL (simulated)";
  node.endpoint.id = "node:tpl-east";
  node.endpoint.url = sim_url + "/orders";
  node.endpoint.retry.initial_backoff = std::chrono::milliseconds(100);
  node.endpoint.retry.max_backoff = std::chrono::milliseconds(2000);
  node.api_key = node_inbound_key;
  config.nodes = {node};
  config.routing.default_node = "tpl-east";
  SubscriberConfig hook;
  hook.id = "sim-webhooks";
  hook.endpoint.id = "webhook:sim-webhooks";
  hook.endpoint.url = sim_url + "/sim/webhooks";
  hook.secret = webhook_secret;
  config.subscribers = {hook};

  auto log = Logger::File(SystemClock::Instance(), (fs::path(dir) / "crossdock.log").string(),
                          Severity::kInfo);
  auto server = Server::Start(config, *log);
  if (!server.ok()) return fail(server.status().message());
  if (human)
    std::cerr << "  crossdock listening on " << crossdock_url << ", 3PL on " << sim_url << "\n";

  std::string acked_file = (fs::path(dir) / "acked.txt").string();
  auto gen = ChildProcess::Spawn(
      {sim, "generate", "--target", crossdock_url, "--orders", std::to_string(opt.orders),
       "--concurrency", std::to_string(opt.concurrency), "--acked-file", acked_file, "--quiet"},
      {{"CROSSDOCK_SIM_API_KEY", channel_key}});
  if (!gen.ok()) return fail(gen.status().message());

  // The generator writes its summary on stdout when done; read it on a thread while we watch.
  std::string gen_output;
  std::atomic<bool> generator_done{false};
  std::thread reader([&] {
    gen_output = (*gen)->ReadAll();
    generator_done = true;
  });
  Progress progress(human, isatty(STDERR_FILENO) != 0);
  SqliteStore& store = (*server)->store();
  int64_t shipped = 0, stored = 0;
  auto deadline = t0 + std::chrono::seconds(opt.timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto stats = store.Stats();
    if (stats.ok()) {
      shipped = stats->orders_shipped;
      stored = stats->orders;
    }
    progress.Show(stored, shipped, opt.orders, elapsed());
    if (generator_done && shipped >= stored) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  progress.Done();
  reader.join();
  int gen_code = (*gen)->Wait();

  // Let the webhook subscriber catch up with the event log (bounded wait).
  int64_t events_logged = 0;
  for (int i = 0; i < 100; ++i) {
    auto stats = store.Stats();
    auto sim_stats = HttpGet(sim_url + "/sim/stats");
    if (!stats.ok() || !sim_stats.ok()) break;
    events_logged = stats->events;
    simdjson::dom::parser sp;
    simdjson::dom::element sd;
    int64_t received = 0;
    if (!sp.parse(*sim_stats).get(sd)) ReadIfPresent(sd["webhook_events"].get_int64(), received);
    if (received >= events_logged) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Intake figures from the generator's summary.
  double intake_p50 = 0, intake_p99 = 0;
  simdjson::dom::element gen_doc;
  if (!parser.parse(gen_output).get(gen_doc)) {
    ReadIfPresent(gen_doc["latency_ms"]["p50"].get_double(), intake_p50);
    ReadIfPresent(gen_doc["latency_ms"]["p99"].get_double(), intake_p99);
  }

  // Count outcomes from the store and from what the 3PL actually received.
  std::string effects_json, stats_json;
  if (auto e = HttpGet(sim_url + "/sim/effects"); e.ok()) effects_json = *e;
  if (auto s = HttpGet(sim_url + "/sim/stats"); s.ok()) stats_json = *s;
  simdjson::dom::parser p2, p3;
  simdjson::dom::element effects_doc, stats_doc;
  bool have_effects = !p2.parse(effects_json).get(effects_doc);
  bool have_stats = !p3.parse(stats_json).get(stats_doc);
  int64_t duplicate_effects = -1, webhook_events = -1;
  if (have_stats) {
    ReadIfPresent(stats_doc["duplicate_effects"].get_int64(), duplicate_effects);
    ReadIfPresent(stats_doc["webhook_events"].get_int64(), webhook_events);
  }
  std::ifstream acked(acked_file);
  std::string id, ref;
  int64_t accepted = 0, lost = 0, shipped_acked = 0;
  std::vector<double> release_ms;
  while (acked >> id >> ref) {
    ++accepted;
    auto rec = store.GetOrder(id);
    int64_t effects = 0;
    if (have_effects) ReadIfPresent(effects_doc["web/" + ref].get_int64(), effects);
    if (!rec.ok() || !rec->has_value() || effects == 0) {
      ++lost;
      continue;
    }
    if ((*rec)->order.status == OrderStatus::kShipped) ++shipped_acked;
    auto flow = DecodeFlowState((*rec)->flow_state);
    if (flow.ok() && flow->dispatched_at && flow->received_at) {
      release_ms.push_back(
          std::chrono::duration<double, std::milli>(*flow->dispatched_at - *flow->received_at)
              .count());
    }
  }
  double seconds = elapsed();
  (*server)->Stop();
  (*tpl)->Stop();
  if (!opt.keep && opt.data_dir.empty()) fs::remove_all(dir);

  bool ok = shipped_acked == opt.orders && lost == 0 && duplicate_effects == 0 && gen_code == 0;
  JsonWriter w;
  w.StartObject();
  w.Field("orders", opt.orders).Field("accepted", accepted).Field("shipped", shipped_acked);
  w.Field("lost", lost).Field("duplicate_effects", duplicate_effects);
  w.Key("release_latency_ms").StartObject().Key("p50").Double(Percentile(release_ms, 50));
  w.Key("p99").Double(Percentile(release_ms, 99)).EndObject();
  w.Key("intake_latency_ms").StartObject().Key("p50").Double(intake_p50);
  w.Key("p99").Double(intake_p99).EndObject();
  w.Field("events_logged", events_logged);
  w.Field("webhook_events", webhook_events);
  w.Key("seconds").Double(seconds);
  w.Field("ok", ok);
  w.EndObject();
  if (opt.json) {
    std::cout << w.view() << std::endl;
  } else {
    std::printf("\nSummary\n");
    std::printf("  orders sent          %d\n", opt.orders);
    std::printf("  accepted (201)       %lld\n", static_cast<long long>(accepted));
    std::printf("  shipped              %lld\n", static_cast<long long>(shipped_acked));
    std::printf("  lost                 %lld\n", static_cast<long long>(lost));
    std::printf("  duplicate effects    %lld   (counted at the simulated 3PL)\n",
                static_cast<long long>(duplicate_effects));
    std::printf("  release latency      p50 %.1f ms, p99 %.1f ms   (intake → 3PL acknowledged)\n",
                Percentile(release_ms, 50), Percentile(release_ms, 99));
    std::printf("  intake latency       p50 %.1f ms, p99 %.1f ms   (HTTP 201, durable)\n",
                intake_p50, intake_p99);
    std::printf(
        "  events               %lld logged, %lld received by the webhook subscriber (signed "
        "CloudEvents)\n",
        static_cast<long long>(events_logged), static_cast<long long>(webhook_events));
    std::printf("  wall time            %.1f s\n", seconds);
    std::printf("  result               %s\n", ok ? "OK" : "FAILED");
  }
  return ok ? 0 : 1;
}

}  // namespace crossdock
