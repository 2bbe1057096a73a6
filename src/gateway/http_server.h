// HttpServer: HTTP/1.1 over TCP on Boost.Asio/Beast with one C++20 coroutine per connection
// (read → handler → write, keep-alive). It bounds body and header sizes, times out slow and
// idle clients, caps connections, and turns protocol errors into problem+json answers.
// The handler is the only thing it knows about the application. Start/Stop are not
// thread-safe with each other; the handler is called from the server's threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "gateway/http.h"

namespace crossdock {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port
  int threads = 2;
  size_t body_limit = 1 << 20;            // bytes; larger bodies get 413
  size_t header_limit = 16 << 10;         // bytes; larger headers get 431
  std::chrono::seconds read_timeout{15};  // a whole request must arrive within this
  std::chrono::seconds idle_timeout{60};  // keep-alive connections idle longer are closed
  size_t max_connections = 4096;
  std::string server_name = "crossdock";
};

class HttpServer {
 public:
  // Binds and starts serving. Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual uint16_t port() const = 0;
  // Stops accepting, gives open requests up to `grace` to finish, then closes everything.
  virtual void Stop(std::chrono::milliseconds grace) = 0;
};

}  // namespace crossdock
