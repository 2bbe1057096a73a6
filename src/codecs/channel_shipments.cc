#include "codecs/channel_shipments.h"

#include <algorithm>
#include <functional>
#include <map>

#include "base/json.h"

namespace crossdock {

namespace {

bool Digits(const std::string& s) {
  return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
}

// The shipment's lines must be the order's, in no greater quantity than ordered; every fault.
void CheckLines(const Shipment& s, const Order& order, FieldErrors& errors) {
  if (!s.order_id.empty() && !order.id.empty() && s.order_id != order.id) {
    errors.push_back({"/order_id", "the shipment is of order " + s.order_id + ", not " + order.id});
  }
  std::map<std::string, int64_t> ordered;
  for (const auto& l : order.lines) ordered[l.line_id] += l.quantity;
  for (size_t p = 0; p < s.packages.size(); ++p) {
    for (size_t i = 0; i < s.packages[p].lines.size(); ++i) {
      const ShippedLine& l = s.packages[p].lines[i];
      std::string at = "/packages/" + std::to_string(p) + "/lines/" + std::to_string(i);
      if (!ordered.count(l.line_id)) {
        errors.push_back({at + "/line_id", "the order has no line '" + l.line_id + "'"});
      }
    }
  }
  for (const auto& l : s.ShippedLines()) {
    if (ordered.count(l.line_id) && l.quantity > ordered[l.line_id]) {
      errors.push_back({"/packages", "line " + l.line_id + " ships " + std::to_string(l.quantity) +
                                         ", the order has " + std::to_string(ordered[l.line_id])});
    }
  }
  if (s.packages.empty()) errors.push_back({"/packages", "the shipment carries nothing"});
}

// The body when nothing was found wrong.
Decoded<std::string> Done(FieldErrors errors, const std::function<std::string()>& body) {
  Decoded<std::string> out;
  out.errors = std::move(errors);
  if (out.errors.empty()) out.value = body();
  return out;
}

std::vector<std::string> TrackingNumbers(const Shipment& s) {
  std::vector<std::string> out;
  auto add = [&](const std::string& t) {
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  };
  add(s.tracking_number);
  for (const auto& p : s.packages) add(p.tracking_number);
  return out;
}

// A Shopify or WooCommerce id: digits become a JSON number, as the channel writes them.
void Id(JsonWriter& w, const std::string& id) {
  if (Digits(id)) {
    w.Raw(id);
  } else {
    w.String(id);
  }
}

}  // namespace

Decoded<std::string> EncodeShopifyFulfillment(const Shipment& s, const Order& order,
                                              const ChannelShipmentOptions& options) {
  FieldErrors errors;
  CheckLines(s, order, errors);
  for (const auto& l : s.ShippedLines()) {
    if (!Digits(l.line_id)) {
      errors.push_back(
          {"/packages", "line '" + l.line_id + "' is not a Shopify line item id (digits)"});
    }
  }
  if (!options.shopify_location_id.empty() && !Digits(options.shopify_location_id)) {
    errors.push_back({"location_id", "a Shopify location id is digits"});
  }
  return Done(std::move(errors), [&] {
    auto tracking = TrackingNumbers(s);
    JsonWriter w;
    w.StartObject().Key("fulfillment").StartObject();
    if (!options.shopify_location_id.empty()) {
      w.Key("location_id");
      Id(w, options.shopify_location_id);
    }
    if (!tracking.empty()) w.Field("tracking_number", tracking.front());
    w.Key("tracking_numbers").StartArray();
    for (const auto& t : tracking) w.String(t);
    w.EndArray();
    if (!s.carrier.empty()) w.Field("tracking_company", s.carrier);
    w.Key("line_items").StartArray();
    for (const auto& l : s.ShippedLines()) {
      w.StartObject().Key("id");
      Id(w, l.line_id);
      w.Field("quantity", l.quantity).EndObject();
    }
    w.EndArray().Field("notify_customer", options.notify_customer);
    w.EndObject().EndObject();
    return w.Take();
  });
}

Decoded<std::string> EncodeWooCommerceOrderUpdate(const Shipment& s, const Order& order) {
  FieldErrors errors;
  CheckLines(s, order, errors);
  return Done(std::move(errors), [&] {
    int64_t ordered = 0, shipped = 0;
    for (const auto& l : order.lines) ordered += l.quantity;
    for (const auto& l : s.ShippedLines()) shipped += l.quantity;
    JsonWriter w;
    w.StartObject().Field("status", shipped >= ordered ? "completed" : "processing");
    w.Key("meta_data").StartArray().StartObject().Field("key", "_wc_shipment_tracking_items");
    w.Key("value").StartArray();
    auto tracking = TrackingNumbers(s);
    if (tracking.empty()) tracking.push_back("");
    for (const auto& t : tracking) {
      w.StartObject().Field("tracking_provider", s.carrier).Field("tracking_number", t);
      if (s.shipped_at) {
        w.Field("date_shipped", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   s.shipped_at->time_since_epoch())
                                                   .count()));
      }
      w.EndObject();
    }
    w.EndArray().EndObject().EndArray().EndObject();
    return w.Take();
  });
}

Decoded<std::string> EncodeAmazonShipmentConfirmations(const Shipment& s, const Order& order,
                                                       const ChannelShipmentOptions& options) {
  FieldErrors errors;
  CheckLines(s, order, errors);
  if (options.amazon_marketplace_id.empty()) {
    errors.push_back({"marketplace_id", "Amazon needs the order's marketplace id"});
  }
  if (s.carrier.empty()) errors.push_back({"/carrier", "Amazon needs the carrier code"});
  if (!s.shipped_at) errors.push_back({"/shipped_at", "Amazon needs the ship date"});
  for (size_t p = 0; p < s.packages.size(); ++p) {
    const Package& pkg = s.packages[p];
    if (pkg.tracking_number.empty() && s.tracking_number.empty()) {
      errors.push_back(
          {"/packages/" + std::to_string(p) + "/tracking_number", "Amazon needs one per package"});
    }
    if (pkg.lines.empty()) {
      errors.push_back({"/packages/" + std::to_string(p) + "/lines", "the package is empty"});
    }
  }
  return Done(std::move(errors), [&] {
    JsonWriter w;
    w.StartArray();
    for (size_t p = 0; p < s.packages.size(); ++p) {
      const Package& pkg = s.packages[p];
      std::string tracking = pkg.tracking_number.empty() ? s.tracking_number : pkg.tracking_number;
      w.StartObject().Field("marketplaceId", options.amazon_marketplace_id);
      w.Key("packageDetail").StartObject();
      w.Field("packageReferenceId", std::to_string(p + 1)).Field("carrierCode", s.carrier);
      if (!s.service.empty()) w.Field("shippingMethod", s.service);
      w.Field("trackingNumber", tracking).Field("shipDate", FormatRfc3339(*s.shipped_at));
      w.Key("orderItems").StartArray();
      std::map<std::string, int64_t> items;
      std::vector<std::string> order_of;
      for (const auto& l : pkg.lines) {
        if (!items.count(l.line_id)) order_of.push_back(l.line_id);
        items[l.line_id] += l.quantity;
      }
      for (const auto& id : order_of) {
        w.StartObject().Field("orderItemId", id).Field("quantity", items[id]).EndObject();
      }
      w.EndArray().EndObject().EndObject();
    }
    w.EndArray();
    return w.Take();
  });
}

}  // namespace crossdock
