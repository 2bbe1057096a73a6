#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/csv_mapping.h"
#include "app/mapping_file.h"
#include "delivery/http_client.h"
#include "delivery/webhook_signer.h"
#include "gateway/http.h"

namespace crossdock {

namespace {

namespace fs = std::filesystem;

// A cursor over one YAML mapping that remembers which keys were read, so the rest can be
// reported as unknown.
class Map {
 public:
  Map(const YAML::Node& node, std::string path, std::vector<std::string>& errors)
      : node_(node), path_(std::move(path)), errors_(errors) {
    if (node_ && !node_.IsMap()) errors_.push_back(path_ + ": must be a mapping");
  }
  ~Map() {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) {
        errors_.push_back(path_ + ": keys must be plain names");
        continue;
      }
      std::string key = kv.first.Scalar();
      if (!seen_.count(key)) errors_.push_back(Path(key) + ": unknown key");
    }
  }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  YAML::Node Get(const std::string& key) {
    seen_.insert(key);
    return node_ && node_.IsMap() ? node_[key] : YAML::Node();
  }
  template <typename T>
  void Read(const std::string& key, T& out) {
    YAML::Node n = Get(key);
    if (!n) return;
    try {
      out = n.as<T>();
    } catch (const YAML::Exception&) {
      errors_.push_back(Path(key) + ": has the wrong type");
    }
  }
  void Require(const std::string& key) {
    if (!node_ || !node_.IsMap() || !node_[key]) errors_.push_back(Path(key) + ": is required");
  }
  // A decimal given as a string ("2.50"); nullopt when absent or wrong. `fault` names what it
  // must be ("must be a decimal number"); with `at_least_zero`, negatives are wrong too.
  std::optional<Decimal> ReadDecimal(const std::string& key, const std::string& fault,
                                     bool at_least_zero) {
    std::string text;
    Read(key, text);
    if (text.empty()) return std::nullopt;
    auto parsed = Decimal::Parse(text);
    if (!parsed.ok() || (at_least_zero && parsed->micros() < 0)) {
      errors_.push_back(Path(key) + ": " + fault);
      return std::nullopt;
    }
    return *parsed;
  }

 private:
  YAML::Node node_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
};

std::string ReadSecretFile(const std::string& base_dir, const std::string& file,
                           const std::string& where, std::vector<std::string>& errors) {
  fs::path p = file;
  if (p.is_relative()) p = fs::path(base_dir) / p;
  // systemd LoadCredential=: a bare name is looked up in $CREDENTIALS_DIRECTORY first.
  if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY");
      creds && file.find('/') == std::string::npos && fs::exists(fs::path(creds) / file)) {
    p = fs::path(creds) / file;
  }
  std::ifstream in(p);
  if (!in) {
    errors.push_back(where + ": cannot read secret file " + p.string());
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> SplitSecretList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && (cur.back() == ' ' || cur.back() == '\r')) cur.pop_back();
    size_t start = cur.find_first_not_of(' ');
    if (start != std::string::npos) out.push_back(cur.substr(start));
    cur.clear();
  };
  for (char c : text) {
    if (c == '\n' || c == ',') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

// A secret from the sources that come before the YAML (see config.h), or nullopt.
std::optional<std::vector<std::string>> ExternalSecret(const std::string& name,
                                                       std::vector<std::string>& errors) {
  std::string env = SecretEnvName(name);
  auto read = [&](const fs::path& p, const std::string& via) -> std::optional<std::string> {
    std::ifstream in(p);
    if (!in) {
      errors.push_back(name + ": cannot read " + p.string() + " (from " + via + ")");
      return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  if (const char* file = std::getenv((env + "_FILE").c_str()); file && *file) {
    auto text = read(file, env + "_FILE");
    return text ? SplitSecretList(*text) : std::vector<std::string>{};
  }
  if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds && *creds) {
    fs::path p = fs::path(creds) / name;
    if (fs::exists(p)) {
      auto text = read(p, "$CREDENTIALS_DIRECTORY");
      return text ? SplitSecretList(*text) : std::vector<std::string>{};
    }
  }
  if (const char* value = std::getenv(env.c_str()); value && *value) {
    return SplitSecretList(value);
  }
  return std::nullopt;
}

// Where a YAML document came from, for relative paths and the world-readable rule.
struct Source {
  std::string base_dir;
  std::string label;  // "crossdock.yaml", "partners/shopify.yaml"; "" for text
  bool world_readable = false;
};

// Records an inline secret at `path`; refused when the file is readable by every user.
void InlineSecret(const Source& src, const std::string& path, std::vector<std::string>& errors) {
  if (!src.world_readable) return;
  errors.push_back(path + ": a secret is written inline in " +
                   (src.label.empty() ? std::string("the configuration") : src.label) +
                   ", which every user can read; chmod o-r the file, or move the secret to a "
                   "*_file, $CREDENTIALS_DIRECTORY or the environment");
}

void ReadRetry(const YAML::Node& node, const std::string& path, RetryPolicy& r,
               std::vector<std::string>& errors) {
  Map m(node, path, errors);
  int64_t initial = r.initial_backoff.count(), max = r.max_backoff.count();
  int64_t age = r.max_age.count();
  m.Read("initial_backoff_ms", initial);
  m.Read("max_backoff_ms", max);
  m.Read("multiplier", r.multiplier);
  m.Read("max_attempts", r.max_attempts);
  m.Read("max_age_s", age);
  r.initial_backoff = std::chrono::milliseconds(initial);
  r.max_backoff = std::chrono::milliseconds(max);
  r.max_age = std::chrono::seconds(age);
  if (r.max_attempts < 1) errors.push_back(path + ".max_attempts: must be at least 1");
  if (r.multiplier < 1.0) errors.push_back(path + ".multiplier: must be at least 1");
}

void ReadEndpoint(Map& m, const std::string& path, Endpoint& ep, std::vector<std::string>& errors,
                  bool needs_url = true) {
  if (needs_url) m.Require("url");
  m.Read("url", ep.url);
  if (!ep.url.empty() && !ParseHttpUrl(ep.url).ok()) {
    errors.push_back(m.Path("url") + ": must be http://host:port/path");
  }
  int64_t timeout = ep.timeout.count();
  m.Read("timeout_ms", timeout);
  ep.timeout = std::chrono::milliseconds(timeout);
  if (YAML::Node r = m.Get("retry")) ReadRetry(r, m.Path("retry"), ep.retry, errors);
  m.Read("lookup_url", ep.lookup_url);
  if (!ep.lookup_url.empty() && !ParseHttpUrl(ep.lookup_url).ok()) {
    errors.push_back(m.Path("lookup_url") + ": must be http://host:port/path with {reference}");
  }
  m.Read("cancel_url", ep.cancel_url);
  if (!ep.cancel_url.empty() && !ParseHttpUrl(ep.cancel_url).ok()) {
    errors.push_back(m.Path("cancel_url") + ": must be http://host:port/path");
  }
  if (YAML::Node b = m.Get("breaker")) {
    Map bm(b, m.Path("breaker"), errors);
    CircuitBreakerPolicy& p = ep.breaker;
    int64_t base = p.open_base.count(), max = p.open_max.count();
    bm.Read("window", p.window);
    bm.Read("min_calls", p.min_calls);
    bm.Read("failure_rate", p.failure_rate);
    bm.Read("consecutive_failures", p.consecutive_failures);
    bm.Read("open_base_ms", base);
    bm.Read("open_max_ms", max);
    bm.Read("open_multiplier", p.open_multiplier);
    bm.Read("half_open_probes", p.half_open_probes);
    p.open_base = std::chrono::milliseconds(base);
    p.open_max = std::chrono::milliseconds(max);
    if (p.window < 1 || p.min_calls < 1 || p.consecutive_failures < 1 || p.half_open_probes < 1) {
      errors.push_back(m.Path("breaker") +
                       ": window, min_calls, consecutive_failures and "
                       "half_open_probes must be at least 1");
    }
    if (p.failure_rate <= 0 || p.failure_rate > 1) {
      errors.push_back(m.Path("breaker.failure_rate") + ": must be in (0, 1]");
    }
  }
  if (YAML::Node q = m.Get("quota")) {
    Map qm(q, m.Path("quota"), errors);
    QuotaPolicy& p = ep.quota;
    double per_minute = 0;
    qm.Read("per_second", p.per_second);
    qm.Read("per_minute", per_minute);
    if (per_minute > 0) p.per_second = per_minute / 60.0;
    qm.Read("burst", p.burst);
    qm.Read("max_in_flight", p.max_in_flight);
    qm.Read("call_limit_header", p.call_limit_header);
    qm.Read("call_limit_size", p.call_limit_size);
    qm.Read("call_limit_leak_per_second", p.call_limit_leak_per_second);
    if (p.per_second < 0 || p.burst < 0 || p.max_in_flight < 0) {
      errors.push_back(m.Path("quota") + ": limits must not be negative");
    }
    if (!p.call_limit_header.empty() &&
        (p.call_limit_size < 1 || p.call_limit_leak_per_second <= 0)) {
      errors.push_back(m.Path("quota") +
                       ": call_limit_size must be at least 1 and "
                       "call_limit_leak_per_second above 0");
    }
  }
  (void)path;
}

}  // namespace

namespace {
Result<Config> ParseConfigOrThrow(const std::string& yaml, const Source& src);
}  // namespace

std::string SecretEnvName(const std::string& secret_name) {
  std::string out = "CROSSDOCK_";
  for (char c : secret_name) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c))
                      ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                      : '_');
  }
  return out;
}

