// Intake benchmark: durable order intake over HTTP versus the raw SQLite group-commit ceiling
// for the same rows, measured in the same run.
//
//  1. Ceiling: one thread writes exactly the rows an accepted order produces (order, two
//     history entries, two events, one outbox item, one idempotency record) straight through
//     the SQLite C API, WAL + synchronous=FULL, committing `concurrency` orders per transaction
//     — the most batching `concurrency` clients can give the server.
//  2. Crossdock: the real `crossdock serve` (a child process, with a simulated 3PL taking the
//     dispatched orders) receives `orders` POST /v1/orders over `concurrency` keep-alive
//     connections; each answer comes only after its group commit.
// Prints orders/s, latency p50/p99, peak RSS of the server and the ratio to the ceiling.
#include <sqlite3.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/child_process.h"
#include "base/crypto.h"
#include "base/id.h"
#include "base/json.h"
#include "base/percentile.h"
#include "base/random.h"
#include "bench/bench_server.h"
#include "bench/load_client.h"
#include "codecs/canonical_json.h"
#include "delivery/http_client.h"
#include "flows/order_decider.h"
#include "flows/order_state.h"
#include "model/order_generator.h"
#include "sim/order_pusher.h"
#include "store/sqlite/sqlite_store.h"

using namespace crossdock;
namespace fs = std::filesystem;

namespace {

struct Rows {
  std::string id, external_ref, body, flow_state, event_data, payload, idem_key, hash, response;
};

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::cerr << "sqlite: " << (err ? err : "?") << "\n";
    sqlite3_free(err);
    return false;
  }
  return true;
}

// Orders per second for the raw group-commit ceiling.
double MeasureCeiling(const fs::path& dir, int orders, int group) {
  fs::path path = dir / "ceiling.db";
  {
    auto created = SqliteStore::Open({path.string()});  // creates the same schema
    if (!created.ok()) {
      std::cerr << created.status().ToString() << "\n";
      return 0;
    }
  }
  OrderGenerator gen(7, "web", "C");
  ManualClock clock;
  SeededRandom random(7);
  IdGenerator ids(clock, random);
  OrderPolicy routing{RoutingPolicy{{}, "tpl-east"}, {}};
  std::vector<Rows> rows;
  rows.reserve(static_cast<size_t>(orders));
  for (int i = 0; i < orders; ++i) {
    Order o = gen.Next();
    o.id = ids.Next("ord");
    o.partner = "webshop";
    auto d = std::get<Decision>(Decide(std::nullopt, SubmitOrder{o}, clock.Now(), routing));
    std::string body = EncodeOrder(d.next.order);
    std::string request = EncodeOrder(o);
    rows.push_back({o.id, o.external_ref, body, EncodeFlowState(d.next.flow), d.events[1].data,
                    d.commands[0].payload, o.external_ref + "-key",
                    Sha256Hex("POST /v1/orders\n" + request), body});
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.string().c_str(), &db);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  sqlite3_stmt *ord, *parties, *hist, *ev, *out, *idem;
  sqlite3_prepare_v2(db,
                     "INSERT INTO orders (id, partner, channel, external_ref, status, version, "
                     "created_at, updated_at, body, flow_state, parties) VALUES "
                     "(?1,'webshop','web',?2,'allocated',1,1,1,?3,?4,'|webshop|tpl-east|')",
                     -1, &ord, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO order_parties (party, order_id) VALUES (?1, ?2)", -1,
                     &parties, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO order_history VALUES (?1,?2,1,'order.received',?3,'t')", -1,
                     &hist, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO events (id,source,type,subject,time,data,traceparent) VALUES "
                     "(?1,'/crossdock/orders','dev.crossdock.order.received.v1',?2,1,?3,'')",
                     -1, &ev, nullptr);
  sqlite3_prepare_v2(
      db,
      "INSERT INTO outbox "
      "(aggregatetype,aggregateid,type,destination,idempotency_key,payload,traceparent,created_at,"
      "next_attempt_at) VALUES ('order',?1,'node.dispatch','node:tpl-east',?2,?3,'',1,1)",
      -1, &out, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO idempotency_keys VALUES ('webshop',?1,?2,201,?3,'',1)", -1,
                     &idem, nullptr);
  auto text = [](sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  };
  auto step = [db](sqlite3_stmt* s) {
    // A baseline that silently does less work would inflate the ceiling: stop instead.
    if (sqlite3_step(s) != SQLITE_DONE) {
      std::cerr << "intake_bench: ceiling insert failed: " << sqlite3_errmsg(db) << "\n";
      std::exit(1);
    }
    sqlite3_reset(s);
  };
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < orders; i += group) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int k = i; k < std::min(orders, i + group); ++k) {
      const Rows& r = rows[static_cast<size_t>(k)];
      text(ord, 1, r.id), text(ord, 2, r.external_ref), text(ord, 3, r.body),
          text(ord, 4, r.flow_state);
      step(ord);
      for (const char* party : {"webshop", "tpl-east"}) {
        sqlite3_bind_text(parties, 1, party, -1, SQLITE_STATIC);
        text(parties, 2, r.id);
        step(parties);
      }
      for (int h = 1; h <= 2; ++h) {
        text(hist, 1, r.id);
        sqlite3_bind_int(hist, 2, h);
        text(hist, 3, r.event_data);
        step(hist);
        std::string eid = "evt_" + r.id.substr(4) + std::to_string(h);
        text(ev, 1, eid), text(ev, 2, r.id), text(ev, 3, r.event_data);
        step(ev);
      }
      text(out, 1, r.id);
      std::string okey = "dispatch-" + r.id;
      text(out, 2, okey), text(out, 3, r.payload);
      step(out);
      text(idem, 1, r.idem_key), text(idem, 2, r.hash), text(idem, 3, r.response);
      step(idem);
    }
    Exec(db, "COMMIT");
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto* s : {ord, parties, hist, ev, out, idem}) sqlite3_finalize(s);
  sqlite3_close(db);
  return orders / secs;
}

