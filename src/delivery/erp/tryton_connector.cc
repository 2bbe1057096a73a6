#include "delivery/erp/tryton_connector.h"

#include <charconv>
#include <ctime>
#include <map>
#include <set>

#include "codecs/canonical_json.h"
#include "flows/order_decider.h"

namespace crossdock {

namespace {

using simdjson::dom::element;

// A domain of one condition: [["field", "op", value]].
std::function<void(JsonWriter&)> Where(const std::string& field, const std::string& op,
                                       const std::string& value) {
  return [=](JsonWriter& w) {
    w.StartArray().StartArray().String(field).String(op).String(value).EndArray().EndArray();
  };
}

std::string Id(int64_t id) {
  return std::to_string(id);
}

struct Product {
  int64_t id = 0;
  int64_t uom = 0;
  int64_t template_id = 0;
  std::optional<Decimal> list_price;
};

// Tryton's answer to a call that must be a list of ids.
std::vector<int64_t> Ids(const RpcValue& v) {
  std::vector<int64_t> ids;
  simdjson::dom::array a;
  if (v.get().get_array().get(a)) return ids;
  for (auto x : a) ids.push_back(tryton::ReadId(x));
  return ids;
}

// The first record of a read/search_read answer.
std::optional<element> First(const RpcValue& v) {
  simdjson::dom::array a;
  if (v.get().get_array().get(a) || a.size() == 0) return std::nullopt;
  return a.at(0).value_unsafe();
}

int64_t IdField(element rec, std::string_view key) {
  element v;
  if (rec[key].get(v)) return 0;
  return tryton::ReadId(v);
}

}  // namespace

// The per-command work, with the RPC client at hand.
class TrytonCommand {
 public:
  explicit TrytonCommand(TrytonRpc& rpc)
      : rpc_(rpc), deadline_(std::chrono::steady_clock::now() + rpc.options().timeout) {}

  // Every call of the command shares one deadline: the endpoint's timeout.
  Result<RpcValue> Call(const std::string& method, const std::function<void(JsonWriter&)>& args,
                        const std::string& extra_context = "") {
    return rpc_.Call(method, args, extra_context, deadline_);
  }

  Result<std::vector<int64_t>> Search(const std::string& model,
                                      const std::function<void(JsonWriter&)>& domain) {
    auto v = Call("model." + model + ".search", [&](JsonWriter& w) {
      domain(w);
      w.Int(0).Null().Null();
    });
    if (!v.ok()) return v.status();
    return Ids(*v);
  }

  Result<RpcValue> Read(const std::string& model, int64_t id,
                        std::initializer_list<std::string_view> fields) {
    return Call("model." + model + ".read", [&](JsonWriter& w) {
      w.StartArray().Int(id).EndArray().StartArray();
      for (auto f : fields) w.String(f);
      w.EndArray();
    });
  }

  Result<int64_t> Create(const std::string& model, const std::function<void(JsonWriter&)>& values) {
    auto v = Call("model." + model + ".create", [&](JsonWriter& w) {
      w.StartArray().StartObject();
      values(w);
      w.EndObject().EndArray();
    });
    if (!v.ok()) return v.status();
    auto ids = Ids(*v);
    if (ids.size() != 1) return Unavailable("Tryton created no " + model);
    return ids[0];
  }

  // A button or workflow transition on one record.
  Status Button(const std::string& model, const std::string& button, int64_t id,
                const std::string& extra_context = "") {
    auto v = Call(
        "model." + model + "." + button, [&](JsonWriter& w) { w.StartArray().Int(id).EndArray(); },
        extra_context);
    return v.status();
  }

  Result<std::string> State(const std::string& model, int64_t id, std::string* number = nullptr) {
    auto v = Read(model, id, {"state", "number"});
    if (!v.ok()) return v.status();
    auto rec = First(*v);
    if (!rec) return Unavailable(model + " " + Id(id) + " vanished");
    if (number) *number = tryton::ReadString(*rec, "number");
    return tryton::ReadString(*rec, "state");
  }

  // The customer party with this code; created with the order's name and address if missing.
  Result<int64_t> EnsureParty(const std::string& code, const Order& order) {
    auto found = Search("party.party", Where("code", "=", code));
    if (!found.ok()) return found.status();
    if (!found->empty()) return found->front();
    const Address& a = order.ship_to;
    std::string name = !order.customer.name.empty() ? order.customer.name
                       : !a.name.empty()            ? a.name
                                                    : code;
    auto created = Create("party.party", [&](JsonWriter& w) {
      w.Field("name", name).Field("code", code);
      w.Key("addresses").StartArray().StartArray().String("create").StartArray().StartObject();
      w.Field("name", a.name);
      w.Field("street", a.line2.empty() ? a.line1 : a.line1 + "\n" + a.line2);
      w.Field("postal_code", a.postal_code).Field("city", a.city);
      w.EndObject().EndArray().EndArray().EndArray();
    });
    if (created.ok()) return created;
    // Created meanwhile by a concurrent command (the code is unique): use that one.
    auto again = Search("party.party", Where("code", "=", code));
    if (again.ok() && !again->empty()) return again->front();
    return created.status();
  }

