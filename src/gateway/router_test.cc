#include "gateway/router.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router r;
  int post = r.Add("POST", "/v1/orders");
  int get = r.Add("GET", "/v1/orders/{id}");
  int ship = r.Add("POST", "/v1/nodes/{node}/shipments");
  EXPECT_EQ(r.Match("POST", "/v1/orders").route, post);
  auto m = r.Match("GET", "/v1/orders/ord_1");
  EXPECT_EQ(m.route, get);
  EXPECT_EQ(m.params["id"], "ord_1");
  auto s = r.Match("POST", "/v1/nodes/tpl-east/shipments");
  EXPECT_EQ(s.route, ship);
  EXPECT_EQ(s.params["node"], "tpl-east");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router r;
  r.Add("POST", "/v1/orders");
  r.Add("GET", "/v1/orders/{id}");
  EXPECT_EQ(r.Match("GET", "/v2/orders").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/orders/a/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/orders/").kind, RouteMatch::Kind::kNotFound);
  auto m = r.Match("DELETE", "/v1/orders");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

}  // namespace
}  // namespace crossdock
