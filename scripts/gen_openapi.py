#!/usr/bin/env python3
"""Generates docs/openapi.json (OpenAPI 3.1) from the route table below and the JSON Schemas in
docs/schemas/, which are embedded as components; their relative $refs are rewritten into
component references so the document is self-contained. Run it after changing a route or a schema:

    python3 scripts/gen_openapi.py            # writes docs/openapi.json
    python3 scripts/gen_openapi.py --check    # exit 1 when docs/openapi.json is out of date

The server embeds docs/openapi.json at build time and serves it at GET /openapi.json.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
OUT = ROOT / "docs" / "openapi.json"

COMPONENT_NAMES = {
    "common.schema.json": "Common",
    "order.schema.json": "Order",
    "order.stored.schema.json": "StoredOrder",
    "order-view.schema.json": "OrderView",
    "shipment.schema.json": "Shipment",
    "problem.schema.json": "Problem",
    "cloudevent.schema.json": "CloudEvent",
    "return.schema.json": "ReturnRequest",
    "inventory.schema.json": "InventoryReport",
}

# Views answered by the experience APIs (not canonical objects of their own).
VIEW_SCHEMAS = {
    "OrderPage": {
        "description": "A page of orders the caller may see, oldest first.",
        "type": "object", "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "status", "channel", "external_ref", "grand_total", "currency"],
                "properties": {
                    "id": {"type": "string"}, "status": {"type": "string"},
                    "channel": {"type": "string"}, "external_ref": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "grand_total": {"type": "string"}, "currency": {"type": "string"}}}},
            "next_cursor": {"type": "string",
                            "description": "Pass as ?cursor= for the next page; absent on the last page."}},
    },
    "Tracking": {
        "description": "Where an order is: status, node, quantities shipped per line, and each "
                       "shipment with carrier and tracking number.",
        "type": "object", "required": ["order_id", "status", "lines", "shipments"],
        "properties": {
            "order_id": {"type": "string"}, "status": {"type": "string"},
            "channel": {"type": "string"}, "external_ref": {"type": "string"},
            "node": {"type": "string"}, "node_ref": {"type": "string"},
            "updated_at": {"type": "string", "format": "date-time"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "line_id": {"type": "string"}, "sku": {"type": "string"},
                "ordered": {"type": "integer"}, "shipped": {"type": "integer"}}}},
            "shipments": {"type": "array", "items": {"type": "object"}},
            "cancellation": {"$ref": "#/components/schemas/Cancellation"}},
    },
    "Cancellation": {
        "type": "object", "required": ["state", "requested_at"],
        "properties": {"state": {"enum": ["requested"]},
                       "requested_at": {"type": "string", "format": "date-time"},
                       "requested_by": {"type": "string"}, "reason": {"type": "string"}},
    },
    "CancelRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 500}},
    },
    "ReleaseRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 500}},
    },
    "ReturnReceipt": {
        "type": "object", "additionalProperties": False, "required": ["return_id", "lines"],
        "properties": {
            "return_id": {"type": "string", "description": "The RMA: the return's id."},
            "lines": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["line_id", "quantity", "condition"],
                "properties": {"line_id": {"type": "string"},
                               "quantity": {"type": "integer", "minimum": 0},
                               "condition": {"type": "string",
                                             "description": "sellable, damaged, defective, …"}}}}},
    },
    "Milestone": {
        "type": "object", "additionalProperties": False,
        "required": ["order_id", "kind", "partner_event_id"],
        "properties": {
            "order_id": {"type": "string"},
            "kind": {"enum": ["picked", "packed", "delivered"]},
            "partner_event_id": {"type": "string", "maxLength": 200,
                                 "description": "The node's id for this report; repeats are "
                                                "recognised by it."},
            "at": {"type": "string", "format": "date-time",
                   "description": "When it happened; now when absent; not in the future."}},
    },
    "OrderAction": {
        "type": "object", "additionalProperties": False, "required": ["action"],
        "properties": {
            "action": {"enum": ["retry", "reroute", "cancel", "release", "resolve"]},
            "node": {"type": "string", "description": "reroute: the node to send the order to."},
            "from": {"type": "string", "description": "reroute: the node whose share moves (required when the order is split over several nodes)."},
            "reason": {"type": "string", "maxLength": 500}},
    },
    "ExceptionPage": {
        "type": "object", "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"type": "object", "required": [
                "order_id", "status", "reason", "detail", "since", "age_seconds", "owner",
                "actions"], "properties": {
                "order_id": {"type": "string"}, "channel": {"type": "string"},
                "external_ref": {"type": "string"},
                "status": {"$ref": "#/components/schemas/StoredOrder/$defs/OrderStatus"},
                "reason": {"type": "string", "description": "no-route, shipped-after-cancel, "
                                                            "or <command>-failed."},
                "detail": {"type": "string"},
                "command": {"type": "string", "description": "The failed command's type."},
                "since": {"type": "string", "format": "date-time"},
                "age_seconds": {"type": "integer"},
                "owner": {"type": "string", "description": "node:<id>, erp or operations."},
                "actions": {"type": "array", "items": {"enum": [
                    "retry", "reroute", "cancel", "release", "resolve"]}}}}},
            "next_cursor": {"type": "string"}},
    },
    "ActOutcome": {
        "type": "object", "required": ["order_id", "result", "status"],
        "properties": {"order_id": {"type": "string"},
                       "result": {"enum": ["applied", "duplicate"]},
                       "status": {"$ref": "#/components/schemas/StoredOrder/$defs/OrderStatus"}},
    },
    "Availability": {
        "type": "object", "required": ["items"],
        "properties": {
            "channel": {"type": "string"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "sku": {"type": "string"},
                "available": {"type": "integer"},
                "basis": {"enum": ["ledger"],
                          "description": "The stock ledger: each node's last count, less what "
                                         "shipped since, less what allocated, unshipped order "
                                         "lines reserve (docs/inventory.md)."},
                "nodes": {"type": "array", "items": {"type": "object", "properties": {
                    "node": {"type": "string"}, "on_hand": {"type": "integer"},
                    "reserved": {"type": "integer", "minimum": 0},
                    "available": {"type": "integer", "minimum": 0,
                                  "description": "on_hand less reserved, not below 0."},
                    "as_of": {"type": "string", "format": "date-time"}}}}}}}},
    },
    "WebhookEnvelope": {
        "description": "A Standard Webhooks delivery's body.",
        "type": "object", "required": ["type", "data"], "additionalProperties": False,
        "properties": {
            "type": {"enum": ["order.created", "shipment.confirmed", "inventory.levels"]},
            "timestamp": {"type": "string"},
            "data": {"description": "An Order, a Shipment or an InventoryReport, by type.",
                     "oneOf": [{"$ref": "#/components/schemas/Order"},
                               {"$ref": "#/components/schemas/Shipment"},
                               {"$ref": "#/components/schemas/InventoryReport"}]}},
    },
}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def problem(description):
    return {"description": description,
            "content": {"application/problem+json": {"schema": ref("Problem")}}}


def json_body(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ANY_OBJECT = {"type": "object"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.",
                               "schema": {"type": "integer", "minimum": 0}}}

COMMON_ERRORS = {
    "401": problem("Missing or invalid API key (`unauthorized`)."),
    "429": {**problem("Over the partner's request quota, or too many failed authentications from "
                      "this address (`rate-limited`)."),
            "headers": {**RETRY_AFTER,
                        "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "The quota's burst."},
                        "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left now."},
                        "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until the bucket is full."}}},
    "406": problem("The Accept header excludes JSON (`not-acceptable`)."),
    "503": {**problem("The store is busy or unavailable (`unavailable`); retry."),
            "headers": RETRY_AFTER},
}
BODY_ERRORS = {
    "400": problem("Malformed JSON with its byte offset (`malformed-json`), or a malformed "
                   "Idempotency-Key / missing one where required."),
    "413": problem("The body is larger than `http.body_limit_bytes` (`payload-too-large`)."),
    "415": problem("Content-Type is not application/json (`unsupported-media-type`)."),
    "422": problem("Invalid content; `errors` lists every fault with its JSON pointer "
                   "(`validation-error`)."),
}
OPERATOR_ONLY = {"403": problem("The key lacks the `admin` scope, or the caller is not an "
                                 "operator (`forbidden`).")}

ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The object's id."}

NOT_FOUND_ORDER = problem("No such order, or not visible to the caller: both answer exactly "
                          "alike (`not-found`).")
ORDERS_READ = {"403": problem("The key lacks the `orders:read` scope (`forbidden`).")}
LIST_QUERY_ERRORS = {"400": problem("A bad query parameter (`bad-request`), named in `errors`.")}
DEPRECATION_HEADERS = {
    "Deprecation": {"schema": {"type": "string"},
                    "description": "RFC 9745: when the route was deprecated (@unix-seconds)."},
    "Sunset": {"schema": {"type": "string"},
               "description": "RFC 8594: the HTTP-date after which the route may be removed."},
    "Link": {"schema": {"type": "string"},
             "description": "The successor route, rel=\"successor-version\"."},
}
SIGNATURE_ERRORS = {
    "401": problem("Missing, wrong or truncated signature, a body changed after signing, a stale "
                   "or future timestamp, or an unknown partner (`invalid-signature`). Nothing is "
                   "stored."),
    "429": {**problem("Over the partner's quota, or too many failed signatures from this address "
                      "(`rate-limited`)."), "headers": RETRY_AFTER},
    "503": {**problem("The store is busy or unavailable (`unavailable`); retry."),
            "headers": RETRY_AFTER},
}

PATHS = {
    "/v1/orders": {
        "get": {
            "operationId": "listOrders",
            "summary": "List the caller's orders with filters and cursor paging",
            "description": "Only orders the caller may see (submitted by it, or allocated to it as "
                           "a node; operators see all), in creation order. Pages hold `limit` "
                           "orders (default 50; values above 200 are capped at 200). The next "
                           "page is at `next_cursor`, also given as a Link header (rel=next).",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"},
                 "description": "Opaque; from the previous page."},
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                    "received", "validated", "accepted", "held", "backordered", "allocated", "dispatched",
                    "partially_shipped", "shipped", "delivered", "invoiced", "closed",
                    "cancelled", "rejected"]}},
                {"name": "channel", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {**json_body("A page of orders.", ref("OrderPage")),
                                  "headers": {"Link": {"schema": {"type": "string"},
                                                       "description": "<next page>; rel=\"next\""}}},
                          **LIST_QUERY_ERRORS, **ORDERS_READ, **COMMON_ERRORS},
        },
        "post": {
            "operationId": "submitOrder",
            "summary": "Submit an order",
            "description": "Stores the order, its history, its events and its dispatch command in "
                           "one transaction and answers 201 only after that commit. With the same "
                           "Idempotency-Key and the same body the first answer is replayed byte for "
                           "byte; with another body 422; while the first is in flight 409.",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "description": "1–255 visible ASCII characters, or a structured-field string.",
                            "schema": {"type": "string", "maxLength": 257}},
                           {"name": "traceparent", "in": "header", "required": False,
                            "description": "W3C trace context; continued through the outbox.",
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("Order")}}},
            "responses": {
                "201": {**json_body("The stored order.", ref("StoredOrder")),
                        "headers": {"Location": {"schema": {"type": "string"},
                                                 "description": "/v1/orders/{id}"},
                                    "Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                                            "description": "Present on a replayed answer."}}},
                **BODY_ERRORS, **COMMON_ERRORS,
                "403": problem("The caller may not submit orders, or the order's channel is "
                               "claimed by another partner (`forbidden`)."),
                "409": {**problem("The key is in flight (`idempotency-key-in-flight`, with "
                                  "Retry-After), or the channel order exists already "
                                  "(`duplicate-order`; Location names it when the caller may "
                                  "see it)."),
                        "headers": RETRY_AFTER},
            },
        },
    },
    "/v1/orders/{id}": {
        "get": {
            "operationId": "getOrder",
            "summary": "An order with its fulfillment state and history",
            "description": "Visible to the submitting partner, the node it was routed to and "
                           "operators; any other id answers exactly like a missing one.",
            "parameters": [ID_PARAM],
            "responses": {"200": json_body("The order view.", ref("OrderView")),
                          "403": problem("The key lacks the `orders:read` scope (`forbidden`)."),
                          "404": problem("No such order, or not visible to the caller (`not-found`)."),
                          **COMMON_ERRORS},
        },
    },
    "/v1/orders/{id}/tracking": {
        "get": {
            "operationId": "getTracking",
            "summary": "Order status and shipment tracking",
            "parameters": [ID_PARAM],
            "responses": {"200": json_body("Status, quantities shipped per line, shipments.",
                                           ref("Tracking")),
                          "404": NOT_FOUND_ORDER, **ORDERS_READ, **COMMON_ERRORS},
        },
    },
    "/v1/orders/{id}/status": {
        "get": {
            "operationId": "getOrderStatus",
            "summary": "Order status (deprecated: use /v1/orders/{id}/tracking)",
            "deprecated": True,
            "description": "Answers Deprecation, Sunset (Wed, 30 Jun 2027) and a Link to "
                           "/v1/orders/{id}/tracking on every response.",
            "parameters": [ID_PARAM],
            "responses": {"200": {**json_body("The status.", ANY_OBJECT),
                                  "headers": DEPRECATION_HEADERS},
                          "404": NOT_FOUND_ORDER, **ORDERS_READ, **COMMON_ERRORS},
        },
    },
    "/v1/orders/{id}/cancel": {
        "post": {
            "operationId": "requestCancellation",
            "summary": "Request the cancellation of an order",
            "description": "Records the request (event order.cancel_requested) and answers 202; "
                           "a repeated request answers 200 and changes nothing. Refused with 409 "
                           "once anything has shipped.",
            "parameters": [ID_PARAM],
            "requestBody": {"required": False,
                            "content": {"application/json": {"schema": ref("CancelRequest")}}},
            "responses": {
                "202": json_body("Recorded.", ANY_OBJECT),
                "200": json_body("Requested before; nothing changed.", ANY_OBJECT),
                "400": problem("Malformed JSON (`malformed-json`)."),
                "415": BODY_ERRORS["415"],
                "422": problem("An unknown property (`validation-error`)."),
                "403": problem("The key lacks the `orders:write` scope (`forbidden`)."),
                "404": NOT_FOUND_ORDER,
                "409": problem("The order has shipped, wholly or partly (`conflict`)."),
                **COMMON_ERRORS},
        },
    },
    "/v1/availability": {
        "get": {
            "operationId": "getAvailability",
            "summary": "Availability per SKU, per node and for a channel",
            "parameters": [
                {"name": "sku", "in": "query", "required": True, "schema": {"type": "string"},
                 "description": "1 to 50 SKUs, comma-separated."},
                {"name": "channel", "in": "query", "schema": {"type": "string"},
                 "description": "Count only the nodes that fill this channel's orders."}],
            "responses": {"200": json_body("Per SKU: nodes and the total.", ref("Availability")),
                          "400": problem("No SKU or more than 50 (`bad-request`)."),
                          "403": problem("The key lacks the `inventory:read` scope (`forbidden`)."),
                          **COMMON_ERRORS},
        },
    },
    "/v1/returns": {
        "post": {
            "operationId": "initiateReturn",
            "summary": "Initiate a return",
            "description": "Stores the return request, a history entry on the order and a "
                           "return.requested event in one transaction. Idempotency-Key semantics "
                           "as for POST /v1/orders.",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "maxLength": 257}}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("ReturnRequest")}}},
            "responses": {
                "201": {**json_body("The stored return.",
                                    {"$ref": "#/components/schemas/ReturnRequest/$defs/StoredReturn"}),
                        "headers": {"Location": {"schema": {"type": "string"},
                                                 "description": "/v1/returns/{id}"}}},
                **BODY_ERRORS, **COMMON_ERRORS,
                "403": problem("The key lacks the `returns:write` scope (`forbidden`)."),
                "404": NOT_FOUND_ORDER,
                "409": {**problem("The key is in flight (`idempotency-key-in-flight`)."),
                        "headers": RETRY_AFTER},
            },
        },
    },
    "/v1/returns/{id}": {
        "get": {
            "operationId": "getReturn",
            "summary": "A return",
            "parameters": [ID_PARAM],
            "responses": {"200": json_body("The return.",
                                           {"$ref": "#/components/schemas/ReturnRequest/$defs/StoredReturn"}),
                          "404": problem("No such return, or not visible to the caller (`not-found`)."),
                          **ORDERS_READ, **COMMON_ERRORS},
        },
    },
    "/v1/nodes/{node}/inventory": {
        "post": {
            "operationId": "reportInventory",
            "summary": "A node reports on-hand stock",
            "parameters": [{"name": "node", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The node's id."}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("InventoryReport")}}},
            "responses": {
                "200": json_body("How many levels were applied and how many were stale.", ANY_OBJECT),
                **{k: v for k, v in BODY_ERRORS.items()}, **COMMON_ERRORS,
                "403": problem("Only the node itself (or an operator) may report (`forbidden`)."),
            },
        },
    },
    "/v1/nodes/{node}/x12": {
        "post": {
            "operationId": "receiveX12",
            "summary": "An x12 node sends an X12 interchange over HTTP (docs/x12.md, HTTP POST)",
            "description": "The body is the interchange itself. It must read as X12 (ISA first); "
                           "it is then written into the node's inbound/ folder under "
                           "`http-<id>.x12` and used by the node's inbox at its next pass, as a "
                           "file dropped there would be (our 997 goes back by the node's "
                           "transport).",
            "parameters": [{"name": "node", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The x12 node's id."}],
            "requestBody": {"required": True,
                            "content": {"application/edi-x12": {"schema": {"type": "string"}}}},
            "responses": {
                "202": json_body("Taken: {\"accepted\": file name, \"interchanges\": count}.",
                                 ANY_OBJECT),
                "400": problem("Not an X12 interchange; the detail names the segment, element "
                               "and byte (`bad-request`)."),
                "403": problem("Only the node itself (or an operator) may send (`forbidden`)."),
                "404": problem("The node is not an x12 node (`not-found`)."),
                "413": BODY_ERRORS["413"],
                "415": problem("Content-Type is not application/edi-x12 "
                               "(`unsupported-media-type`)."),
                **COMMON_ERRORS,
                "503": {**problem("The interchange could not be written to the node's folder "
                                  "(`unavailable`); retry."), "headers": RETRY_AFTER},
            },
        },
    },
    "/v1/nodes/{node}/milestones": {
        "post": {
            "operationId": "reportMilestone",
            "summary": "A node reports a fulfilment milestone (picked, packed, delivered)",
            "description": "Recorded in the order's history; never moves the status back (a late "
                           "packed after shipped is kept as history only). `delivered` closes an "
                           "order once every shipment is invoiced (or at once without an ERP). "
                           "The same partner_event_id again changes nothing (200).",
            "parameters": [{"name": "node", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The node's id."}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("Milestone")}}},
            "responses": {
                "201": json_body("Applied; the order's status after it.", ref("ActOutcome")),
                "200": json_body("Reported before; nothing changed.", ref("ActOutcome")),
                **{k: v for k, v in BODY_ERRORS.items()}, **COMMON_ERRORS,
                "403": problem("Only the node itself (or an operator) may report (`forbidden`)."),
                "404": problem("No such order at this node (`not-found`)."),
            },
        },
    },
    "/v1/nodes/{node}/returns": {
        "post": {
            "operationId": "receiveReturn",
            "summary": "A node received a return's goods",
            "description": "Units per line and their condition, at most what the RMA authorized. "
                           "Goods in a restockable condition (returns.restock_conditions) raise "
                           "order.restocked; with an ERP the credit note is requested "
                           "(erp.credit). A repeat changes nothing (200).",
            "parameters": [{"name": "node", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The node's id."}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("ReturnReceipt")}}},
            "responses": {
                "201": json_body("Recorded; the order's status after it.", ref("ActOutcome")),
                "200": json_body("Received before; nothing changed.", ref("ActOutcome")),
                **{k: v for k, v in BODY_ERRORS.items()}, **COMMON_ERRORS,
                "403": problem("Only the node itself (or an operator) may report (`forbidden`)."),
                "404": problem("No such return, or not visible to the node (`not-found`)."),
            },
        },
    },
    "/v1/admin/orders/{id}/release": {
        "post": {
            "operationId": "releaseOrder",
            "summary": "Release a held order (operators)",
            "description": "Releases a credit hold: the ERP sale is requested and the order "
                           "continues. Audited (order.release) in the same transaction.",
            "parameters": [ID_PARAM],
            "requestBody": {"required": False,
                            "content": {"application/json": {"schema": ref("ReleaseRequest")}}},
            "responses": {
                "201": json_body("Released; the order's status after it.", ref("ActOutcome")),
                "400": problem("Malformed JSON (`malformed-json`)."),
                "415": BODY_ERRORS["415"],
                "422": problem("An unknown property (`validation-error`)."),
                "404": NOT_FOUND_ORDER,
                "409": problem("The order is not held (`conflict`)."),
                **OPERATOR_ONLY, **COMMON_ERRORS,
            },
        },
    },
    "/v1/admin/exceptions": {
        "get": {
            "operationId": "listExceptions",
            "summary": "The exception inbox: orders that cannot proceed (operators)",
            "description": "Orders with an open exception, in id order, each with its reason, "
                           "the failing command and its answer, since when and how long, who must "
                           "act, and the actions POST /v1/admin/orders/{id}/actions takes.",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"},
                 "description": "Opaque; from the previous page."}],
            "responses": {"200": {**json_body("A page of exceptions.", ref("ExceptionPage")),
                                  "headers": {"Link": {"schema": {"type": "string"},
                                                       "description": "<next page>; rel=\"next\""}}},
                          **LIST_QUERY_ERRORS, **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/orders/{id}/actions": {
        "post": {
            "operationId": "actOnOrder",
            "summary": "Act on an order: retry, reroute, cancel, release, resolve (operators)",
            "description": "retry re-queues the order's dead-lettered commands with their "
                           "idempotency keys (202); reroute sends an accepted, unshipped order "
                           "to `node` (the old node is asked to cancel if it took the order, and "
                           "its dead commands are discarded); cancel and release act as their own "
                           "routes do; resolve closes the exception after an operator dealt with "
                           "it outside Crossdock. Audited in the same transaction.",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("OrderAction")}}},
            "responses": {
                "201": json_body("Applied; the order's status after it.", ref("ActOutcome")),
                "200": json_body("Nothing changed (the order was already so).", ref("ActOutcome")),
                "202": json_body("retry: the failed commands are queued again.", ANY_OBJECT),
                "400": problem("Malformed JSON (`malformed-json`)."),
                "415": BODY_ERRORS["415"],
                "422": problem("An unknown action, property or node (`validation-error`)."),
                "404": NOT_FOUND_ORDER,
                "409": problem("The order's state forbids the action, or there is nothing to "
                               "retry or resolve (`conflict`)."),
                **OPERATOR_ONLY, **COMMON_ERRORS,
            },
        },
    },
    "/v1/webhooks/{partner}": {
        "post": {
            "operationId": "receiveWebhook",
            "summary": "Signed inbound webhook (Shopify or Standard Webhooks)",
            "description": "Authenticated by the signature, not an API key. Shopify: "
                           "X-Shopify-Hmac-Sha256 over the raw body, X-Shopify-Webhook-Id (dedup), "
                           "X-Shopify-Triggered-At (stale guard), X-Shopify-Topic (orders/create; "
                           "others are acknowledged and ignored); the body is a Shopify order. "
                           "Standard Webhooks: webhook-id, webhook-timestamp (5 minutes by "
                           "default), webhook-signature; the body is a WebhookEnvelope. A repeated "
                           "delivery has no second effect and is answered 2xx.",
            "security": [],
            "parameters": [{"name": "partner", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [ref("WebhookEnvelope"), {"type": "object",
                                                    "description": "A Shopify order."}]}}}},
            "responses": {
                "201": json_body("Stored: the order, or the shipment applied.", ANY_OBJECT),
                "200": json_body("A repeat (replayed, duplicate), an ignored topic, or inventory "
                                 "levels applied.", ANY_OBJECT),
                **SIGNATURE_ERRORS,
                "400": problem("Malformed JSON (`malformed-json`)."),
                "403": problem("The partner's scopes do not cover this type (`forbidden`)."),
                "404": problem("A shipment for an order not at this node (`not-found`)."),
                "409": problem("The order cannot take the shipment (`conflict`)."),
                "413": BODY_ERRORS["413"],
                "415": BODY_ERRORS["415"],
                "422": problem("Invalid content, with every pointer (`validation-error`, "
                               "`idempotency-key-reused`)."),
                "406": COMMON_ERRORS["406"],
            },
        },
    },
    "/v1/nodes/{node}/shipments": {
        "post": {
            "operationId": "confirmShipment",
            "summary": "A node confirms a shipment",
            "description": "Deduplicated on partner_event_id per node: a repeat answers 200 "
                           "`duplicate` and changes nothing.",
            "parameters": [{"name": "node", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The node's id."}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": ref("Shipment")}}},
            "responses": {
                "201": json_body("Applied.", ANY_OBJECT),
                "200": json_body("Already applied earlier (`result: duplicate`).", ANY_OBJECT),
                **{k: v for k, v in BODY_ERRORS.items()}, **COMMON_ERRORS,
                "403": problem("Only the node itself (or an operator) may confirm (`forbidden`)."),
                "404": problem("No such order at this node (`not-found`)."),
                "409": problem("The order cannot take a shipment now (`conflict`)."),
            },
        },
    },
    "/v1/admin/dead-letters": {
        "get": {
            "operationId": "listDeadLetters",
            "summary": "List dead letters (operators)",
            "parameters": [
                {"name": "destination", "in": "query", "schema": {"type": "string"}},
                {"name": "error_class", "in": "query",
                 "schema": {"type": "string", "enum": ["http_4xx", "http_5xx", "transport", "other"]}},
                {"name": "older_than_s", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"200": json_body("Items, oldest first; next_after when there may be more.", ANY_OBJECT),
                          "422": problem("A bad query value (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/dead-letters/replay": {
        "post": {
            "operationId": "replayDeadLetters",
            "summary": "Replay dead letters in bulk at a bounded rate (operators)",
            "requestBody": {"required": False, "content": {"application/json": {"schema": ANY_OBJECT}}},
            "responses": {"200": json_body("How many were replayed.", ANY_OBJECT),
                          "400": problem("Malformed JSON (`malformed-json`)."),
                          "422": problem("A bad field (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/dead-letters/{id}": {
        "get": {
            "operationId": "getDeadLetter",
            "summary": "Inspect one dead letter with its payload (operators)",
            "parameters": [ID_PARAM],
            "responses": {"200": json_body("The dead letter.", ANY_OBJECT),
                          "404": problem("No such dead letter (`not-found`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/dead-letters/{id}/replay": {
        "post": {
            "operationId": "replayDeadLetter",
            "summary": "Replay one dead letter, optionally with an edited payload (operators)",
            "parameters": [ID_PARAM],
            "requestBody": {"required": False, "content": {"application/json": {"schema": ANY_OBJECT}}},
            "responses": {"200": json_body("Replayed with its original idempotency key.", ANY_OBJECT),
                          "400": problem("Malformed JSON (`malformed-json`)."),
                          "404": problem("No such dead letter (`not-found`)."),
                          "422": problem("A bad field (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/dead-letters/{id}/discard": {
        "post": {
            "operationId": "discardDeadLetter",
            "summary": "Discard one dead letter with a reason (operators)",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": ANY_OBJECT}}},
            "responses": {"200": json_body("Discarded.", ANY_OBJECT),
                          "400": problem("Malformed JSON (`malformed-json`)."),
                          "404": problem("No such dead letter (`not-found`)."),
                          "422": problem("No reason given (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/audit": {
        "get": {
            "operationId": "listAudit",
            "summary": "The operators' audit log, newest first (operators)",
            "responses": {"200": json_body("Audit records.", ANY_OBJECT),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/reconciliations": {
        "get": {
            "operationId": "listReconciliations",
            "summary": "Reconciliation runs, newest first, with their summaries (operators)",
            "description": "Runs made by `crossdock reconcile inventory` (docs/inventory.md) and "
                           "`crossdock reconcile financial` or its schedule (docs/erp.md): "
                           "each with id, kind, node, started_at, finished_at, summary and the "
                           "links of its JSON and CSV reports. At most 100.",
            "responses": {"200": json_body("Reconciliation runs.", ANY_OBJECT),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/reconciliations/{id}": {
        "get": {
            "operationId": "getReconciliation",
            "summary": "One reconciliation run's report: summary and every discrepancy (operators)",
            "parameters": [ID_PARAM],
            "responses": {"200": json_body("The report: id, kind, node, as_of, summary (skus, "
                                           "matched, discrepancies, units_over, units_short, "
                                           "value_over, value_short, adjusted, for_review) and "
                                           "discrepancies (sku, ledger, counted, difference, "
                                           "value, action adjusted or review).", ANY_OBJECT),
                          "404": problem("No such reconciliation (`not-found`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/reconciliations/{id}/report.csv": {
        "get": {
            "operationId": "getReconciliationCsv",
            "summary": "One reconciliation run's discrepancies as CSV (operators)",
            "parameters": [ID_PARAM],
            "responses": {"200": {"description": "RFC 4180 CSV with a header row: "
                                                 "sku,ledger,counted,difference,value,action.",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "404": problem("No such reconciliation (`not-found`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/stock-exceptions": {
        "get": {
            "operationId": "listStockExceptions",
            "summary": "Snapshot differences left for an operator, by id (operators)",
            "description": "One per node and SKU while open (docs/inventory.md, Stock exceptions): "
                           "id, node, sku, ledger, counted, difference, as_of (the snapshot's "
                           "time), run, opened_at, and once resolved resolved_at, resolution "
                           "(applied, dismissed or settled) and resolved_by. Query: state "
                           "(open, the default, or all), node, limit (1-1000, default 100), "
                           "after (an id, for the next page; next_after is given when the page "
                           "is full).",
            "parameters": [
                {"name": "state", "in": "query", "schema": {"enum": ["open", "all"]}},
                {"name": "node", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            ],
            "responses": {"200": json_body("Stock exceptions.", ANY_OBJECT),
                          "422": problem("A bad query parameter (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/stock-exceptions/{id}/resolve": {
        "post": {
            "operationId": "resolveStockException",
            "summary": "Apply a snapshot's count or dismiss the difference (operators)",
            "description": "Body {\"action\": \"apply\" | \"dismiss\", \"note\": \"…\"}. "
                           "apply stores the snapshot's count as of the snapshot's time; "
                           "audited as stock_exception.apply or stock_exception.dismiss.",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["action"],
                "properties": {"action": {"enum": ["apply", "dismiss"]},
                               "note": {"type": "string"}}}}}},
            "responses": {"200": json_body("The resolved exception.", ANY_OBJECT),
                          "400": problem("Malformed JSON (`malformed-json`)."),
                          "404": problem("No such stock exception (`not-found`)."),
                          "409": problem("Resolved already, or (apply) the node reported a "
                                         "newer count than the snapshot (`conflict`)."),
                          "422": problem("No action, or a bad note (`validation-error`)."),
                          **OPERATOR_ONLY, **COMMON_ERRORS},
        },
    },
    "/v1/admin/partners": {
        "get": {
            "operationId": "listPartners",
            "summary": "The partner registry: ids, kinds, scopes, quotas, keys by prefix (operators)",
            "responses": {"200": json_body("Partners; keys shown only by their first characters.", ANY_OBJECT),
                          **OPERATOR_ONLY,
                          **{k: v for k, v in COMMON_ERRORS.items() if k != "503"}},
        },
    },
    "/livez": {"get": {"operationId": "livez", "summary": "Liveness", "security": [],
                       "responses": {"200": json_body("Live.", ANY_OBJECT)}}},
    "/healthz": {"get": {"operationId": "healthz", "summary": "Liveness (alias)", "security": [],
                         "responses": {"200": json_body("Live.", ANY_OBJECT)}}},
    "/readyz": {"get": {"operationId": "readyz", "summary": "Readiness", "security": [],
                        "responses": {"200": json_body("Ready.", ANY_OBJECT),
                                      "503": {**problem("Starting, draining or the store is unavailable."),
                                              "headers": RETRY_AFTER}}}},
    "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics", "security": [],
                         "responses": {"200": {"description": "Text exposition format 0.0.4.",
                                               "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document", "security": [],
                              "responses": {"200": json_body("OpenAPI 3.1.", ANY_OBJECT)}}},
}


def inline_refs(node, name_of):
    """Rewrites the files' relative $refs ("common.schema.json#/$defs/X", "#/$defs/Y") into
    component references, so the document is self-contained for any OpenAPI tool."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                file, _, pointer = v.partition("#")
                target = COMPONENT_NAMES[file] if file else name_of
                out[k] = f"#/components/schemas/{target}{pointer}"
            elif k in ("$id", "$schema"):
                continue  # the component's place in this document is its identity here
            else:
                out[k] = inline_refs(v, name_of)
        return out
    if isinstance(node, list):
        return [inline_refs(v, name_of) for v in node]
    return node


def build():
    schemas = {}
    for file, name in COMPONENT_NAMES.items():
        schemas[name] = inline_refs(json.loads((SCHEMAS / file).read_text()), name)
    schemas.update(VIEW_SCHEMAS)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Crossdock API",
            "version": "0.1.0",
            "description": "Distribution middleware API. Generated by scripts/gen_openapi.py from "
                           "its route table and docs/schemas/ — do not edit by hand. Every error "
                           "is RFC 9457 application/problem+json (docs/problems.md).",
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "A partner's API key."}},
            "schemas": schemas,
        },
    }


def render():
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/openapi.json is out of date: run python3 scripts/gen_openapi.py")
            sys.exit(1)
        sys.exit(0)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
