#include "delivery/erp/tryton_rpc.h"

#include "base/crypto.h"

namespace crossdock {

namespace {

// Tryton error classes that mean "the call was fine, the moment was not".
bool IsTransientError(std::string_view kind, std::string_view message) {
  return kind == "ConcurrencyException" || kind == "DatabaseOperationalError" ||
         message.find("database is locked") != std::string_view::npos ||
         message.find("could not serialize") != std::string_view::npos;
}

std::string Text(simdjson::dom::element v) {
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  return simdjson::minify(v);
}

}  // namespace

TrytonRpc::TrytonRpc(TrytonRpcOptions options, ClientFactory clients)
    : options_(std::move(options)), clients_(std::move(clients)) {}

std::unique_ptr<HttpClient> TrytonRpc::TakeClient() {
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return c;
    }
  }
  return clients_();
}

void TrytonRpc::GiveBack(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(mu_);
  if (pool_.size() < 16) pool_.push_back(std::move(client));
}

Result<RpcValue> TrytonRpc::Post(HttpClient& client, const std::string& body,
                                 const std::string& authorization, int& http_status,
                                 std::optional<Deadline> deadline) {
  ClientRequest req;
  req.method = "POST";
  req.url = options_.url;
  req.timeout = options_.timeout;
  if (deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) {
      return DeadlineExceeded("the command ran out of time before its next Tryton call");
    }
    req.timeout = std::min(req.timeout, left);
  }
  req.body = body;
  req.headers.emplace_back("Content-Type", "application/json");
  if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
  auto resp = client.Send(req);
  if (!resp.ok()) return resp.status();
  http_status = resp->status;
  if (resp->status == 401 || resp->status == 403) {
    return Unauthenticated("Tryton answered HTTP " + std::to_string(resp->status));
  }
  if (resp->status != 200) {
    return Unavailable("Tryton answered HTTP " + std::to_string(resp->status));
  }
  RpcValue out;
  out.parser_ = std::make_shared<simdjson::dom::parser>();
  simdjson::dom::element doc;
  if (out.parser_->parse(resp->body).get(doc)) {
    return Unavailable("Tryton's answer is not JSON");
  }
  simdjson::dom::element error;
  if (!doc["error"].get(error) && !error.is_null()) {
    std::string kind, message;
    simdjson::dom::array parts;
    if (!error.get_array().get(parts)) {
      size_t i = 0;
      for (auto part : parts) {
        if (i == 0) {
          kind = Text(part);
        } else if (i == 1) {
          // UserError: [message, description]; UserWarning: [name, message, description].
          simdjson::dom::array args;
          if (!part.get_array().get(args)) {
            size_t j = 0;
            for (auto a : args) {
              std::string t = Text(a);
              if (t.empty() || t == "null") continue;
              message += (message.empty() ? "" : " | ") + t;
              if (++j == 3) break;
            }
          } else {
            message = Text(part);
          }
        }
        ++i;
      }
    } else {
      kind = Text(error);
    }
    if (IsTransientError(kind, message)) return Unavailable(kind + ": " + message);
    return Conflict(kind + ": " + message);
  }
  if (doc["result"].get(out.element_)) return Unavailable("Tryton's answer has no result");
  return out;
}

