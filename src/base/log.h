// Structured logging: one JSON object per line (timestamp, severity, message, trace_id,
// span_id, partner, order_id, extra fields), written through spdlog to stdout by default.
// Thread-safe. Never pass secrets as fields.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/clock.h"

namespace crossdock {

enum class Severity { kDebug = 0, kInfo, kWarning, kError };

using LogField = std::pair<std::string_view, std::string_view>;

class Logger {
 public:
  // Writes to stdout.
  static std::unique_ptr<Logger> Stdout(const Clock& clock, Severity min_severity);
  // Writes to a file (appending), for demos and tests that keep the terminal clean.
  static std::unique_ptr<Logger> File(const Clock& clock, const std::string& path,
                                      Severity min_severity);
  // Discards everything.
  static std::unique_ptr<Logger> Null();

  virtual ~Logger() = default;
  virtual void Write(Severity severity, std::string_view message,
                     std::initializer_list<LogField> fields) = 0;
  void Debug(std::string_view m, std::initializer_list<LogField> f = {}) {
    Write(Severity::kDebug, m, f);
  }
  void Info(std::string_view m, std::initializer_list<LogField> f = {}) {
    Write(Severity::kInfo, m, f);
  }
  void Warn(std::string_view m, std::initializer_list<LogField> f = {}) {
    Write(Severity::kWarning, m, f);
  }
  void Error(std::string_view m, std::initializer_list<LogField> f = {}) {
    Write(Severity::kError, m, f);
  }
};

// Renders one log line (without newline). Pure; used by the loggers and their tests.
std::string FormatLogLine(TimePoint at, Severity severity, std::string_view message,
                          std::initializer_list<LogField> fields);

Result<Severity> ParseSeverity(std::string_view name);

}  // namespace crossdock
