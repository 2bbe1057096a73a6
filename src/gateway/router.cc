#include "gateway/router.h"

namespace crossdock {

namespace {
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

int Router::Add(std::string method, std::string pattern) {
  Route r{std::move(method), std::move(pattern), {}};
  for (auto s : Split(r.pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
  return static_cast<int>(routes_.size()) - 1;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto parts = Split(path);
  bool trailing_ok = path.empty() || path.back() != '/' || path == "/";
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (!trailing_ok || r.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t k = 0; k < parts.size() && ok; ++k) {
      const std::string& seg = r.segments[k];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params[seg.substr(1, seg.size() - 2)] = std::string(parts[k]);
      } else {
        ok = seg == parts[k];
      }
    }
    if (!ok) continue;
    if (r.method == method) {
      m.kind = RouteMatch::Kind::kFound;
      m.route = static_cast<int>(i);
      m.params = std::move(params);
      return m;
    }
    m.kind = RouteMatch::Kind::kMethodNotAllowed;
    m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

}  // namespace crossdock
