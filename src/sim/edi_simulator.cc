#include "sim/edi_simulator.h"

#include <simdjson.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "delivery/folder_transport.h"

namespace crossdock {

namespace fs = std::filesystem;

namespace {

std::string Today(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

EdiSimulator::EdiSimulator(EdiSimOptions options) : options_(std::move(options)) {}

EdiSimulator::~EdiSimulator() {
  Stop();
}

void EdiSimulator::Start() {
  std::error_code ec;
  for (const char* sub : {"outbound", "inbound", ".sim-taken"}) {
    fs::create_directories(fs::path(options_.folder) / sub, ec);
  }
  thread_ = std::thread([this] { Loop(); });
}

void EdiSimulator::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EdiSimulator::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::vector<std::pair<fs::file_time_type, std::string>> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(options_.folder) / "outbound", ec)) {
      std::string name = e.path().filename().string();
      std::error_code fe;
      if (name.starts_with(".") || !e.is_regular_file(fe)) continue;
      files.emplace_back(e.last_write_time(fe), e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) TakeFile(f.second);
    auto now = std::chrono::steady_clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->due > now || options_.withhold_945) {
        ++it;
        continue;
      }
      Send("945", Ship(*it));
      ++stats_.shipments_sent;
      it = pending_.erase(it);
    }
    cv_.wait_for(lock, options_.poll, [this] { return stopping_; });
  }
}

void EdiSimulator::TakeFile(const std::string& path) {
  // Picked up: the file leaves Crossdock's outbound folder before it is read.
  fs::path taken = fs::path(options_.folder) / ".sim-taken" / fs::path(path).filename();
  std::error_code ec;
  fs::rename(path, taken, ec);
  if (ec) return;  // gone meanwhile
  ++stats_.files_taken;
  std::ifstream in(taken, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  X12Document doc = ParseX12(bytes.str());
  if (!doc.readable) {
    ++stats_.unreadable;
    return;
  }
  for (const auto& x : doc.interchanges) {
    ++stats_.interchanges;
    if (!interchanges_seen_.insert(x.isa.Element(6) + "/" + x.isa.Element(13)).second) {
      ++stats_.duplicate_interchanges;
      continue;
    }
    bool needs_ack = false;
    for (const auto& g : x.groups) {
      if (g.gs.Element(1) == "FA") {
        ++stats_.acks_received;
        continue;
      }
      needs_ack = true;
      for (const auto& t : g.sets) {
        if (t.Code() != "940") continue;
        PendingShipment p;
        p.due = std::chrono::steady_clock::now() + options_.ship_delay;
        for (const auto& s : t.body) {
          if (s.id == "W05") p.order_id = s.Element(2);
          if (s.id == "W01") {
            Line l;
            l.quantity = std::atoll(s.Element(1).c_str());
            l.sku = s.Element(5);
            p.lines.push_back(std::move(l));
          }
          if (s.id == "N9" && s.Element(1) == "LI" && !p.lines.empty()) {
            p.lines.back().line_id = s.Element(2);
          }
        }
        if (!orders_seen_.insert(p.order_id).second) {
          ++stats_.duplicate_orders;
          continue;
        }
        ++stats_.orders;
        pending_.push_back(std::move(p));
      }
    }
    if (!needs_ack) continue;
    if (options_.withhold_997) {
      ++stats_.acks_withheld;
      continue;
    }
    ++control_;
    Send("997", Build997(x, doc.errors, std::to_string(control_), std::to_string(control_),
                         Today("%y%m%d"), Today("%H%M")));
    ++stats_.acks_sent;
  }
}

X12Interchange EdiSimulator::Ship(const PendingShipment& p) {
  ++control_;
  X12Builder b(X12Delimiters{'*', ':', 0, '~', "\n"}, options_.self, options_.crossdock);
  b.StartGroup("SW", options_.self.id, options_.crossdock.id, std::to_string(control_), "004010",
               Today("%Y%m%d"), Today("%H%M"));
  b.StartSet("945", "0001");
  b.Add("W06", {"F", p.order_id, Today("%Y%m%d"), "SHP-" + p.order_id});
  b.Add("W27", {"M", "UPSN"});
  b.Add("N9", {"CN", "1ZSIM" + std::to_string(control_)});
  int n = 0;
  for (const auto& l : p.lines) {
    std::string q = std::to_string(l.quantity);
    b.Add("LX", {std::to_string(++n)});
    b.Add("W12", {"CC", q, q, "0", "EA", "", "", l.sku});
    b.Add("N9", {"LI", l.line_id});
  }
  return b.Finish(std::to_string(control_), Today("%y%m%d"), Today("%H%M"), false);
}

void EdiSimulator::Send(const std::string& kind, const X12Interchange& x) {
  std::string name = "tpl-" + kind + "-" + std::to_string(control_) + ".x12";
  (void)WriteFileAtomically((fs::path(options_.folder) / "inbound" / name).string(),
                            SerializeX12(x));
}

EdiSimStats EdiSimulator::Stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

HttpResponse EdiSimulator::Handle(const HttpRequest& r) {
  if (r.method == "GET" && r.target == "/sim/stats") {
    EdiSimStats s = Stats();
    JsonWriter w;
    w.StartObject();
    w.Field("files_taken", s.files_taken).Field("interchanges", s.interchanges);
    w.Field("duplicate_interchanges", s.duplicate_interchanges).Field("orders", s.orders);
    w.Field("duplicate_orders", s.duplicate_orders).Field("acks_sent", s.acks_sent);
    w.Field("acks_withheld", s.acks_withheld).Field("shipments_sent", s.shipments_sent);
    w.Field("acks_received", s.acks_received).Field("unreadable", s.unreadable);
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }
  if (r.method == "POST" && r.target == "/sim/faults") {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc)) return HttpResponse::Json(400, R"({"error":"bad JSON"})");
    std::lock_guard lock(mu_);
    bool b;
    if (!doc["withhold_997"].get_bool().get(b)) options_.withhold_997 = b;
    if (!doc["withhold_945"].get_bool().get(b)) options_.withhold_945 = b;
    return HttpResponse::Json(200, R"({"ok":true})");
  }
  return HttpResponse::Json(404, R"({"error":"not found"})");
}

}  // namespace crossdock
