// Availability benchmark: GET /v1/availability (a storefront's synchronous stock check) under
// concurrent load, against the raw SQLite ceiling for the same lookups, measured in the same
// run.
//
//  1. Ceiling: `concurrency` threads, each with its own read-only SQLite connection, read every
//     node's position of a random SKU with the same query the server uses — no HTTP, no JSON.
//  2. Crossdock: the real `crossdock serve` (a child process) answers `lookups` GETs of
//     /v1/availability?sku=…&channel=web over `concurrency` keep-alive connections.
// Both read the same store: `skus` SKUs at two nodes, a third of them with reservations.
// Prints lookups/s, p50/p99 latency, the ratio to the ceiling and the server's peak RSS.
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "app/child_process.h"
#include "base/json.h"
#include "base/percentile.h"
#include "base/random.h"
#include "bench/bench_server.h"
#include "bench/load_client.h"
#include "delivery/http_client.h"
#include "store/sqlite/sqlite_store.h"

using namespace crossdock;
namespace fs = std::filesystem;

namespace {

struct Options {
  int skus = 10000;
  int lookups = 50000;
  int concurrency = 32;
  std::string bin_dir;
};

std::string Sku(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SKU%06d", i);
  return buf;
}

Status Preload(const fs::path& db, int skus) {
  auto store = SqliteStore::Open({db.string()});
  if (!store.ok()) return store.status();
  TimePoint t = FromUnixMicros(1'795'000'000'000'000);
  return (*store)->WriteAndWait([&](WriteTx& tx) -> Status {
    for (int i = 0; i < skus; ++i) {
      for (const char* node : {"tpl-east", "tpl-west"}) {
        auto put = tx.PutInventoryLevel({Sku(i), node, 100 + i % 50, t, t});
        if (!put.ok()) return put.status();
        if (i % 3 == 0) {
          CROSSDOCK_RETURN_IF_ERROR(
              tx.ApplyStock({Sku(i), node, StockChange::Kind::kReserve, 7, t, "bench"}));
        }
      }
    }
    return Status::Ok();
  });
}

struct Measured {
  double rate = 0, p50 = 0, p99 = 0;
  int ok = 0, errors = 0;
};

Measured Ceiling(const fs::path& db, const Options& o) {
  std::vector<double> latencies;
  std::mutex mu;
  std::atomic<int> next{0}, found{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.concurrency; ++t) {
    threads.emplace_back([&, t] {
      sqlite3* conn = nullptr;
      sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(conn,
                         "SELECT sku, node, on_hand, as_of, updated_at, reserved, shipped "
                         "FROM inventory_levels WHERE sku = ? ORDER BY node",
                         -1, &st, nullptr);
      std::mt19937 rng(static_cast<unsigned>(t));
      std::vector<double> local;
      while (next.fetch_add(1) < o.lookups) {
        std::string sku = Sku(static_cast<int>(rng() % static_cast<unsigned>(o.skus)));
        auto t0 = std::chrono::steady_clock::now();
        sqlite3_bind_text(st, 1, sku.data(), static_cast<int>(sku.size()), SQLITE_STATIC);
        int rows = 0;
        int64_t available = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
          ++rows;
          available += sqlite3_column_int64(st, 2) - sqlite3_column_int64(st, 5);
        }
        sqlite3_reset(st);
        auto t1 = std::chrono::steady_clock::now();
        if (rows == 2 && available > 0) found.fetch_add(1);
        local.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      sqlite3_finalize(st);
      sqlite3_close(conn);
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), local.begin(), local.end());
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Measured m;
  m.ok = found;
  m.rate = latencies.size() / secs;
  m.p50 = Percentile(latencies, 50);
  m.p99 = Percentile(latencies, 99);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Availability benchmark: GET /v1/availability under concurrent load against the "
      "raw SQLite ceiling for the same lookups, in the same run."};
  Options o;
  o.bin_dir = SelfDirectory();
  bool json = false;
  app.add_option("--skus", o.skus, "SKUs in the ledger (at two nodes each)")->capture_default_str();
  app.add_option("--lookups", o.lookups, "Lookups per phase")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "Concurrent connections / reader threads")
      ->capture_default_str();
  app.add_option("--bin-dir", o.bin_dir, "Folder with crossdock");
  app.add_flag("--json", json, "Print one JSON line only");
  CLI11_PARSE(app, argc, argv);

  std::string tmpl = (fs::temp_directory_path() / "crossdock-avail-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  fs::path dir = tmpl;
  fs::create_directories(dir / "data");
  fs::path db = dir / "data" / "crossdock.db";
  if (Status st = Preload(db, o.skus); !st.ok()) {
    std::cerr << "availability_bench: " << st.message() << "\n";
    return 1;
  }
  Measured ceiling = Ceiling(db, o);

  auto port = PickFreePort();
  if (!port.ok()) return 1;
  std::string url = "http://127.0.0.1:" + std::to_string(*port);
  std::string key = RandomHex(SystemRandom::Instance(), 16);
  fs::path config = dir / "crossdock.yaml";
  std::ofstream(config) << "listen: 127.0.0.1:" << *port
                        << "\ndata_dir: " << (dir / "data").string()
                        << "\nlog_level: warning\nlog_file: " << (dir / "crossdock.log").string()
                        << "\npartners:\n  - {id: webshop, kind: channel, api_keys: [\"" << key
                        << "\"], quota: {per_second: 1000000, burst: 1000000}}\n"
                        << "nodes:\n  - {id: tpl-east, url: \"http://127.0.0.1:1/orders\"}\n"
                        << "  - {id: tpl-west, url: \"http://127.0.0.1:1/orders\"}\n"
                        << "routing: {default_node: tpl-east, rules: [{channel: web, nodes: "
                           "[tpl-east, tpl-west]}]}\ndelivery: {enabled: false}\n";
  fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write);
  auto server = bench::StartCrossdock(o.bin_dir, config.string(), url);
  if (!server.ok()) {
    std::cerr << "availability_bench: " << server.status().message() << "\n";
    return 1;
  }
  std::mt19937 rng(99);
  std::vector<std::string> wire;
  for (int i = 0; i < o.lookups; ++i) {
    std::string sku = Sku(static_cast<int>(rng() % static_cast<unsigned>(o.skus)));
    wire.push_back(
        bench::GetRequest("127.0.0.1", "/v1/availability?sku=" + sku + "&channel=web", key));
  }
  bench::LoadResult load = bench::RunWire("127.0.0.1", *port, wire, o.concurrency, 200);
  int64_t rss_kb = bench::PeakRssKb((*server)->pid());
  (*server)->Stop();
  fs::remove_all(dir);
  Measured served;
  served.ok = load.accepted;
  served.errors = load.errors + load.other;
  served.rate = load.seconds > 0 ? load.accepted / load.seconds : 0;
  served.p50 = Percentile(load.latency_ms, 50);
  served.p99 = Percentile(load.latency_ms, 99);
  double ratio = ceiling.rate > 0 ? served.rate / ceiling.rate : 0;
  JsonWriter w;
  w.StartObject().Field("skus", o.skus).Field("lookups", o.lookups);
  w.Field("concurrency", o.concurrency);
  w.Key("ceiling_lookups_per_s").Double(ceiling.rate);
  w.Key("ceiling_latency_ms").StartObject().Key("p50").Double(ceiling.p50);
  w.Key("p99").Double(ceiling.p99).EndObject();
  w.Key("crossdock_lookups_per_s").Double(served.rate);
  w.Key("crossdock_latency_ms").StartObject().Key("p50").Double(served.p50);
  w.Key("p99").Double(served.p99).EndObject();
  w.Key("ratio").Double(ratio).Field("server_peak_rss_kb", rss_kb);
  w.Field("errors", served.errors).EndObject();
  if (!json) {
    std::printf("%-40s %12s %10s %10s\n", "", "lookups/s", "p50 ms", "p99 ms");
    std::printf("%-40s %12.0f %10.3f %10.3f\n", "raw SQLite point reads (ceiling)", ceiling.rate,
                ceiling.p50, ceiling.p99);
    std::printf("%-40s %12.0f %10.3f %10.3f\n", "GET /v1/availability (HTTP, JSON)", served.rate,
                served.p50, served.p99);
    std::printf("ratio %.2f; server peak RSS %.1f MiB; errors %d (of %d)\n", ratio, rss_kb / 1024.0,
                served.errors, o.lookups);
  }
  std::cout << w.Take() << "\n";
  return served.errors == 0 ? 0 : 1;
}
