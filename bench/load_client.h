// A deliberately small HTTP/1.1 load generator for benchmarks: blocking sockets, one keep-alive
// connection per thread, pre-built requests, no parsing beyond status and Content-Length — so
// the client spends as little of the shared CPU as possible on itself.
#pragma once

#include <string>
#include <vector>

namespace crossdock::bench {

struct LoadRequest {
  std::string idempotency_key;
  std::string body;
};

struct LoadResult {
  int accepted = 0;  // 201 answers
  int other = 0;     // any other status
  int errors = 0;    // transport errors
  double seconds = 0;
  std::vector<double> latency_ms;  // per 201
};

LoadResult RunLoad(const std::string& host, int port, const std::string& path,
                   const std::string& api_key, const std::vector<LoadRequest>& requests,
                   int concurrency);

}  // namespace crossdock::bench
