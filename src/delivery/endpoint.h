// Endpoint: where and how one destination is called (URL, credentials, timeout, retry policy).
// Destinations are named "node:<id>" for 3PL nodes. Value type.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "delivery/retry_policy.h"

namespace crossdock {

struct Endpoint {
  std::string id;                                            // "node:tpl-east"
  std::string url;                                           // http://host:port/path
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization; secrets!
  std::chrono::milliseconds timeout{10'000};
  RetryPolicy retry;
};

}  // namespace crossdock
