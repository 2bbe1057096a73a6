// POST /v1/webhooks/{partner}: signed deliveries from partners that push instead of calling
// with an API key. The partner's configuration names the scheme:
//   shopify  — X-Shopify-Hmac-Sha256 over the raw body; the body is a Shopify order (topic
//              orders/create) or, for a partner with shopify_inventory, a Shopify inventory
//              level of a location that is a node (topic inventory_levels/update); other
//              topics are acknowledged and ignored.
//   standard — Standard Webhooks headers; the body is {"type": …, "data": …} with type
//              order.created (a canonical order, or the partner's own document in its
//              configured format or declarative mapping), shipment.confirmed (a canonical shipment,
//              from a node) or inventory.levels ({"levels": [...]}, from a node).
// A delivery's id is its deduplication key, so a retried or concurrently repeated delivery has
// exactly one effect and is answered 2xx each time. An unknown partner answers exactly like a
// bad signature (401), so endpoints cannot be enumerated.
#include <simdjson.h>

#include "base/json.h"
#include "codecs/canonical_json.h"
#include "codecs/shopify_order.h"
#include "gateway/api.h"

namespace crossdock {

namespace {

// Pointers of errors found inside the envelope's `data`, as seen from the whole body.
FieldErrors UnderData(FieldErrors errors) {
  for (auto& e : errors) e.pointer = "/data" + e.pointer;
  return errors;
}

// For a webhook, "this order exists already" is success: the sender must stop retrying. Only
// when the stored order is the partner's own (a 409 names it, with Location, only then);
// another tenant's order with the same channel and reference stays a 409.
Respond DuplicateIsSuccess(Respond respond) {
  return [respond = std::move(respond)](HttpResponse r) {
    auto location = r.headers.find("Location");
    if (r.status == 409 && location != r.headers.end()) {
      JsonWriter w;
      w.StartObject().Field("result", "duplicate").Field("order", location->second).EndObject();
      HttpResponse ok = HttpResponse::Json(200, w.Take());
      ok.headers["Location"] = location->second;
      respond(std::move(ok));
      return;
    }
    respond(std::move(r));
  };
}

}  // namespace

void Api::PostWebhook(std::shared_ptr<RequestContext> ctx, Respond respond) {
  HttpResponse early;
  if (CheckAuthFailures(*ctx, early) == FilterResult::kRespond) {
    respond(std::move(early));
    return;
  }
  const std::string& partner_id = ctx->route.params["partner"];
  auto wp = options_.webhook_partners.find(partner_id);
  auto verified = wp == options_.webhook_partners.end()
                      ? Result<VerifiedWebhook>(Status(StatusCode::kUnauthenticated,
                                                       "no webhooks are configured for it"))
                      : VerifyInboundWebhook(wp->second.policy, ctx->request, clock_.Now());
  if (!verified.ok()) {
    // One answer for every failure, so nobody learns which partners exist or which rule
    // failed; the reason is in the log for the operator.
    CountAuthFailure(*ctx);
    log_.Info("webhook refused", {{"trace_id", ctx->trace.trace_id},
                                  {"partner", partner_id},
                                  {"reason", verified.status().message()}});
    respond(Fail(*ctx, ProblemType::kInvalidSignature,
                 "the delivery's signature, id or timestamp is not valid"));
    return;
  }
  const InboundWebhookPolicy& policy = wp->second.policy;
  ctx->partner = wp->second.partner;
  if (Throttle(*ctx, early) == FilterResult::kRespond) {
    respond(std::move(early));
    return;
  }
  const Partner& partner = *ctx->partner;
  if (partner.limits.max_body_bytes > 0 &&
      ctx->request.body.size() > partner.limits.max_body_bytes) {
    respond(Fail(*ctx, ProblemType::kPayloadTooLarge, "the delivery is over the partner's limit"));
    return;
  }
  auto need = [&](const char* scope) {
    if (partner.HasScope(scope)) return true;
    respond(Fail(*ctx, ProblemType::kForbidden,
                 "partner " + partner.id + " lacks the scope '" + scope + "'"));
    return false;
  };

  if (policy.scheme == WebhookScheme::kShopify) {
    if (verified->topic == "inventory_levels/update" && !wp->second.inventory.locations.empty()) {
      if (!need("inventory:write")) return;
      TimePoint now = clock_.Now();
      auto decoded =
          DecodeShopifyInventoryLevels(ctx->request.body, wp->second.inventory,
                                       options_.max_json_depth, now + std::chrono::minutes(5));
      if (!decoded.ok()) {
        respond(DecodeFailure(*ctx, "Shopify inventory level", decoded.syntax_error,
                              std::move(decoded.errors)));
        return;
      }
      auto levels = std::make_shared<std::vector<InventoryLevel>>();
      for (const auto& c : *decoded.value)
        levels->push_back({c.sku, c.node, c.on_hand, c.as_of, now});
      StoreLevels(ctx, std::move(levels), std::move(respond));
      return;
    }
    if (verified->topic != "orders/create") {
      // Acknowledged so Shopify stops retrying; nothing else is subscribed yet.
      JsonWriter w;
      w.StartObject().Field("result", "ignored").Field("topic", verified->topic).EndObject();
      respond(HttpResponse::Json(200, w.Take()));
      return;
    }
    if (!need("orders:write")) return;
    ShopifyDecodeOptions opts;
    opts.channel = partner.channel.empty() ? partner.id : partner.channel;
    opts.max_depth = options_.max_json_depth;
    opts.limits = PartnerOrderLimits(partner);
    auto decoded = DecodeShopifyOrder(ctx->request.body, opts);
    if (!decoded.ok()) {
      respond(
          DecodeFailure(*ctx, "Shopify order", decoded.syntax_error, std::move(decoded.errors)));
      return;
    }
    SubmitOrder(ctx, std::move(*decoded.value), "shopify:" + verified->id, false,
                DuplicateIsSuccess(std::move(respond)));
    return;
  }

  // Standard Webhooks envelope.
  simdjson::dom::parser parser;
  auto body = ObjectBody(*ctx, respond, parser, "");
  if (!body) return;
  std::string_view type;
  simdjson::dom::element data;
  FieldErrors errors;
  for (auto kv : *body) {
    if (kv.key == "type") {
      if (kv.value.get_string().get(type)) errors.push_back({"/type", "must be a string"});
    } else if (kv.key == "data") {
      data = kv.value;
      if (!data.is_object()) errors.push_back({"/data", "must be an object"});
    } else if (kv.key != "timestamp") {
      errors.push_back({"/" + std::string(kv.key), "is not a property of a webhook envelope"});
    }
  }
  if (type.empty() && errors.empty()) errors.push_back({"/type", "is required"});
  if (!data.is_object() && errors.empty()) errors.push_back({"/data", "is required"});
  if (!errors.empty()) {
    respond(Fail(*ctx, ProblemType::kValidation, "invalid webhook envelope", std::move(errors)));
    return;
  }
  std::string data_json = simdjson::minify(data);
  DecodeOptions opts;
  opts.max_depth = options_.max_json_depth;
  opts.limits = PartnerOrderLimits(partner);
  if (type == "order.created") {
    if (!need("orders:write")) return;
    // The partner's own document when its configuration names a format, else canonical.
    PartnerFormat format = wp->second.orders;
    if (format.format.empty()) format.format = "canonical";
    format.max_depth = opts.max_depth;
    format.limits = opts.limits;
    auto decoded = DecodePartnerOrder(data_json, format);
    if (!decoded.ok()) {
      respond(DecodeFailure(*ctx, "order", false, UnderData(std::move(decoded.errors))));
      return;
    }
    SubmitOrder(ctx, std::move(*decoded.value), "webhook:" + verified->id, false,
                DuplicateIsSuccess(std::move(respond)));
  } else if (type == "shipment.confirmed") {
    if (!need("shipments:write")) return;
    auto decoded = DecodeShipment(data_json, opts);
    if (!decoded.ok()) {
      respond(DecodeFailure(*ctx, "shipment", false, UnderData(std::move(decoded.errors))));
      return;
    }
    ApplyShipmentFrom(ctx, partner.id, std::move(*decoded.value), std::move(respond));
  } else if (type == "inventory.levels") {
    if (!need("inventory:write")) return;
    StoreInventory(ctx, partner.id, data_json, "/data", std::move(respond));
  } else {
    respond(Fail(*ctx, ProblemType::kValidation, "unknown webhook type",
                 {{"/type", "must be order.created, shipment.confirmed or inventory.levels"}}));
  }
}

}  // namespace crossdock
