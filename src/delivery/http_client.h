// HttpClient: a blocking HTTP/1.1 client for outbound partner calls, with a total deadline
// per call and one kept-alive connection reused between calls to the same host.
// Not thread-safe: give each worker thread its own client. Plain http:// only for now.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace crossdock {

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // http://host:port/path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
  // When a kept-alive connection turns out to be closed, send once more on a new one. Only for
  // requests that are safe to repeat (idempotent, or carrying an idempotency key).
  bool resend_on_stale_connection = true;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct ParsedUrl {
  std::string host;
  std::string port;
  std::string target;
};
// Parses "http://host[:port][/path]". InvalidArgument otherwise.
Result<ParsedUrl> ParseHttpUrl(std::string_view url);

class HttpClient {
 public:
  static std::unique_ptr<HttpClient> Create();
  virtual ~HttpClient() = default;
  // Unavailable on connection failure, DeadlineExceeded on timeout (outcome unknown),
  // InvalidArgument on a bad URL. Any HTTP status is a successful Result.
  virtual Result<ClientResponse> Send(const ClientRequest& request) = 0;
};

}  // namespace crossdock