Result<Config> ParseConfig(const std::string& yaml, const std::string& base_dir,
                           bool world_readable) {
  // yaml-cpp reports some malformed documents only by exceptions; none may escape this layer.
  try {
    return ParseConfigOrThrow(yaml, Source{base_dir, "", world_readable});
  } catch (const YAML::Exception& e) {
    return InvalidArgument("invalid configuration: line " + std::to_string(e.mark.line + 1) +
                           ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

namespace {

// One partner, from an entry of `partners:` or from its own file. `file_id`: the file's stem,
// which the id must match (or supplies when absent).
PartnerConfig ReadPartner(const YAML::Node& node, const std::string& path,
                          const std::string& file_id, const Source& src,
                          std::vector<std::string>& errors) {
  Map p(node, path, errors);
  PartnerConfig pc;
  pc.source = src.label;
  if (file_id.empty()) p.Require("id");
  p.Read("id", pc.id);
  if (!file_id.empty()) {
    if (pc.id.empty()) pc.id = file_id;
    if (pc.id != file_id) {
      errors.push_back(p.Path("id") + ": is '" + pc.id + "' but the file is named for '" + file_id +
                       "'");
    }
  }
  if (pc.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
    errors.push_back(p.Path("id") + ": use lower-case letters, digits, '-', '_' and '.'");
  }
  std::string kind = "channel";
  p.Read("kind", kind);
  if (auto k = ParsePartnerKind(kind); k.ok())
    pc.kind = *k;
  else
    errors.push_back(p.Path("kind") + ": " + k.status().message());
  p.Read("channel", pc.channel);
  p.Read("channels", pc.channels);
  // How its order documents read (convert, partner check): a built-in codec or a mapping.
  p.Read("format", pc.format);
  std::string mapping_file;
  p.Read("mapping", mapping_file);
  if (!mapping_file.empty()) {
    if (mapping_file[0] != '/') mapping_file = src.base_dir + "/" + mapping_file;
    pc.mapping_file = mapping_file;
    if (pc.format.empty()) pc.format = "mapping";
    auto loaded = LoadJsonOrderMapping(mapping_file);
    if (loaded.ok()) {
      pc.mapping = std::move(*loaded);
    } else {
      errors.push_back(p.Path("mapping") + ": " + loaded.status().message());
    }
  }
  if (!pc.format.empty() && pc.format != "shopify" && pc.format != "woocommerce" &&
      pc.format != "amazon" && pc.format != "canonical" && pc.format != "mapping") {
    errors.push_back(p.Path("format") + ": shopify, woocommerce, amazon, canonical or mapping");
  }
  if (pc.format == "mapping" && mapping_file.empty()) {
    errors.push_back(p.Path("mapping") + ": format mapping needs its mapping file");
  }
  p.Read("samples", pc.samples);
  if (!pc.samples.empty() && pc.samples[0] != '/') pc.samples = src.base_dir + "/" + pc.samples;
  if (!pc.channel.empty() &&
      std::find(pc.channels.begin(), pc.channels.end(), pc.channel) == pc.channels.end()) {
    pc.channels.push_back(pc.channel);
  }
  std::vector<std::string> scopes;
  p.Read("scopes", scopes);
  for (const auto& sc : scopes) {
    bool known = false;
    for (const char* k : kKnownScopes) known = known || sc == k;
    if (!known) {
      errors.push_back(p.Path("scopes") + ": unknown scope '" + sc +
                       "' (orders:write, orders:read, shipments:write, inventory:read, "
                       "inventory:write, returns:write, admin)");
    }
    pc.scopes.insert(sc);
  }
  if (YAML::Node q = p.Get("quota")) {
    Map qm(q, p.Path("quota"), errors);
    double per_minute = 0;
    qm.Read("per_second", pc.quota.per_second);
    qm.Read("per_minute", per_minute);
    if (per_minute > 0) pc.quota.per_second = per_minute / 60.0;
    qm.Read("burst", pc.quota.burst);
    if (pc.quota.per_second < 0 || pc.quota.burst < 0) {
      errors.push_back(p.Path("quota") + ": must not be negative");
    }
  }
  if (YAML::Node l = p.Get("limits")) {
    Map lm(l, p.Path("limits"), errors);
    lm.Read("max_body_bytes", pc.limits.max_body_bytes);
    lm.Read("max_order_lines", pc.limits.max_order_lines);
  }
  if (YAML::Node sla = p.Get("sla")) {
    Map sm(sla, p.Path("sla"), errors);
    sm.Read("dispatch_ack_minutes", pc.sla.dispatch_ack_minutes);
    sm.Read("ship_hours", pc.sla.ship_hours);
    if (pc.sla.dispatch_ack_minutes < 0 || pc.sla.ship_hours < 0) {
      errors.push_back(p.Path("sla") + ": must not be negative");
    }
  }
  // API keys.
  std::vector<std::string> inline_keys, files;
  p.Read("api_keys", inline_keys);
  p.Read("api_key_files", files);
  if (auto ext = ExternalSecret("partner." + pc.id + ".api_keys", errors)) {
    pc.api_keys = *ext;
  } else {
    if (!inline_keys.empty()) InlineSecret(src, p.Path("api_keys"), errors);
    pc.api_keys = inline_keys;
    for (const auto& f : files) {
      for (auto& k :
           SplitSecretList(ReadSecretFile(src.base_dir, f, p.Path("api_key_files"), errors)))
        pc.api_keys.push_back(std::move(k));
    }
  }
  // Signed inbound webhooks.
  if (YAML::Node w = p.Get("webhooks")) {
    Map wm(w, p.Path("webhooks"), errors);
    InboundWebhookPolicy policy;
    std::string scheme = "standard";
    wm.Read("scheme", scheme);
    if (auto sch = ParseWebhookScheme(scheme); sch.ok())
      policy.scheme = *sch;
    else
      errors.push_back(wm.Path("scheme") + ": " + sch.status().message());
    int64_t tolerance = policy.scheme == WebhookScheme::kShopify ? 4 * 3600 + 900 : 300;
    wm.Read("tolerance_seconds", tolerance);
    if (tolerance < 1) errors.push_back(wm.Path("tolerance_seconds") + ": must be positive");
    policy.tolerance = std::chrono::seconds(tolerance);
    if (auto ext = ExternalSecret("partner." + pc.id + ".webhook_secrets", errors)) {
      for (auto& secret : *ext) policy.secrets.push_back({std::move(secret), std::nullopt});
      (void)wm.Get("secrets");
    } else if (YAML::Node secrets = wm.Get("secrets")) {
      if (!secrets.IsSequence()) errors.push_back(wm.Path("secrets") + ": must be a list");
      for (size_t i = 0; secrets.IsSequence() && i < secrets.size(); ++i) {
        std::string sp = wm.Path("secrets") + "[" + std::to_string(i) + "]";
        Map sm(secrets[i], sp, errors);
        WebhookSecret secret;
        std::string file, not_after;
        sm.Read("value", secret.secret);
        if (!secret.secret.empty()) InlineSecret(src, sp + ".value", errors);
        sm.Read("file", file);
        if (!file.empty()) secret.secret = ReadSecretFile(src.base_dir, file, sp + ".file", errors);
        sm.Read("not_after", not_after);
        if (!not_after.empty()) {
          auto t = ParseRfc3339(not_after);
          if (t.ok())
            secret.not_after = *t;
          else
            errors.push_back(sp + ".not_after: must be an RFC 3339 time");
        }
        if (secret.secret.empty()) errors.push_back(sp + ": needs value or file");
        policy.secrets.push_back(std::move(secret));
      }
    }
    if (policy.secrets.empty()) errors.push_back(wm.Path("secrets") + ": at least one is needed");
    for (const auto& secret : policy.secrets) {
      if (policy.scheme == WebhookScheme::kStandard && !secret.secret.empty() &&
          !DecodeWebhookSecret(secret.secret).ok()) {
        errors.push_back(wm.Path("secrets") + ": Standard Webhooks secrets are whsec_ + base64");
      }
    }
    pc.webhooks = std::move(policy);
  }
  // A Shopify store whose locations are nodes: inventory_levels/update webhooks are counts.
  if (YAML::Node inv = p.Get("shopify_inventory")) {
    Map im(inv, p.Path("shopify_inventory"), errors);
    im.Require("locations");
    im.Require("items");
    auto read_map = [&](const char* key, std::map<std::string, std::string>& out) {
      YAML::Node node = im.Get(key);
      if (!node) return;
      if (!node.IsMap()) {
        errors.push_back(im.Path(key) + ": must be a map of Shopify ids to " +
                         (std::string(key) == "locations" ? "nodes" : "SKUs"));
        return;
      }
      for (const auto& kv : node) {
        std::string id = kv.first.as<std::string>(), value = kv.second.as<std::string>("");
        if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos ||
            value.empty()) {
          errors.push_back(im.Path(key) + "." + id + ": a Shopify id (digits) to a name");
          continue;
        }
        out[id] = value;
      }
    };
    read_map("locations", pc.shopify_inventory.locations);
    read_map("items", pc.shopify_inventory.items);
    if (!pc.webhooks || pc.webhooks->scheme != WebhookScheme::kShopify) {
      errors.push_back(im.Path("locations") + ": needs webhooks with scheme shopify");
    }
  }
  if (pc.api_keys.empty() && !pc.webhooks) {
    errors.push_back(path + ": needs api_keys, api_key_files or webhooks");
  }
  return pc;
}

// nodes[].x12: the folder, the parties ("ZZ:CROSSDOCK"), versions, delimiters and timers.
void ReadX12Node(Map& m, const std::string& base_dir, X12NodeConfig& out,
                 std::vector<std::string>& errors) {
  m.Require("folder");
  m.Require("receiver");
  m.Read("folder", out.folder);
  if (!out.folder.empty() && out.folder[0] != '/') out.folder = base_dir + "/" + out.folder;
  auto party = [&](const char* key, X12Builder::Party& p) {
    std::string text;
    m.Read(key, text);
    if (text.empty()) return;
    size_t colon = text.find(':');
    p.qualifier = colon == std::string::npos ? "ZZ" : text.substr(0, colon);
    p.id = colon == std::string::npos ? text : text.substr(colon + 1);
    if (p.qualifier.size() != 2 || p.id.empty() || p.id.size() > 15) {
      errors.push_back(m.Path(key) + ": must be QUALIFIER:ID (2 characters, then 1 to 15)");
    }
  };
  party("sender", out.profile.sender);
  party("receiver", out.profile.receiver);
  std::string version;
  m.Read("version", version);
  if (version == "004010" || version.empty()) {
    out.profile.isa_version = "00401";
    out.profile.gs_version = "004010";
  } else if (version == "005010") {
    out.profile.isa_version = "00501";
    out.profile.gs_version = "005010";
    out.profile.delimiters.repetition = '^';
  } else {
    errors.push_back(m.Path("version") + ": must be 004010 or 005010");
  }
  auto one_char = [&](const char* key, char& c) {
    std::string text;
    m.Read(key, text);
    if (text.empty()) return;
    if (text.size() != 1) errors.push_back(m.Path(key) + ": must be one character");
    c = text[0];
  };
  one_char("element_separator", out.profile.delimiters.element);
  one_char("component_separator", out.profile.delimiters.component);
  one_char("segment_terminator", out.profile.delimiters.segment);
  one_char("replace_delimiters_with", out.profile.replacement);
  const X12Delimiters& d = out.profile.delimiters;
  std::string separators{d.element, d.component, d.segment};
  if (d.repetition) separators += d.repetition;
  for (size_t i = 0; i < separators.size(); ++i) {
    if (separators.find(separators[i], i + 1) != std::string::npos ||
        std::isalnum(static_cast<unsigned char>(separators[i]))) {
      errors.push_back(m.Path("") +
                       "separators must differ from each other and from letters "
                       "and digits (" +
                       separators + ")");
      break;
    }
  }
  if (out.profile.replacement && separators.find(out.profile.replacement) != std::string::npos) {
    errors.push_back(m.Path("replace_delimiters_with") + ": must not be a separator itself");
  }
  bool newline = true;
  m.Read("newline_after_segment", newline);
  out.profile.delimiters.suffix = newline ? "\n" : "";
  m.Read("test", out.profile.test);
  m.Read("poll_interval_ms", out.poll_interval_ms);
  m.Read("ack_timeout_s", out.ack_timeout_s);
  m.Read("post_url", out.post_url);
  if (!out.post_url.empty() && !ParseHttpUrl(out.post_url).ok()) {
    errors.push_back(m.Path("post_url") + ": must be http://host:port/path");
  }
  // required_segments: {"945": [W27, N9]}: the partner's own rules beyond the dictionary's.
  if (YAML::Node req = m.Get("required_segments")) {
    if (!req.IsMap()) {
      errors.push_back(m.Path("required_segments") + ": must map set codes to segment lists");
    } else {
      for (const auto& kv : req) {
        std::string code = kv.first.as<std::string>("");
        std::string where = m.Path("required_segments") + "." + code;
        if (code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos) {
          errors.push_back(where + ": a transaction set code such as 945");
          continue;
        }
        if (!kv.second.IsSequence()) {
          errors.push_back(where + ": must be a list of segment ids");
          continue;
        }
        for (const auto& seg : kv.second) {
          std::string id = seg.as<std::string>("");
          bool ok =
              id.size() >= 2 && id.size() <= 3 && std::all_of(id.begin(), id.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
              });
          if (!ok) {
            errors.push_back(where + ": '" + id + "' is not a segment id");
            continue;
          }
          out.profile.required_segments[code].push_back(id);
        }
      }
    }
  }
  if (out.poll_interval_ms < 10) errors.push_back(m.Path("poll_interval_ms") + ": at least 10");
  if (out.ack_timeout_s < 0) errors.push_back(m.Path("ack_timeout_s") + ": must not be negative");
}

Result<Config> ParseConfigOrThrow(const std::string& yaml, const Source& src) {
  const std::string& base_dir = src.base_dir;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config is not valid YAML: line " + std::to_string(e.mark.line + 1) +
                           ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  Config c;
  std::vector<std::string> errors;
  {
    Map m(root, "", errors);
    m.Read("listen", c.listen);
    m.Read("data_dir", c.data_dir);
    std::string level;
    m.Read("log_level", level);
    if (!level.empty()) {
      auto s = ParseSeverity(level);
      if (s.ok())
        c.log_level = *s;
      else
        errors.push_back("log_level: " + s.status().message());
    }
    m.Read("log_file", c.log_file);
    if (YAML::Node http = m.Get("http")) {
      Map h(http, "http", errors);
      h.Read("threads", c.http_threads);
      h.Read("body_limit_bytes", c.body_limit_bytes);
      h.Read("read_timeout_s", c.read_timeout_s);
      h.Read("idle_timeout_s", c.idle_timeout_s);
      h.Read("max_connections", c.max_connections);
      if (c.read_timeout_s < 1 || c.idle_timeout_s < 1 || c.max_connections < 1) {
        errors.push_back("http: timeouts and max_connections must be at least 1");
      }
    }
    if (YAML::Node store = m.Get("store")) {
      Map s(store, "store", errors);
      s.Read("synchronous", c.synchronous);
    }
    if (YAML::Node faults = m.Get("fault_injection")) {
      Map f(faults, "fault_injection", errors);
      f.Read("store_write_error_rate", c.fault_store_write_rate);
      f.Read("store_read_error_rate", c.fault_store_read_rate);
      f.Read("http_error_rate", c.fault_http_rate);
      for (double r : {c.fault_store_write_rate, c.fault_store_read_rate, c.fault_http_rate}) {
        if (r < 0 || r > 0.5) errors.push_back("fault_injection: rates must be between 0 and 0.5");
      }
    }
    if (YAML::Node delivery = m.Get("delivery")) {
      Map d(delivery, "delivery", errors);
      d.Read("workers", c.delivery_workers);
      d.Read("enabled", c.delivery_enabled);
    }
    m.Read("partners_dir", c.partners_dir);
    if (YAML::Node partners = m.Get("partners")) {
      if (!partners.IsSequence()) errors.push_back("partners: must be a list");
      for (size_t i = 0; partners.IsSequence() && i < partners.size(); ++i) {
        c.partners.push_back(
            ReadPartner(partners[i], "partners[" + std::to_string(i) + "]", "", src, errors));
      }
    }
    if (YAML::Node nodes = m.Get("nodes")) {
      if (!nodes.IsSequence()) errors.push_back("nodes: must be a list");
      for (size_t i = 0; nodes.IsSequence() && i < nodes.size(); ++i) {
        std::string path = "nodes[" + std::to_string(i) + "]";
        Map n(nodes[i], path, errors);
        NodeConfig nc;
        n.Require("id");
        n.Read("id", nc.id);
        n.Read("name", nc.name);
        n.Read("kind", nc.kind);
        n.Read("warehouse", nc.warehouse);
        if (nc.kind != "http" && nc.kind != "tryton" && nc.kind != "x12") {
          errors.push_back(n.Path("kind") + ": must be http, tryton or x12");
        }
        if (YAML::Node x = n.Get("x12")) {
          if (nc.kind != "x12") errors.push_back(n.Path("x12") + ": only for kind x12");
          Map xm(x, n.Path("x12"), errors);
          ReadX12Node(xm, base_dir, nc.x12, errors);
        } else if (nc.kind == "x12") {
          errors.push_back(n.Path("x12") + ": a node of kind x12 needs its x12 profile");
        }
        if (YAML::Node snap = n.Get("snapshots")) {
          Map sm(snap, n.Path("snapshots"), errors);
          SnapshotFolder& sf = nc.snapshots.emplace();
          sm.Require("folder");
          sm.Read("folder", sf.folder);
          if (!sf.folder.empty() && sf.folder[0] != '/') sf.folder = base_dir + "/" + sf.folder;
          if (YAML::Node mapping = sm.Get("mapping")) {
            auto read = CsvInventoryMappingOf(mapping, sm.Path("mapping"));
            if (read.ok()) {
              sf.mapping = *read;
            } else {
              errors.push_back(read.status().message());
            }
          }
          sm.Read("auto_adjust_max", sf.policy.auto_adjust_max);
          int64_t poll_s = 60;
          sm.Read("poll_interval_s", poll_s);
          if (sf.policy.auto_adjust_max < 0 || poll_s < 1) {
            errors.push_back(sm.Path("auto_adjust_max") +
                             ": must not be negative; poll_interval_s: at least 1");
          }
          sf.poll_interval = std::chrono::seconds(poll_s);
        }
        // A Tryton warehouse shares the ERP's database: two writers at a time, as for the ERP.
        if (nc.kind == "tryton") nc.endpoint.quota.max_in_flight = 2;
        ReadEndpoint(n, path, nc.endpoint, errors, nc.kind == "http");
        if (nc.kind == "tryton" || nc.kind == "x12") {
          const Endpoint& ep = nc.endpoint;
          for (const auto& [key, set] : {std::pair<const char*, bool>{"url", !ep.url.empty()},
                                         {"cancel_url", !ep.cancel_url.empty()},
                                         {"lookup_url", !ep.lookup_url.empty()}}) {
            if (set) {
              errors.push_back(n.Path(key) + (nc.kind == "x12"
                                                  ? ": an x12 node has none (it uses x12.folder)"
                                                  : ": a tryton node has none (it uses erp.url)"));
            }
          }
        }
        if (nc.kind != "tryton" && !nc.warehouse.empty()) {
          errors.push_back(n.Path("warehouse") + ": only for kind tryton");
        }
        n.Read("api_key", nc.api_key);
        if (!nc.api_key.empty()) InlineSecret(src, n.Path("api_key"), errors);
        if (nc.kind != "http" && !(nc.kind == "x12" && !nc.x12.post_url.empty()) &&
            !nc.api_key.empty()) {
          errors.push_back(n.Path("api_key") +
                           ": only an http node (or an x12 node with x12.post_url) has one");
        }
        std::string key_file;
        n.Read("api_key_file", key_file);
        if (!key_file.empty())
          nc.api_key = ReadSecretFile(base_dir, key_file, n.Path("api_key_file"), errors);
        if (auto ext = ExternalSecret("node." + nc.id + ".api_key", errors)) {
          nc.api_key = ext->empty() ? "" : ext->front();
        }
        nc.endpoint.id = "node:" + nc.id;
        NodePreference pref;
        n.Read("priority", pref.priority);
        pref.cost = n.ReadDecimal("cost", "must be a decimal number", false).value_or(Decimal());
        c.routing.preferences[nc.id] = pref;
        c.nodes.push_back(std::move(nc));
      }
    }
    if (YAML::Node routing = m.Get("routing")) {
      Map r(routing, "routing", errors);
      r.Read("default_node", c.routing.default_node);
      r.Read("require_stock", c.routing.require_stock);
      r.Read("skip_unhealthy", c.routing.skip_unhealthy);
      r.Read("backorder", c.routing.backorder);
      r.Read("allow_split", c.routing.allow_split);
      if (c.routing.allow_split && !c.routing.require_stock) {
        errors.push_back("routing.allow_split: needs require_stock: true");
      }
      if (c.routing.backorder && !c.routing.require_stock) {
        errors.push_back("routing.backorder: needs require_stock: true");
      }
      if (YAML::Node rules = r.Get("rules")) {
        if (!rules.IsSequence()) errors.push_back("routing.rules: must be a list");
        for (size_t i = 0; rules.IsSequence() && i < rules.size(); ++i) {
          Map rule(rules[i], "routing.rules[" + std::to_string(i) + "]", errors);
          RoutingRule rr;
          rule.Read("channel", rr.channel);
          rule.Read("country", rr.ship_to_country);
          rule.Read("region", rr.ship_to_region);
          rule.Read("service_level", rr.service_level);
          rule.Read("node", rr.node);
          rule.Read("nodes", rr.nodes);
          if (rr.node.empty() && rr.nodes.empty()) {
            errors.push_back(rule.Path("node") + ": a rule needs node or nodes");
          }
          c.routing.rules.push_back(std::move(rr));
        }
      }
    }
    if (YAML::Node fraud = m.Get("fraud")) {
      Map fm(fraud, "fraud", errors);
      YAML::Node rules = fm.Get("rules");
      if (rules && !rules.IsSequence()) errors.push_back("fraud.rules: must be a list");
      for (size_t i = 0; rules && rules.IsSequence() && i < rules.size(); ++i) {
        Map rule(rules[i], "fraud.rules[" + std::to_string(i) + "]", errors);
        FraudRule fr;
        rule.Require("name");
        rule.Read("name", fr.name);
        fr.min_total = rule.ReadDecimal("min_total", "must be a decimal amount, at least 0", true);
        rule.Read("countries", fr.countries);
        for (auto& country : fr.countries) {  // ISO 3166-1 alpha-2, as orders carry them
          for (char& ch : country)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        rule.Read("channels", fr.channels);
        for (const auto& other : c.fraud_rules) {
          if (other.name == fr.name)
            errors.push_back(rule.Path("name") + ": '" + fr.name + "' again");
        }
        rule.Read("ship_bill_country_differ", fr.ship_bill_country_differ);
        if (!fr.min_total && fr.countries.empty() && fr.channels.empty() &&
            !fr.ship_bill_country_differ) {
          errors.push_back(rule.Path("name") +
                           ": a rule needs at least one condition "
                           "(min_total, countries, channels, "
                           "ship_bill_country_differ)");
        }
        c.fraud_rules.push_back(std::move(fr));
      }
    }
    if (YAML::Node ret = m.Get("returns")) {
      Map rm(ret, "returns", errors);
      rm.Read("window_days", c.returns.window_days);
      rm.Read("reasons", c.returns.reasons);
      rm.Read("restock_conditions", c.returns.restock_conditions);
      if (c.returns.window_days < 0) errors.push_back("returns.window_days: must not be negative");
    }
    if (YAML::Node erp = m.Get("erp")) {
      Map e(erp, "erp", errors);
      ErpConfig& ec = c.erp;
      e.Require("kind");
      e.Read("kind", ec.kind);
      if (ec.kind != "tryton" && ec.kind != "rest") {
        errors.push_back("erp.kind: must be tryton or rest");
      }
      ec.endpoint.quota.max_in_flight = 2;  // Tryton on SQLite takes one writer at a time
      ec.endpoint.timeout = std::chrono::milliseconds(30'000);
      ReadEndpoint(e, "erp", ec.endpoint, errors);
      ec.endpoint.id = "erp";
      e.Read("user", ec.user);
      if (YAML::Node create = e.Get("create_products")) {
        Map cp(create, "erp.create_products", errors);
        cp.Require("category");
        cp.Read("category", ec.catalog.product_category);
        cp.Read("uom", ec.catalog.product_uom);
        cp.Read("channels", ec.catalog.channels);
        if (ec.kind != "tryton") errors.push_back("erp.create_products: only for kind tryton");
      }
      e.Read("password", ec.password);
      if (!ec.password.empty()) InlineSecret(src, e.Path("password"), errors);
      std::string password_file;
      e.Read("password_file", password_file);
      if (!password_file.empty())
        ec.password = ReadSecretFile(base_dir, password_file, e.Path("password_file"), errors);
      if (auto ext = ExternalSecret("erp.password", errors)) {
        ec.password = ext->empty() ? "" : ext->front();
      }
      e.Read("api_key", ec.api_key);
      if (!ec.api_key.empty()) InlineSecret(src, e.Path("api_key"), errors);
      std::string key_file;
      e.Read("api_key_file", key_file);
      if (!key_file.empty())
        ec.api_key = ReadSecretFile(base_dir, key_file, e.Path("api_key_file"), errors);
      if (auto ext = ExternalSecret("erp.api_key", errors)) {
        ec.api_key = ext->empty() ? "" : ext->front();
      }
      if (ec.kind == "tryton" && (ec.user.empty() || ec.password.empty())) {
        errors.push_back("erp: tryton needs user and password (or password_file)");
      }
      ec.policy.price_tolerance_percent =
          e.ReadDecimal("price_tolerance_percent", "must be a decimal number, at least 0", true)
              .value_or(Decimal());
      e.Read("hold_over_credit", ec.policy.hold_over_credit);
      int64_t hold_timeout_s = 0;
      e.Read("hold_timeout_s", hold_timeout_s);
      if (hold_timeout_s < 0) errors.push_back("erp.hold_timeout_s: must not be negative");
      ec.policy.hold_timeout = std::chrono::seconds(hold_timeout_s);
      e.Read("poll_interval_s", ec.poll_interval_s);
      e.Read("poll_overlap_s", ec.poll_overlap_s);
      e.Read("reconcile_every_minutes", ec.reconcile_every_minutes);
      e.Read("reconcile_window_days", ec.reconcile_window_days);
      e.Read("reconcile_grace_minutes", ec.reconcile_grace_minutes);
      ec.reconcile_tolerance =
          e.ReadDecimal("reconcile_tolerance", "must be a decimal amount, at least 0", true)
              .value_or(Decimal());
      if (ec.reconcile_every_minutes < 0 || ec.reconcile_window_days < 1 ||
          ec.reconcile_grace_minutes < 0) {
        errors.push_back(
            "erp.reconcile_every_minutes, reconcile_grace_minutes: must not be negative; "
            "erp.reconcile_window_days: at least 1");
      }
      if (ec.poll_interval_s < 0 || ec.poll_overlap_s < 0) {
        errors.push_back("erp.poll_interval_s, erp.poll_overlap_s: must not be negative");
      }
      ec.policy.destination = "erp";
    }
    if (YAML::Node channels = m.Get("channels")) {
      if (!channels.IsSequence()) errors.push_back("channels: must be a list");
      for (size_t i = 0; channels.IsSequence() && i < channels.size(); ++i) {
        Map ch(channels[i], "channels[" + std::to_string(i) + "]", errors);
        ChannelFeed feed;
        ch.Require("id");
        ch.Read("id", feed.channel);
        ch.Read("nodes", feed.nodes);
        ch.Read("safety_stock", feed.safety_stock);
        if (feed.safety_stock < 0)
          errors.push_back(ch.Path("safety_stock") + ": must not be negative");
        if (ch.Get("backorder")) {
          bool backorder = false;
          ch.Read("backorder", backorder);
          feed.backorder = backorder;
        }
        ch.Read("buffer_percent", feed.buffer_percent);
        if (feed.buffer_percent < 0 || feed.buffer_percent > 100)
          errors.push_back(ch.Path("buffer_percent") + ": must be 0 to 100");
        if (YAML::Node pub = ch.Get("publish")) {
          Map pm(pub, ch.Path("publish"), errors);
          pm.Require("url");
          pm.Read("url", feed.url);
          if (!feed.url.empty() && !ParseHttpUrl(feed.url).ok()) {
            errors.push_back(pm.Path("url") + ": must be http://host:port/path");
          }
          pm.Read("api_key", feed.api_key);
          if (!feed.api_key.empty()) InlineSecret(src, pm.Path("api_key"), errors);
          pm.Read("burst", feed.burst);
          pm.Read("per_second", feed.per_second);
          pm.Read("resync_minutes", feed.resync_minutes);
          if (feed.resync_minutes < 0)
            errors.push_back(pm.Path("resync_minutes") + ": must not be negative");
          if (feed.burst < 1 || feed.per_second <= 0) {
            errors.push_back(pm.Path("burst") + ": burst must be at least 1, per_second above 0");
          }
        }
        for (const auto& other : c.channels) {
          if (other.channel == feed.channel)
            errors.push_back(ch.Path("id") + ": '" + feed.channel + "' again");
        }
        c.channels.push_back(std::move(feed));
      }
    }
    if (YAML::Node subs = m.Get("subscribers")) {
      if (!subs.IsSequence()) errors.push_back("subscribers: must be a list");
      for (size_t i = 0; subs.IsSequence() && i < subs.size(); ++i) {
        std::string path = "subscribers[" + std::to_string(i) + "]";
        Map s(subs[i], path, errors);
        SubscriberConfig sc;
        s.Require("id");
        s.Read("id", sc.id);
        ReadEndpoint(s, path, sc.endpoint, errors);
        s.Read("secret", sc.secret);
        if (!sc.secret.empty()) InlineSecret(src, s.Path("secret"), errors);
        std::string secret_file;
        s.Read("secret_file", secret_file);
        if (!secret_file.empty())
          sc.secret = ReadSecretFile(base_dir, secret_file, s.Path("secret_file"), errors);
        if (auto ext = ExternalSecret("subscriber." + sc.id + ".secret", errors)) {
          sc.secret = ext->empty() ? "" : ext->front();
        }
        if (!DecodeWebhookSecret(sc.secret).ok()) {
          errors.push_back(path + ".secret: must be whsec_ + base64 of at least 16 bytes");
        }
        sc.endpoint.id = "webhook:" + sc.id;
        c.subscribers.push_back(std::move(sc));
      }
    }
  }
  if (!errors.empty()) {
    std::string msg = "invalid configuration:";
    for (const auto& e : errors) msg += "\n  " + e;
    return InvalidArgument(msg);
  }
  return c;
}

}  // namespace

namespace {

bool WorldReadable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0;
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path) {
  auto text = ReadText(path);
  if (!text.ok()) return text.status();
  std::string base_dir = fs::path(path).parent_path().string();
  auto c = ParseConfig(*text, base_dir, WorldReadable(path));
  if (!c.ok()) return Status(c.status().code(), path + ": " + c.status().message());
  if (c->partners_dir.empty()) return c;
  // One YAML file per partner, in name order; each is checked like the main file.
  fs::path dir = c->partners_dir;
  if (dir.is_relative()) dir = fs::path(base_dir) / dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return InvalidArgument(path + ": partners_dir: " + dir.string() + " is not a folder");
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> errors;
  for (const auto& f : files) {
    auto partner_text = ReadText(f.string());
    if (!partner_text.ok()) return partner_text.status();
    Source src{dir.string(), f.string(), WorldReadable(f.string())};
    try {
      YAML::Node node = YAML::Load(*partner_text);
      c->partners.push_back(
          ReadPartner(node, f.filename().string(), f.stem().string(), src, errors));
    } catch (const YAML::Exception& e) {
      errors.push_back(f.string() + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                       std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
  }
  if (!errors.empty()) {
    std::string msg = "invalid partner files:";
    for (const auto& e : errors) msg += "\n  " + e;
    return InvalidArgument(msg);
  }
  return c;
}

Status ApplyEnvironment(Config& c) {
  if (const char* v = std::getenv("CROSSDOCK_LISTEN"); v && *v) c.listen = v;
  if (const char* v = std::getenv("CROSSDOCK_DATA_DIR"); v && *v) c.data_dir = v;
  if (const char* v = std::getenv("CROSSDOCK_LOG_LEVEL"); v && *v) {
    auto s = ParseSeverity(v);
    if (!s.ok()) return InvalidArgument("CROSSDOCK_LOG_LEVEL: " + s.status().message());
    c.log_level = *s;
  }
  return Status::Ok();
}

OrderPolicy OrderPolicyOf(const Config& config) {
  OrderPolicy policy;
  policy.routing = config.routing;
  policy.erp = config.erp.policy;
  policy.returns = config.returns;
  policy.fraud_rules = config.fraud_rules;
  // A node's SLA is its partner's (a 3PL partner and its node share the id).
  for (const auto& p : config.partners) {
    if (p.sla.dispatch_ack_minutes > 0 || p.sla.ship_hours > 0) {
      policy.slas[p.id] = {std::chrono::minutes(p.sla.dispatch_ack_minutes),
                           std::chrono::hours(p.sla.ship_hours)};
    }
  }
  // Each configured channel's stock policy governs its allocations as it does its figures.
  auto nodes = ChannelNodesOf(config);
  for (const auto& ch : config.channels) {
    auto it = nodes.find(ch.channel);
    if (it == nodes.end()) it = nodes.find("");
    policy.routing.channels[ch.channel] = {
        it == nodes.end() ? std::vector<std::string>{} : it->second, ch.safety_stock, ch.backorder};
  }
  // An X12 node's 997 is its acknowledgment: x12.ack_timeout_s bounds the wait for it.
  for (const auto& n : config.nodes) {
    if (n.kind == "x12" && n.x12.ack_timeout_s > 0) {
      policy.slas[n.id].dispatch_ack = std::chrono::seconds(n.x12.ack_timeout_s);
    }
  }
  return policy;
}

std::map<std::string, std::vector<std::string>> ChannelNodesOf(const Config& config) {
  std::map<std::string, std::vector<std::string>> out;
  std::set<std::string> channels = {""};
  for (const auto& rule : config.routing.rules) channels.insert(rule.channel);
  for (const auto& ch : config.channels) channels.insert(ch.channel);
  for (const auto& channel : channels) {
    auto& nodes = out[channel];
    auto add = [&](const std::string& node) {
      if (!node.empty() && std::find(nodes.begin(), nodes.end(), node) == nodes.end())
        nodes.push_back(node);
    };
    for (const auto& rule : config.routing.rules) {
      if (!rule.channel.empty() && rule.channel != channel) continue;
      add(rule.node);
      for (const auto& n : rule.nodes) add(n);
    }
    add(config.routing.default_node);
  }
  for (const auto& ch : config.channels) {
    if (!ch.nodes.empty()) out[ch.channel] = ch.nodes;
  }
  return out;
}

const PartnerConfig* FindPartner(const Config& config, const std::string& id) {
  for (const auto& p : config.partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string StorePathOf(const Config& config) {
  return (std::filesystem::path(config.data_dir) / "crossdock.db").string();
}

FinancialReconciliation FinancialJobOf(const Config& config) {
  FinancialReconciliation job;
  job.window = std::chrono::hours(24 * config.erp.reconcile_window_days);
  job.grace = std::chrono::minutes(config.erp.reconcile_grace_minutes);
  job.tolerance = config.erp.reconcile_tolerance;
  return job;
}

Status ValidateConfig(const Config& c) {
  std::vector<std::string> errors;
  if (auto addr = ParseListenAddress(c.listen); !addr.ok()) {
    errors.push_back("listen: " + addr.status().message());
  }
  if (c.partners.empty())
    errors.push_back("partners: at least one partner is needed to submit orders");
  std::set<std::string> ids, keys;
  for (const auto& p : c.partners) {
    if (p.id.empty()) errors.push_back("partners: an id is empty");
    if (p.api_keys.empty() && !p.webhooks)
      errors.push_back("partners: '" + p.id + "' has no API key and no webhooks");
    for (const auto& entry : p.shopify_inventory.locations) {
      const std::string& node = entry.second;
      if (!std::any_of(c.nodes.begin(), c.nodes.end(), [&](auto& n) { return n.id == node; }))
        errors.push_back("partners: '" + p.id + "' shopify_inventory.locations." + entry.first +
                         " names no node '" + node + "'");
    }
    if (!ids.insert(p.id).second) errors.push_back("partners: duplicate id '" + p.id + "'");
    for (const auto& k : p.api_keys) {
      if (k.empty()) errors.push_back("partners: '" + p.id + "' has an empty API key");
      // The key itself is never printed.
      if (!keys.insert(k).second)
        errors.push_back("partners: '" + p.id + "' shares an API key with another partner");
    }
  }
  // Secret names map to environment variables with '-', '_' and '.' all as '_': two ids that
  // map alike would read each other's secrets.
  std::map<std::string, std::string> env_names;
  std::map<std::string, std::string> channel_owner;
  for (const auto& p : c.partners) {
    auto [it, fresh] = env_names.emplace(SecretEnvName(p.id), p.id);
    if (!fresh && it->second != p.id) {
      errors.push_back("partners: '" + p.id + "' and '" + it->second +
                       "' differ only in '-', '_' or '.', so their secret variables collide");
    }
    for (const auto& ch : p.channels) {
      auto [owner, first] = channel_owner.emplace(ch, p.id);
      if (!first && owner->second != p.id) {
        errors.push_back("partners: channel '" + ch + "' is claimed by both '" + owner->second +
                         "' and '" + p.id + "'");
      }
    }
  }
  std::set<std::string> subscriber_ids;
  for (const auto& s : c.subscribers) {
    if (s.id.empty()) errors.push_back("subscribers: an id is empty");
    if (!subscriber_ids.insert(s.id).second)
      errors.push_back("subscribers: duplicate id '" + s.id + "'");
  }
  std::set<std::string> nodes;
  for (const auto& n : c.nodes) {
    if (n.id.empty()) errors.push_back("nodes: an id is empty");
    if (n.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
      errors.push_back("nodes: id '" + n.id + "': use lower-case letters, digits, '-', '_', '.'");
    }
    if (!nodes.insert(n.id).second) errors.push_back("nodes: duplicate id '" + n.id + "'");
    if (n.kind == "x12") {
      for (const auto& other : c.nodes) {
        if (&other != &n && other.kind == "x12" && other.x12.folder == n.x12.folder) {
          errors.push_back("nodes: '" + n.id + "' and '" + other.id + "' share x12.folder " +
                           n.x12.folder + "; each partner needs its own");
          break;
        }
      }
    }
    if (n.snapshots) {
      for (const auto& other : c.nodes) {
        bool x12 = other.kind == "x12" && other.x12.folder == n.snapshots->folder;
        bool snap =
            &other != &n && other.snapshots && other.snapshots->folder == n.snapshots->folder;
        if (x12 || snap) {
          errors.push_back("nodes: '" + n.id + "' snapshots.folder " + n.snapshots->folder +
                           " is also " + (x12 ? "the x12.folder" : "the snapshots.folder") +
                           " of '" + other.id + "'; each needs its own");
          break;
        }
      }
    }
    if (n.kind == "tryton" && c.erp.kind != "tryton") {
      errors.push_back("nodes: '" + n.id + "' is of kind tryton, which needs erp.kind tryton");
    } else if (n.kind == "tryton" && c.erp.poll_interval_s <= 0) {
      errors.push_back("nodes: '" + n.id +
                       "' is of kind tryton, whose progress needs erp.poll_interval_s > 0");
    }
  }
  for (const auto& ch : c.channels) {
    for (const auto& n : ch.nodes) {
      if (!nodes.count(n))
        errors.push_back("channels: '" + ch.channel + "' names no node '" + n + "'");
    }
    if (ch.backorder.value_or(false) && !c.routing.require_stock) {
      errors.push_back("channels: '" + ch.channel + "' backorder needs routing.require_stock");
    }
  }
  if (!c.routing.default_node.empty() && !nodes.count(c.routing.default_node)) {
    errors.push_back("routing.default_node: no node '" + c.routing.default_node + "'");
  }
  for (const auto& r : c.routing.rules) {
    if (!r.node.empty() && !nodes.count(r.node))
      errors.push_back("routing.rules: no node '" + r.node + "'");
    for (const auto& n : r.nodes) {
      if (!nodes.count(n)) errors.push_back("routing.rules: no node '" + n + "'");
    }
  }
  if (c.synchronous != "FULL" && c.synchronous != "EXTRA" && c.synchronous != "NORMAL" &&
      c.synchronous != "OFF") {
    errors.push_back("store.synchronous: must be FULL, EXTRA, NORMAL or OFF");
  }
  if (c.http_threads < 1) errors.push_back("http.threads: must be at least 1");
  if (c.delivery_workers < 1) errors.push_back("delivery.workers: must be at least 1");
  if (errors.empty()) return Status::Ok();
  std::string msg = "invalid configuration:";
  for (const auto& e : errors) msg += "\n  " + e;
  return InvalidArgument(msg);
}

std::string Config::Redacted() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << listen;
  out << YAML::Key << "data_dir" << YAML::Value << data_dir;
  out << YAML::Key << "http" << YAML::Value << YAML::BeginMap << YAML::Key << "threads"
      << YAML::Value << http_threads << YAML::Key << "body_limit_bytes" << YAML::Value
      << body_limit_bytes << YAML::Key << "read_timeout_s" << YAML::Value << read_timeout_s
      << YAML::Key << "idle_timeout_s" << YAML::Value << idle_timeout_s << YAML::Key
      << "max_connections" << YAML::Value << max_connections << YAML::EndMap;
  out << YAML::Key << "store" << YAML::Value << YAML::BeginMap << YAML::Key << "synchronous"
      << YAML::Value << synchronous << YAML::EndMap;
  out << YAML::Key << "delivery" << YAML::Value << YAML::BeginMap << YAML::Key << "workers"
      << YAML::Value << delivery_workers << YAML::Key << "enabled" << YAML::Value
      << delivery_enabled << YAML::EndMap;
  if (!partners_dir.empty()) out << YAML::Key << "partners_dir" << YAML::Value << partners_dir;
  out << YAML::Key << "partners" << YAML::Value << YAML::BeginSeq;
  for (const auto& p : partners) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << p.id << YAML::Key << "kind"
        << YAML::Value << std::string(PartnerKindName(p.kind));
    if (!p.source.empty()) out << YAML::Key << "source" << YAML::Value << p.source;
    if (!p.channel.empty()) out << YAML::Key << "channel" << YAML::Value << p.channel;
    if (!p.channels.empty()) {
      out << YAML::Key << "channels" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& ch : p.channels) out << ch;
      out << YAML::EndSeq;
    }
    std::set<std::string> scopes = p.scopes.empty() ? DefaultScopes(p.kind) : p.scopes;
    out << YAML::Key << "scopes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& sc : scopes) out << sc;
    out << YAML::EndSeq;
    out << YAML::Key << "api_keys" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (size_t i = 0; i < p.api_keys.size(); ++i) out << "<redacted>";
    out << YAML::EndSeq;
    if (p.quota.per_second > 0) {
      out << YAML::Key << "quota" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
          << "per_second" << YAML::Value << p.quota.per_second << YAML::Key << "burst"
          << YAML::Value << p.quota.burst << YAML::EndMap;
    }
    if (p.limits.max_body_bytes || p.limits.max_order_lines) {
      out << YAML::Key << "limits" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
          << "max_body_bytes" << YAML::Value << p.limits.max_body_bytes << YAML::Key
          << "max_order_lines" << YAML::Value << p.limits.max_order_lines << YAML::EndMap;
    }
    if (p.sla.dispatch_ack_minutes || p.sla.ship_hours) {
      out << YAML::Key << "sla" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
          << "dispatch_ack_minutes" << YAML::Value << p.sla.dispatch_ack_minutes << YAML::Key
          << "ship_hours" << YAML::Value << p.sla.ship_hours << YAML::EndMap;
    }
    if (p.webhooks) {
      out << YAML::Key << "webhooks" << YAML::Value << YAML::BeginMap << YAML::Key << "scheme"
          << YAML::Value << std::string(WebhookSchemeName(p.webhooks->scheme)) << YAML::Key
          << "tolerance_seconds" << YAML::Value
          << static_cast<int64_t>(p.webhooks->tolerance.count()) << YAML::Key << "secrets"
          << YAML::Value << YAML::BeginSeq;
      for (const auto& secret : p.webhooks->secrets) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "value" << YAML::Value << "<redacted>";
        if (secret.not_after) {
          out << YAML::Key << "not_after" << YAML::Value << FormatRfc3339(*secret.not_after);
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
  for (const auto& n : nodes) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << n.id << YAML::Key << "kind"
        << YAML::Value << n.kind;
    if (n.kind == "tryton") out << YAML::Key << "warehouse" << YAML::Value << n.warehouse;
    if (n.kind == "x12") {
      out << YAML::Key << "x12" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
          << "folder" << YAML::Value << n.x12.folder << YAML::Key << "receiver" << YAML::Value
          << n.x12.profile.receiver.qualifier + ":" + n.x12.profile.receiver.id << YAML::Key
          << "ack_timeout_s" << YAML::Value << n.x12.ack_timeout_s << YAML::EndMap;
    }
    out << YAML::Key << "url" << YAML::Value << n.endpoint.url << YAML::Key << "timeout_ms"
        << YAML::Value << n.endpoint.timeout.count() << YAML::Key << "api_key" << YAML::Value
        << (n.api_key.empty() ? "" : "<redacted>") << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "routing" << YAML::Value << YAML::BeginMap << YAML::Key << "default_node"
      << YAML::Value << routing.default_node << YAML::Key << "rules" << YAML::Value
      << YAML::BeginSeq;
  for (const auto& r : routing.rules) {
    out << YAML::BeginMap << YAML::Key << "channel" << YAML::Value << r.channel << YAML::Key
        << "country" << YAML::Value << r.ship_to_country << YAML::Key << "region" << YAML::Value
        << r.ship_to_region << YAML::Key << "service_level" << YAML::Value << r.service_level;
    if (!r.node.empty()) out << YAML::Key << "node" << YAML::Value << r.node;
    if (!r.nodes.empty()) {
      out << YAML::Key << "nodes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& n : r.nodes) out << n;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::Key << "require_stock" << YAML::Value << routing.require_stock
      << YAML::Key << "skip_unhealthy" << YAML::Value << routing.skip_unhealthy << YAML::Key
      << "backorder" << YAML::Value << routing.backorder << YAML::Key << "allow_split"
      << YAML::Value << routing.allow_split << YAML::EndMap;
  if (!erp.kind.empty()) {
    out << YAML::Key << "erp" << YAML::Value << YAML::BeginMap << YAML::Key << "kind" << YAML::Value
        << erp.kind << YAML::Key << "url" << YAML::Value << erp.endpoint.url;
    if (!erp.user.empty()) out << YAML::Key << "user" << YAML::Value << erp.user;
    if (!erp.catalog.product_category.empty()) {
      out << YAML::Key << "create_products" << YAML::Value << YAML::BeginMap << YAML::Key
          << "category" << YAML::Value << erp.catalog.product_category << YAML::Key << "uom"
          << YAML::Value << erp.catalog.product_uom << YAML::Key << "channels" << YAML::Value
          << YAML::Flow << erp.catalog.channels << YAML::EndMap;
    }
    if (!erp.password.empty()) out << YAML::Key << "password" << YAML::Value << "<redacted>";
    if (!erp.api_key.empty()) out << YAML::Key << "api_key" << YAML::Value << "<redacted>";
    out << YAML::Key << "price_tolerance_percent" << YAML::Value
        << erp.policy.price_tolerance_percent.ToString() << YAML::Key << "hold_over_credit"
        << YAML::Value << erp.policy.hold_over_credit << YAML::Key << "hold_timeout_s"
        << YAML::Value
        << std::chrono::duration_cast<std::chrono::seconds>(erp.policy.hold_timeout).count()
        << YAML::EndMap;
  }
  out << YAML::Key << "subscribers" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : subscribers) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << s.id << YAML::Key << "url"
        << YAML::Value << s.endpoint.url << YAML::Key << "secret" << YAML::Value << "<redacted>"
        << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace crossdock
