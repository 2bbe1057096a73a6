#include "app/x12_cli.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/input_file.h"
#include "base/json.h"
#include "codecs/x12.h"
#include "codecs/x12_dictionary.h"

namespace crossdock {

int RunX12Command(const X12Command& cmd) {
  auto read = ReadCommandInput(cmd.file, "x12");
  if (!read) return 2;
  const std::string& input = *read;
  X12Document doc = ParseX12(input);
  if (cmd.action == "parse") {
    std::cout << X12ToJson(doc) << "\n";
    return doc.ok() ? 0 : 1;
  }
  if (cmd.action != "validate") {
    std::cerr << "crossdock x12: unknown action '" << cmd.action << "' (parse, validate)\n";
    return 2;
  }
  // The 997s are dated now; their control numbers are placeholders (a running server takes
  // them from the partner's persisted sequence).
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[8], time[8];
  std::strftime(date, sizeof date, "%y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M", &tm);
  // Each set against the X12 dictionary (src/codecs/x12_dictionary.tsv): mandatory segments and
  // elements, types and lengths.
  std::vector<X12Error> content;
  for (size_t i = 0; i < doc.interchanges.size(); ++i) {
    for (const auto& g : doc.interchanges[i].groups) {
      for (const auto& t : g.sets) {
        for (auto& e : CheckX12Set(t)) {
          e.interchange = static_cast<int>(i);
          content.push_back(std::move(e));
        }
      }
    }
  }
  std::vector<std::string> acks;
  if (doc.readable) {
    for (size_t i = 0; i < doc.interchanges.size(); ++i) {
      std::vector<X12Error> mine;
      for (const auto& e : doc.errors) {
        if (e.interchange == static_cast<int>(i)) mine.push_back(e);
      }
      // The 997 the inbox would send: content faults as it checks them (lengths aside).
      for (const auto& g : doc.interchanges[i].groups) {
        for (const auto& t : g.sets) {
          X12CheckOptions inbox;
          inbox.lengths = false;
          for (auto& e : CheckX12Set(t, inbox)) mine.push_back(std::move(e));
        }
      }
      acks.push_back(SerializeX12(Build997(doc.interchanges[i], mine, "1", "1", date, time)));
    }
  }
  if (cmd.json) {
    JsonWriter w;
    w.StartObject().Field("file", cmd.file).Field("readable", doc.readable);
    w.Field("interchanges", static_cast<int64_t>(doc.interchanges.size()));
    w.Key("errors").StartArray();
    for (const auto& e : doc.errors) {
      w.StartObject().Field("segment", e.segment).Field("segment_id", e.segment_id);
      w.Field("element", e.element).Field("offset", static_cast<int64_t>(e.offset));
      w.Field("message", e.message).EndObject();
    }
    w.EndArray().Key("set_errors").StartArray();
    for (const auto& e : content) {
      w.StartObject().Field("segment", e.segment).Field("segment_id", e.segment_id);
      w.Field("element", e.element).Field("offset", static_cast<int64_t>(e.offset));
      w.Field("message", e.message).EndObject();
    }
    w.EndArray().Key("acknowledgments").StartArray();
    for (const auto& a : acks) w.String(a);
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
  } else {
    for (const auto& e : doc.errors) std::cerr << cmd.file << ": " << e.ToString() << "\n";
    if (doc.ok()) {
      std::cerr << cmd.file << ": " << doc.interchanges.size()
                << " interchange(s), every envelope agrees\n";
    }
    for (const auto& e : content) std::cerr << cmd.file << ": " << e.ToString() << "\n";
    for (const auto& a : acks) std::cout << a << (a.back() == '\n' ? "" : "\n");
  }
  return doc.ok() && content.empty() ? 0 : 1;
}

}  // namespace crossdock
