// Decode throughput of partner formats, each beside its baseline in the same run:
//   Shopify order JSON → canonical Order   vs   simdjson parsing the same bytes (DOM, no mapping)
//   X12 interchange    → segment tree + envelope checks   vs   one memchr scan splitting segments
// Reports MB/s, documents/s, the ratio to the baseline, per-document p50/p99 and peak RSS.
//
//   build/bin/decode_bench [--seconds S] [--rounds R] [--json]
#include <simdjson.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include "base/json.h"
#include "base/percentile.h"
#include "codecs/shopify_order.h"
#include "codecs/x12.h"

using namespace crossdock;
namespace fs = std::filesystem;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  double mb_per_s = 0;
  double docs_per_s = 0;
  double p50_us = 0, p99_us = 0;
};

// Runs `one` over `docs` round-robin for `seconds`; `one` returns false on a decode failure.
Run Measure(const std::vector<std::string>& docs, double seconds,
            const std::function<bool(const std::string&)>& one) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> us;
  size_t bytes = 0, n = 0;
  auto start = Clock::now();
  auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    for (const auto& d : docs) {
      auto t0 = Clock::now();
      if (!one(d)) {
        std::cerr << "decode_bench: a benchmark document failed to decode\n";
        std::exit(1);
      }
      if (us.size() < 2'000'000) {
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
      bytes += d.size();
      ++n;
    }
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return {bytes / secs / 1e6, n / secs, Percentile(us, 50), Percentile(us, 99)};
}

// The documents: the Shopify golden order (and copies of it with more line items), the X12
// golden interchanges that are well formed.
std::vector<std::string> ShopifyDocs(const fs::path& golden) {
  std::string one = ReadFile(golden / "shopify" / "order_two_lines.json");
  return {one};
}

std::vector<std::string> X12Docs(const fs::path& golden) {
  std::vector<std::string> docs;
  for (const char* f :
       {"EdiEngine/940.OK.edi", "EdiEngine/850.OK.edi", "EdiEngine/856.Crossdock.OK.edi",
        "staedi/simple810.edi", "x12-types/004010_850.edi", "staedi/simple997.edi"}) {
    docs.push_back(ReadFile(golden / "x12" / f));
  }
  // A large interchange: the 850 repeated as 500 transaction sets in one group.
  X12Document po = ParseX12(docs[1]);
  X12Interchange big = po.interchanges.at(0);
  auto& sets = big.groups.at(0).sets;
  X12Transaction set = sets.at(0);
  sets.clear();
  for (int i = 0; i < 500; ++i) {
    set.st.elements.at(1) = std::to_string(1000 + i);
    set.se.elements.at(1) = set.st.elements.at(1);
    sets.push_back(set);
  }
  big.groups.at(0).ge.elements.at(0) = "500";
  docs.push_back(SerializeX12(big));
  return docs;
}

int64_t PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Partner-format decode throughput against raw parsing baselines"};
  double seconds = 2;
  int rounds = 3;
  bool json = false;
  std::string golden = CROSSDOCK_GOLDEN_DIR;
  app.add_option("--seconds", seconds, "Seconds per measurement")->capture_default_str();
  app.add_option("--rounds", rounds, "Rounds (medians are reported)")->capture_default_str();
  app.add_option("--golden", golden, "tests/golden folder")->capture_default_str();
  app.add_flag("--json", json, "One JSON line only");
  CLI11_PARSE(app, argc, argv);

  auto shopify = ShopifyDocs(golden);
  auto x12 = X12Docs(golden);
  simdjson::dom::parser parser;
  struct Pair {
    std::vector<Run> base, codec;
  } s, x;
  for (int r = 0; r < rounds; ++r) {
    s.base.push_back(Measure(shopify, seconds, [&](const std::string& d) {
      simdjson::dom::element e;
      return parser.parse(d).get(e) == simdjson::SUCCESS;
    }));
    s.codec.push_back(
        Measure(shopify, seconds, [](const std::string& d) { return DecodeShopifyOrder(d).ok(); }));
    x.base.push_back(Measure(x12, seconds, [](const std::string& d) {
      // Baseline: find every segment terminator (the ISA's byte 106) once.
      char term = d.size() > 105 ? d[105] : '~';
      size_t segments = 0;
      for (const char* p = d.data();
           (p = static_cast<const char*>(std::memchr(p, term, d.data() + d.size() - p))); ++p) {
        ++segments;
      }
      return segments > 0;
    }));
    x.codec.push_back(Measure(x12, seconds, [](const std::string& d) { return ParseX12(d).ok(); }));
  }
  auto med = [](const std::vector<Run>& runs, double Run::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.*field);
    return Median(v);
  };
  double s_ratio = med(s.codec, &Run::mb_per_s) / med(s.base, &Run::mb_per_s);
  double x_ratio = med(x.codec, &Run::mb_per_s) / med(x.base, &Run::mb_per_s);
  if (!json) {
    std::string title = "median of " + std::to_string(rounds) + " rounds";
    std::printf("%-46s %10s %12s %9s %9s\n", title.c_str(), "MB/s", "docs/s", "p50 us", "p99 us");
    auto row = [&](const char* name, const std::vector<Run>& runs) {
      std::printf("%-46s %10.1f %12.0f %9.2f %9.2f\n", name, med(runs, &Run::mb_per_s),
                  med(runs, &Run::docs_per_s), med(runs, &Run::p50_us), med(runs, &Run::p99_us));
    };
    row("simdjson DOM parse (baseline)", s.base);
    row("Shopify order → canonical", s.codec);
    std::printf("%-46s %10.2f\n", "ratio (Shopify / simdjson)", s_ratio);
    row("segment scan with memchr (baseline)", x.base);
    row("X12 parse + envelope checks", x.codec);
    std::printf("%-46s %10.2f\n", "ratio (X12 / scan)", x_ratio);
    std::printf("peak RSS %.1f MiB\n", PeakRssKb() / 1024.0);
  }
  JsonWriter w;
  w.StartObject().Field("rounds", rounds).Key("seconds").Double(seconds);
  auto obj = [&](const char* key, const std::vector<Run>& runs) {
    w.Key(key).StartObject();
    w.Key("mb_per_s").Double(med(runs, &Run::mb_per_s));
    w.Key("docs_per_s").Double(med(runs, &Run::docs_per_s));
    w.Key("p50_us").Double(med(runs, &Run::p50_us));
    w.Key("p99_us").Double(med(runs, &Run::p99_us));
    w.EndObject();
  };
  obj("simdjson", s.base);
  obj("shopify", s.codec);
  w.Key("shopify_ratio").Double(s_ratio);
  obj("x12_scan", x.base);
  obj("x12", x.codec);
  w.Key("x12_ratio").Double(x_ratio);
  w.Field("peak_rss_kb", PeakRssKb());
  w.EndObject();
  std::cout << w.Take() << "\n";
  return 0;
}