  Result<std::map<std::string, Product>> Products(const std::vector<std::string>& skus) {
    std::map<std::string, Product> out;
    auto v = Call("model.product.product.search_read", [&](JsonWriter& w) {
      w.StartArray().StartArray().String("code").String("in").StartArray();
      for (const auto& s : skus) w.String(s);
      w.EndArray().EndArray().EndArray();
      w.Int(0).Null().Null();
      w.StartArray().String("code").String("list_price").String("default_uom").String("template");
      w.EndArray();
    });
    if (!v.ok()) return v.status();
    simdjson::dom::array a;
    if (v->get().get_array().get(a)) return Unavailable("unreadable product list");
    for (auto rec : a) {
      Product p;
      p.id = IdField(rec, "id");
      p.uom = IdField(rec, "default_uom");
      p.template_id = IdField(rec, "template");
      element price;
      if (!rec["list_price"].get(price)) p.list_price = tryton::ReadDecimal(price);
      out[tryton::ReadString(rec, "code")] = p;
    }
    return out;
  }

  Result<int64_t> Currency(const std::string& code) {
    auto ids = Search("currency.currency", Where("code", "=", code));
    if (!ids.ok()) return ids.status();
    if (ids->empty()) return Conflict("Tryton has no currency " + code);
    return ids->front();
  }

  Result<int64_t> FirstAddress(int64_t party) {
    auto v = Read("party.party", party, {"addresses"});
    if (!v.ok()) return v.status();
    auto rec = First(*v);
    simdjson::dom::array addresses;
    if (!rec || (*rec)["addresses"].get_array().get(addresses) || addresses.size() == 0) {
      return Conflict("party " + Id(party) + " has no address");
    }
    return tryton::ReadId(addresses.at(0).value_unsafe());
  }

  TrytonRpc& rpc() { return rpc_; }

 private:
  TrytonRpc& rpc_;
  TrytonRpc::Deadline deadline_;
};

namespace {

struct Payload {
  std::string order_id, customer, sale, reference, shipment, currency, return_id;
  bool released = false;
  Order order;
  struct Line {
    std::string line_id, sku;
    int64_t position = -1;  // the line's place in the order, so in the ERP sale
    int64_t quantity = 0;
    Decimal unit_price;
  };
  std::vector<Line> lines;
};

Result<Payload> ReadPayload(element doc) {
  Payload p;
  p.order_id = tryton::ReadString(doc, "order_id");
  p.customer = tryton::ReadString(doc, "customer");
  p.sale = tryton::ReadString(doc, "sale");
  p.reference = tryton::ReadString(doc, "reference");
  p.shipment = tryton::ReadString(doc, "shipment");
  p.return_id = tryton::ReadString(doc, "return_id");
  p.currency = tryton::ReadString(doc, "currency");
  bool released = false;
  if (!doc["released"].get_bool().get(released)) p.released = released;
  element order;
  if (!doc["order"].get(order)) {
    DecodeOptions opt;
    opt.allow_server_fields = true;
    opt.validate = false;
    auto decoded = DecodeOrder(simdjson::minify(order), opt);
    if (!decoded.ok()) return InvalidArgument("command payload: unreadable order");
    p.order = std::move(*decoded.value);
    if (p.currency.empty()) p.currency = p.order.currency;
  }
  simdjson::dom::array lines;
  if (!doc["lines"].get_array().get(lines)) {
    for (auto l : lines) {
      Payload::Line line;
      line.line_id = tryton::ReadString(l, "line_id");
      line.sku = tryton::ReadString(l, "sku");
      if (l["quantity"].get_int64().get(line.quantity)) line.quantity = 0;
      if (l["position"].get_int64().get(line.position)) line.position = -1;
      auto price = Decimal::Parse(tryton::ReadString(l, "unit_price"));
      if (price.ok()) line.unit_price = *price;
      p.lines.push_back(std::move(line));
    }
  }
  if (p.order_id.empty()) return InvalidArgument("command payload: no order_id");
  return p;
}

std::vector<std::string> Skus(const Payload& p) {
  std::set<std::string> skus;
  for (const auto& l : p.order.lines) skus.insert(l.sku);
  for (const auto& l : p.lines) skus.insert(l.sku);
  return {skus.begin(), skus.end()};
}

}  // namespace

TrytonConnector::TrytonConnector(TrytonRpcOptions options, TrytonCatalog catalog,
                                 std::map<std::string, std::string> warehouses,
                                 TrytonRpc::ClientFactory clients)
    : rpc_(std::move(options), std::move(clients)),
      catalog_(std::move(catalog)),
      warehouses_(std::move(warehouses)) {}

Result<ClientResponse> TrytonConnector::Execute(const OutboxItem& item) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(item.payload).get(doc)) {
    return ConnectorAnswer(422, R"({"error":"the command payload is not JSON"})");
  }
  Result<std::string> answer = Internal("unset");
  std::string node = item.destination.rfind("node:", 0) == 0 ? item.destination.substr(5) : "";
  if (!node.empty() && !warehouses_.count(node)) {
    answer = InvalidArgument("node " + node + " is not a Tryton warehouse");
  } else if (item.type == command::kDispatch) {
    answer = Ship(item, node);
  } else if (item.type == command::kNodeCancel) {
    answer = CancelShipment(item, doc, node);
  } else if (item.type == command::kErpCheck) {
    answer = Check(doc);
  } else if (item.type == command::kErpSale) {
    answer = Sale(doc);
  } else if (item.type == command::kErpInvoice) {
    answer = Invoice(doc);
  } else if (item.type == command::kErpCredit) {
    answer = Invoice(doc, -1);
  } else if (item.type == command::kErpCancelSale) {
    answer = CancelSale(doc);
  } else {
    answer = InvalidArgument("Tryton does not carry out " + item.type + " commands");
  }
  if (answer.ok()) return ConnectorAnswer(200, std::move(answer).value());
  const Status& st = answer.status();
  JsonWriter w;
  w.StartObject().Field("error", st.message()).EndObject();
  switch (st.code()) {
    case StatusCode::kConflict:
    case StatusCode::kInvalidArgument:
      return ConnectorAnswer(422, w.Take());  // refused for good: an operator must look
    case StatusCode::kUnauthenticated:
      return ConnectorAnswer(503, w.Take());  // a login problem: keep the command
    default:
      return st;  // transport or transient: the dispatcher tries again
  }
}

