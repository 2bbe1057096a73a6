// TrytonRpc: a client of Tryton 6.0's JSON-RPC API (POST http://host:port/<database>/).
// It logs in with common.db.login, keeps the session (renewing it once when Tryton answers 401
// or 403), and appends the user's context (company, language …, from
// res.user.get_preferences) to every model.* call, as Tryton's own client does.
// Values use Tryton's JSON encoding: a Decimal is {"__class__": "Decimal", "decimal": "1.50"}.
// Thread-safe: each call takes an HTTP client from a small pool.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/money.h"
#include "base/status.h"
#include "delivery/http_client.h"

namespace crossdock {

// A JSON-RPC result and the parser that owns it.
class RpcValue {
 public:
  RpcValue() = default;
  simdjson::dom::element get() const { return element_; }

 private:
  friend class TrytonRpc;
  std::shared_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element element_;
};

struct TrytonRpcOptions {
  std::string url;  // http://host:port/<database>/
  std::string user;
  std::string password;  // secret; never logged
  std::chrono::milliseconds timeout{30'000};
};

class TrytonRpc {
 public:
  using ClientFactory = std::function<std::unique_ptr<HttpClient>()>;
  explicit TrytonRpc(TrytonRpcOptions options, ClientFactory clients = HttpClient::Create);

  // Calls `method` with the positional parameters `args` writes (the context is appended for
  // model.* methods). Errors:
  //   Conflict: Tryton refused the call (UserError, UserWarning, AccessError …); the
  //     message is Tryton's and begins with the error class ("UserError: …");
  //   Unavailable: no answer, an HTTP 5xx, a lock or concurrency error: worth trying again;
  //   Unauthenticated: the login was refused.
  // `extra_context` adds properties to the context (a JSON object's members without braces,
  // e.g. "\"_skip_warnings\":true").
  // `deadline` bounds the call (a command's calls share one deadline, so the whole command
  // ends within the endpoint's timeout and its outbox lease).
  using Deadline = std::chrono::steady_clock::time_point;
  Result<RpcValue> Call(const std::string& method, const std::function<void(JsonWriter&)>& args,
                        const std::string& extra_context = "",
                        std::optional<Deadline> deadline = std::nullopt);
  const TrytonRpcOptions& options() const { return options_; }
  // The company of the logged-in user (from its context); 0 before the first call.
  int64_t company();

 private:
  struct Session {
    std::string authorization;  // "Session <base64>"
    std::string context;        // JSON object
    int64_t company = 0;
  };
  Result<Session> CurrentSession(bool renew);
  Result<RpcValue> Post(HttpClient& client, const std::string& body,
                        const std::string& authorization, int& http_status,
                        std::optional<Deadline> deadline = std::nullopt);
  std::unique_ptr<HttpClient> TakeClient();
  void GiveBack(std::unique_ptr<HttpClient> client);

  TrytonRpcOptions options_;
  ClientFactory clients_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpClient>> pool_;  // guarded by mu_
  std::optional<Session> session_;                 // guarded by mu_
  std::mutex login_mu_;                            // one login at a time
};

// Helpers for Tryton's JSON values.
namespace tryton {
// {"__class__": "Decimal", "decimal": "<value>"}
void WriteDecimal(JsonWriter& w, Decimal d);
// A Decimal, a number or null (→ nullopt).
std::optional<Decimal> ReadDecimal(simdjson::dom::element v);
// An integer id, or 0.
int64_t ReadId(simdjson::dom::element v);
std::string ReadString(simdjson::dom::element v, std::string_view key);
}  // namespace tryton

}  // namespace crossdock
