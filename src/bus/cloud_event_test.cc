#include "bus/cloud_event.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace crossdock {
namespace {

TEST(CloudEventTest, HasEveryRequiredAttribute) {
  EventRecord e{42,
                "evt_1",
                "/crossdock/orders",
                "dev.crossdock.order.shipped.v1",
                "ord_1",
                FromUnixMicros(0),
                R"({"order_id":"ord_1"})",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
  std::string json = FormatCloudEvent(e);
  EXPECT_TRUE(CheckJsonSyntax(json).ok());
  EXPECT_EQ(
      json,
      R"J({"specversion":"1.0","id":"evt_1","source":"/crossdock/orders","type":"dev.crossdock.order.shipped.v1","subject":"ord_1","time":"1970-01-01T00:00:00.000Z","datacontenttype":"application/json","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":{"order_id":"ord_1"},"sequence":"42"})J");
}

}  // namespace
}  // namespace crossdock
