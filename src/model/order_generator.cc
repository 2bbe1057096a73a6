#include "model/order_generator.h"

#include "model/validation.h"

namespace crossdock {

namespace {
constexpr const char* kCities[][3] = {
    {"Columbus", "OH", "43215"}, {"Reno", "NV", "89501"},   {"Atlanta", "GA", "30303"},
    {"Denver", "CO", "80202"},   {"Newark", "NJ", "07102"}, {"Tacoma", "WA", "98402"},
};
constexpr const char* kNames[] = {"Ada Byron",       "Grace Hopper",   "Alan Turing",
                                  "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson"};
}  // namespace

OrderGenerator::OrderGenerator(uint64_t seed, std::string channel, std::string ref_prefix)
    : random_(seed), channel_(std::move(channel)), prefix_(std::move(ref_prefix)) {}

Order OrderGenerator::Next() {
  ++n_;
  Order o;
  o.channel = channel_;
  o.external_ref = prefix_ + "-" + std::to_string(n_);
  o.currency = "USD";
  o.service_level = random_.Uniform(5) == 0 ? "express" : "standard";
  const auto& city = kCities[random_.Uniform(std::size(kCities))];
  const char* name = kNames[random_.Uniform(std::size(kNames))];
  o.customer = {"cust-" + std::to_string(1000 + random_.Uniform(9000)), name,
                "buyer" + std::to_string(n_) + "@example.com", ""};
  o.ship_to = {name,    "",      std::to_string(1 + random_.Uniform(9999)) + " Main St",
               "",      city[0], city[1],
               city[2], "US",    "",
               ""};
  int lines = 1 + static_cast<int>(random_.Uniform(4));
  for (int i = 0; i < lines; ++i) {
    OrderLine l;
    l.line_id = std::to_string(i + 1);
    l.sku = "SKU-" + std::to_string(10000 + random_.Uniform(500));
    l.description = "Widget " + l.sku;
    l.quantity = 1 + static_cast<int64_t>(random_.Uniform(5));
    l.unit_price = Decimal::FromMicros(static_cast<int64_t>(100 + random_.Uniform(20000)) * 10000);
    if (random_.Uniform(4) == 0) l.discounts.push_back({"PROMO", Decimal::FromMicros(1'000'000)});
    // 6 % tax rounded down to the cent.
    Decimal ext;
    Decimal::MulInt(l.unit_price, l.quantity, ext);
    l.taxes.push_back({"Sales Tax", Decimal::FromMicros(ext.micros() * 6 / 100 / 10000 * 10000)});
    o.lines.push_back(std::move(l));
  }
  o.shipping.push_back({o.service_level == "express" ? "Express" : "Ground",
                        Decimal::FromMicros(o.service_level == "express" ? 19'990'000 : 5'990'000),
                        {}});
  o.totals = *ComputeTotals(o);
  return o;
}

}  // namespace crossdock
