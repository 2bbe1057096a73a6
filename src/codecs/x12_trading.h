// X12 sets exchanged with an EDI trading partner that buys (a sales channel): the 850 Purchase
// Order read as canonical orders, and for it the 855 Purchase Order Acknowledgment and the 810
// Invoice written back. Pure functions over codecs/x12.h; thread-safe.
//
// 850 (read, one order per set):  BEG*00*<type>*<PO number>**<CCYYMMDD>
//                                 CUR*BY*<currency>
//                                 N1*ST*<name>[*92*<location>] N2*<company> N3*<line1>*<line2>
//                                 N4*<city>*<region>*<postal>*<country> (ship-to; BT: bill-to;
//                                 BY: the buyer, the customer)
//                                 per line: PO1*<line id>*<qty>*EA*<unit price>**<qualifier>*
//                                 <product id>[*<qualifier>*<product id>…] PID*F****<description>
//                                 CTT*<number of PO1>
// 855 (written):                  BAK*00*<AC|RD>*<PO number>*<PO date>****<our order id>
//                                 per line: PO1 as ordered, ACK*<IA|IR>*<qty>*EA
//                                 CTT*<lines>
// 810 (written, one per shipment): BIG*<invoice date>*<invoice number>*<PO date>*<PO number>
//                                 CUR*SE*<currency> N1*ST*<name> N3 N4
//                                 per shipped line: IT1*<line id>*<qty>*EA*<unit price>**SK*<sku>
//                                 TDS*<total in cents> CTT*<lines>
// The product id of a PO1 is the first of the partner's preferred qualifiers present (default
// SK, VN, VP, BP, IN, UP); an 850 with a line none of them names is refused at that line, and
// so is a qualifier without its id (or an id without its qualifier).
#pragma once

#include <string>
#include <vector>

#include "codecs/x12_warehouse.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

struct X12OrderOptions {
  std::string channel = "edi";  // the canonical orders' channel
  std::vector<std::string> sku_qualifiers = {"SK", "VN", "VP", "BP", "IN", "UP"};
  std::string currency = "USD";  // when the 850 has no CUR
  std::string country = "US";    // when an N4 has no country (N404)
};

struct Decoded850 {
  std::vector<Order> orders;  // one per 850 set, totals computed
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads every 850 set of an interchange; sets of other kinds are ignored. An original purchase
// order (BEG01 00) only: a change (04) or cancellation (01) is refused at BEG01.
Decoded850 Read850(const X12Interchange& interchange, const X12OrderOptions& options = {});

// An outbound interchange and the values it refused for holding a delimiter (S8).
using BuiltX12 = Built940;

// The 855 for `order` (as read from an 850): accepted (BAK02 AC, every line IA) or rejected
// (RD, every line IR).
BuiltX12 Build855(const Order& order, bool accepted, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now);

// The 810 invoicing `shipment`'s units of `order` at the order's unit prices, numbered
// `invoice_number`. InvalidArgument (in errors) when a shipped line is not the order's.
BuiltX12 Build810(const Order& order, const Shipment& shipment, const std::string& invoice_number,
                  const X12Profile& profile, const X12EnvelopeNumbers& numbers, TimePoint now);

// A return merchandise authorization (the 180, both ways): Crossdock tells a node which goods
// of an order will come back, or a partner tells Crossdock which came back.
struct ReturnAuthorization {
  std::string rma;        // BGN02: the return's id
  std::string order;      // PRF01: the order's id (or the channel's order number)
  TimePoint issued_at{};  // BGN03
  struct Line {
    std::string line_id;   // N9*LI
    std::string sku;       // BLI02 after a preferred qualifier (BLI01)
    int64_t quantity = 0;  // BLI03
    std::string reason;    // RDR04, free text
    friend bool operator==(const Line&, const Line&) = default;
  };
  std::vector<Line> lines;
};

// 180 (both ways):               BGN*00*<rma>*<CCYYMMDD> PRF*<order>
//                                per line: BLI*SK*<sku>*<units>*EA N9*LI*<line id>
//                                RDR****<reason>
BuiltX12 Build180(const ReturnAuthorization& rma, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now);

struct Decoded180 {
  std::vector<ReturnAuthorization> returns;  // one per 180 set
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads every 180 set; a line without its N9*LI, units or a known product is refused at its
// segment (nothing of the set is used).
Decoded180 Read180(const X12Interchange& interchange);

}  // namespace crossdock
