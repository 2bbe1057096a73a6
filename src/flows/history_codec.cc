#include "flows/history_codec.h"

#include "base/json.h"
#include "codecs/canonical_json.h"
#include "codecs/json_reader.h"
#include "flows/command_answers.h"
#include "flows/order_state.h"

namespace crossdock {

namespace {

using json_reader::element;

void WriteTimeMicros(JsonWriter& w, std::string_view key, TimePoint t) {
  w.Field(key, ToUnixMicros(t));
}

const char* TypeOf(const OrderInput& in) {
  static constexpr const char* kNames[] = {"submit",
                                           "dispatch_acknowledged",
                                           "dispatch_dead_lettered",
                                           "shipment_confirmed",
                                           "cancel_requested",
                                           "erp_checked",
                                           "erp_sale_created",
                                           "hold_released",
                                           "timer_fired",
                                           "milestone",
                                           "invoice_posted",
                                           "compensation_done",
                                           "command_failed",
                                           "exception_resolved",
                                           "rerouted",
                                           "reallocate",
                                           "return_requested",
                                           "return_received",
                                           "credit_posted",
                                           "invoice_paid",
                                           "dispatch_transmitted",
                                           "reconcile_finding"};
  static_assert(std::size(kNames) == std::variant_size_v<OrderInput>);
  return kNames[in.index()];
}

void WriteFacts(JsonWriter& w, const RoutingFacts& f) {
  if (f.empty()) return;  // histories without facts stay as they were recorded
  w.Key("facts").StartObject().Key("on_hand").StartObject();
  for (const auto& [node, skus] : f.on_hand) {
    w.Key(node).StartObject();
    for (const auto& [sku, qty] : skus) w.Field(sku, qty);
    w.EndObject();
  }
  w.EndObject().Key("unhealthy").StartArray();
  for (const auto& n : f.unhealthy) w.String(n);
  w.EndArray().EndObject();
}

void ReadFacts(json_reader::Reader& r, element v, const std::string& p, RoutingFacts& f) {
  r.ForEachField(v, p, [&](std::string_view k, element fv, const std::string& fp) {
    if (k == "on_hand") {
      r.ForEachField(fv, fp, [&](std::string_view node, element nv, const std::string& np) {
        r.ForEachField(nv, np, [&](std::string_view sku, element q, const std::string& qp) {
          r.Int(q, qp, f.on_hand[std::string(node)][std::string(sku)]);
          return true;
        });
        return true;
      });
    } else if (k == "unhealthy") {
      r.ForEachItem(fv, fp, [&](element n, const std::string& ip) {
        std::string node;
        r.String(n, ip, node);
        f.unhealthy.insert(node);
      });
    } else {
      return false;
    }
    return true;
  });
}

Status Fault(const FieldErrors& errors) {
  return InvalidArgument(errors[0].pointer + ": " + errors[0].detail);
}

}  // namespace

std::string EncodeInput(const OrderInput& input) {
  JsonWriter w;
  w.StartObject().Field("type", TypeOf(input));
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, SubmitOrder>) {
          w.Key("order");
          WriteOrder(w, in.order);
          WriteFacts(w, in.facts);
        } else if constexpr (std::is_same_v<T, DispatchAcknowledged>) {
          w.Field("node", in.node).Field("node_ref", in.node_ref);
        } else if constexpr (std::is_same_v<T, DispatchDeadLettered>) {
          w.Field("node", in.node).Field("error", in.error);
        } else if constexpr (std::is_same_v<T, DispatchTransmitted>) {
          w.Field("node", in.node).Field("reference", in.reference);
        } else if constexpr (std::is_same_v<T, ReconcileFinding>) {
          w.Field("kind", in.kind).Field("reference", in.reference).Field("detail", in.detail);
        } else if constexpr (std::is_same_v<T, ShipmentConfirmed>) {
          w.Key("shipment");
          WriteShipment(w, in.shipment);
        } else if constexpr (std::is_same_v<T, CancelRequested>) {
          w.Field("partner", in.partner).Field("reason", in.reason);
        } else if constexpr (std::is_same_v<T, ErpChecked>) {
          w.Field("customer", in.customer).Key("prices").StartObject();
          for (const auto& [sku, price] : in.prices) w.Field(sku, price.ToString());
          w.EndObject().Key("unknown_skus").StartArray();
          for (const auto& sku : in.unknown_skus) w.String(sku);
          w.EndArray();
          if (in.credit_limit) w.Field("credit_limit", in.credit_limit->ToString());
          w.Field("credit_used", in.credit_used.ToString());
        } else if constexpr (std::is_same_v<T, ErpSaleCreated>) {
          w.Field("sale", in.sale);
          WriteFacts(w, in.facts);
        } else if constexpr (std::is_same_v<T, Reallocate>) {
          WriteFacts(w, in.facts);
        } else if constexpr (std::is_same_v<T, ReturnRequested>) {
          w.Field("return_id", in.return_id).Key("lines").StartArray();
          for (const auto& l : in.lines) {
            w.StartObject().Field("line_id", l.line_id).Field("quantity", l.quantity);
            w.Field("reason", l.reason).EndObject();
          }
          w.EndArray();
        } else if constexpr (std::is_same_v<T, ReturnReceived>) {
          w.Field("return_id", in.return_id).Field("node", in.node).Key("lines").StartArray();
          for (const auto& l : in.lines) {
            w.StartObject().Field("line_id", l.line_id).Field("quantity", l.quantity);
            w.Field("condition", l.condition).EndObject();
          }
          w.EndArray();
        } else if constexpr (std::is_same_v<T, CreditPosted>) {
          w.Field("return_id", in.return_id).Field("credit_note", in.credit_note);
        } else if constexpr (std::is_same_v<T, InvoicePaid>) {
          w.Field("reference", in.reference).Field("invoice", in.invoice);
        } else if constexpr (std::is_same_v<T, HoldReleased>) {
          w.Field("by", in.by).Field("reason", in.reason);
          WriteFacts(w, in.facts);
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          w.Field("kind", in.kind);
          WriteTimeMicros(w, "due", in.due);
          if (!in.node.empty()) w.Field("node", in.node);
        } else if constexpr (std::is_same_v<T, MilestoneReported>) {
          w.Field("kind", in.kind).Field("node", in.node);
          w.Field("partner_event_id", in.partner_event_id);
          WriteTimeMicros(w, "at", in.at);
        } else if constexpr (std::is_same_v<T, InvoicePosted>) {
          w.Field("shipment", in.shipment).Field("invoice", in.invoice);
        } else if constexpr (std::is_same_v<T, CompensationDone>) {
          w.Field("command", in.command);
          if (!in.node.empty()) w.Field("node", in.node);
        } else if constexpr (std::is_same_v<T, CommandFailed>) {
          w.Field("command", in.command).Field("destination", in.destination);
          w.Field("error", in.error);
        } else if constexpr (std::is_same_v<T, ExceptionResolved>) {
          w.Field("by", in.by).Field("note", in.note);
        } else if constexpr (std::is_same_v<T, Rerouted>) {
          w.Field("node", in.node).Field("by", in.by).Field("reason", in.reason);
          if (!in.from.empty()) w.Field("from", in.from);
        }
      },
      input);
  w.EndObject();
  return w.Take();
}

