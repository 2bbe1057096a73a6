// Financial reconciliation: the invoices Crossdock asked the ERP for (one per shipment, at the
// order's unit prices, reference "<order id>/<shipment>") against the customer invoices the
// ERP holds. Three kinds of finding:
//   shipped_not_invoiced  a shipment older than the grace period has no live ERP invoice
//   invoiced_not_shipped  an ERP invoice names an order or shipment Crossdock never shipped
//   amount_mismatch       the invoice's untaxed amount differs from the shipment's value by more
//                         than the tolerance
// Cancelled ERP invoices count as absent; credit notes (returns) are not compared. Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/money.h"
#include "flows/order_decider.h"
#include "store/records.h"

namespace crossdock {

// One shipment Crossdock invoices (or would, once the ERP answers).
struct ExpectedInvoice {
  std::string order_id;
  std::string shipment;   // the shipment's partner event id
  std::string reference;  // "<order id>/<shipment>"
  Decimal amount;         // Σ shipped quantity × unit price (untaxed)
  TimePoint shipped_at{};
};

// `d` rounded to cents, half to even, as Tryton rounds an invoice line's amount.
Decimal RoundCents(Decimal d);

// The shipments in an order's history that Crossdock invoices (those with an entry in the flow
// state's invoices), each valued at the order's unit prices with every line rounded to cents:
// what its erp.invoice command asked the ERP to bill.
std::vector<ExpectedInvoice> ExpectedInvoicesOf(const Order& order, const OrderFlowState& flow,
                                                const std::vector<HistoryEntry>& history);

// One customer invoice in the ERP.
struct ErpInvoiceRecord {
  std::string reference;
  std::string invoice;            // the ERP's id
  std::string state;              // "draft", "posted", "paid", "cancelled", …
  std::optional<Decimal> amount;  // untaxed total; absent when the ERP did not say
};

struct FinancialPolicy {
  Duration grace = std::chrono::hours(1);  // a younger shipment may still be on its way
  Decimal tolerance;                       // allowed |invoiced − expected|
  // Only shipments at or after this are checked for a missing invoice (the ERP listing's
  // window); every expected invoice still explains an ERP invoice.
  TimePoint since{};
};

struct FinancialFinding {
  std::string kind;      // shipped_not_invoiced, invoiced_not_shipped, amount_mismatch
  std::string order_id;  // "" when the reference names no order Crossdock knows
  std::string reference;
  std::string invoice;  // the ERP's invoice id, when there is one
  std::optional<Decimal> expected, invoiced;
  std::string detail;  // one sentence for the exception inbox
};

struct FinancialReport {
  TimePoint checked_at{};
  int64_t shipments = 0;  // expected invoices checked
  int64_t invoices = 0;   // live ERP invoices compared
  int64_t matched = 0;
  int64_t pending = 0;  // shipments within the grace period without an invoice yet
  std::vector<FinancialFinding> findings;  // by reference
};

// `known_orders`: whether an order id exists (an invoice for a known order's unknown shipment
// still names the order). Sorted output.
FinancialReport CompareInvoices(const std::vector<ExpectedInvoice>& expected,
                                const std::vector<ErpInvoiceRecord>& erp, TimePoint now,
                                const FinancialPolicy& policy,
                                const std::function<bool(const std::string&)>& known_order);

// The report as JSON (id, kind "financial", summary, then every finding) and CSV
// (kind,order_id,reference,invoice,expected,invoiced,detail).
std::string FinancialReportJson(const FinancialReport& r, const std::string& id);
std::string FinancialReportCsv(const FinancialReport& r);

}  // namespace crossdock
