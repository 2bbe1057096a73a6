// TrytonConnector: the ERP commands of the order flow carried out against Tryton 6.0
// (modules sale, sale_credit_limit, account_invoice) over its JSON-RPC API. Every command
// looks up its effect before it creates anything, so a repeated command (after a crash, a
// timeout or a restart of either side) never creates a second sale or invoice:
//   erp.check        find the customer party by code (create it with its address if missing),
//                    read its credit limit and credit used, look up every SKU as a product
//                    code and read its list price; with a TrytonCatalog category, create a
//                    missing product (for the catalog's channels) at the channel's price;
//   erp.sale         find the sale whose reference is our order id, else create it (manual
//                    invoice and shipment methods, our prices), then quote and confirm it and
//                    read its state back: Tryton can report success while the transition did
//                    not happen;
//   erp.invoice      find the customer invoice whose reference is "<order id>/<shipment>",
//                    else create it for the shipped quantities; post it and read it back;
//   erp.credit       the same as erp.invoice with negative quantities: a credit note for the
//                    units a return brought back, reference "<order id>/<return id>";
//   erp.cancel_sale  bring the sale back to draft and cancel it; a processed sale is undone by
//                    a return sale (reference "<order id>/cancel").
// It also runs the nodes of kind tryton: warehouses managed in Tryton's stock module.
//   node.dispatch    find the customer shipment whose reference is "<order id>/<node>" (plus
//                    "/r<n>" after a re-route back to the node), else
//                    create it from the warehouse's output to the customer for the node's
//                    lines; set it waiting (Tryton reserves and picks from there);
//   node.cancel      cancel that shipment unless it is done (then refused: it left).
// Their progress (picked, packed, done) is read by delta polling (ShipmentsChangedSince).
// Answers are the JSON shapes of flows/command_answers.h (docs/erp.md). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "delivery/connector.h"
#include "delivery/erp/tryton_rpc.h"
#include "model/order.h"

namespace crossdock {

class TrytonCommand;  // one command's calls (tryton_connector.cc)

// Which products erp.check may create in Tryton when an order names a SKU Tryton lacks.
// Without a category none is created and the order is rejected for the unknown SKU.
struct TrytonCatalog {
  std::string product_category;       // name of an accounting product category; "" = never
  std::string product_uom = "Unit";   // name of the unit of measure of created products
  std::vector<std::string> channels;  // only orders of these channels; empty = every channel
};

class TrytonConnector final : public Connector, public ErpPoller {
 public:
  // `warehouses`: node id → the code of its Tryton warehouse (stock.location of type warehouse;
  // "" = the first warehouse).
  explicit TrytonConnector(TrytonRpcOptions options, TrytonCatalog catalog = {},
                           std::map<std::string, std::string> warehouses = {},
                           TrytonRpc::ClientFactory clients = HttpClient::Create);
  Result<ClientResponse> Execute(const OutboxItem& item) override;
  // Invoices whose reference is one of ours ("ord_…/…"), created or written since `since`.
  Result<std::vector<ErpInvoiceChange>> InvoicesChangedSince(TimePoint since) override;
  Result<std::vector<ErpShipmentChange>> ShipmentsChangedSince(TimePoint since) override;

 private:
  Result<std::string> Check(simdjson::dom::element payload);
  Status CreateProducts(TrytonCommand& t, const std::vector<const OrderLine*>& lines);
  Result<std::string> Sale(simdjson::dom::element payload);
  // sign -1: a credit note (erp.credit) for returned units, answered as "credit_note".
  Result<std::string> Invoice(simdjson::dom::element payload, int sign = 1);
  Result<std::string> CancelSale(simdjson::dom::element payload);
  Result<std::string> Ship(const OutboxItem& item, const std::string& node);
  Result<std::string> CancelShipment(const OutboxItem& item, simdjson::dom::element payload,
                                     const std::string& node);

  TrytonRpc rpc_;
  TrytonCatalog catalog_;
  std::map<std::string, std::string> warehouses_;
  std::mutex create_products_;  // one creator at a time, so a SKU is created once
};

}  // namespace crossdock