// Creates a salable goods product (template and variant) for each order line's SKU that
// Tryton still lacks, named by the line's description and priced at the channel's unit price.
// Searched again first: another process may have created it meanwhile.
Status TrytonConnector::CreateProducts(TrytonCommand& t,
                                       const std::vector<const OrderLine*>& lines) {
  auto category = t.Search("product.category", Where("name", "=", catalog_.product_category));
  if (!category.ok()) return category.status();
  if (category->empty()) {
    return Conflict("Tryton has no product category '" + catalog_.product_category + "'");
  }
  auto uom = t.Search("product.uom", Where("name", "=", catalog_.product_uom));
  if (!uom.ok()) return uom.status();
  if (uom->empty()) return Conflict("Tryton has no unit of measure '" + catalog_.product_uom + "'");
  std::vector<std::string> skus;
  for (const OrderLine* l : lines) skus.push_back(l->sku);
  auto existing = t.Products(skus);
  if (!existing.ok()) return existing.status();
  for (const OrderLine* l : lines) {
    if (existing->count(l->sku)) continue;
    auto created = t.Create("product.template", [&](JsonWriter& w) {
      w.Field("name", l->description.empty() ? l->sku : l->description);
      w.Field("code", l->sku).Field("type", "goods").Field("salable", true);
      w.Key("list_price");
      tryton::WriteDecimal(w, l->unit_price);
      w.Key("default_uom").Int(uom->front()).Key("sale_uom").Int(uom->front());
      w.Key("account_category").Int(category->front());
      w.Key("products").StartArray().StartArray().String("create").StartArray().StartObject();
      w.EndObject().EndArray().EndArray().EndArray();
    });
    if (!created.ok()) return created.status();
  }
  return Status::Ok();
}

Result<std::string> TrytonConnector::Check(element doc) {
  auto p = ReadPayload(doc);
  if (!p.ok()) return p.status();
  TrytonCommand t(rpc_);
  auto party = t.EnsureParty(p->customer, p->order);
  if (!party.ok()) return party.status();
  auto credit = t.Read("party.party", *party, {"credit_limit_amount", "credit_amount"});
  if (!credit.ok()) return credit.status();
  auto rec = First(*credit);
  if (!rec) return Unavailable("party vanished");
  auto products = t.Products(Skus(*p));
  if (!products.ok()) return products.status();
  const auto& channels = catalog_.channels;
  bool may_create = !catalog_.product_category.empty() &&
                    (channels.empty() || std::find(channels.begin(), channels.end(),
                                                   p->order.channel) != channels.end());
  std::vector<const OrderLine*> missing;
  for (const auto& l : p->order.lines) {
    if (!products->count(l.sku) &&
        std::none_of(missing.begin(), missing.end(),
                     [&](const OrderLine* m) { return m->sku == l.sku; })) {
      missing.push_back(&l);
    }
  }
  if (may_create && !missing.empty()) {
    std::lock_guard lock(create_products_);
    auto created = CreateProducts(t, missing);
    if (!created.ok()) return created;
    products = t.Products(Skus(*p));  // read back: what the check answers is what Tryton has
    if (!products.ok()) return products.status();
  }

  JsonWriter w;
  w.StartObject().Field("customer", p->customer).Field("erp_party", Id(*party));
  w.Key("prices").StartObject();
  std::vector<std::string> unknown;
  for (const auto& sku : Skus(*p)) {
    auto it = products->find(sku);
    if (it == products->end() || !it->second.list_price) {
      unknown.push_back(sku);
      continue;
    }
    w.Field(sku, it->second.list_price->ToString(2));
  }
  w.EndObject();
  w.Key("unknown_skus").StartArray();
  for (const auto& s : unknown) w.String(s);
  w.EndArray();
  element limit, used;
  auto limit_value =
      (*rec)["credit_limit_amount"].get(limit) ? std::nullopt : tryton::ReadDecimal(limit);
  if (limit_value) {
    w.Field("credit_limit", limit_value->ToString(2));
  } else {
    w.Key("credit_limit").Null();
  }
  auto used_value = (*rec)["credit_amount"].get(used) ? std::nullopt : tryton::ReadDecimal(used);
  w.Field("credit_used", used_value.value_or(Decimal()).ToString(2));
  w.EndObject();
  return w.Take();
}