struct RoundResult {
  double ceiling = 0;
  double rate = 0;
  double p50 = 0, p99 = 0;
  int64_t rss_kb = 0;
  int accepted = 0;
  int errors = 0;
};

struct BenchOptions {
  int orders = 20000;
  int concurrency = 64;
  int ship_delay_ms = 50;
  bool pipeline = false;
  std::string bin_dir;
};

// One round: the ceiling, then the real server, each on a fresh folder.
Result<RoundResult> RunRound(const BenchOptions& o) {
  std::string tmpl = (fs::temp_directory_path() / "crossdock-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return Unavailable("cannot create a temporary folder");
  fs::path dir = tmpl;
  RoundResult out;
  out.ceiling = MeasureCeiling(dir, o.orders, o.concurrency);

  auto port = PickFreePort();
  if (!port.ok()) return port.status();
  std::string url = "http://127.0.0.1:" + std::to_string(*port);
  std::string channel_key = RandomHex(SystemRandom::Instance(), 16),
              node_key = RandomHex(SystemRandom::Instance(), 16),
              inbound = RandomHex(SystemRandom::Instance(), 16);
  auto sim = ChildProcess::Spawn(
      {(fs::path(o.bin_dir) / "crossdock-sim").string(), "3pl", "--listen", "127.0.0.1:0",
       "--crossdock-url", url, "--ship-delay-ms", std::to_string(o.ship_delay_ms)},
      {{"CROSSDOCK_SIM_API_KEY", node_key}, {"CROSSDOCK_SIM_INBOUND_KEY", inbound}});
  if (!sim.ok()) return sim.status();
  auto hello = (*sim)->ReadLine();
  if (!hello.ok()) return Unavailable("the simulator did not start");
  std::string sim_addr = hello->substr(hello->find(':') + 3);
  sim_addr = sim_addr.substr(0, sim_addr.find('"'));
  fs::path config = dir / "crossdock.yaml";
  std::ofstream(config) << "listen: 127.0.0.1:" << *port
                        << "\ndata_dir: " << (dir / "data").string()
                        << "\nlog_level: warning\nlog_file: " << (dir / "crossdock.log").string()
                        << "\npartners:\n  - {id: webshop, kind: channel, api_keys: [\""
                        << channel_key << "\"]}\n  - {id: tpl-east, kind: 3pl, api_keys: [\""
                        << node_key << "\"]}\nnodes:\n  - {id: tpl-east, url: \"http://" << sim_addr
                        << "/orders\", api_key: \"" << inbound
                        << "\"}\nrouting: {default_node: tpl-east}\n"
                        << "delivery: {enabled: " << (o.pipeline ? "true" : "false") << "}\n";
  fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write);
  auto server = bench::StartCrossdock(o.bin_dir, config.string(), url);
  if (!server.ok()) return server.status();
  // Pre-generate the orders (deterministic) so the client only sends.
  std::vector<bench::LoadRequest> requests;
  OrderGenerator gen(11, "web", "B");
  for (int i = 0; i < o.orders; ++i) {
    Order order = gen.Next();
    requests.push_back({order.external_ref + "-key", EncodeOrder(order)});
  }
  bench::LoadResult load =
      bench::RunLoad("127.0.0.1", *port, "/v1/orders", channel_key, requests, o.concurrency);
  out.rss_kb = bench::PeakRssKb((*server)->pid());
  (*server)->Stop();
  (*sim)->Stop();
  fs::remove_all(dir);
  out.rate = load.seconds > 0 ? load.accepted / load.seconds : 0;
  out.p50 = Percentile(load.latency_ms, 50);
  out.p99 = Percentile(load.latency_ms, 99);
  out.accepted = load.accepted;
  out.errors = load.errors + load.other;
  return out;
}

