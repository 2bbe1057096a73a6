// Plain HTTP request and response values shared by the server, the router and the handlers.
// Handlers see only these types, never sockets or Beast. Header names are matched
// case-insensitively. Value types.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/field_error.h"

namespace crossdock {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/orders?limit=5"
  std::string path;    // "/v1/orders"
  std::string query;   // "limit=5"
  HeaderMap headers;
  std::string body;
  std::string remote_address;

  // The header's value, or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderMap headers;
  std::string body;
  bool close = false;  // close the connection after writing
  // Reset the connection without writing anything (simulators playing a dead partner).
  bool abort = false;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body, std::string content_type = "text/plain");
};

using Respond = std::function<void(HttpResponse)>;
// An asynchronous request handler: must call `respond` exactly once, from any thread.
using HttpHandler = std::function<void(HttpRequest, Respond)>;

// Splits "a=1&b=x%20y" into decoded pairs; later duplicates win. Malformed escapes are kept
// as they are.
std::map<std::string, std::string> ParseQuery(std::string_view query);

// Reads query parameter `name` as a whole number from 0 to `max` into `out` (left as it is
// when the parameter is absent); otherwise adds an error at /query/<name>.
void QueryNumber(const std::map<std::string, std::string>& query, const char* name, int64_t max,
                 int64_t& out, FieldErrors& errors);
// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string PercentEncode(std::string_view value);

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// Splits "host:port" (IPv4, name, or [IPv6]); an empty host means all interfaces.
Result<ListenAddress> ParseListenAddress(const std::string& text);

}  // namespace crossdock
