#include "codecs/csv.h"

#include <map>
#include <optional>

namespace crossdock {

std::string CsvError::ToString() const {
  std::string out = "line " + std::to_string(line);
  if (column > 0) {
    out += ", column " + std::to_string(column);
    if (!column_name.empty()) out += " (" + column_name + ")";
  }
  return out + ": " + message;
}

CsvTable ParseCsv(std::string_view text, char delimiter, size_t max_records) {
  CsvTable t;
  size_t i = 0;
  int line = 1;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // byte order mark
  while (i < text.size()) {
    std::vector<std::string> record;
    int start_line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
            } else {
              closed = true;
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (!closed) {
          t.errors.push_back({start_line, static_cast<int>(record.size() + 1), "",
                              "a quoted field is never closed"});
          return t;
        }
        if (i < text.size() && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
          t.errors.push_back(
              {line, static_cast<int>(record.size() + 1), "", "text after a closing quote"});
          while (i < text.size() && text[i] != delimiter && text[i] != '\n') ++i;
        }
      } else {
        while (i < text.size() && text[i] != delimiter && text[i] != '\n') field += text[i++];
        if (!field.empty() && field.back() == '\r' && (i >= text.size() || text[i] == '\n')) {
          field.pop_back();
        }
      }
      record.push_back(std::move(field));
      if (i < text.size() && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (i >= text.size() || text[i] == '\n') {
        end_of_record = true;
        if (i < text.size()) ++line;
      }
      ++i;
    }
    // A blank line is no record.
    if (record.size() == 1 && record[0].empty()) continue;
    if (t.records.size() >= max_records) {
      t.errors.push_back(
          {start_line, 0, "", "more than " + std::to_string(max_records) + " records"});
      return t;
    }
    t.records.push_back(std::move(record));
    t.lines.push_back(start_line);
  }
  return t;
}

CsvInventory DecodeCsvInventory(std::string_view text, const CsvInventoryMapping& m,
                                TimePoint default_as_of) {
  CsvInventory out;
  CsvTable t = ParseCsv(text, m.delimiter);
  out.errors = t.errors;
  if (!out.errors.empty()) return out;
  if (t.records.empty()) {
    out.errors.push_back({1, 0, "", "no header row"});
    return out;
  }
  const auto& header = t.records[0];
  std::map<std::string, size_t> index;
  for (size_t c = 0; c < header.size(); ++c) index.emplace(header[c], c);
  auto column = [&](const std::string& name, bool required) -> std::optional<size_t> {
    if (name.empty()) return std::nullopt;
    auto it = index.find(name);
    if (it == index.end()) {
      if (required || !name.empty()) {
        out.errors.push_back({t.lines[0], 0, name, "the header has no column '" + name + "'"});
      }
      return std::nullopt;
    }
    return it->second;
  };
  auto sku = column(m.sku, true), qty = column(m.on_hand, true);
  auto as_of = column(m.as_of, false), node = column(m.node, false);
  if (!out.errors.empty()) return out;
  for (size_t r = 1; r < t.records.size(); ++r) {
    const auto& rec = t.records[r];
    int line = t.lines[r];
    auto cell = [&](size_t c) -> const std::string* { return c < rec.size() ? &rec[c] : nullptr; };
    auto fail = [&](size_t c, std::string message) {
      out.errors.push_back({line, static_cast<int>(c + 1), header[c], std::move(message)});
    };
    InventoryCount count;
    count.as_of = default_as_of;
    const std::string* s = cell(*sku);
    if (!s || s->empty()) {
      fail(*sku, "is empty");
      continue;
    }
    if (s->size() > 64) fail(*sku, "is longer than 64 bytes");
    count.sku = *s;
    const std::string* q = cell(*qty);
    std::string digits = q ? *q : "";
    if (auto dot = digits.find('.');
        dot != std::string::npos && digits.find_first_not_of('0', dot + 1) == std::string::npos) {
      digits.resize(dot);  // "12.000"
    }
    bool negative = !digits.empty() && digits[0] == '-';
    std::string_view magnitude = std::string_view(digits).substr(negative ? 1 : 0);
    if (magnitude.empty() || magnitude.size() > 12 ||
        magnitude.find_first_not_of("0123456789") != std::string_view::npos) {
      fail(*qty, "'" + (q ? *q : std::string()) + "' is not a whole number");
      continue;
    }
    count.on_hand = std::stoll(digits);
    if (as_of) {
      const std::string* a = cell(*as_of);
      auto when = a ? ParseRfc3339(*a) : Result<TimePoint>(InvalidArgument("missing"));
      if (!when.ok()) {
        fail(*as_of, "is not an RFC 3339 date-time");
        continue;
      }
      count.as_of = *when;
    }
    if (node) {
      const std::string* n = cell(*node);
      count.node = n ? *n : "";
    }
    out.counts.push_back(std::move(count));
  }
  if (!out.errors.empty()) out.counts.clear();
  return out;
}

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace crossdock