Result<TrytonRpc::Session> TrytonRpc::CurrentSession(bool renew) {
  std::lock_guard login(login_mu_);
  {
    std::lock_guard lock(mu_);
    if (session_ && !renew) return *session_;
  }
  auto client = TakeClient();
  JsonWriter w;
  w.StartObject().Field("id", 1).Field("method", "common.db.login").Key("params").StartArray();
  w.String(options_.user).StartObject().Field("password", options_.password).EndObject();
  w.String("en").EndArray().EndObject();
  int http = 0;
  auto answer = Post(*client, w.Take(), "", http);
  if (!answer.ok()) {
    if (answer.status().code() == StatusCode::kConflict ||
        answer.status().code() == StatusCode::kUnauthenticated) {
      return Unauthenticated("Tryton refused the login of user '" + options_.user + "'");
    }
    return answer.status();
  }
  simdjson::dom::array pair;
  int64_t uid = 0;
  std::string_view key;
  if (answer->get().get_array().get(pair) || pair.size() != 2 || pair.at(0).get_int64().get(uid) ||
      pair.at(1).get_string().get(key)) {
    return Unauthenticated("Tryton refused the login of user '" + options_.user + "'");
  }
  Session s;
  s.authorization =
      "Session " + Base64Encode(options_.user + ":" + std::to_string(uid) + ":" + std::string(key));
  // The user's preferences are the context of every later call (company, language …).
  JsonWriter p;
  p.StartObject().Field("id", 2).Field("method", "model.res.user.get_preferences");
  p.Key("params").StartArray().Bool(true).StartObject().EndObject().EndArray().EndObject();
  auto prefs = Post(*client, p.Take(), s.authorization, http);
  if (!prefs.ok()) return prefs.status();
  s.context = simdjson::minify(prefs->get());
  simdjson::dom::element company;
  if (!prefs->get()["company"].get(company)) s.company = tryton::ReadId(company);
  GiveBack(std::move(client));
  std::lock_guard lock(mu_);
  session_ = s;
  return s;
}

int64_t TrytonRpc::company() {
  std::lock_guard lock(mu_);
  return session_ ? session_->company : 0;
}

Result<RpcValue> TrytonRpc::Call(const std::string& method,
                                 const std::function<void(JsonWriter&)>& args,
                                 const std::string& extra_context,
                                 std::optional<Deadline> deadline) {
  bool renewed = false;
  while (true) {
    auto session = CurrentSession(renewed);
    if (!session.ok()) return session.status();
    JsonWriter w;
    w.StartObject().Field("id", 3).Field("method", method).Key("params").StartArray();
    if (args) args(w);
    if (method.rfind("model.", 0) == 0) {
      std::string context = session->context;
      if (!extra_context.empty() && context.size() >= 2) {
        context.insert(1, extra_context + (context == "{}" ? "" : ","));
      }
      w.Raw(context);
    }
    w.EndArray().EndObject();
    auto client = TakeClient();
    int http = 0;
    auto answer = Post(*client, w.Take(), session->authorization, http, deadline);
    if (answer.status().code() == StatusCode::kUnauthenticated && !renewed) {
      renewed = true;  // the session expired or the server restarted: log in again, once
      continue;
    }
    if (answer.ok() || http == 200) GiveBack(std::move(client));
    if (!answer.ok() && answer.status().code() == StatusCode::kUnauthenticated) {
      return Unavailable("Tryton refused the session: " + answer.status().message());
    }
    return answer;
  }
}

namespace tryton {

void WriteDecimal(JsonWriter& w, Decimal d) {
  w.StartObject().Field("__class__", "Decimal").Field("decimal", d.ToString()).EndObject();
}

std::optional<Decimal> ReadDecimal(simdjson::dom::element v) {
  if (v.is_null()) return std::nullopt;
  std::string_view s;
  if (!v["decimal"].get_string().get(s)) {
    auto d = Decimal::Parse(s);
    if (d.ok()) return *d;
    return std::nullopt;
  }
  double x = 0;
  if (!v.get_double().get(x)) {
    auto d = Decimal::Parse(std::to_string(x));
    if (d.ok()) return *d;
  }
  return std::nullopt;
}

int64_t ReadId(simdjson::dom::element v) {
  int64_t id = 0;
  if (v.get_int64().get(id)) return 0;
  return id;
}

std::string ReadString(simdjson::dom::element v, std::string_view key) {
  std::string_view s;
  if (v[key].get_string().get(s)) return "";
  return std::string(s);
}

}  // namespace tryton

}  // namespace crossdock