Result<OrderInput> DecodeInput(std::string_view json) {
  FieldErrors errors;
  // A parser of its own: decoding the order or shipment inside uses json_reader's shared one,
  // which would invalidate this document.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.allocate(json.size() + 64, 32) || parser.parse(json).get(root)) {
    Status syntax = CheckJsonSyntax(json, 32);
    return InvalidArgument(syntax.ok() ? "/: not a JSON document" : "/: " + syntax.message());
  }
  std::optional<element> doc = root;
  std::string_view type;
  if ((*doc)["type"].get_string().get(type)) return InvalidArgument("/type: is required");
  json_reader::Reader r(errors);
  std::optional<OrderInput> out;
  // Reads the members named in `fields` (besides "type"); unknown members are errors.
  auto fields = [&](const std::function<bool(std::string_view, element, const std::string&)>& f) {
    r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& p) {
      return k == "type" || f(k, v, p);
    });
  };
  auto str = [&](std::string& s) {
    return [&s, &r](element v, const std::string& p) { r.String(v, p, s); };
  };
  auto micros = [&](TimePoint& t) {
    return [&t, &r](element v, const std::string& p) {
      int64_t m = 0;
      r.Int(v, p, m);
      t = FromUnixMicros(m);
    };
  };
  using Reader = std::function<void(element, const std::string&)>;
  auto simple = [&](std::initializer_list<std::pair<std::string_view, Reader>> members) {
    fields([&](std::string_view k, element v, const std::string& p) {
      for (const auto& [name, read] : members) {
        if (k == name) {
          read(v, p);
          return true;
        }
      }
      return false;
    });
  };
  if (type == "submit") {
    RoutingFacts facts;
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k == "facts") {
        ReadFacts(r, v, p, facts);
        return true;
      }
      if (k != "order") return false;
      DecodeOptions opt;
      opt.allow_server_fields = true;
      opt.validate = false;
      auto order = DecodeOrder(simdjson::minify(v), opt);
      if (!order.ok()) {
        r.Error(p + order.errors[0].pointer, order.errors[0].detail);
      } else {
        out = SubmitOrder{std::move(*order.value), {}};
      }
      return true;
    });
    if (out) std::get<SubmitOrder>(*out).facts = facts;
  } else if (type == "shipment_confirmed") {
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k != "shipment") return false;
      DecodeOptions opt;
      opt.allow_server_fields = true;
      opt.validate = false;
      auto s = DecodeShipment(simdjson::minify(v), opt);
      if (!s.ok()) {
        r.Error(p + s.errors[0].pointer, s.errors[0].detail);
      } else {
        out = ShipmentConfirmed{std::move(*s.value)};
      }
      return true;
    });
  } else if (type == "erp_checked") {
    ErpChecked in;
    fields([&](std::string_view k, element v, const std::string& p) {
      return ReadErpCheckedMember(r, k, v, p, in);
    });
    out = in;
  } else if (type == "dispatch_acknowledged") {
    DispatchAcknowledged in;
    simple({{"node", str(in.node)}, {"node_ref", str(in.node_ref)}});
    out = in;
  } else if (type == "dispatch_dead_lettered") {
    DispatchDeadLettered in;
    simple({{"node", str(in.node)}, {"error", str(in.error)}});
    out = in;
  } else if (type == "dispatch_transmitted") {
    DispatchTransmitted in;
    simple({{"node", str(in.node)}, {"reference", str(in.reference)}});
    out = in;
  } else if (type == "reconcile_finding") {
    ReconcileFinding in;
    simple({{"kind", str(in.kind)}, {"reference", str(in.reference)}, {"detail", str(in.detail)}});
    out = in;
  } else if (type == "cancel_requested") {
    CancelRequested in;
    simple({{"partner", str(in.partner)}, {"reason", str(in.reason)}});
    out = in;
  } else if (type == "erp_sale_created") {
    ErpSaleCreated in;
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k == "sale")
        r.String(v, p, in.sale);
      else if (k == "facts")
        ReadFacts(r, v, p, in.facts);
      else
        return false;
      return true;
    });
    out = in;
  } else if (type == "return_requested" || type == "return_received") {
    bool requested = type == "return_requested";
    ReturnRequested req;
    ReturnReceived rec;
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k == "return_id") {
        r.String(v, p, requested ? req.return_id : rec.return_id);
      } else if (k == "node" && !requested) {
        r.String(v, p, rec.node);
      } else if (k == "lines") {
        r.ForEachItem(v, p, [&](element item, const std::string& ip) {
          std::string line_id, text;
          int64_t qty = 0;
          const char* text_key = requested ? "reason" : "condition";
          r.ForEachField(item, ip, [&](std::string_view f, element fv, const std::string& fp) {
            if (f == "line_id")
              r.String(fv, fp, line_id);
            else if (f == "quantity")
              r.Int(fv, fp, qty);
            else if (f == text_key)
              r.String(fv, fp, text);
            else
              return false;
            return true;
          });
          if (requested) {
            req.lines.push_back({line_id, qty, text});
          } else {
            rec.lines.push_back({line_id, qty, text});
          }
        });
      } else {
        return false;
      }
      return true;
    });
    if (requested) {
      out = req;
    } else {
      out = rec;
    }
  } else if (type == "invoice_paid") {
    InvoicePaid in;
    simple({{"reference", str(in.reference)}, {"invoice", str(in.invoice)}});
    out = in;
  } else if (type == "credit_posted") {
    CreditPosted in;
    simple({{"return_id", str(in.return_id)}, {"credit_note", str(in.credit_note)}});
    out = in;
  } else if (type == "reallocate") {
    Reallocate in;
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k != "facts") return false;
      ReadFacts(r, v, p, in.facts);
      return true;
    });
    out = in;
  } else if (type == "hold_released") {
    HoldReleased in;
    fields([&](std::string_view k, element v, const std::string& p) {
      if (k == "by") {
        r.String(v, p, in.by);
      } else if (k == "reason") {
        r.String(v, p, in.reason);
      } else if (k == "facts") {
        ReadFacts(r, v, p, in.facts);
      } else {
        return false;
      }
      return true;
    });
    out = in;
  } else if (type == "timer_fired") {
    TimerFired in;
    simple({{"kind", str(in.kind)}, {"due", micros(in.due)}, {"node", str(in.node)}});
    out = in;
  } else if (type == "milestone") {
    MilestoneReported in;
    simple({{"kind", str(in.kind)},
            {"node", str(in.node)},
            {"partner_event_id", str(in.partner_event_id)},
            {"at", micros(in.at)}});
    out = in;
  } else if (type == "invoice_posted") {
    InvoicePosted in;
    simple({{"shipment", str(in.shipment)}, {"invoice", str(in.invoice)}});
    out = in;
  } else if (type == "compensation_done") {
    CompensationDone in;
    simple({{"command", str(in.command)}, {"node", str(in.node)}});
    out = in;
  } else if (type == "command_failed") {
    CommandFailed in;
    simple({{"command", str(in.command)},
            {"destination", str(in.destination)},
            {"error", str(in.error)}});
    out = in;
  } else if (type == "exception_resolved") {
    ExceptionResolved in;
    simple({{"by", str(in.by)}, {"note", str(in.note)}});
    out = in;
  } else if (type == "rerouted") {
    Rerouted in;
    simple({{"node", str(in.node)},
            {"by", str(in.by)},
            {"reason", str(in.reason)},
            {"from", str(in.from)}});
    out = in;
  } else {
    return InvalidArgument("/type: unknown input type \"" + std::string(type) + "\"");
  }
  if (!errors.empty()) return Fault(errors);
  if (!out) return InvalidArgument("/: incomplete input");
  return *out;
}

