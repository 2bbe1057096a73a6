// crossdock-sim: partner simulators and the order generator. Never linked into crossdock.
//   crossdock-sim 3pl       — a 3PL that takes orders and confirms shipments back
//   crossdock-sim edi       — a 3PL speaking X12 through a node's folders
//   crossdock-sim erp       — a REST ERP with a NetSuite-style concurrency limit
//   crossdock-sim generate  — pushes synthetic orders into Crossdock
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "base/json.h"
#include "base/percentile.h"
#include "gateway/http_server.h"
#include "sim/edi_simulator.h"
#include "sim/erp_simulator.h"
#include "sim/order_pusher.h"
#include "sim/tpl_simulator.h"

using namespace crossdock;

namespace {

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that only
// ServeUntilSignal's sigwait receives them. Call before starting any thread.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Serves `handler` on `listen` until SIGINT or SIGTERM (blocked beforehand with
// BlockStopSignals). The first stdout line tells a parent process where it listens:
// {"listening":"host:port"<extra>}.
int ServeUntilSignal(sigset_t set, const std::string& listen, int threads,
                     const std::string& extra_json,
                     std::function<void(HttpRequest, Respond)> handler) {
  auto addr = ParseListenAddress(listen);
  if (!addr.ok()) {
    std::cerr << "crossdock-sim: " << addr.status().message() << "\n";
    return 2;
  }
  HttpServerOptions http;
  http.host = addr->host;
  http.port = addr->port;
  http.threads = threads;
  http.server_name = "crossdock-sim";
  auto server = HttpServer::Start(http, std::move(handler));
  if (!server.ok()) {
    std::cerr << "crossdock-sim: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << R"({"listening":")" << addr->host << ":" << (*server)->port() << "\"" << extra_json
            << "}" << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->Stop(std::chrono::milliseconds(1000));
  return 0;
}

int Run3pl(const std::string& listen, TplOptions options, int threads) {
  sigset_t signals = BlockStopSignals();  // before the simulator's threads start
  TplSimulator sim(options);
  sim.Start();
  int code = ServeUntilSignal(
      signals, listen, threads, R"(,"node":")" + options.node + "\"",
      [&sim](HttpRequest r, Respond respond) { sim.Handle(std::move(r), std::move(respond)); });
  sim.Stop();
  return code;
}

int RunEdi(const std::string& listen, EdiSimOptions options) {
  sigset_t signals = BlockStopSignals();
  EdiSimulator sim(std::move(options));
  sim.Start();
  int code = ServeUntilSignal(signals, listen, 2, "",
                              [&sim](HttpRequest r, Respond respond) { respond(sim.Handle(r)); });
  sim.Stop();
  return code;
}

int RunErp(const std::string& listen, ErpSimOptions options, int threads) {
  sigset_t signals = BlockStopSignals();
  ErpSimulator sim(std::move(options));
  return ServeUntilSignal(signals, listen, threads, "",
                          [&sim](HttpRequest r, Respond respond) { respond(sim.Handle(r)); });
}

// "SKU=price,SKU=price" → map; false on a malformed entry.
bool ParseAmounts(const std::string& text, std::map<std::string, Decimal>& out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string item = text.substr(i, j - i);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    auto amount = Decimal::Parse(item.substr(eq + 1));
    if (!amount.ok()) return false;
    out[item.substr(0, eq)] = *amount;
    i = j + 1;
  }
  return true;
}

int RunGenerate(const PushOptions& options, const std::string& acked_file, bool quiet) {
  PushResult r = PushOrders(options, [quiet](int done, int total) {
    if (!quiet) std::fprintf(stderr, "\rpushed %d/%d", done, total);
  });
  if (!quiet) std::fprintf(stderr, "\n");
  std::vector<double> lat;
  for (const auto& o : r.orders) {
    if (!o.order_id.empty()) lat.push_back(o.latency_ms);
  }
  if (!acked_file.empty()) {
    std::ofstream out(acked_file);
    for (const auto& o : r.orders) {
      if (!o.order_id.empty()) out << o.order_id << " " << o.external_ref << "\n";
    }
  }
  JsonWriter w;
  w.StartObject();
  w.Field("orders", options.orders).Field("accepted", r.accepted).Field("rejected", r.rejected);
  w.Field("failed", r.failed);
  w.Key("seconds").Double(r.seconds);
  w.Key("orders_per_second").Double(r.seconds > 0 ? r.accepted / r.seconds : 0);
  w.Key("latency_ms").StartObject();
  w.Key("p50").Double(Percentile(lat, 50)).Key("p99").Double(Percentile(lat, 99));
  w.Key("max").Double(Percentile(lat, 100));
  w.EndObject();
  w.EndObject();
  std::cout << w.view() << std::endl;
  return r.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "crossdock-sim: partner simulators and an order generator for Crossdock tests, "
      "demos and benchmarks."};
  app.require_subcommand(1);

  auto* tpl = app.add_subcommand("3pl",
                                 "Run a simulated 3PL: takes orders on POST /orders, "
                                 "records every effect by Idempotency-Key, confirms "
                                 "shipments back to Crossdock after a delay.");
  std::string listen = "127.0.0.1:0";
  TplOptions topt;
  int ship_delay_ms = 200;
  int threads = 4;
  tpl->add_option("--listen", listen,
                  "HOST:PORT to listen on (port 0 picks one; printed on stdout)");
  tpl->add_option("--node", topt.node, "Node id this 3PL plays")->capture_default_str();
  tpl->add_option("--crossdock-url", topt.crossdock_url,
                  "Crossdock base URL for shipment confirmations")
      ->required();
  tpl->add_option("--ship-delay-ms", ship_delay_ms, "Delay from order to shipment confirmation")
      ->capture_default_str();
  tpl->add_option("--seed", topt.seed, "Random seed for faults");
  tpl->add_option("--threads", threads, "HTTP threads")->capture_default_str();
  // Fault switches; each can also be changed at run time with POST /sim/faults {"name": value}.
  FaultSwitches& f = topt.faults;
  tpl->add_flag("--down", f.down,
                "Reset every order connection without answering (nothing applied)");
  tpl->add_flag("--unavailable", f.unavailable, "Answer every order 503 before any effect");
  tpl->add_option("--error-rate", f.error_rate, "Share of orders answered 503 before any effect");
  tpl->add_option("--slow-ms", f.slow_ms, "Delay every answer");
  tpl->add_option("--rate-limit", f.rate_limit_per_second,
                  "Orders per second before 429 + Retry-After");
  tpl->add_option("--rate-burst", f.rate_limit_burst, "Burst of the rate limit");
  tpl->add_flag("--call-limit", f.call_limit,
                "A Shopify-style call-limit bucket (40, 2/s) with its header");
  tpl->add_option("--timeout-after-effect-rate", f.timeout_after_effect_rate,
                  "Share of orders applied but answered only after --timeout-sleep-ms");
  tpl->add_option("--timeout-sleep-ms", f.timeout_sleep_ms, "See --timeout-after-effect-rate")
      ->capture_default_str();
  tpl->add_option("--malformed-rate", f.malformed_rate,
                  "Share of orders applied and answered with a non-JSON body");
  tpl->add_option("--poison-ref", f.poison_ref,
                  "Orders whose external_ref contains this get 422 (no effect)");
  tpl->add_flag("--duplicate-callbacks", f.duplicate_callbacks,
                "Send every shipment confirmation twice, concurrently");
  tpl->add_flag("--reorder-callbacks", f.reorder_callbacks,
                "Ship in two parts, the second part first");
  tpl->add_flag("--ignore-idempotency-key", f.ignore_idempotency_key,
                "Play a partner without idempotency keys (every POST is a new effect); "
                "GET /orders?reference=<order id> answers whether an order arrived");
  tpl->footer(
      "Secrets come from the environment: CROSSDOCK_SIM_API_KEY (presented to Crossdock), "
      "CROSSDOCK_SIM_INBOUND_KEY (required from Crossdock), CROSSDOCK_SIM_WEBHOOK_SECRET "
      "(whsec_… to verify webhooks).");

  auto* erp = app.add_subcommand(
      "erp",
      "Run a simulated REST ERP: POST /erp answers erp.check, erp.sale, erp.invoice, erp.credit "
      "and erp.cancel_sale (named by the Crossdock-Command header; docs/erp.md), finding earlier "
      "effects by order id and invoice reference; more than --max-concurrent requests at once "
      "get 429 + Retry-After. GET /sim/stats counts requests, refusals and effects.");
  ErpSimOptions eopt;
  std::string erp_listen = "127.0.0.1:0", prices = "SKU-1=10.00,SKU-2=12.50,SKU-3=15.00", credit;
  int erp_threads = 24;
  erp->add_option("--listen", erp_listen, "HOST:PORT to listen on (port 0 picks one)");
  erp->add_option("--max-concurrent", eopt.max_concurrent, "Requests served at once")
      ->capture_default_str();
  erp->add_option("--slow-ms", eopt.slow_ms, "Time each command takes")->capture_default_str();
  erp->add_option("--prices", prices, "SKU=price,… the ERP sells")->capture_default_str();
  erp->add_option("--credit", credit, "customer=limit,… credit limits");
  erp->add_option("--threads", erp_threads, "HTTP threads")->capture_default_str();
  erp->footer("CROSSDOCK_SIM_INBOUND_KEY, when set, is required from Crossdock as a Bearer key.");

  auto* gen = app.add_subcommand("generate",
                                 "Push synthetic orders into Crossdock and print a JSON "
                                 "summary (accepted, latency p50/p99).");
  PushOptions popt;
  std::string acked_file;
  bool quiet = false;
  int64_t give_up = 120;
  gen->add_option("--target", popt.target, "Crossdock base URL")->required();
  gen->add_option("--orders", popt.orders, "Number of orders")->capture_default_str();
  gen->add_option("--concurrency", popt.concurrency, "Concurrent connections")
      ->capture_default_str();
  gen->add_option("--seed", popt.seed, "Seed of the order generator")->capture_default_str();
  gen->add_option("--channel", popt.channel, "Channel name")->capture_default_str();
  gen->add_option("--prefix", popt.ref_prefix, "External reference prefix")->capture_default_str();
  gen->add_option("--give-up-after", give_up, "Seconds to keep retrying one order")
      ->capture_default_str();
  gen->add_option("--acked-file", acked_file,
                  "Write '<order id> <external ref>' per acknowledged order");
  gen->add_flag("--quiet", quiet, "No progress on stderr");
  gen->footer(
      "The API key comes from CROSSDOCK_SIM_API_KEY. Exit code 0 when every order was "
      "acknowledged, 1 otherwise, 2 on bad arguments.");

  auto* edi = app.add_subcommand(
      "edi",
      "Run a simulated X12 3PL on a node's folders (its x12.folder): takes each 940 from "
      "outbound/, answers with a 997 and, after a delay, a 945 in inbound/; discards an "
      "interchange whose ISA13 it has seen. GET /sim/stats counts orders and duplicates; "
      "POST /sim/faults {\"withhold_997\": true} or {\"withhold_945\": true}.");
  EdiSimOptions dopt;
  std::string edi_listen = "127.0.0.1:0", self_id = dopt.self.id, crossdock_id = dopt.crossdock.id;
  int edi_ship_delay_ms = 300;
  edi->add_option("--folder", dopt.folder, "The node's x12.folder")->required();
  edi->add_option("--listen", edi_listen, "HOST:PORT for /sim/stats and /sim/faults");
  edi->add_option("--id", self_id, "The 3PL's interchange id (ZZ qualifier)")
      ->capture_default_str();
  edi->add_option("--crossdock-id", crossdock_id, "Crossdock's interchange id (ZZ qualifier)")
      ->capture_default_str();
  edi->add_option("--ship-delay-ms", edi_ship_delay_ms, "Delay from 940 to 945")
      ->capture_default_str();
  edi->add_flag("--withhold-997", dopt.withhold_997, "Send no 997s");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (tpl->parsed()) {
    topt.ship_delay = std::chrono::milliseconds(ship_delay_ms);
    topt.api_key = EnvOr("CROSSDOCK_SIM_API_KEY", "");
    topt.inbound_key = EnvOr("CROSSDOCK_SIM_INBOUND_KEY", "");
    topt.webhook_secret = EnvOr("CROSSDOCK_SIM_WEBHOOK_SECRET", "");
    return Run3pl(listen, topt, threads);
  }
  if (edi->parsed()) {
    dopt.self.id = self_id;
    dopt.crossdock.id = crossdock_id;
    dopt.ship_delay = std::chrono::milliseconds(edi_ship_delay_ms);
    return RunEdi(edi_listen, dopt);
  }
  if (erp->parsed()) {
    if (!ParseAmounts(prices, eopt.prices) ||
        (!credit.empty() && !ParseAmounts(credit, eopt.credit_limits))) {
      std::cerr << "crossdock-sim erp: --prices and --credit take NAME=AMOUNT,…\n";
      return 2;
    }
    eopt.inbound_key = EnvOr("CROSSDOCK_SIM_INBOUND_KEY", "");
    return RunErp(erp_listen, eopt, erp_threads);
  }
  popt.api_key = EnvOr("CROSSDOCK_SIM_API_KEY", "");
  popt.give_up_after = std::chrono::seconds(give_up);
  return RunGenerate(popt, acked_file, quiet);
}
