#include "app/partner_cli.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/json.h"
#include "codecs/canonical_json.h"
#include "codecs/partner_format.h"

namespace crossdock {

namespace fs = std::filesystem;

PartnerFormat PartnerFormatOf(const PartnerConfig& partner) {
  PartnerFormat f;
  f.format = partner.format;
  f.channel = partner.channel.empty() ? partner.id : partner.channel;
  f.mapping = partner.mapping;
  // As the server applies them (Api::PartnerOrderLimits): the partner's cap never raises the
  // default.
  if (partner.limits.max_order_lines > 0)
    f.limits.max_lines = std::min(f.limits.max_lines, partner.limits.max_order_lines);
  return f;
}

Decoded<Order> DecodeAsPartner(const PartnerConfig& partner, const std::string& document) {
  return DecodePartnerOrder(document, PartnerFormatOf(partner));
}

namespace {

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The first byte where two texts differ, with a little of each around it.
std::string FirstDifference(const std::string& want, const std::string& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  size_t from = i > 30 ? i - 30 : 0;
  return "differs at byte " + std::to_string(i) + ": expected …" + want.substr(from, 70) +
         "… got …" + got.substr(from, 70) + "…";
}

struct Outcome {
  std::string sample;
  bool ok = false;
  std::string detail;
};

}  // namespace

int RunPartnerCheck(const PartnerCheckCommand& cmd, const Config& config) {
  auto usage = [](const std::string& m) {
    std::cerr << "crossdock partner check: " << m << "\n";
    return 2;
  };
  const PartnerConfig* found = FindPartner(config, cmd.partner);
  if (!found) return usage("no partner '" + cmd.partner + "'");
  const PartnerConfig& partner = *found;
  if (partner.format.empty()) return usage(partner.id + " has no format or mapping");
  if (partner.samples.empty()) return usage(partner.id + " has no samples folder");
  std::error_code ec;
  std::vector<fs::path> samples;
  for (const auto& entry : fs::directory_iterator(partner.samples, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > 5 && name.ends_with(".json") &&
        !name.ends_with(".expected.json") && name[0] != '.')
      samples.push_back(entry.path());
  }
  if (ec) return usage("cannot read " + partner.samples + ": " + ec.message());
  if (samples.empty()) return usage(partner.samples + " holds no sample (<name>.json)");
  std::sort(samples.begin(), samples.end());
  std::vector<Outcome> outcomes;
  for (const auto& path : samples) {
    Outcome o;
    o.sample = path.filename().string();
    std::string stem = path.string().substr(0, path.string().size() - 5);
    Decoded<Order> got = DecodeAsPartner(partner, ReadText(path));
    bool want_order = fs::exists(stem + ".expected.json");
    bool want_errors = fs::exists(stem + ".errors.txt");
    if (want_order == want_errors) {
      o.detail = "needs exactly one of " + fs::path(stem).filename().string() +
                 ".expected.json and .errors.txt";
    } else if (want_order) {
      if (!got.ok()) {
        o.detail = "refused: " + (got.errors[0].pointer.empty() ? "/" : got.errors[0].pointer) +
                   ": " + got.errors[0].detail;
      } else {
        std::string want = Trim(ReadText(stem + ".expected.json"));
        std::string have = EncodeOrder(*got.value);
        o.ok = want == have;
        if (!o.ok) o.detail = FirstDifference(want, have);
      }
    } else {
      std::string have;
      for (const auto& e : got.errors)
        have += (e.pointer.empty() ? "/" : e.pointer) + ": " + e.detail + "\n";
      std::string want = Trim(ReadText(stem + ".errors.txt"));
      o.ok = !got.ok() && Trim(have) == want;
      if (!o.ok)
        o.detail =
            got.ok() ? "decoded, but errors were expected" : FirstDifference(want, Trim(have));
    }
    outcomes.push_back(std::move(o));
  }
  int failed = static_cast<int>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return !o.ok; }));
  if (cmd.json) {
    JsonWriter w;
    w.StartObject().Field("partner", partner.id).Field("format", partner.format);
    w.Field("samples", static_cast<int64_t>(outcomes.size())).Field("failed", failed);
    w.Key("results").StartArray();
    for (const auto& o : outcomes) {
      w.StartObject().Field("sample", o.sample).Field("ok", o.ok);
      if (!o.ok) w.Field("detail", o.detail);
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
  } else {
    for (const auto& o : outcomes) {
      std::cout << (o.ok ? "ok    " : "FAIL  ") << o.sample << (o.ok ? "" : ": " + o.detail)
                << "\n";
    }
    std::cout << partner.id << ": " << outcomes.size() - failed << " of " << outcomes.size()
              << " samples as expected\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace crossdock