std::string EncodePolicy(const OrderPolicy& p) {
  JsonWriter w;
  w.StartObject().Key("routing").StartObject();
  w.Field("default_node", p.routing.default_node).Key("rules").StartArray();
  for (const auto& rule : p.routing.rules) {
    w.StartObject().Field("channel", rule.channel).Field("country", rule.ship_to_country);
    w.Field("service_level", rule.service_level).Field("node", rule.node);
    if (!rule.ship_to_region.empty()) w.Field("region", rule.ship_to_region);
    if (!rule.nodes.empty()) {
      w.Key("nodes").StartArray();
      for (const auto& n : rule.nodes) w.String(n);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  if (!p.routing.preferences.empty()) {
    w.Key("preferences").StartObject();
    for (const auto& [node, pref] : p.routing.preferences) {
      w.Key(node).StartObject().Field("priority", static_cast<int64_t>(pref.priority));
      w.Field("cost", pref.cost.ToString()).EndObject();
    }
    w.EndObject();
  }
  w.Field("require_stock", p.routing.require_stock);
  w.Field("skip_unhealthy", p.routing.skip_unhealthy);
  w.Field("backorder", p.routing.backorder);
  if (p.routing.allow_split) w.Field("allow_split", true);
  if (!p.routing.channels.empty()) {
    w.Key("channels").StartObject();
    for (const auto& [channel, cs] : p.routing.channels) {
      w.Key(channel).StartObject().Key("nodes").StartArray();
      for (const auto& n : cs.nodes) w.String(n);
      w.EndArray().Field("safety_stock", cs.safety_stock);
      if (cs.backorder) w.Field("backorder", *cs.backorder);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
  w.Key("returns").StartObject().Field("window_days", p.returns.window_days);
  w.Key("reasons").StartArray();
  for (const auto& r : p.returns.reasons) w.String(r);
  w.EndArray().Key("restock_conditions").StartArray();
  for (const auto& r : p.returns.restock_conditions) w.String(r);
  w.EndArray().EndObject();
  if (!p.fraud_rules.empty()) {
    w.Key("fraud_rules").StartArray();
    for (const auto& rule : p.fraud_rules) {
      w.StartObject().Field("name", rule.name);
      if (rule.min_total) w.Field("min_total", rule.min_total->ToString());
      auto list = [&](const char* key, const std::vector<std::string>& items) {
        if (items.empty()) return;
        w.Key(key).StartArray();
        for (const auto& i : items) w.String(i);
        w.EndArray();
      };
      list("countries", rule.countries);
      list("channels", rule.channels);
      if (rule.ship_bill_country_differ) w.Field("ship_bill_country_differ", true);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!p.slas.empty()) {
    w.Key("slas").StartObject();
    for (const auto& [node, sla] : p.slas) {
      w.Key(node).StartObject();
      w.Field("dispatch_ack_s",
              static_cast<int64_t>(
                  std::chrono::duration_cast<std::chrono::seconds>(sla.dispatch_ack).count()));
      w.Field("ship_s", static_cast<int64_t>(
                            std::chrono::duration_cast<std::chrono::seconds>(sla.ship).count()));
      w.EndObject();
    }
    w.EndObject();
  }
  w.Key("erp").StartObject();
  w.Field("destination", p.erp.destination);
  w.Field("price_tolerance_percent", p.erp.price_tolerance_percent.ToString());
  w.Field("hold_over_credit", p.erp.hold_over_credit);
  w.Field("hold_timeout_s",
          static_cast<int64_t>(
              std::chrono::duration_cast<std::chrono::seconds>(p.erp.hold_timeout).count()));
  w.EndObject().EndObject();
  return w.Take();
}

Result<OrderPolicy> DecodePolicy(std::string_view json) {
  FieldErrors errors;
  auto doc = json_reader::Parse(json, 16, errors);
  if (!doc) return Fault(errors);
  json_reader::Reader r(errors);
  OrderPolicy p;
  r.ForEachField(*doc, "", [&](std::string_view k, element v, const std::string& path) {
    if (k == "routing") {
      r.ForEachField(v, path, [&](std::string_view rk, element rv, const std::string& rp) {
        if (rk == "default_node") {
          r.String(rv, rp, p.routing.default_node);
        } else if (rk == "preferences") {
          r.ForEachField(rv, rp, [&](std::string_view node, element nv, const std::string& np) {
            NodePreference& pref = p.routing.preferences[std::string(node)];
            r.ForEachField(nv, np, [&](std::string_view f, element fv, const std::string& fp) {
              if (f == "priority") {
                int64_t prio = 0;
                r.Int(fv, fp, prio);
                pref.priority = static_cast<int>(prio);
              } else if (f == "cost") {
                r.Amount(fv, fp, pref.cost);
              } else {
                return false;
              }
              return true;
            });
            return true;
          });
        } else if (rk == "require_stock") {
          r.Bool(rv, rp, p.routing.require_stock);
        } else if (rk == "skip_unhealthy") {
          r.Bool(rv, rp, p.routing.skip_unhealthy);
        } else if (rk == "backorder") {
          r.Bool(rv, rp, p.routing.backorder);
        } else if (rk == "allow_split") {
          r.Bool(rv, rp, p.routing.allow_split);
        } else if (rk == "channels") {
          r.ForEachField(rv, rp, [&](std::string_view ch, element cv, const std::string& cp) {
            ChannelStock& cs = p.routing.channels[std::string(ch)];
            r.ForEachField(cv, cp, [&](std::string_view f, element fv, const std::string& fp) {
              if (f == "nodes") {
                r.ForEachItem(fv, fp, [&](element n, const std::string& np) {
                  r.String(n, np, cs.nodes.emplace_back());
                });
              } else if (f == "safety_stock") {
                r.Int(fv, fp, cs.safety_stock);
              } else if (f == "backorder") {
                r.Bool(fv, fp, cs.backorder.emplace());
              } else {
                return false;
              }
              return true;
            });
            return true;
          });
        } else if (rk == "rules") {
          r.ForEachItem(rv, rp, [&](element item, const std::string& ip) {
            RoutingRule& rule = p.routing.rules.emplace_back();
            r.ForEachField(item, ip, [&](std::string_view f, element fv, const std::string& fp) {
              if (f == "channel")
                r.String(fv, fp, rule.channel);
              else if (f == "country")
                r.String(fv, fp, rule.ship_to_country);
              else if (f == "service_level")
                r.String(fv, fp, rule.service_level);
              else if (f == "node")
                r.String(fv, fp, rule.node);
              else if (f == "region")
                r.String(fv, fp, rule.ship_to_region);
              else if (f == "nodes")
                r.ForEachItem(fv, fp, [&](element n, const std::string& np) {
                  r.String(n, np, rule.nodes.emplace_back());
                });
              else
                return false;
              return true;
            });
          });
        } else {
          return false;
        }
        return true;
      });
    } else if (k == "fraud_rules") {
      r.ForEachItem(v, path, [&](element item, const std::string& ip) {
        FraudRule& rule = p.fraud_rules.emplace_back();
        r.ForEachField(item, ip, [&](std::string_view f, element fv, const std::string& fp) {
          auto list = [&](std::vector<std::string>& out) {
            r.ForEachItem(fv, fp, [&](element e, const std::string& ep) {
              r.String(e, ep, out.emplace_back());
            });
          };
          if (f == "name") {
            r.String(fv, fp, rule.name);
          } else if (f == "min_total") {
            r.Amount(fv, fp, rule.min_total.emplace());
          } else if (f == "countries") {
            list(rule.countries);
          } else if (f == "channels") {
            list(rule.channels);
          } else if (f == "ship_bill_country_differ") {
            r.Bool(fv, fp, rule.ship_bill_country_differ);
          } else {
            return false;
          }
          return true;
        });
      });
    } else if (k == "slas") {
      r.ForEachField(v, path, [&](std::string_view node, element nv, const std::string& np) {
        NodeSla& sla = p.slas[std::string(node)];
        r.ForEachField(nv, np, [&](std::string_view f, element fv, const std::string& fp) {
          int64_t seconds = 0;
          if (f != "dispatch_ack_s" && f != "ship_s") return false;
          r.Int(fv, fp, seconds);
          (f == "ship_s" ? sla.ship : sla.dispatch_ack) = std::chrono::seconds(seconds);
          return true;
        });
        return true;
      });
    } else if (k == "returns") {
      p.returns.restock_conditions.clear();
      r.ForEachField(v, path, [&](std::string_view rk, element rv, const std::string& rp) {
        auto list = [&](std::vector<std::string>& out) {
          r.ForEachItem(rv, rp, [&](element item, const std::string& ip) {
            r.String(item, ip, out.emplace_back());
          });
        };
        if (rk == "window_days") {
          int64_t days = 0;
          r.Int(rv, rp, days);
          p.returns.window_days = static_cast<int>(days);
        } else if (rk == "reasons") {
          list(p.returns.reasons);
        } else if (rk == "restock_conditions") {
          list(p.returns.restock_conditions);
        } else {
          return false;
        }
        return true;
      });
    } else if (k == "erp") {
      r.ForEachField(v, path, [&](std::string_view ek, element ev, const std::string& ep) {
        if (ek == "destination") {
          r.String(ev, ep, p.erp.destination);
        } else if (ek == "price_tolerance_percent") {
          r.Amount(ev, ep, p.erp.price_tolerance_percent);
        } else if (ek == "hold_over_credit") {
          r.Bool(ev, ep, p.erp.hold_over_credit);
        } else if (ek == "hold_timeout_s") {
          int64_t s = 0;
          r.Int(ev, ep, s);
          p.erp.hold_timeout = std::chrono::seconds(s);
        } else {
          return false;
        }
        return true;
      });
    } else {
      return false;
    }
    return true;
  });
  if (!errors.empty()) return Fault(errors);
  return p;
}

std::string EncodeOutcome(const DecideResult& result) {
  JsonWriter w;
  w.StartObject();
  if (const auto* rej = std::get_if<Rejection>(&result)) {
    w.Field("refused", StatusCodeName(rej->status.code())).Field("message", rej->status.message());
    if (!rej->errors.empty()) {
      w.Key("errors").StartArray();
      for (const auto& e : rej->errors) {
        w.StartObject().Field("pointer", e.pointer).Field("detail", e.detail).EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    return w.Take();
  }
  const Decision& d = std::get<Decision>(result);
  w.Field("status", OrderStatusName(d.next.order.status.value_or(OrderStatus::kReceived)));
  w.Key("state").Raw(EncodeFlowState(d.next.flow));
  w.Key("events").StartArray();
  for (const auto& e : d.events) {
    w.StartObject().Field("type", e.type).Key("data").Raw(e.data).EndObject();
  }
  w.EndArray().Key("commands").StartArray();
  for (const auto& c : d.commands) {
    w.StartObject().Field("type", c.type).Field("destination", c.destination);
    w.Field("idempotency_key", c.idempotency_key).Field("sequence", c.sequence);
    if (c.not_before) WriteTimeMicros(w, "not_before", *c.not_before);
    w.Key("payload").Raw(c.payload).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace crossdock
