#include "flows/routing.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(RoutingTest, FirstMatchingRuleWinsElseDefault) {
  RoutingPolicy p{
      {{"", "CA", "", "tpl-north"}, {"b2b", "", "", "dc-own"}, {"", "", "express", "tpl-fast"}},
      "tpl-east"};
  Order o;
  o.channel = "web";
  o.ship_to.country = "US";
  EXPECT_EQ(*Route(o, p), "tpl-east");
  o.service_level = "express";
  EXPECT_EQ(*Route(o, p), "tpl-fast");
  o.channel = "b2b";
  EXPECT_EQ(*Route(o, p), "dc-own");
  o.ship_to.country = "CA";
  EXPECT_EQ(*Route(o, p), "tpl-north");
}

TEST(RoutingTest, NoMatchAndNoDefaultIsNotFound) {
  RoutingPolicy p{{{"", "CA", "", "tpl-north"}}, ""};
  Order o;
  o.ship_to.country = "US";
  auto r = Route(o, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace crossdock
