#include "flows/financial_reconcile.h"

#include <gtest/gtest.h>

namespace crossdock {
namespace {

Decimal D(const char* text) {
  return *Decimal::Parse(text);
}

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

ExpectedInvoice Shipped(const std::string& order, const std::string& shipment, const char* amount,
                        Duration ago) {
  return {order, shipment, order + "/" + shipment, D(amount), kNow - ago};
}

TEST(FinancialReconcileTest, LineAmountsRoundToCentsHalfToEven) {
  EXPECT_EQ(RoundCents(D("1.005")), D("1.00"));
  EXPECT_EQ(RoundCents(D("1.015")), D("1.02"));
  EXPECT_EQ(RoundCents(D("1.0051")), D("1.01"));
  EXPECT_EQ(RoundCents(D("-1.005")), D("-1.00"));
  EXPECT_EQ(RoundCents(D("-1.015")), D("-1.02"));
  EXPECT_EQ(RoundCents(D("12.5")), D("12.50"));
}

TEST(FinancialReconcileTest, FindsEachKindAndMatchesTheRest) {
  using std::chrono::hours;
  using std::chrono::minutes;
  std::vector<ExpectedInvoice> expected = {
      Shipped("ord_a", "s1", "20.00", hours(5)),      // invoiced right
      Shipped("ord_b", "s1", "35.50", hours(3)),      // never invoiced
      Shipped("ord_c", "s1", "12.00", hours(2)),      // invoiced at another amount
      Shipped("ord_d", "s1", "8.00", minutes(10)),    // too young to miss its invoice
      Shipped("ord_e", "s1", "9.00", hours(2)),       // its invoice was cancelled
      Shipped("ord_f", "s1", "7.00", hours(24 * 9)),  // before the window, invoiced earlier
  };
  std::vector<ErpInvoiceRecord> erp = {
      {"ord_a/s1", "11", "posted", D("20.00")},
      {"ord_c/s1", "12", "posted", D("12.40")},
      {"ord_e/s1", "13", "cancelled", D("9.00")},
      {"ord_a/s2", "14", "posted", D("5.00")},       // a shipment Crossdock never saw
      {"ord_zz/s9", "15", "draft", D("1.00")},       // an order Crossdock does not know
      {"ord_a/ret_1", "16", "posted", D("-20.00")},  // a credit note: not compared
  };
  FinancialPolicy policy;
  policy.tolerance = D("0.01");
  policy.since = kNow - hours(24 * 7);
  auto known = [](const std::string& id) { return id != "ord_zz"; };
  FinancialReport r = CompareInvoices(expected, erp, kNow, policy, known);
  std::vector<std::string> got;
  for (const auto& f : r.findings) got.push_back(f.kind + " " + f.reference + " " + f.order_id);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "invoiced_not_shipped ord_a/s2 ord_a",
                     "shipped_not_invoiced ord_b/s1 ord_b",
                     "amount_mismatch ord_c/s1 ord_c",
                     "shipped_not_invoiced ord_e/s1 ord_e",
                     "invoiced_not_shipped ord_zz/s9 ",
                 }));
  EXPECT_EQ(r.matched, 1);
  EXPECT_EQ(r.pending, 1);
  EXPECT_EQ(r.shipments, 5);  // ord_f is outside the window and had no invoice listed
  EXPECT_EQ(r.invoices, 4);   // live, not credit notes
  EXPECT_EQ(r.findings[2].detail, "ERP invoice 12 is 12.40 for shipment s1, which is worth 12.00");

  // Within the tolerance, an amount matches.
  policy.tolerance = D("0.50");
  FinancialReport loose = CompareInvoices(expected, erp, kNow, policy, known);
  EXPECT_EQ(loose.matched, 2);

  std::string json = FinancialReportJson(r, "rec_1");
  EXPECT_NE(json.find(R"("summary":{"shipments":5,"invoices":4,"matched":1,"pending":1,)"
                      R"("discrepancies":5,"shipped_not_invoiced":2,"invoiced_not_shipped":2,)"
                      R"("amount_mismatch":1})"),
            std::string::npos)
      << json;
  std::string csv = FinancialReportCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "kind,order_id,reference,invoice,expected,invoiced,detail");
  EXPECT_NE(csv.find("amount_mismatch,ord_c,ord_c/s1,12,12.00,12.40,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace crossdock
