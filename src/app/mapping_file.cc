#include "app/mapping_file.h"

namespace crossdock {

namespace {

class Loader {
 public:
  Loader(const JsonOrderMapping& m, std::vector<std::string>& errors) : m_(m), errors_(errors) {}

  MappingExpr Expr(const YAML::Node& y, const std::string& where) {
    MappingExpr e;
    if (y.IsScalar()) {
      std::string text = y.as<std::string>();
      if (text.empty() || text[0] != '/') {
        errors_.push_back(where + ": '" + text +
                          "' is not a JSON pointer (/…); a fixed value is {const: …}");
      }
      e.pointer = text;
      return e;
    }
    if (!y.IsMap()) {
      errors_.push_back(where +
                        ": a JSON pointer or a map (pointer, const, concat, default, "
                        "lookup, transform)");
      return e;
    }
    int kinds = 0;
    for (const auto& kv : y) {
      std::string key = kv.first.as<std::string>();
      std::string at = where + "." + key;
      if (key == "pointer") {
        ++kinds;
        e.kind = MappingExpr::Kind::kPointer;
        e.pointer = kv.second.as<std::string>("");
        if (e.pointer.empty() || e.pointer[0] != '/')
          errors_.push_back(at + ": a JSON pointer starts with /");
      } else if (key == "const") {
        ++kinds;
        e.kind = MappingExpr::Kind::kConst;
        e.value = kv.second.as<std::string>("");
      } else if (key == "concat") {
        ++kinds;
        e.kind = MappingExpr::Kind::kConcat;
        if (!kv.second.IsSequence() || kv.second.size() == 0) {
          errors_.push_back(at + ": a list of pointers (/…) and text");
          continue;
        }
        for (size_t i = 0; i < kv.second.size(); ++i) {
          const YAML::Node& part = kv.second[i];
          if (part.IsScalar()) {
            std::string text = part.as<std::string>();
            MappingExpr p;
            if (!text.empty() && text[0] == '/') {
              p.pointer = text;
            } else {
              p.kind = MappingExpr::Kind::kConst;
              p.value = text;
            }
            e.parts.push_back(std::move(p));
          } else {
            e.parts.push_back(Expr(part, at + "[" + std::to_string(i) + "]"));
          }
        }
      } else if (key == "default") {
        e.fallback = kv.second.as<std::string>("");
      } else if (key == "lookup") {
        e.lookup = kv.second.as<std::string>("");
        if (!m_.lookups.count(e.lookup)) errors_.push_back(at + ": no lookup '" + e.lookup + "'");
      } else if (key == "transform") {
        e.transform = kv.second.as<std::string>("");
        if (e.transform != "upper" && e.transform != "lower" && e.transform != "trim")
          errors_.push_back(at + ": upper, lower or trim");
      } else {
        errors_.push_back(at +
                          ": unknown key (pointer, const, concat, default, lookup, "
                          "transform)");
      }
    }
    if (kinds != 1) errors_.push_back(where + ": exactly one of pointer, const and concat");
    return e;
  }

 private:
  const JsonOrderMapping& m_;
  std::vector<std::string>& errors_;
};

}  // namespace

Result<JsonOrderMapping> JsonOrderMappingOf(const YAML::Node& y, const std::string& where) {
  JsonOrderMapping m;
  std::vector<std::string> errors;
  try {
    if (!y.IsMap()) return InvalidArgument(where + ": a mapping is a YAML map");
    for (const auto& kv : y) {
      std::string key = kv.first.as<std::string>();
      if (key != "channel" && key != "lookups" && key != "order" && key != "lines")
        errors.push_back(where + ": " + key + ": unknown key (channel, lookups, order, lines)");
    }
    m.channel = y["channel"].as<std::string>("");
    if (m.channel.empty()) errors.push_back(where + ": channel: is required");
    if (const YAML::Node lookups = y["lookups"]) {
      for (const auto& table : lookups) {
        auto& t = m.lookups[table.first.as<std::string>()];
        if (!table.second.IsMap()) {
          errors.push_back(where + ": lookups." + table.first.as<std::string>() +
                           ": a map of partner values to canonical ones");
          continue;
        }
        for (const auto& entry : table.second)
          t[entry.first.as<std::string>()] = entry.second.as<std::string>("");
      }
    }
    Loader load(m, errors);
    const YAML::Node order = y["order"];
    if (!order || !order.IsMap()) errors.push_back(where + ": order: a map of canonical fields");
    for (const auto& kv : order) {
      std::string field = kv.first.as<std::string>();
      std::string at = where + ": order." + field;
      if (std::string why = CheckMappableField(field, false); !why.empty()) {
        errors.push_back(at + ": " + why);
        continue;
      }
      m.fields[field] = load.Expr(kv.second, at);
    }
    const YAML::Node lines = y["lines"];
    if (!lines || !lines.IsMap()) {
      errors.push_back(where + ": lines: a map with each and the line fields");
    } else {
      for (const auto& kv : lines) {
        std::string field = kv.first.as<std::string>();
        std::string at = where + ": lines." + field;
        if (field == "each") {
          m.lines = kv.second.as<std::string>("");
          if (m.lines.empty() || m.lines[0] != '/')
            errors.push_back(at + ": the JSON pointer of the array of line items");
          continue;
        }
        if (std::string why = CheckMappableField(field, true); !why.empty()) {
          errors.push_back(at + ": " + why);
          continue;
        }
        m.line_fields[field] = load.Expr(kv.second, at);
      }
      if (m.lines.empty() && !lines["each"]) errors.push_back(where + ": lines.each: is required");
      for (const char* f : {"sku", "quantity"}) {
        if (!m.line_fields.count(f)) errors.push_back(where + ": lines." + f + ": is required");
      }
    }
    if (!m.fields.count("external_ref"))
      errors.push_back(where + ": order.external_ref: is required");
  } catch (const YAML::Exception& e) {
    errors.push_back(where + ": " + e.what());
  }
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    return InvalidArgument(all);
  }
  return m;
}

Result<JsonOrderMapping> LoadJsonOrderMapping(const std::string& path) {
  try {
    return JsonOrderMappingOf(YAML::LoadFile(path), path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
}

}  // namespace crossdock
