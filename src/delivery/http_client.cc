#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include "delivery/http_client.h"

#include <strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace crossdock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

namespace {

class BeastClient final : public HttpClient {
 public:
  Result<ClientResponse> Send(const ClientRequest& request) override {
    auto url = ParseHttpUrl(request.url);
    if (!url.ok()) return url.status();
    // One retry on a reused connection the server may have closed meanwhile.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = stream_ && host_ == url->host && port_ == url->port;
      auto r = SendOnce(request, *url);
      if (r.ok() || !reused || r.status().code() == StatusCode::kDeadlineExceeded ||
          !request.resend_on_stale_connection) {
        return r;
      }
    }
    return Unavailable("connection to " + url->host + ":" + url->port + " failed");
  }

 private:
  // Runs the io_context until the pending operation completes.
  void RunPending() {
    ioc_.restart();
    ioc_.run();
  }

  Result<ClientResponse> SendOnce(const ClientRequest& request, const ParsedUrl& url) {
    beast::error_code ec;
    auto deadline = std::chrono::steady_clock::now() + request.timeout;
    auto remaining = [&] {
      return std::max(std::chrono::steady_clock::duration(std::chrono::milliseconds(1)),
                      deadline - std::chrono::steady_clock::now());
    };
    if (!stream_ || host_ != url.host || port_ != url.port) {
      Close();
      tcp::resolver resolver(ioc_);
      auto endpoints = resolver.resolve(url.host, url.port, ec);
      if (ec) return Unavailable("cannot resolve " + url.host + ": " + ec.message());
      stream_.emplace(ioc_);
      stream_->expires_after(remaining());
      stream_->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
      RunPending();
      if (ec) {
        Close();
        if (ec == beast::error::timeout) return DeadlineExceeded("connect timed out");
        return Unavailable("connect to " + url.host + ":" + url.port + ": " + ec.message());
      }
      host_ = url.host;
      port_ = url.port;
    }
    http::request<http::string_body> req{http::string_to_verb(request.method), url.target, 11};
    req.set(http::field::host, url.host + ":" + url.port);
    req.set(http::field::user_agent, "crossdock");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    req.keep_alive(true);
    req.prepare_payload();

    bool wrote_any = false;
    stream_->expires_after(remaining());
    http::async_write(*stream_, req, [&](beast::error_code e, std::size_t n) {
      ec = e;
      wrote_any = n > 0;
    });
    RunPending();
    if (ec) {
      Close();
      if (ec == beast::error::timeout) return DeadlineExceeded("write timed out");
      return Unavailable("write: " + ec.message());
    }
    (void)wrote_any;
    http::response_parser<http::string_body> parser;
    parser.body_limit(8 << 20);
    stream_->expires_after(remaining());
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    RunPending();
    if (ec) {
      Close();
      // The request went out: the partner may have applied it. The caller must treat this as
      // "outcome unknown" and rely on the idempotency key when it retries.
      if (ec == beast::error::timeout) return DeadlineExceeded("response timed out");
      return Unavailable("read: " + ec.message());
    }
    auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    return out;
  }

  void Close() {
    if (stream_) {
      beast::error_code ec;
      stream_->socket().close(ec);
      stream_.reset();
    }
    buffer_.clear();
    host_.clear();
    port_.clear();
  }

  asio::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string host_;
  std::string port_;
};

}  // namespace

std::unique_ptr<HttpClient> HttpClient::Create() {
  return std::make_unique<BeastClient>();
}

}  // namespace crossdock
