#include "base/metrics.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry reg;
  reg.GetCounter("crossdock_orders_total", "Orders accepted.", "channel=\"web\"").Inc(3);
  reg.GetGauge("crossdock_outbox_depth", "Pending outbox items.").Set(7);
  auto& h = reg.GetHistogram("crossdock_x_seconds", "X.", "", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = reg.RenderPrometheus();
  EXPECT_NE(
      text.find(
          "# TYPE crossdock_orders_total counter\ncrossdock_orders_total{channel=\"web\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("crossdock_outbox_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("crossdock_x_seconds_bucket{le=\"0.10000000000000001\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("crossdock_x_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("crossdock_x_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, SameNameAndLabelsIsSameMetric) {
  MetricsRegistry reg;
  reg.GetCounter("c_total", "h").Inc();
  reg.GetCounter("c_total", "h").Inc();
  EXPECT_EQ(reg.GetCounter("c_total", "h").value(), 2u);
  EXPECT_EQ(PromLabelValue("a\"b\\"), "a\\\"b\\\\");
}

}  // namespace
}  // namespace crossdock
