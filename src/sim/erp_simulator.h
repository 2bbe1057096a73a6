// ErpSimulator: a REST ERP for tests (`crossdock-sim erp`), answering the command shapes of
// docs/erp.md on POST /erp (erp.check, erp.sale, erp.invoice, erp.credit, erp.cancel_sale,
// named by the Crossdock-Command header). It enforces a
// NetSuite-style concurrency limit: more than `max_concurrent` requests at once are answered
// 429 with Retry-After before any effect. Sales are keyed by order id and invoices by their
// reference, so a repeated command finds its effect; every creation is counted so tests can
// prove there were no duplicates. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "base/money.h"
#include "gateway/http.h"

namespace crossdock {

struct ErpSimOptions {
  int max_concurrent = 15;
  int slow_ms = 0;                        // time each command takes
  std::string inbound_key;                // required as "Authorization: Bearer <key>" when set
  std::map<std::string, Decimal> prices;  // SKU → list price; others are unknown
  std::map<std::string, Decimal> credit_limits;  // customer code → limit
};

struct ErpSimStats {
  int64_t requests = 0;
  int64_t max_in_flight = 0;
  int64_t concurrency_refused = 0;  // 429 answers
  int64_t sales_created = 0;
  int64_t sale_repeats = 0;  // erp.sale for an order that has its sale: answered, no effect
  int64_t invoices_created = 0;
  int64_t invoice_repeats = 0;
  int64_t sales_cancelled = 0;
  int64_t credits_created = 0;  // credit notes for returns (erp.credit)
};

class ErpSimulator {
 public:
  explicit ErpSimulator(ErpSimOptions options);
  HttpResponse Handle(const HttpRequest& request);
  ErpSimStats Stats();

 private:
  HttpResponse Command(const std::string& type, const std::string& body);

  ErpSimOptions options_;
  std::mutex mu_;
  int64_t in_flight_ = 0;
  ErpSimStats stats_;
  std::map<std::string, std::string> sales_;     // order id → sale id
  std::map<std::string, std::string> invoices_;  // reference → invoice id
  std::set<std::string> cancelled_;              // order ids
  std::map<std::string, Decimal> credit_used_;   // customer → confirmed sale totals
};

}  // namespace crossdock