namespace {

// Finds the sale with `reference`, else creates it from the order's lines with quantities
// multiplied by `sign` (-1: a return sale that undoes a processed one); then quotes and
// confirms it and reads its state back.
Result<std::string> PlaceSale(TrytonCommand& t, const Payload* p, const std::string& reference,
                              int sign) {
  auto found = t.Search("sale.sale", Where("reference", "=", reference));
  if (!found.ok()) return found.status();
  int64_t sale = 0;
  if (!found->empty()) {
    sale = found->front();  // created by an earlier attempt
  } else {
    auto party = t.EnsureParty(p->customer, p->order);
    if (!party.ok()) return party.status();
    auto address = t.FirstAddress(*party);
    if (!address.ok()) return address.status();
    auto currency = t.Currency(p->order.currency);
    if (!currency.ok()) return currency.status();
    auto products = t.Products(Skus(*p));
    if (!products.ok()) return products.status();
    for (const auto& l : p->order.lines) {
      if (!products->count(l.sku)) return Conflict("Tryton does not sell SKU " + l.sku);
    }
    auto created = t.Create("sale.sale", [&](JsonWriter& w) {
      w.Field("party", *party).Field("reference", reference);
      w.Field("description", p->order.channel + " " + p->order.external_ref);
      w.Field("currency", *currency);
      w.Field("invoice_address", *address).Field("shipment_address", *address);
      w.Field("invoice_method", "manual").Field("shipment_method", "manual");
      w.Key("lines").StartArray().StartArray().String("create").StartArray();
      for (const auto& l : p->order.lines) {
        const Product& pr = products->at(l.sku);
        w.StartObject().Field("type", "line").Field("product", pr.id);
        w.Key("quantity").Double(static_cast<double>(sign * l.quantity));
        w.Field("unit", pr.uom).Key("unit_price");
        tryton::WriteDecimal(w, l.unit_price);
        w.Field("description", l.description.empty() ? l.sku : l.description);
        w.EndObject();
      }
      w.EndArray().EndArray().EndArray();
    });
    if (!created.ok()) return created.status();
    sale = *created;
  }
  std::string number;
  auto state = t.State("sale.sale", sale, &number);
  if (!state.ok()) return state.status();
  if (*state == "draft") {
    CROSSDOCK_RETURN_IF_ERROR(t.Button("sale.sale", "quote", sale));
    state = t.State("sale.sale", sale, &number);
    if (!state.ok()) return state.status();
  }
  if (*state == "quotation") {
    // An operator released this order from a credit hold: Tryton's own credit warning is
    // answered by that release.
    CROSSDOCK_RETURN_IF_ERROR(
        t.Button("sale.sale", "confirm", sale, p->released ? "\"_skip_warnings\":true" : ""));
    state = t.State("sale.sale", sale, &number);
    if (!state.ok()) return state.status();
  }
  if (*state != "confirmed" && *state != "processing" && *state != "done") {
    // Tryton answered the transition but the sale did not move: say so, keep the command.
    return Unavailable("Tryton sale " + Id(sale) + " is " + *state + " after confirm");
  }
  JsonWriter w;
  w.StartObject().Field("sale", Id(sale)).Field("number", number).Field("state", *state);
  w.EndObject();
  return w.Take();
}

}  // namespace

Result<std::string> TrytonConnector::Sale(element doc) {
  auto p = ReadPayload(doc);
  if (!p.ok()) return p.status();
  TrytonCommand t(rpc_);
  return PlaceSale(t, &*p, p->order_id, 1);
}

