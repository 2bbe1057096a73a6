#include "store/records.h"

namespace crossdock {

std::string ErrorClassOf(const std::string& e) {
  if (e.rfind("HTTP 4", 0) == 0) return "http_4xx";
  if (e.rfind("HTTP 5", 0) == 0) return "http_5xx";
  if (e.rfind("UNAVAILABLE", 0) == 0 || e.rfind("DEADLINE_EXCEEDED", 0) == 0) return "transport";
  return "other";
}

const char* StockChangeKindName(StockChange::Kind k) {
  switch (k) {
    case StockChange::Kind::kReserve:
      return "reserve";
    case StockChange::Kind::kRelease:
      return "release";
    case StockChange::Kind::kConsume:
      return "consume";
    case StockChange::Kind::kShip:
      return "ship";
    case StockChange::Kind::kAdjust:
      return "adjust";
  }
  return "adjust";
}

}  // namespace crossdock
