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

// POSTs every request to `path`; `accepted` counts the 201 answers.
LoadResult RunLoad(const std::string& host, int port, const std::string& path,
                   const std::string& api_key, const std::vector<LoadRequest>& requests,
                   int concurrency);

// A GET of `target` (path and query) as bytes on the wire.
std::string GetRequest(const std::string& host, const std::string& target,
                       const std::string& api_key);

// The peak resident set (VmHWM) of process `pid` in KiB, or -1.
long long PeakRssKb(int pid);

// Sends each of `wire` (complete requests) once over `concurrency` keep-alive connections;
// `accepted` counts the answers with status `ok_status`.
LoadResult RunWire(const std::string& host, int port, const std::vector<std::string>& wire,
                   int concurrency, int ok_status);

}  // namespace crossdock::bench