Result<std::string> TrytonConnector::Invoice(element doc, int sign) {
  auto p = ReadPayload(doc);
  if (!p.ok()) return p.status();
  if (p->reference.empty()) return InvalidArgument("command payload: no reference");
  TrytonCommand t(rpc_);
  auto found = t.Search("account.invoice", [&](JsonWriter& w) {
    w.StartArray();
    w.StartArray().String("reference").String("=").String(p->reference).EndArray();
    w.StartArray().String("type").String("=").String("out").EndArray();
    w.EndArray();
  });
  if (!found.ok()) return found.status();
  int64_t invoice = 0;
  if (!found->empty()) {
    invoice = found->front();
  } else {
    auto party = t.EnsureParty(p->customer, p->order);
    if (!party.ok()) return party.status();
    auto address = t.FirstAddress(*party);
    if (!address.ok()) return address.status();
    auto party_rec = t.Read("party.party", *party, {"account_receivable"});
    if (!party_rec.ok()) return party_rec.status();
    int64_t receivable = 0;
    if (auto r = First(*party_rec)) receivable = IdField(*r, "account_receivable");
    if (!receivable) {
      auto conf = t.Read("account.configuration", 1, {"default_account_receivable"});
      if (!conf.ok()) return conf.status();
      if (auto r = First(*conf)) receivable = IdField(*r, "default_account_receivable");
    }
    if (!receivable) return Conflict("Tryton has no receivable account for the customer");
    auto journals = t.Search("account.journal", Where("type", "=", "revenue"));
    if (!journals.ok()) return journals.status();
    if (journals->empty()) return Conflict("Tryton has no revenue journal");
    auto currency = t.Currency(p->currency);
    if (!currency.ok()) return currency.status();
    auto products = t.Products(Skus(*p));
    if (!products.ok()) return products.status();
    // The revenue account of each product, from its template's account category.
    std::map<std::string, int64_t> revenue;
    for (const auto& l : p->lines) {
      auto pr = products->find(l.sku);
      if (pr == products->end()) return Conflict("Tryton does not sell SKU " + l.sku);
      auto tmpl = t.Read("product.template", pr->second.template_id, {"account_category"});
      if (!tmpl.ok()) return tmpl.status();
      int64_t category = 0;
      if (auto r = First(*tmpl)) category = IdField(*r, "account_category");
      if (!category) return Conflict("SKU " + l.sku + " has no account category");
      auto cat = t.Read("product.category", category, {"account_revenue"});
      if (!cat.ok()) return cat.status();
      if (auto r = First(*cat)) revenue[l.sku] = IdField(*r, "account_revenue");
      if (!revenue[l.sku]) return Conflict("SKU " + l.sku + " has no revenue account");
    }
    // The sale's lines in the order they were created (the order's lines, in order), to link
    // each invoice line to what was sold.
    std::vector<int64_t> sale_lines;
    int64_t sale_id = 0;
    std::from_chars(p->sale.data(), p->sale.data() + p->sale.size(), sale_id);
    if (sale_id > 0) {
      auto lines = t.Call("model.sale.line.search_read", [&](JsonWriter& w) {
        w.StartArray().StartArray().String("sale").String("=").Int(sale_id).EndArray().EndArray();
        w.Int(0).Null().StartArray().StartArray().String("id").String("ASC").EndArray().EndArray();
        w.StartArray().String("id").EndArray();
      });
      if (!lines.ok()) return lines.status();
      simdjson::dom::array a;
      if (!lines->get().get_array().get(a)) {
        for (auto rec : a) sale_lines.push_back(IdField(rec, "id"));
      }
    }
    int64_t company = t.rpc().company();
    auto created = t.Create("account.invoice", [&](JsonWriter& w) {
      w.Field("type", "out").Field("company", company).Field("party", *party);
      w.Field("invoice_address", *address).Field("currency", *currency);
      w.Field("journal", journals->front()).Field("account", receivable);
      w.Field("reference", p->reference);
      w.Field("description", sign > 0 ? "Order " + p->order_id + ", shipment " + p->shipment
                                      : "Order " + p->order_id + ", return " + p->return_id);
      w.Key("lines").StartArray().StartArray().String("create").StartArray();
      for (const auto& l : p->lines) {
        const Product& pr = products->at(l.sku);
        w.StartObject().Field("type", "line").Field("product", pr.id);
        w.Field("company", company).Field("currency", *currency);
        w.Key("quantity").Double(static_cast<double>(sign * l.quantity));
        w.Field("unit", pr.uom).Field("account", revenue[l.sku]).Key("unit_price");
        tryton::WriteDecimal(w, l.unit_price);
        w.Field("description", l.sku);
        if (l.position >= 0 && static_cast<size_t>(l.position) < sale_lines.size()) {
          w.Field("origin", "sale.line," + Id(sale_lines[static_cast<size_t>(l.position)]));
        }
        w.EndObject();
      }
      w.EndArray().EndArray().EndArray();
    });
    if (!created.ok()) return created.status();
    invoice = *created;
  }
  std::string number;
  auto state = t.State("account.invoice", invoice, &number);
  if (!state.ok()) return state.status();
  if (*state == "draft" || *state == "validated") {
    CROSSDOCK_RETURN_IF_ERROR(t.Button("account.invoice", "post", invoice));
    state = t.State("account.invoice", invoice, &number);
    if (!state.ok()) return state.status();
  }
  if (*state != "posted" && *state != "paid") {
    return Unavailable("Tryton invoice " + Id(invoice) + " is " + *state + " after post");
  }
  JsonWriter w;
  w.StartObject().Field(sign > 0 ? "invoice" : "credit_note", Id(invoice));
  w.Field("number", number).Field("state", *state);
  w.EndObject();
  return w.Take();
}

Result<std::string> TrytonConnector::CancelSale(element doc) {
  auto p = ReadPayload(doc);
  if (!p.ok()) return p.status();
  TrytonCommand t(rpc_);
  auto found = t.Search("sale.sale", Where("reference", "=", p->order_id));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::string(R"({"sale":null,"state":"none"})");
  int64_t sale = found->front();
  auto state = t.State("sale.sale", sale);
  if (!state.ok()) return state.status();
  if (*state == "confirmed") {
    CROSSDOCK_RETURN_IF_ERROR(t.Button("sale.sale", "draft", sale));
    state = t.State("sale.sale", sale);
    if (!state.ok()) return state.status();
  }
  if (*state == "draft" || *state == "quotation") {
    CROSSDOCK_RETURN_IF_ERROR(t.Button("sale.sale", "cancel", sale));
    state = t.State("sale.sale", sale);
    if (!state.ok()) return state.status();
  }
  if (*state == "processing" || *state == "done") {
    // Tryton processes a confirmed sale at once and a processed sale cannot be cancelled: a
    // return sale of the same lines undoes it (nothing was shipped or invoiced: the order is
    // cancelled only before its first shipment).
    auto undo = PlaceSale(t, &*p, p->order_id + "/cancel", -1);
    if (!undo.ok()) return undo.status();
    JsonWriter w;
    w.StartObject().Field("sale", Id(sale)).Field("state", *state);
    w.Key("return_sale").Raw(*undo).EndObject();
    return w.Take();
  }
  if (*state != "cancelled") {
    return Conflict("Tryton sale " + Id(sale) + " is " + *state + " and cannot be cancelled");
  }
  JsonWriter w;
  w.StartObject().Field("sale", Id(sale)).Field("state", *state).EndObject();
  return w.Take();
}

