// Endpoint: where and how one destination is called (URL, credentials, timeout, retry policy).
// Destinations are named "node:<id>" for 3PL nodes. Value type.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "delivery/circuit_breaker.h"
#include "delivery/connector.h"
#include "delivery/retry_policy.h"

namespace crossdock {

// Limits a partner sets on our calls. Zero values mean "no limit".
struct QuotaPolicy {
  double per_second = 0;  // token bucket rate (e.g. 40 per minute = 0.6667)
  double burst = 0;       // bucket capacity; 0 = one second's worth (at least 1)
  int max_in_flight = 0;  // concurrent calls
  // Shopify-style leaky bucket kept in step with the partner's header (e.g.
  // "X-Shopify-Shop-Api-Call-Limit: 32/40"); empty = not used.
  std::string call_limit_header;
  double call_limit_size = 40;
  double call_limit_leak_per_second = 2;
};

struct Endpoint {
  std::string id;                                            // "node:tpl-east"
  std::string url;                                           // http://host:port/path
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization; secrets!
  std::chrono::milliseconds timeout{10'000};
  RetryPolicy retry;
  CircuitBreakerPolicy breaker;
  QuotaPolicy quota;
  // For partners that ignore idempotency keys: a URL that finds the effect of a command by our
  // reference ("{reference}" is replaced by the order id). Before an in-doubt command is sent
  // again it is looked up: 200 = it was applied (success), 404 = safe to send.
  std::string lookup_url;
  // Nodes: where "node.cancel" commands go (POST, same headers); empty = the node takes no
  // cancellations over the API and each one becomes an exception for an operator.
  std::string cancel_url;
  // Set for destinations spoken to through their own API (an ERP): commands go to it instead
  // of an HTTP POST to `url`. Shared by the dispatcher's workers.
  std::shared_ptr<Connector> connector;
};

}  // namespace crossdock