double Median(std::vector<double> v) {
  return Percentile(std::move(v), 50);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Intake benchmark: Crossdock's durable HTTP intake against the raw SQLite "
      "group-commit ceiling for the same rows, measured in the same run."};
  BenchOptions o;
  o.bin_dir = SelfDirectory();
  int rounds = 3;
  bool json = false;
  app.add_option("--orders", o.orders, "Orders per phase")->capture_default_str();
  app.add_option("--concurrency", o.concurrency,
                 "Concurrent client connections (= ceiling group size)")
      ->capture_default_str();
  app.add_option("--rounds", rounds, "Rounds (ceiling + intake each); the median is reported")
      ->capture_default_str();
  app.add_option("--ship-delay-ms", o.ship_delay_ms, "Simulated 3PL shipping delay")
      ->capture_default_str();
  app.add_option("--bin-dir", o.bin_dir, "Folder with crossdock and crossdock-sim");
  app.add_flag("--json", json, "Print one JSON line only");
  app.add_flag("--pipeline", o.pipeline,
               "Deliver to the simulated 3PL during intake (the full "
               "pipeline competes for the same cores); by default "
               "delivery is paused and intake is measured alone");
  CLI11_PARSE(app, argc, argv);

  std::vector<double> ceilings, rates, ratios, p50s, p99s;
  int64_t rss_kb = 0;
  int errors = 0, accepted = 0;
  for (int r = 0; r < rounds; ++r) {
    auto round = RunRound(o);
    if (!round.ok()) {
      std::cerr << "intake_bench: " << round.status().message() << "\n";
      return 1;
    }
    ceilings.push_back(round->ceiling);
    rates.push_back(round->rate);
    ratios.push_back(round->ceiling > 0 ? round->rate / round->ceiling : 0);
    p50s.push_back(round->p50);
    p99s.push_back(round->p99);
    rss_kb = std::max(rss_kb, round->rss_kb);
    errors += round->errors;
    accepted += round->accepted;
    if (!json) {
      std::fprintf(stderr,
                   "round %d: ceiling %.0f orders/s, crossdock %.0f orders/s, ratio %.2f, p50 %.2f "
                   "ms, p99 %.2f ms\n",
                   r + 1, round->ceiling, round->rate, ratios.back(), round->p50, round->p99);
    }
  }
  JsonWriter w;
  w.StartObject();
  w.Field("mode", o.pipeline ? "pipeline" : "intake");
  w.Field("orders", o.orders).Field("concurrency", o.concurrency).Field("rounds", rounds);
  w.Key("intake_orders_per_s").Double(Median(rates));
  w.Key("ceiling_orders_per_s").Double(Median(ceilings));
  w.Key("ratio").Double(Median(ratios));
  w.Key("ratio_min").Double(Percentile(ratios, 0));
  w.Key("ratio_max").Double(Percentile(ratios, 100));
  w.Key("latency_ms")
      .StartObject()
      .Key("p50")
      .Double(Median(p50s))
      .Key("p99")
      .Double(Median(p99s))
      .EndObject();
  w.Field("server_peak_rss_kb", rss_kb);
  w.Field("errors", errors);
  w.EndObject();
  if (!json) {
    std::printf("\n%-36s %12s\n", "median of rounds", "orders/s");
    std::printf("%-36s %12.0f\n", "raw SQLite group commit (ceiling)", Median(ceilings));
    std::printf(
        "%-36s %12.0f\n",
        o.pipeline ? "crossdock intake, delivery running" : "crossdock HTTP intake (durable)",
        Median(rates));
    std::printf("%-36s %12.2f   (min %.2f, max %.2f)\n", "ratio", Median(ratios),
                Percentile(ratios, 0), Percentile(ratios, 100));
    std::printf("intake latency p50 %.2f ms, p99 %.2f ms; server peak RSS %.1f MiB; errors %d\n",
                Median(p50s), Median(p99s), rss_kb / 1024.0, errors);
  }
  std::cout << w.view() << std::endl;
  return errors == 0 && accepted == rounds * o.orders ? 0 : 1;
}
