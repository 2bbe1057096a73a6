#include "app/convert_cli.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>
#include "app/input_file.h"
#include "base/json.h"
#include "codecs/amazon_order.h"

#include "app/csv_mapping.h"
#include "app/partner_cli.h"
#include "codecs/canonical_json.h"
#include "codecs/channel_shipments.h"
#include "codecs/csv.h"
#include "codecs/shopify_order.h"
#include "codecs/woocommerce_order.h"
#include "codecs/x12_trading.h"

namespace crossdock {

namespace {

// `crossdock convert --from csv`: an inventory snapshot with a column mapping.
int ConvertCsv(const ConvertCommand& cmd, const std::string& input) {
  CsvInventoryMapping m;
  if (!cmd.mapping.empty()) {
    auto loaded = LoadCsvInventoryMapping(cmd.mapping);
    if (!loaded.ok()) {
      std::cerr << "crossdock convert: " << loaded.status().message() << "\n";
      return 2;
    }
    m = *loaded;
  }
  TimePoint as_of = SystemClock::Instance().Now();
  if (!cmd.as_of.empty()) {
    auto t = ParseRfc3339(cmd.as_of);
    if (!t.ok()) {
      std::cerr << "crossdock convert: --as-of: " << t.status().message() << "\n";
      return 2;
    }
    as_of = *t;
  }
  CsvInventory inv = DecodeCsvInventory(input, m, as_of);
  if (!inv.ok()) {
    if (cmd.json_errors) {
      JsonWriter w;
      w.StartObject().Field("file", cmd.file).Field("format", "csv").Key("errors").StartArray();
      for (const auto& e : inv.errors) {
        w.StartObject().Field("line", e.line).Field("column", e.column);
        w.Field("column_name", e.column_name).Field("detail", e.message).EndObject();
      }
      w.EndArray().EndObject();
      std::cout << w.Take() << "\n";
    } else {
      for (const auto& e : inv.errors) std::cerr << cmd.file << ": " << e.ToString() << "\n";
    }
    return 1;
  }
  // docs/schemas/inventory.schema.json per node: {"reports":[{"node", "levels"}]} when the
  // snapshot names nodes, else one {"levels"} report for the node that sends it.
  std::map<std::string, std::vector<const InventoryCount*>> by_node;
  for (const auto& c : inv.counts) by_node[c.node].push_back(&c);
  auto levels = [](JsonWriter& w, const std::vector<const InventoryCount*>& counts) {
    w.Key("levels").StartArray();
    for (const auto* c : counts) {
      w.StartObject().Field("sku", c->sku).Field("on_hand", c->on_hand);
      w.Field("as_of", FormatRfc3339(c->as_of)).EndObject();
    }
    w.EndArray();
  };
  JsonWriter w;
  w.StartObject();
  if (m.node.empty()) {
    levels(w, by_node[""]);
  } else {
    w.Key("reports").StartArray();
    for (const auto& [node, counts] : by_node) {
      w.StartObject().Field("node", node);
      levels(w, counts);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  std::cout << w.Take() << "\n";
  return 0;
}

void PrintDecodeErrors(const ConvertCommand& cmd, const std::string& file,
                       const std::string& format, bool syntax, const FieldErrors& errors) {
  if (cmd.json_errors) {
    JsonWriter w;
    w.StartObject().Field("file", file).Field("format", format);
    w.Field("syntax_error", syntax);
    w.Key("errors").StartArray();
    for (const auto& e : errors) {
      w.StartObject().Field("pointer", e.pointer).Field("detail", e.detail).EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
  } else {
    for (const auto& e : errors) {
      std::cerr << file << ": " << (e.pointer.empty() ? "/" : e.pointer) << ": " << e.detail
                << "\n";
    }
  }
}

// `crossdock convert --from shipment --to CHANNEL --order ORDER FILE`.
int ConvertShipment(const ConvertCommand& cmd, const std::string& input) {
  auto usage = [](const std::string& m) {
    std::cerr << "crossdock convert: " << m << "\n";
    return 2;
  };
  if (cmd.to != "shopify" && cmd.to != "woocommerce" && cmd.to != "amazon") {
    return usage("--from shipment needs --to shopify, woocommerce or amazon");
  }
  if (cmd.order.empty()) return usage("--from shipment needs --order (the canonical order)");
  auto order_text = ReadCommandInput(cmd.order, "convert");
  if (!order_text) return 2;
  auto order = DecodeOrder(*order_text);
  if (!order.ok()) {
    PrintDecodeErrors(cmd, cmd.order, "canonical", order.syntax_error, order.errors);
    return 1;
  }
  auto shipment = DecodeShipment(input);
  if (!shipment.ok()) {
    PrintDecodeErrors(cmd, cmd.file, "shipment", shipment.syntax_error, shipment.errors);
    return 1;
  }
  ChannelShipmentOptions options{cmd.location_id, cmd.marketplace_id, true};
  Decoded<std::string> out =
      cmd.to == "shopify" ? EncodeShopifyFulfillment(*shipment.value, *order.value, options)
      : cmd.to == "woocommerce"
          ? EncodeWooCommerceOrderUpdate(*shipment.value, *order.value)
          : EncodeAmazonShipmentConfirmations(*shipment.value, *order.value, options);
  if (!out.ok()) {
    // A missing or bad option is bad usage; the shipment's faults are its own, each with its
    // pointer.
    FieldErrors faults;
    std::string options_wrong;
    for (const auto& e : out.errors) {
      if (e.pointer == "location_id" || e.pointer == "marketplace_id") {
        options_wrong += std::string(options_wrong.empty() ? "" : "; ") + "--" +
                         (e.pointer == "location_id" ? "location-id" : "marketplace-id") + ": " +
                         e.detail;
      } else {
        faults.push_back(e);
      }
    }
    if (!options_wrong.empty()) return usage(options_wrong);
    PrintDecodeErrors(cmd, cmd.file, "shipment", false, faults);
    return 1;
  }
  std::cout << *out.value << "\n";
  return 0;
}

// `crossdock convert --from x12 FILE`: the 850 purchase orders of an interchange as canonical
// orders (a JSON array); faults by segment and element.
int ConvertX12(const ConvertCommand& cmd, const std::string& input) {
  X12Document doc = ParseX12(input);
  std::vector<X12Error> errors = doc.errors;
  std::vector<Order> orders;
  X12OrderOptions options;
  if (!cmd.channel.empty()) options.channel = cmd.channel;
  if (doc.ok()) {
    for (size_t i = 0; i < doc.interchanges.size(); ++i) {
      Decoded850 read = Read850(doc.interchanges[i], options);
      for (auto& e : read.errors) {
        e.interchange = static_cast<int>(i);
        errors.push_back(std::move(e));
      }
      for (auto& o : read.orders) orders.push_back(std::move(o));
    }
    if (errors.empty() && orders.empty()) {
      X12Error none;
      none.message = "no 850 purchase order in the file";
      errors.push_back(none);
    }
  }
  if (!errors.empty()) {
    if (cmd.json_errors) {
      JsonWriter w;
      w.StartObject().Field("file", cmd.file).Field("format", "x12").Key("errors").StartArray();
      for (const auto& e : errors) {
        w.StartObject().Field("interchange", e.interchange).Field("segment", e.segment);
        w.Field("segment_id", e.segment_id).Field("element", e.element);
        w.Field("offset", static_cast<int64_t>(e.offset)).Field("message", e.message).EndObject();
      }
      w.EndArray().EndObject();
      std::cout << w.Take() << "\n";
    } else {
      for (const auto& e : errors) std::cerr << cmd.file << ": " << e.ToString() << "\n";
    }
    return 1;
  }
  std::cout << "[";
  for (size_t i = 0; i < orders.size(); ++i) std::cout << (i ? "," : "") << EncodeOrder(orders[i]);
  std::cout << "]\n";
  return 0;
}

}  // namespace

bool IsBuiltInFormat(const std::string& f) {
  return f == "shopify" || f == "woocommerce" || f == "amazon" || f == "canonical" || f == "csv" ||
         f == "shipment" || f == "x12";
}

int RunConvertCommand(const ConvertCommand& cmd, const Config* config) {
  auto read = ReadCommandInput(cmd.file, "convert");
  if (!read) return 2;
  const std::string& input = *read;
  if (cmd.from == "shipment") return ConvertShipment(cmd, input);
  if (!cmd.to.empty() && cmd.to != "canonical") {
    std::cerr << "crossdock convert: --to " << cmd.to
              << ": only a shipment converts to a channel's shape (--from shipment)\n";
    return 2;
  }
  if (cmd.from == "csv") return ConvertCsv(cmd, input);
  if (cmd.from == "x12") return ConvertX12(cmd, input);
  Decoded<Order> decoded;
  if (cmd.from == "shopify") {
    ShopifyDecodeOptions opts;
    if (!cmd.channel.empty()) opts.channel = cmd.channel;
    decoded = DecodeShopifyOrder(input, opts);
  } else if (cmd.from == "woocommerce") {
    WooCommerceDecodeOptions opts;
    if (!cmd.channel.empty()) opts.channel = cmd.channel;
    decoded = DecodeWooCommerceOrder(input, opts);
  } else if (cmd.from == "amazon") {
    AmazonDecodeOptions opts;
    if (!cmd.channel.empty()) opts.channel = cmd.channel;
    decoded = DecodeAmazonOrder(input, opts);
  } else if (cmd.from == "canonical") {
    decoded = DecodeOrder(input);
  } else if (const PartnerConfig* p = config ? FindPartner(*config, cmd.from) : nullptr) {
    if (p->format.empty()) {
      std::cerr << "crossdock convert: partner " << p->id
                << " has no format (partners[].format or .mapping)\n";
      return 2;
    }
    decoded = DecodeAsPartner(*p, input);
  } else {
    std::cerr << "crossdock convert: unknown format '" << cmd.from
              << "' (known: shopify, woocommerce, amazon, canonical, csv, shipment, x12, or a "
                 "partner id of the configuration)\n";
    return 2;
  }
  if (decoded.ok()) {
    std::cout << EncodeOrder(*decoded.value) << "\n";
    return 0;
  }
  PrintDecodeErrors(cmd, cmd.file, cmd.from, decoded.syntax_error, decoded.errors);
  return 1;
}

}  // namespace crossdock
