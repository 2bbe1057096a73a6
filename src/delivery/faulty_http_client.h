// FaultyHttpClient: an HttpClient decorator for fault-injection tests (reliability plan R12).
// A share of calls fails before anything is sent (Unavailable: connection refused), and a share
// fails after the request was sent (DeadlineExceeded: the partner may have applied it — the
// case the idempotency key must make safe). Deterministic for a seed. Not thread-safe, like
// every HttpClient.
#pragma once

#include <memory>

#include "base/random.h"
#include "delivery/http_client.h"

namespace crossdock {

class FaultyHttpClient final : public HttpClient {
 public:
  FaultyHttpClient(std::unique_ptr<HttpClient> inner, double error_rate, uint64_t seed)
      : inner_(std::move(inner)), rate_(error_rate), random_(seed) {}

  Result<ClientResponse> Send(const ClientRequest& request) override {
    double roll = random_.NextDouble();
    if (roll < rate_ / 2) return Unavailable("injected fault: connection refused");
    auto resp = inner_->Send(request);
    if (roll < rate_) return DeadlineExceeded("injected fault: response lost after sending");
    return resp;
  }

 private:
  std::unique_ptr<HttpClient> inner_;
  double rate_;
  SeededRandom random_;
};

}  // namespace crossdock
