#include "base/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/json.h"

namespace crossdock {

namespace {
std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

class SpdLogger final : public Logger {
 public:
  SpdLogger(const Clock& clock, std::shared_ptr<spdlog::sinks::sink> sink, Severity min)
      : clock_(clock), logger_("crossdock", std::move(sink)), min_(min) {
    logger_.set_pattern("%v");
    logger_.set_level(spdlog::level::trace);  // filtered by min_ above
    logger_.flush_on(spdlog::level::warn);
  }
  void Write(Severity severity, std::string_view message,
             std::initializer_list<LogField> fields) override {
    if (severity < min_) return;
    // The record's own level, so warnings and errors are flushed at once (flush_on).
    spdlog::level::level_enum level = severity == Severity::kError     ? spdlog::level::err
                                      : severity == Severity::kWarning ? spdlog::level::warn
                                      : severity == Severity::kDebug   ? spdlog::level::debug
                                                                       : spdlog::level::info;
    logger_.log(level, FormatLogLine(clock_.Now(), severity, message, fields));
  }

 private:
  const Clock& clock_;
  spdlog::logger logger_;
  Severity min_;
};

class NullLogger final : public Logger {
 public:
  void Write(Severity, std::string_view, std::initializer_list<LogField>) override {}
};
}  // namespace

std::string FormatLogLine(TimePoint at, Severity severity, std::string_view message,
                          std::initializer_list<LogField> fields) {
  JsonWriter w;
  w.StartObject();
  w.Field("timestamp", FormatRfc3339(at));
  w.Field("severity", SeverityName(severity));
  w.Field("message", message);
  for (const auto& [k, v] : fields) {
    if (!v.empty()) w.Field(k, v);
  }
  w.EndObject();
  return w.Take();
}

std::unique_ptr<Logger> Logger::Stdout(const Clock& clock, Severity min) {
  return std::make_unique<SpdLogger>(clock, std::make_shared<spdlog::sinks::stdout_sink_mt>(), min);
}

std::unique_ptr<Logger> Logger::File(const Clock& clock, const std::string& path, Severity min) {
  return std::make_unique<SpdLogger>(
      clock, std::make_shared<spdlog::sinks::basic_file_sink_mt>(path), min);
}

std::unique_ptr<Logger> Logger::Null() {
  return std::make_unique<NullLogger>();
}

Result<Severity> ParseSeverity(std::string_view name) {
  if (name == "debug") return Severity::kDebug;
  if (name == "info") return Severity::kInfo;
  if (name == "warning" || name == "warn") return Severity::kWarning;
  if (name == "error") return Severity::kError;
  return InvalidArgument("unknown log level '" + std::string(name) +
                         "' (debug, info, warning, error)");
}

}  // namespace crossdock
