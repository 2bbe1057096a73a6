// `crossdock route --dry-run --policy NEW.yaml`: replays every stored order against a changed
// routing policy and reports which orders would go to another node, and why (the rule that
// matched, candidates skipped for health or stock). Stock is the stock nodes last reported;
// node health is not known offline, so every node counts as healthy. Nothing is written.
#pragma once

#include <string>

#include "app/config.h"

namespace crossdock {

struct RouteCommand {
  std::string policy;  // YAML file with a `routing:` section (and optionally `nodes:` costs)
  bool dry_run = false;
  bool json = false;
  bool all = false;  // list unchanged orders too
};

// Exit codes: 0 report printed; 2 bad usage, unreadable policy or store.
int RunRouteCommand(const RouteCommand& command, const Config& current);

}  // namespace crossdock
