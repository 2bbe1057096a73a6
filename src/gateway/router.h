// Router: maps (method, path) to a named route. Patterns are literal segments and `{name}`
// parameters ("/v1/orders/{id}"). Knows nothing about handlers' work. Immutable after set-up;
// Match is thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace crossdock {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  int route = -1;                             // index given to Add()
  std::map<std::string, std::string> params;  // {name} → value
  std::string allow;                          // for 405: "GET, POST"
};

class Router {
 public:
  // Returns the route's index.
  int Add(std::string method, std::string pattern);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::string& Pattern(int route) const { return routes_[route].pattern; }
  const std::string& Method(int route) const { return routes_[route].method; }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
  };
  std::vector<Route> routes_;
};

}  // namespace crossdock