namespace {

// Tryton's datetime (naive, UTC on the server): {"__class__": "datetime", "year": …}.
void WriteDateTime(JsonWriter& w, TimePoint t) {
  auto micros = ToUnixMicros(t);
  std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  w.StartObject().Field("__class__", "datetime").Field("year", tm.tm_year + 1900);
  w.Field("month", tm.tm_mon + 1).Field("day", tm.tm_mday).Field("hour", tm.tm_hour);
  w.Field("minute", tm.tm_min).Field("second", tm.tm_sec);
  w.Field("microsecond", static_cast<int64_t>(micros % 1'000'000)).EndObject();
}

std::optional<TimePoint> ReadDateTime(element v) {
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0;
  if (v["year"].get_int64().get(y) || v["month"].get_int64().get(mo) ||
      v["day"].get_int64().get(d)) {
    return std::nullopt;
  }
  if (v["hour"].get_int64().get(h)) h = 0;
  if (v["minute"].get_int64().get(mi)) mi = 0;
  if (v["second"].get_int64().get(sec)) sec = 0;
  if (v["microsecond"].get_int64().get(us)) us = 0;
  std::tm tm{};
  tm.tm_year = static_cast<int>(y - 1900);
  tm.tm_mon = static_cast<int>(mo - 1);
  tm.tm_mday = static_cast<int>(d);
  tm.tm_hour = static_cast<int>(h);
  tm.tm_min = static_cast<int>(mi);
  tm.tm_sec = static_cast<int>(sec);
  return FromUnixMicros(static_cast<int64_t>(timegm(&tm)) * 1'000'000 + us);
}

// The domain condition of delta polling: written or created at or after `since`.
void WriteChangedSince(JsonWriter& w, TimePoint since) {
  w.StartArray().String("OR");
  w.StartArray().String("write_date").String(">=");
  WriteDateTime(w, since);
  w.EndArray().StartArray().String("create_date").String(">=");
  WriteDateTime(w, since);
  w.EndArray().EndArray();
}

// When a record read with write_date and create_date last changed.
std::optional<TimePoint> ChangedAt(element rec) {
  element at;
  std::optional<TimePoint> when;
  if (!rec["write_date"].get(at) && !at.is_null()) when = ReadDateTime(at);
  if (!when && !rec["create_date"].get(at) && !at.is_null()) when = ReadDateTime(at);
  return when;
}

}  // namespace

Result<std::vector<ErpInvoiceChange>> TrytonConnector::InvoicesChangedSince(TimePoint since) {
  TrytonCommand t(rpc_);
  auto v = t.Call("model.account.invoice.search_read", [&](JsonWriter& w) {
    w.StartArray();
    w.StartArray().String("type").String("=").String("out").EndArray();
    w.StartArray().String("reference").String("like").String("ord%/%").EndArray();
    WriteChangedSince(w, since);
    w.EndArray();
    w.Int(0).Null().Null();
    w.StartArray().String("reference").String("state").String("write_date");
    w.String("create_date").String("untaxed_amount").EndArray();
  });
  if (!v.ok()) return v.status();
  std::vector<ErpInvoiceChange> out;
  simdjson::dom::array a;
  if (v->get().get_array().get(a)) return Unavailable("unreadable invoice list");
  for (auto rec : a) {
    ErpInvoiceChange c;
    c.reference = tryton::ReadString(rec, "reference");
    c.state = tryton::ReadString(rec, "state");
    c.invoice = Id(IdField(rec, "id"));
    std::optional<TimePoint> when = ChangedAt(rec);
    c.changed_at = when.value_or(since);
    simdjson::dom::element amount;
    if (!rec["untaxed_amount"].get(amount)) c.amount = tryton::ReadDecimal(amount);
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// The re-route round of a node command: its key is "<step>-<order id>-<node>" for the first
// allocation and "…-r<n>" after the n-th re-route; 0 for the first.
int RoundOf(const OutboxItem& item, const std::string& step, const std::string& order_id,
            const std::string& node) {
  const std::string prefix = step + "-" + order_id + "-" + node + "-r";
  if (item.idempotency_key.rfind(prefix, 0) != 0) return 0;
  int round = 0;
  std::string_view digits(item.idempotency_key);
  digits.remove_prefix(prefix.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), round);
  return ec == std::errc() && end == digits.data() + digits.size() ? round : 0;
}

// The shipment reference of an order's share at a warehouse node: "<order id>/<node>", plus
// "/r<n>" when the share came to the node with the n-th re-route, so a shipment cancelled by
// an earlier re-route away is never revived.
std::string ShipmentReference(const std::string& order_id, const std::string& node, int round) {
  std::string reference = order_id + "/" + node;
  if (round > 0) reference += "/r" + std::to_string(round);
  return reference;
}

// The round a shipment reference names (see ShipmentReference), or -1 if it is not of
// `order_id` at `node`.
int RoundOfReference(std::string_view reference, const std::string& order_id,
                     const std::string& node) {
  const std::string base = order_id + "/" + node;
  if (reference == base) return 0;
  if (reference.rfind(base + "/r", 0) != 0) return -1;
  int round = 0;
  std::string_view digits = reference.substr(base.size() + 2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), round);
  return ec == std::errc() && end == digits.data() + digits.size() ? round : -1;
}

}  // namespace

