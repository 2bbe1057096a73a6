// X12 warehouse transaction sets for a 3PL that speaks EDI: the 940 Warehouse Shipping Order
// sent for a canonical order, and the 945 Warehouse Shipping Advice read back as a canonical
// shipment. Pure functions over codecs/x12.h; thread-safe.
//
// 940 (one per order):          W05*N*<order id>*<external_ref>
//                               N1*ST*<name> N2*<company> N3*<line1>*<line2>
//                               N4*<city>*<region>*<postal>*<country> per line: LX*<n>
//                               W01*<qty>*EA**SK*<sku> N9*LI*<line_id> W76*<total quantity>
// 997 (read):                  AK1*<functional id>*<group control> [AK2*<set>*<control>
// AK5*<A|E|R>]
//                               AK9*<A|E|P|R>*<included>*<received>*<accepted>
// 846 (inventory advice):       BIA*00*<type>*<reference>*<CCYYMMDD>[*<HHMM>]
//                               per item: LIN*<n>*<SK|VN|…>*<sku> QTY*<17|33>*<quantity>
// 944 (stock receipt):          W17*<code>*<CCYYMMDD>*<receipt number>*<our reference>
//                               per line: W07*<quantity>*<unit>**<SK|VN|…>*<sku>
// 945 (one per shipment):       W06*<F|P>*<order id>*<CCYYMMDD>*<shipment id>
//                               W27*<transport method>*<carrier SCAC> N9*CN*<tracking number>
//                               per line: LX*<n>
//                               W12*<status>*<ordered>*<shipped>*<difference>*EA**SK*<sku>
//                               N9*LI*<line_id>
// The line id travels out in the 940's N9*LI and must come back in the 945, so a shipment is
// matched to order lines without guessing by SKU.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "codecs/x12.h"
#include "model/inventory.h"
#include "model/order.h"
#include "model/shipment.h"

namespace crossdock {

// "CCYYMMDD" and "HHMM" of `t` (UTC), as X12 dates and times are written (an ISA takes the
// date's last six digits).
std::pair<std::string, std::string> X12DateTime(TimePoint t);

// How one trading partner wants its X12 (configuration).
struct X12Profile {
  X12Builder::Party sender{"ZZ", "CROSSDOCK"};  // us
  X12Builder::Party receiver;                   // the 3PL
  std::string isa_version = "00401";            // ISA12
  std::string gs_version = "004010";            // GS08
  X12Delimiters delimiters;
  // A value containing a delimiter is refused (0) or has it replaced by this character (S8).
  char replacement = 0;
  bool test = false;  // ISA15 T
  // Segments the partner requires in each set it sends beyond the X12 dictionary's mandatory
  // ones (set code → segment ids), checked on every received set (codecs/x12_dictionary.h).
  std::map<std::string, std::vector<std::string>> required_segments;
};

// The control numbers to stamp on one outbound interchange (from the partner's persisted,
// never reused sequence).
struct X12EnvelopeNumbers {
  int64_t interchange = 1;  // ISA13
  int64_t group = 1;        // GS06
};

struct Built940 {
  X12Interchange interchange;
  std::vector<std::string> errors;  // values refused for containing a delimiter
  bool ok() const { return errors.empty(); }
};

// An outbound interchange holding one set: ISA and GS from the profile and the numbers, dated
// `now`, the set `code` of functional group `functional_id` with the segments `body` adds;
// values refused for holding a delimiter in errors. Every Build* of the codecs uses it.
Built940 BuildOneSet(const X12Profile& profile, const X12EnvelopeNumbers& numbers, TimePoint now,
                     const std::string& functional_id, const std::string& code,
                     const std::function<void(X12Builder&)>& body);

Built940 Build940(const Order& order, const X12Profile& profile, const X12EnvelopeNumbers& numbers,
                  TimePoint now);

// One error of a 945, at its segment (position in the interchange) and element.
struct Decoded945 {
  std::vector<Shipment> shipments;  // one per 945 set
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads every 945 set of an interchange; sets of other kinds are ignored. partner_event_id is
// "945-<order id>-<W0604 shipment id>", the same when the 3PL resends the advice in a new
// envelope. W12 lines with nothing shipped (W1203 = 0) add no shipped line.
Decoded945 Read945(const X12Interchange& interchange);

// One group a received 997 answers: AK1's functional id and group control number, AK9's
// verdict, and each AK2/AK5 set verdict.
struct X12GroupAck {
  std::string functional_id;  // AK101, "OW" for 940s
  int64_t group = 0;          // AK102
  std::string status;         // AK901: A accepted, E accepted with errors, P partly, R rejected
  struct SetAck {
    std::string code;                 // AK201, "940"
    std::string control;              // AK202
    std::string status;               // AK501
    std::vector<std::string> errors;  // AK502..AK506 codes, AK3/AK4 notes ("W01 at 7: code 1")
  };
  std::vector<SetAck> sets;
  // "rejected: set 0001 (940) R, syntax error codes 5; segment W01 at 7 element 1: code 1"
  std::string Describe() const;
};

struct Decoded997 {
  std::vector<X12GroupAck> acks;
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads every 997 set of an interchange.
Decoded997 Read997(const X12Interchange& interchange);

// Reads every 856 Ship Notice/Manifest set: one shipment per order (HL level O, PRF01 the order
// id the 940 sent), a package per pack level (P, MAN*GM its SSCC, with or without the AI 00),
// a shipped line per item (I: LIN01 or REF*LI the order line id, the product after LIN02's
// qualifier, SN102 the units). Shipment level (S): BSN02 the shipment id, BSN03/BSN04 the date,
// TD503 the carrier, REF*CN the tracking number. partner_event_id is "856-<order id>-<BSN02>".
// An item without a line id is refused (the order line cannot be known without guessing), as
// is an SSCC whose check digit is wrong.
Decoded945 Read856(const X12Interchange& interchange);

// Goods on their way to a node (a 943 announces them; the node's 944 receipt answers with
// W1704 = reference).
struct StockTransfer {
  std::string reference;  // our transfer number: W0602 and W0604
  TimePoint shipped_at{};
  std::string carrier;                                 // SCAC, optional
  std::vector<std::pair<std::string, int64_t>> lines;  // SKU → units
};

// The 943 Warehouse Stock Transfer Shipment Advice: W06*N*<reference>*<CCYYMMDD>*<reference>,
// W27*M*<carrier>, per line W04*<units>*EA**SK*<sku>, W03*<total units>.
Built940 Build943(const StockTransfer& transfer, const X12Profile& profile,
                  const X12EnvelopeNumbers& numbers, TimePoint now);

// A node's stock as its 846s or 944s report it.
struct DecodedStock {
  std::vector<InventoryCount> counts;  // 846: counted on-hand per SKU (node left empty)
  struct Receipt {
    std::string reference;  // 944: W1703, the warehouse receipt number
    TimePoint received_at;
    std::vector<std::pair<std::string, int64_t>> lines;  // sku → units received
  };
  std::vector<Receipt> receipts;
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
};

// Reads every 846 (QTY 17 "on hand" preferred over 33 "available", dated by BIA04/BIA05) and
// 944 set of an interchange. The SKU is the LIN/W07 product id after any qualifier.
DecodedStock ReadStock(const X12Interchange& interchange);

}  // namespace crossdock
