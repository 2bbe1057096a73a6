#include "app/convert_cli.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "base/json.h"
#include "codecs/amazon_order.h"
#include "codecs/canonical_json.h"
#include "codecs/shopify_order.h"
#include "codecs/woocommerce_order.h"

namespace crossdock {

int RunConvertCommand(const ConvertCommand& cmd) {
  std::string input;
  if (cmd.file == "-") {
    input.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(cmd.file, std::ios::binary);
    if (!in) {
      std::cerr << "crossdock convert: cannot read " << cmd.file << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    input = ss.str();
  }
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
  } else {
    std::cerr << "crossdock convert: unknown format '" << cmd.from
              << "' (known: shopify, woocommerce, amazon, canonical; X12: crossdock x12)\n";
    return 2;
  }
  if (decoded.ok()) {
    std::cout << EncodeOrder(*decoded.value) << "\n";
    return 0;
  }
  if (cmd.json_errors) {
    JsonWriter w;
    w.StartObject().Field("file", cmd.file).Field("format", cmd.from);
    w.Field("syntax_error", decoded.syntax_error);
    w.Key("errors").StartArray();
    for (const auto& e : decoded.errors) {
      w.StartObject().Field("pointer", e.pointer).Field("detail", e.detail).EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.Take() << "\n";
  } else {
    for (const auto& e : decoded.errors) {
      std::cerr << cmd.file << ": " << (e.pointer.empty() ? "/" : e.pointer) << ": " << e.detail
                << "\n";
    }
  }
  return 1;
}

}  // namespace crossdock