Result<std::string> TrytonConnector::Ship(const OutboxItem& item, const std::string& node) {
  DecodeOptions opt;
  opt.allow_server_fields = true;
  opt.validate = false;
  auto decoded = DecodeOrder(item.payload, opt);
  if (!decoded.value) return InvalidArgument("command payload: unreadable order");
  const Order& order = *decoded.value;
  TrytonCommand t(rpc_);
  const std::string reference =
      ShipmentReference(order.id, node, RoundOf(item, "dispatch", order.id, node));
  auto found = t.Search("stock.shipment.out", Where("reference", "=", reference));
  if (!found.ok()) return found.status();
  int64_t shipment = found->empty() ? 0 : found->front();
  if (!shipment) {
    auto party = t.EnsureParty(CustomerCode(order), order);
    if (!party.ok()) return party.status();
    auto address = t.FirstAddress(*party);
    if (!address.ok()) return address.status();
    auto customer = t.Read("party.party", *party, {"customer_location"});
    if (!customer.ok()) return customer.status();
    auto customer_rec = First(*customer);
    int64_t to = customer_rec ? IdField(*customer_rec, "customer_location") : 0;
    if (!to) return Conflict("party " + Id(*party) + " has no customer location");
    const std::string& code = warehouses_.at(node);
    auto warehouses = t.Call("model.stock.location.search_read", [&](JsonWriter& w) {
      w.StartArray().StartArray().String("type").String("=").String("warehouse").EndArray();
      if (!code.empty()) w.StartArray().String("code").String("=").String(code).EndArray();
      w.EndArray().Int(0).Int(1).Null();
      w.StartArray().String("output_location").EndArray();
    });
    if (!warehouses.ok()) return warehouses.status();
    auto warehouse = First(*warehouses);
    if (!warehouse) return Conflict("Tryton has no warehouse" + (code.empty() ? "" : " " + code));
    int64_t from = IdField(*warehouse, "output_location");
    std::vector<std::string> skus;
    for (const auto& l : order.lines) skus.push_back(l.sku);
    auto products = t.Products(skus);
    if (!products.ok()) return products.status();
    for (const auto& l : order.lines) {
      if (!products->count(l.sku)) return Conflict("Tryton has no product " + l.sku);
    }
    auto currency = t.Currency(order.currency);
    if (!currency.ok()) return currency.status();
    // Each move's origin is the sale line it delivers (Tryton warns about moves without one,
    // and the sale's shipment state follows its moves).
    auto sale_lines = t.Call("model.sale.line.search_read", [&](JsonWriter& w) {
      w.StartArray().StartArray().String("sale.reference").String("=").String(order.id);
      w.EndArray().StartArray().String("type").String("=").String("line").EndArray().EndArray();
      w.Int(0).Null().Null().StartArray().String("product").EndArray();
    });
    if (!sale_lines.ok()) return sale_lines.status();
    std::map<int64_t, std::vector<int64_t>> origin_of;  // product → its sale lines, in order
    simdjson::dom::array sl;
    if (!sale_lines->get().get_array().get(sl)) {
      for (auto rec : sl) origin_of[IdField(rec, "product")].push_back(IdField(rec, "id"));
    }
    int64_t company = rpc_.company();
    auto created = t.Create("stock.shipment.out", [&](JsonWriter& w) {
      w.Key("customer").Int(*party).Key("delivery_address").Int(*address);
      w.Key("warehouse").Int(IdField(*warehouse, "id")).Key("company").Int(company);
      w.Field("reference", reference);
      w.Key("moves").StartArray().StartArray().String("create").StartArray();
      for (const auto& l : order.lines) {
        const Product& pr = products->at(l.sku);
        w.StartObject().Key("product").Int(pr.id).Key("uom").Int(pr.uom);
        w.Key("quantity").Double(static_cast<double>(l.quantity));
        w.Key("from_location").Int(from).Key("to_location").Int(to);
        w.Key("unit_price");
        tryton::WriteDecimal(w, l.unit_price);
        w.Key("currency").Int(*currency).Key("company").Int(company);
        auto& origins = origin_of[pr.id];
        if (!origins.empty()) {
          w.Field("origin", "sale.line," + Id(origins.front()));
          origins.erase(origins.begin());
        }
        w.EndObject();
      }
      w.EndArray().EndArray().EndArray();
    });
    if (!created.ok()) return created.status();
    shipment = *created;
  }
  auto state = t.State("stock.shipment.out", shipment);
  if (!state.ok()) return state.status();
  if (*state == "draft") {
    CROSSDOCK_RETURN_IF_ERROR(t.Button("stock.shipment.out", "wait", shipment));
    state = t.State("stock.shipment.out", shipment);
    if (!state.ok()) return state.status();
    if (*state == "draft") return Unavailable("shipment " + Id(shipment) + " is still draft");
  }
  if (*state == "cancelled")
    return Conflict("shipment " + Id(shipment) + " is cancelled in Tryton");
  JsonWriter w;
  w.StartObject().Field("node_ref", Id(shipment)).Field("state", *state).EndObject();
  return w.Take();
}

