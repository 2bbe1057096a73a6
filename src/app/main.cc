// crossdock: the server and its operator command line.
#include <CLI/CLI.hpp>

#include <execinfo.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/admin_cli.h"
#include "app/config.h"
#include "app/convert_cli.h"
#include "app/demo.h"
#include "app/partner_cli.h"
#include "app/reconcile_cli.h"
#include "app/route_cli.h"
#include "app/server.h"
#include "app/x12_cli.h"

using namespace crossdock;

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 success; 1 runtime failure (or, for demo, a failed check); 2 bad usage or "
    "configuration.";

Result<Config> LoadEffectiveConfig(const std::string& config_path, const std::string& listen,
                                   const std::string& data_dir) {
  Config config;
  std::string path = config_path;
  if (path.empty()) {
    if (const char* env = std::getenv("CROSSDOCK_CONFIG"); env && *env) path = env;
  }
  if (path.empty())
    return InvalidArgument("no configuration: pass --config FILE or set CROSSDOCK_CONFIG");
  auto loaded = LoadConfigFile(path);
  if (!loaded.ok()) return loaded.status();
  config = std::move(*loaded);
  CROSSDOCK_RETURN_IF_ERROR(ApplyEnvironment(config));
  if (!listen.empty()) config.listen = listen;
  if (!data_dir.empty()) config.data_dir = data_dir;
  CROSSDOCK_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

// A fatal signal (a crash) prints its number and a backtrace on standard error before the
// default action ends the process, so a crash in production or in a test leaves a trace. Not
// installed in sanitizer builds, whose own reports are better.
void OnFatalSignal(int sig) {
  char line[] = "crossdock: fatal signal NN; backtrace:\n";
  line[24] = static_cast<char>('0' + (sig / 10) % 10);  // async-signal-safe formatting only
  line[25] = static_cast<char>('0' + sig % 10);
  (void)!write(STDERR_FILENO, line, sizeof line - 1);
  void* frames[64];
  int depth = backtrace(frames, 64);
  backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void InstallCrashTrace() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#else
  void* warm[1];
  (void)backtrace(warm, 1);  // loads libgcc now, not inside the handler
  struct sigaction sa {};
  sa.sa_handler = OnFatalSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

int Serve(const Config& config) {
  InstallCrashTrace();
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::unique_ptr<Logger> log =
      config.log_file.empty()
          ? Logger::Stdout(SystemClock::Instance(), config.log_level)
          : Logger::File(SystemClock::Instance(), config.log_file, config.log_level);
  auto server = Server::Start(config, *log);
  if (!server.ok()) {
    log->Error("start-up failed", {{"error", server.status().message()}});
    std::cerr << "crossdock: " << server.status().message() << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  log->Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Stop(std::chrono::milliseconds(5000));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "crossdock: distribution middleware. Takes orders from sales channels, routes "
      "them to fulfillment nodes, delivers them exactly once in effect, and turns "
      "partner events into one canonical event stream."};
  app.require_subcommand(1);
  app.footer(kExitCodes);

  std::string config_path, listen, data_dir;
  auto* serve = app.add_subcommand(
      "serve",
      "Run the server: HTTP API, durable store (embedded SQLite), outbox delivery to "
      "nodes and webhook subscribers. SIGTERM or SIGINT drains and exits 0.");
  serve->add_option("--config", config_path, "YAML configuration file (env CROSSDOCK_CONFIG)");
  serve->add_option("--listen", listen,
                    "HOST:PORT to listen on (env CROSSDOCK_LISTEN; default 127.0.0.1:8080)");
  serve->add_option("--data-dir", data_dir,
                    "Folder of the embedded store (env CROSSDOCK_DATA_DIR; default ./data)");
  serve->footer(
      "Precedence: defaults < YAML file < CROSSDOCK_* environment < flags. "
      "CROSSDOCK_LOG_LEVEL sets debug|info|warning|error. See docs/configuration.md.");

  auto* check = app.add_subcommand("config",
                                   "Load, validate and print the effective configuration "
                                   "with every secret redacted.");
  check->add_option("--config", config_path, "YAML configuration file (env CROSSDOCK_CONFIG)");
  check->add_option("--listen", listen, "Override listen address");
  check->add_option("--data-dir", data_dir, "Override data folder");

  DemoOptions demo_options;
  auto* demo = app.add_subcommand(
      "demo",
      "Run the whole path on this machine: Crossdock on a fresh embedded store, a "
      "simulated 3PL and webhook subscriber (crossdock-sim), and the order generator. "
      "Shows progress, then a summary; exits 0 only if every order shipped with none "
      "lost or duplicated.");
  demo->add_option("--orders", demo_options.orders, "Orders to push")->capture_default_str();
  demo->add_option("--concurrency", demo_options.concurrency, "Concurrent client connections")
      ->capture_default_str();
  demo->add_option("--ship-delay-ms", demo_options.ship_delay_ms,
                   "3PL delay from order to shipment")
      ->capture_default_str();
  demo->add_option("--timeout", demo_options.timeout_s, "Seconds before giving up")
      ->capture_default_str();
  demo->add_option("--data-dir", demo_options.data_dir,
                   "Use and keep this folder instead of a temporary one");
  demo->add_option("--sim", demo_options.sim_path,
                   "Path of crossdock-sim (default: beside crossdock)");
  demo->add_flag("--keep", demo_options.keep, "Keep the temporary data folder (store and log)");
  demo->add_flag("--json", demo_options.json,
                 "Print only one JSON line: orders, accepted, shipped, "
                 "lost, duplicate_effects, release_latency_ms {p50,p99}, …");

  DeadLetterCommand dl;
  auto* dead = app.add_subcommand(
      "dead-letters",
      "Operate on a running server's dead letters: list, show, replay (same idempotency key, "
      "optionally an edited payload), replay-all (by query, at a bounded rate) or discard "
      "(with a reason). Every change is audited. Needs CROSSDOCK_API_KEY (an operator key).");
  dead->add_option("action", dl.action, "list | show | replay | replay-all | discard")->required();
  dead->add_option("id", dl.id, "Dead letter id (show, replay, discard)");
  dead->add_option("--url", dl.url, "Server base URL")->capture_default_str();
  dead->add_option("--destination", dl.destination, "Filter: destination, e.g. node:tpl-east");
  dead->add_option("--error-class", dl.error_class, "Filter: http_4xx, http_5xx, transport, other");
  dead->add_option("--older-than", dl.older_than_s,
                   "Filter: created more than this many seconds ago");
  dead->add_option("--max", dl.max, "At most this many items")->capture_default_str();
  dead->add_option("--per-second", dl.per_second, "replay-all: release rate")
      ->capture_default_str();
  dead->add_option("--reason", dl.reason, "discard: why (kept in the audit log)");
  dead->add_option("--payload", dl.payload_file, "replay: JSON file with the edited payload");

  ConvertCommand convert_cmd;
  auto* convert = app.add_subcommand(
      "convert",
      "Decode a partner document and print the canonical JSON on stdout; on bad input print "
      "every error with its JSON pointer and exit 1.");
  convert
      ->add_option(
          "--from", convert_cmd.from,
          "Input format: shopify | woocommerce | amazon | canonical (orders), x12 (850 purchase "
          "orders, printed as an array), csv (inventory), shipment (a canonical shipment, with "
          "--to and --order)")
      ->required();
  convert->add_option("--to", convert_cmd.to,
                      "Output format: canonical (default); for --from shipment: shopify | "
                      "woocommerce | amazon (the channel's fulfillment, order update or shipment "
                      "confirmations)");
  convert->add_option("--order", convert_cmd.order,
                      "shipment: the canonical order the shipment belongs to (its channel's "
                      "order number and line ids)");
  convert->add_option("--location-id", convert_cmd.location_id,
                      "shipment --to shopify: the Shopify location the goods left from");
  convert->add_option("--marketplace-id", convert_cmd.marketplace_id,
                      "shipment --to amazon: the order's Amazon marketplace id");
  convert->add_option("file", convert_cmd.file, "Input file, or - for stdin")->required();
  convert->add_option("--channel", convert_cmd.channel,
                      "Canonical channel name (default: the format's name)");
  convert->add_option("--mapping", convert_cmd.mapping,
                      "csv: YAML column mapping (delimiter, sku, on_hand, as_of, node)");
  convert->add_option("--as-of", convert_cmd.as_of,
                      "csv: RFC 3339 time of counts without an as_of column (default: now)");
  convert->add_flag("--json", convert_cmd.json_errors, "Print errors as one JSON object");
  convert->add_option("--config", config_path,
                      "With --from <partner id>: the configuration naming the partner's format "
                      "or mapping (env CROSSDOCK_CONFIG)");

  X12Command x12_cmd;
  auto* x12 = app.add_subcommand(
      "x12",
      "ANSI X12: 'parse FILE' prints the segment tree as JSON; 'validate FILE' checks the "
      "envelopes (counts and control numbers) and each set against the X12 dictionary, every "
      "error with its segment, element and byte, and prints the 997 it would send. Exit 0 when "
      "every envelope agrees and every set passes, 1 otherwise.");
  x12->add_option("action", x12_cmd.action, "parse | validate")->required();
  x12->add_option("file", x12_cmd.file, "X12 file, or - for stdin")->required();
  x12->add_flag("--json", x12_cmd.json, "validate: one JSON object with errors and 997s");

  RouteCommand route_cmd;
  auto* route = app.add_subcommand(
      "route",
      "--dry-run --policy NEW.yaml: replay every stored order against a changed routing policy "
      "and report which orders would route differently and why. Reads the store of --config.");
  route->add_option("--config", config_path, "YAML configuration file (env CROSSDOCK_CONFIG)");
  route->add_option("--policy", route_cmd.policy, "YAML file with the new routing: section")
      ->required();
  route->add_flag("--dry-run", route_cmd.dry_run, "Report only (required: nothing is changed)");
  route->add_flag("--all", route_cmd.all, "List the orders that would not change too");
  route->add_flag("--json", route_cmd.json, "One JSON object");

  ReconcileCommand rec_cmd;
  auto* reconcile = app.add_subcommand(
      "reconcile",
      "inventory --node N --snapshot FILE: compare a node's full stock snapshot (CSV) with the "
      "stock ledger, adjust differences up to --auto-adjust-max units, keep the report (GET "
      "/v1/admin/reconciliations) and print a summary. Exit 0 done, 1 malformed file, 2 usage. "
      "financial: compare the invoices Crossdock expects (one per shipment) with the ERP's "
      "(erp.kind tryton), open an exception on each order out of step, keep the report. Exit 0 "
      "none found, 1 discrepancies found, 2 usage or ERP error.");
  reconcile->add_option("what", rec_cmd.what, "inventory or financial")->required();
  reconcile->add_option("--config", config_path, "YAML configuration file (env CROSSDOCK_CONFIG)");
  reconcile->add_option("--node", rec_cmd.node, "inventory: the node the snapshot is of");
  reconcile->add_option("--snapshot", rec_cmd.snapshot, "inventory: CSV snapshot, or - for stdin");
  reconcile->add_option("--mapping", rec_cmd.mapping, "YAML column mapping (sku, on_hand, …)");
  reconcile->add_option("--as-of", rec_cmd.as_of, "RFC 3339 time of the snapshot");
  reconcile->add_option("--unit-costs", rec_cmd.unit_costs, "CSV sku,unit_cost to value it");
  reconcile->add_option("--auto-adjust-max", rec_cmd.auto_adjust_max,
                        "Adjust differences of at most this many units (default 0: review all)");
  reconcile->add_option("--window-days", rec_cmd.window_days,
                        "financial: shipments and invoices this far back (default "
                        "erp.reconcile_window_days, 7)");
  reconcile->add_option("--grace-minutes", rec_cmd.grace_minutes,
                        "financial: a younger shipment is not yet missing its invoice (default "
                        "erp.reconcile_grace_minutes, 60)");
  reconcile->add_option(
      "--tolerance", rec_cmd.tolerance,
      "financial: allowed amount difference (default erp.reconcile_tolerance, 0)");
  reconcile->add_flag("--dry-run", rec_cmd.dry_run, "Compare and report only");
  reconcile->add_flag("--json", rec_cmd.json, "One JSON object");

  PartnerCheckCommand partner_cmd;
  auto* partner = app.add_subcommand("partner", "Partner onboarding tools.");
  auto* partner_check = partner->add_subcommand(
      "check",
      "Run the partner's sample documents (partners[].samples) through its format or mapping "
      "and compare each with the canonical order (or errors) checked in beside it.");
  partner_check->add_option("partner", partner_cmd.partner, "The partner's id")->required();
  partner_check->add_option("--config", config_path,
                            "YAML configuration file (env CROSSDOCK_CONFIG)");
  partner_check->add_flag("--json", partner_cmd.json, "One JSON summary");
  partner->require_subcommand(1);

  auto* version = app.add_subcommand("version", "Print the version.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (version->parsed()) {
    std::cout << "crossdock 0.1.0\n";
    return 0;
  }
  if (demo->parsed()) return RunDemo(demo_options);
  if (dead->parsed()) return RunDeadLetterCommand(dl);
  if (convert->parsed() && !IsBuiltInFormat(convert_cmd.from)) {
    // A partner id: its format or mapping comes from the configuration.
    auto config = LoadEffectiveConfig(config_path, listen, data_dir);
    if (!config.ok()) {
      std::cerr << "crossdock convert: --from " << convert_cmd.from
                << " is not a built-in format, and the configuration that would name it as a "
                   "partner cannot be read: "
                << config.status().message() << "\n";
      return 2;
    }
    return RunConvertCommand(convert_cmd, &*config);
  }
  if (convert->parsed()) return RunConvertCommand(convert_cmd);
  if (x12->parsed()) return RunX12Command(x12_cmd);
  auto config = LoadEffectiveConfig(config_path, listen, data_dir);
  if (!config.ok()) {
    std::cerr << "crossdock: " << config.status().message() << "\n";
    return 2;
  }
  if (check->parsed()) {
    std::cout << config->Redacted();
    return 0;
  }
  if (route->parsed()) return RunRouteCommand(route_cmd, *config);
  if (reconcile->parsed()) return RunReconcileCommand(rec_cmd, *config);
  if (partner_check->parsed()) return RunPartnerCheck(partner_cmd, *config);
  return Serve(*config);
}
