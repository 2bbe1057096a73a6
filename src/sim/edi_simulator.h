// EdiSimulator: a 3PL that speaks X12 through Crossdock's folders for one node (x12.folder),
// played for tests and demos. It takes each 940 from outbound/ (as an SFTP pickup would: the
// file leaves the folder), discards an interchange whose ISA13 it has seen (X12's duplicate
// check), records each order once by its W0502 id so duplicates can be counted, answers every
// group with a 997 and, after a delay, ships each order in full with a 945 (lines matched by
// the 940's N9*LI). Files it writes go into inbound/ atomically. It also reads the 997s
// Crossdock sends back. GET /sim/stats reports the counts; POST /sim/faults
// {"withhold_997": bool, "withhold_945": bool} stops sending either. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "codecs/x12.h"
#include "gateway/http.h"

namespace crossdock {

struct EdiSimOptions {
  std::string folder;                              // the node's x12.folder
  X12Builder::Party self{"ZZ", "TPLEDI"};          // the 3PL
  X12Builder::Party crossdock{"ZZ", "CROSSDOCK"};  // its trading partner
  std::chrono::milliseconds poll{100};
  std::chrono::milliseconds ship_delay{300};
  bool withhold_997 = false;
  bool withhold_945 = false;
};

struct EdiSimStats {
  int64_t files_taken = 0;
  int64_t interchanges = 0;
  int64_t duplicate_interchanges = 0;  // an ISA13 seen before: discarded
  int64_t orders = 0;                  // distinct 940 orders (W0502)
  int64_t duplicate_orders = 0;        // a 940 for an order already received, new ISA13
  int64_t acks_sent = 0;               // 997s written to Crossdock
  int64_t acks_withheld = 0;
  int64_t shipments_sent = 0;  // 945s written
  int64_t acks_received = 0;   // 997s from Crossdock
  int64_t unreadable = 0;      // files that were not X12
};

class EdiSimulator {
 public:
  explicit EdiSimulator(EdiSimOptions options);
  ~EdiSimulator();
  void Start();
  void Stop();
  HttpResponse Handle(const HttpRequest& request);
  EdiSimStats Stats();

 private:
  struct Line {
    std::string sku, line_id;
    int64_t quantity = 0;
  };
  struct PendingShipment {
    std::chrono::steady_clock::time_point due;
    std::string order_id;
    std::vector<Line> lines;
  };
  void Loop();
  void TakeFile(const std::string& path);                       // under mu_
  void Send(const std::string& kind, const X12Interchange& x);  // under mu_
  X12Interchange Ship(const PendingShipment& p);                // under mu_

  EdiSimOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  EdiSimStats stats_;
  std::set<std::string> interchanges_seen_;
  std::set<std::string> orders_seen_;
  std::vector<PendingShipment> pending_;
  int64_t control_ = 0;  // our ISA13 / GS06 sequence
};

}  // namespace crossdock