// The order's cancellation (key "cancel-<order id>-<node>") cancels every shipment of the
// order at the node; a re-route's ("…-r<n>") only those from before round n, never the one of
// a later return of the order to the node.
Result<std::string> TrytonConnector::CancelShipment(const OutboxItem& item, element doc,
                                                    const std::string& node) {
  std::string order_id = tryton::ReadString(doc, "order_id");
  if (order_id.empty()) return InvalidArgument("command payload: no order_id");
  int before = RoundOf(item, "cancel", order_id, node);
  TrytonCommand t(rpc_);
  const std::string base = order_id + "/" + node;
  auto v = t.Call("model.stock.shipment.out.search_read", [&](JsonWriter& w) {
    w.StartArray().StartArray().String("OR");
    w.StartArray().String("reference").String("=").String(base).EndArray();
    w.StartArray().String("reference").String("like").String(base + "/r%").EndArray();
    w.EndArray().EndArray();
    w.Int(0).Null().Null().StartArray().String("reference").String("state").EndArray();
  });
  if (!v.ok()) return v.status();
  simdjson::dom::array found;
  if (v->get().get_array().get(found)) return Unavailable("unreadable shipment list");
  int cancelled = 0;
  for (auto rec : found) {
    // "like" also matches look-alike references ('_' is a wildcard): check each exactly.
    int round = RoundOfReference(tryton::ReadString(rec, "reference"), order_id, node);
    if (round < 0 || (before > 0 && round >= before)) continue;
    int64_t shipment = IdField(rec, "id");
    std::string state = tryton::ReadString(rec, "state");
    if (state == "done") return Conflict("shipment " + Id(shipment) + " is done: the goods left");
    ++cancelled;
    if (state == "cancelled") continue;
    CROSSDOCK_RETURN_IF_ERROR(t.Button("stock.shipment.out", "cancel", shipment));
    auto after = t.State("stock.shipment.out", shipment);
    if (!after.ok()) return after.status();
    if (*after != "cancelled") return Unavailable("shipment " + Id(shipment) + " is " + *after);
  }
  if (cancelled == 0) return std::string(R"({"state":"none"})");  // never created: nothing left
  return std::string(R"({"state":"cancelled"})");
}

Result<std::vector<ErpShipmentChange>> TrytonConnector::ShipmentsChangedSince(TimePoint since) {
  std::vector<ErpShipmentChange> out;
  if (warehouses_.empty()) return out;
  TrytonCommand t(rpc_);
  auto v = t.Call("model.stock.shipment.out.search_read", [&](JsonWriter& w) {
    w.StartArray();
    w.StartArray().String("reference").String("like").String("ord%/%").EndArray();
    WriteChangedSince(w, since);
    w.EndArray();
    w.Int(0).Null().Null();
    w.StartArray().String("reference").String("state").String("write_date");
    w.String("create_date").String("outgoing_moves").EndArray();
  });
  if (!v.ok()) return v.status();
  simdjson::dom::array a;
  if (v->get().get_array().get(a)) return Unavailable("unreadable shipment list");
  // Every done shipment's outgoing moves, then their products: one read each per poll.
  std::vector<std::pair<ErpShipmentChange, std::vector<int64_t>>> changes;
  std::vector<int64_t> move_ids;
  for (auto rec : a) {
    ErpShipmentChange c;
    std::string reference = tryton::ReadString(rec, "reference");
    size_t slash = reference.find('/');
    c.order_id = reference.substr(0, slash);
    c.node = reference.substr(slash + 1);
    c.node = c.node.substr(0, c.node.find('/'));  // without a re-route round
    if (!warehouses_.count(c.node)) continue;     // not one of our warehouse nodes
    c.shipment = Id(IdField(rec, "id"));
    c.state = tryton::ReadString(rec, "state");
    std::optional<TimePoint> when = ChangedAt(rec);
    c.changed_at = when.value_or(since);
    std::vector<int64_t> moves;
    simdjson::dom::array list;
    if (c.state == "done" && !rec["outgoing_moves"].get_array().get(list)) {
      for (auto id : list) moves.push_back(tryton::ReadId(id));
      move_ids.insert(move_ids.end(), moves.begin(), moves.end());
    }
    changes.emplace_back(std::move(c), std::move(moves));
  }
  struct Move {
    int64_t product = 0;
    int64_t quantity = 0;
    bool done = false;
  };
  std::map<int64_t, Move> moves;
  std::map<int64_t, std::string> codes;  // product id → code
  auto read_all = [&](const std::string& model, const std::vector<int64_t>& ids,
                      std::initializer_list<std::string_view> fields) {
    return t.Call("model." + model + ".read", [&](JsonWriter& w) {
      w.StartArray();
      for (int64_t id : ids) w.Int(id);
      w.EndArray().StartArray();
      for (auto f : fields) w.String(f);
      w.EndArray();
    });
  };
  if (!move_ids.empty()) {
    auto m = read_all("stock.move", move_ids, {"product", "quantity", "state"});
    if (!m.ok()) return m.status();
    simdjson::dom::array list;
    if (m->get().get_array().get(list)) return Unavailable("unreadable move list");
    std::vector<int64_t> products;
    for (auto move : list) {
      Move mv;
      mv.product = IdField(move, "product");
      mv.done = tryton::ReadString(move, "state") == "done";
      element q;
      if (!move["quantity"].get(q)) {
        double d = 0;
        int64_t whole = 0;
        if (!q.get_double().get(d)) {
          mv.quantity = static_cast<int64_t>(d + 0.5);
        } else if (!q.get_int64().get(whole)) {
          mv.quantity = whole;
        }
      }
      moves[IdField(move, "id")] = mv;
      if (!codes.count(mv.product)) {
        codes[mv.product];
        products.push_back(mv.product);
      }
    }
    auto p = read_all("product.product", products, {"code"});
    if (!p.ok()) return p.status();
    if (p->get().get_array().get(list)) return Unavailable("unreadable product list");
    for (auto rec : list) codes[IdField(rec, "id")] = tryton::ReadString(rec, "code");
  }
  for (auto& [c, ids] : changes) {
    for (int64_t id : ids) {
      auto it = moves.find(id);
      if (it == moves.end() || !it->second.done) continue;
      c.lines.push_back({codes[it->second.product], it->second.quantity});
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace crossdock
