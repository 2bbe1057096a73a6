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

#include "base/percentile.h"
#include "base/random.h"

namespace crossdock {
namespace {

TEST(PercentileTest, NearestRank) {
  EXPECT_EQ(Percentile({}, 50), 0);
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_EQ(Percentile(v, 0), 1);
  EXPECT_EQ(Percentile(v, 50), 3);
  EXPECT_EQ(Percentile(v, 99), 5);
  EXPECT_EQ(Percentile(v, 100), 5);
}

TEST(RandomHexTest, TwoDigitsPerByte) {
  SeededRandom r(3);
  std::string h = RandomHex(r, 13);
  EXPECT_EQ(h.size(), 26u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(r, 13), h);
}

}  // namespace
}  // namespace crossdock
