// `crossdock convert`: decodes a partner document into canonical JSON on stdout, or prints
// every error with its position. Formats so far: shopify, woocommerce, amazon and canonical
// orders, the 850 purchase orders of an X12 interchange, csv inventory snapshots (`crossdock
// x12` parses and validates any X12); and a canonical
// shipment in a channel's own shape (--from shipment --to shopify|woocommerce|amazon).
#pragma once

#include <string>

#include "app/config.h"

namespace crossdock {

struct ConvertCommand {
  std::string from;   // "shopify" | "woocommerce" | "amazon" | "canonical" | "csv" | "shipment"
  std::string to;     // "" or "canonical"; for shipment: "shopify" | "woocommerce" | "amazon"
  std::string order;  // shipment: the canonical order file
  std::string location_id;     // shipment --to shopify
  std::string marketplace_id;  // shipment --to amazon
  std::string file;            // path, or "-" for stdin
  std::string channel;         // canonical channel name; "" = the format's name
  std::string mapping;         // csv: YAML column mapping (delimiter, sku, on_hand, as_of, node)
  std::string as_of;           // csv: RFC 3339 time of counts without an as_of column ("" = now)
  bool json_errors = false;    // errors as one JSON object instead of lines
};

// Whether `format` is one of convert's own formats (else it may be a partner id).
bool IsBuiltInFormat(const std::string& format);

// Exit codes: 0 converted; 1 the input is invalid (errors printed on stderr, or on stdout as
// JSON with --json); 2 bad usage or unreadable file. With `config`, --from may name a partner:
// its format or declarative mapping reads the document (app/partner_cli.h).
int RunConvertCommand(const ConvertCommand& command, const Config* config = nullptr);

}  // namespace crossdock
