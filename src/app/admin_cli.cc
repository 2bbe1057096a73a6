#include "app/admin_cli.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/json.h"
#include "delivery/http_client.h"

namespace crossdock {

int RunDeadLetterCommand(const DeadLetterCommand& c) {
  const char* key = std::getenv("CROSSDOCK_API_KEY");
  if (!key || !*key) {
    std::cerr << "crossdock: set CROSSDOCK_API_KEY to an operator's API key\n";
    return 2;
  }
  ClientRequest req;
  req.headers = {{"Authorization", std::string("Bearer ") + key}, {"Accept", "application/json"}};
  std::string base = c.url + "/v1/admin/dead-letters";
  if (c.action == "list") {
    req.method = "GET";
    std::string q = "?limit=" + std::to_string(c.max);
    if (!c.destination.empty()) q += "&destination=" + c.destination;
    if (!c.error_class.empty()) q += "&error_class=" + c.error_class;
    if (c.older_than_s >= 0) q += "&older_than_s=" + std::to_string(c.older_than_s);
    req.url = base + q;
  } else if (c.action == "show") {
    req.method = "GET";
    req.url = base + "/" + c.id;
  } else if (c.action == "replay") {
    req.method = "POST";
    req.url = base + "/" + c.id + "/replay";
    req.headers.emplace_back("Content-Type", "application/json");
    if (!c.payload_file.empty()) {
      std::ifstream in(c.payload_file);
      if (!in) {
        std::cerr << "crossdock: cannot read " << c.payload_file << "\n";
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      req.body = "{\"payload\":" + ss.str() + "}";
    }
  } else if (c.action == "replay-all") {
    req.method = "POST";
    req.url = base + "/replay";
    req.headers.emplace_back("Content-Type", "application/json");
    JsonWriter w;
    w.StartObject();
    if (!c.destination.empty()) w.Field("destination", c.destination);
    if (!c.error_class.empty()) w.Field("error_class", c.error_class);
    if (c.older_than_s >= 0) w.Field("older_than_s", c.older_than_s);
    w.Field("max", c.max);
    w.Key("per_second").Double(c.per_second);
    w.EndObject();
    req.body = w.Take();
  } else if (c.action == "discard") {
    if (c.reason.empty()) {
      std::cerr << "crossdock: discard needs --reason\n";
      return 2;
    }
    req.method = "POST";
    req.url = base + "/" + c.id + "/discard";
    req.headers.emplace_back("Content-Type", "application/json");
    JsonWriter w;
    w.StartObject().Field("reason", c.reason).EndObject();
    req.body = w.Take();
  } else {
    std::cerr << "crossdock: unknown dead-letters action '" << c.action << "'\n";
    return 2;
  }
  auto client = HttpClient::Create();
  auto resp = client->Send(req);
  if (!resp.ok()) {
    std::cerr << "crossdock: " << resp.status().ToString() << "\n";
    return 1;
  }
  if (resp->status >= 200 && resp->status < 300) {
    std::cout << resp->body << "\n";
    return 0;
  }
  std::cerr << resp->body << "\n";
  return 1;
}

}  // namespace crossdock
