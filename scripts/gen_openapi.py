#!/usr/bin/env python3
"""Generates docs/openapi.json (OpenAPI 3.1) from the route table below and the JSON Schemas in
docs/schemas/, which are embedded as components with their own $id, so relative $refs between
them resolve as in the files. Run it after changing a route or a schema:

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

PATHS = {
    "/v1/orders": {
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
                "403": problem("The caller may not submit orders (`forbidden`)."),
                "409": {**problem("The key is in flight (`idempotency-key-in-flight`, with "
                                  "Retry-After), or the channel order exists already "
                                  "(`duplicate-order`, with Location)."),
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


def build():
    schemas = {}
    for file, name in COMPONENT_NAMES.items():
        schemas[name] = json.loads((SCHEMAS / file).read_text())
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
