#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include "gateway/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/thread_name.h"
#include "base/trace.h"
#include "gateway/problem.h"

namespace crossdock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Bridges the callback-style HttpHandler into an awaitable completion.
template <typename Token>
auto AsyncHandle(const HttpHandler& handler, HttpRequest request, Token&& token) {
  return asio::async_initiate<Token, void(HttpResponse)>(
      [&handler](auto completion, HttpRequest req) {
        auto ex = asio::get_associated_executor(completion);
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        handler(std::move(req), [shared, ex](HttpResponse resp) {
          asio::post(ex,
                     [shared, resp = std::move(resp)]() mutable { (*shared)(std::move(resp)); });
        });
      },
      token, std::move(request));
}

HttpRequest ToRequest(http::request<http::string_body>&& in, const std::string& remote) {
  HttpRequest r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (const auto& f : in) {
    auto [it, inserted] = r.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  r.body = std::move(in.body());
  r.remote_address = remote;
  return r;
}

http::response<http::string_body> ToBeast(HttpResponse&& in, unsigned version, bool keep_alive,
                                          const std::string& server) {
  http::response<http::string_body> r{static_cast<http::status>(in.status), version};
  for (const auto& [k, v] : in.headers) r.set(k, v);
  r.set(http::field::server, server);
  r.body() = std::move(in.body);
  r.keep_alive(keep_alive && !in.close);
  r.prepare_payload();
  return r;
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)), acceptor_(ioc_) {}

  ~BeastServer() override { Stop(std::chrono::milliseconds(0)); }

  Status Listen() {
    beast::error_code ec;
    auto addr = asio::ip::make_address(options_.host, ec);
    tcp::endpoint endpoint;
    if (ec) {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
      if (ec || results.empty()) return Unavailable("cannot resolve " + options_.host);
      endpoint = *results.begin();
    } else {
      endpoint = tcp::endpoint(addr, options_.port);
    }
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, Accept(), asio::detached);
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] {
        SetThreadName("cd-http");
        ioc_.run();
      });
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }

  void Stop(std::chrono::milliseconds grace) override {
    if (stopped_.exchange(true)) return;
    asio::post(ioc_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (busy_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      if (connections_.load() >= options_.max_connections) {
        socket.close(ec);  // over the cap: refuse quickly
        continue;
      }
      asio::co_spawn(ioc_, Session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  // Answers a protocol-level error (before any handler ran) and closes the connection.
  // `parser` may hold the request line and headers when they were read.
  asio::awaitable<void> WriteProblem(
      beast::tcp_stream& stream, ProblemType type, std::string detail,
      const http::request_parser<http::string_body>* parser = nullptr) {
    std::string instance;
    TraceContext trace;
    if (parser && parser->is_header_done()) {
      const auto& req = parser->get();
      std::string target(req.target().data(), req.target().size());
      instance = target.substr(0, target.find('?'));
      auto tp = req.find("traceparent");
      if (tp != req.end()) {
        if (auto parent =
                ParseTraceparent(std::string_view(tp->value().data(), tp->value().size())))
          trace = parent->Child(SystemRandom::Instance());
      }
    }
    if (trace.trace_id.empty()) trace = TraceContext::NewRoot(SystemRandom::Instance());
    HttpResponse p = ProblemResponse({type, std::move(detail), instance, trace.trace_id, {}});
    p.close = true;
    auto r = ToBeast(std::move(p), 11, false, options_.server_name);
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(stream, r, asio::redirect_error(asio::use_awaitable, ec));
    // Lingering close: stop sending, then read and discard what the client is still sending
    // (bounded in bytes and time), so it sees our answer instead of a reset.
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16384> scratch;
    size_t drained = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (!ec && drained < 2 * options_.body_limit + (1 << 16)) {
      drained += co_await stream.async_read_some(asio::buffer(scratch),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> Session(beast::tcp_stream stream) {
    connections_.fetch_add(1);
    beast::error_code ec;
    std::string remote;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
    beast::flat_buffer buffer;
    bool first = true;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options_.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
      stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
      // Wait for the first byte under the idle timeout, then the rest under the read timeout.
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        stream.expires_after(options_.read_timeout);
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      first = false;
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == beast::error::timeout) {
        break;
      }
      if (ec == http::error::body_limit) {
        co_await WriteProblem(stream, ProblemType::kPayloadTooLarge,
                              "the body exceeds " + std::to_string(options_.body_limit) + " bytes",
                              &parser);
        break;
      }
      if (ec == http::error::header_limit) {
        co_await WriteProblem(stream, ProblemType::kHeadersTooLarge,
                              "headers exceed " + std::to_string(options_.header_limit) + " bytes");
        break;
      }
      if (ec) {
        co_await WriteProblem(stream, ProblemType::kBadRequest, "malformed HTTP: " + ec.message());
        break;
      }
      auto& req = parser.get();
      bool keep_alive = req.keep_alive();
      unsigned version = req.version();
      busy_.fetch_add(1);
      HttpResponse resp =
          co_await AsyncHandle(handler_, ToRequest(std::move(req), remote), asio::use_awaitable);
      busy_.fetch_sub(1);
      if (resp.abort) {
        stream.socket().set_option(asio::socket_base::linger(true, 0), ec);  // RST, not FIN
        stream.socket().close(ec);
        connections_.fetch_sub(1);
        co_return;
      }
      bool draining = stopped_.load();
      auto out = ToBeast(std::move(resp), version, keep_alive && !draining, options_.server_name);
      stream.expires_after(options_.read_timeout);
      co_await http::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !out.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    connections_.fetch_sub(1);
  }

  HttpServerOptions options_;
  HttpHandler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> busy_{0};
  std::atomic<size_t> connections_{0};
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  CROSSDOCK_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace crossdock
