// `crossdock demo`: runs the whole path on one machine — Crossdock on a fresh embedded store,
// a simulated 3PL (crossdock-sim 3pl) that confirms shipments back, a webhook subscriber, and
// the order generator (crossdock-sim generate) — shows progress, and ends with a summary of
// what was accepted, shipped, lost and duplicated.
#pragma once

#include <string>

namespace crossdock {

struct DemoOptions {
  int orders = 500;
  int concurrency = 16;
  int ship_delay_ms = 100;
  int timeout_s = 300;
  bool json = false;
  bool keep = false;     // keep the data dir
  std::string data_dir;  // empty = a new temporary folder
  std::string sim_path;  // empty = crossdock-sim beside this executable
};

// Returns the process exit code: 0 when every order shipped with nothing lost or duplicated.
int RunDemo(const DemoOptions& options);

}  // namespace crossdock
