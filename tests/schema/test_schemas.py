"""Checks the JSON Schemas in docs/schemas against real data.

- every schema is a valid draft 2020-12 schema, every $ref (also across files) resolves and
  every property has a description;
- the golden canonical orders (tests/golden/canonical) pass or fail order.schema.json as the
  C++ decoder says they should;
- the exact outputs asserted by src/gateway/problem_test.cc and src/bus/cloud_event_test.cc are
  valid problem / CloudEvent documents, with hand-written valid and invalid examples besides;
- the schemas have not drifted from the code: the problem catalogue matches
  src/gateway/problem.cc and docs/problems.md, and the property names and required lists match
  the decoder in src/codecs/canonical_json.cc.

Run from anywhere: /usr/bin/python3 tests/schema/test_schemas.py
Needs python3-jsonschema (Debian 12: 4.10, RefResolver; newer versions with the
`referencing` package are used when present).
"""
import copy
import json
import re
import unittest
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "docs" / "schemas"
GOLDEN_DIR = ROOT / "tests" / "golden" / "canonical"
BASE = "https://crossdock.dev/schemas/"

SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8"))
           for p in sorted(SCHEMA_DIR.glob("*.json"))}
STORE = {s["$id"]: s for s in SCHEMAS.values() if "$id" in s}

try:  # jsonschema >= 4.18
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    _REGISTRY = Registry().with_resources(
        (uri, Resource.from_contents(s, default_specification=DRAFT202012))
        for uri, s in STORE.items())

    def make_validator(schema):
        return Draft202012Validator(schema, registry=_REGISTRY,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def resolve(uri):
        return _REGISTRY.resolver().lookup(uri).contents
except ImportError:  # jsonschema 4.10 (Debian 12)
    def make_validator(schema):
        resolver = jsonschema.RefResolver.from_schema(schema, store=STORE)
        return Draft202012Validator(schema, resolver=resolver,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def resolve(uri):
        return jsonschema.RefResolver(base_uri=uri, referrer={}, store=STORE).resolve(uri)[1]


def validator_for(ref):
    """A validator for a schema file or a definition in one: "order.schema.json",
    "shipment.schema.json#/$defs/StoredShipment"."""
    if "#" not in ref:
        return make_validator(SCHEMAS[ref])
    return make_validator({"$schema": "https://json-schema.org/draft/2020-12/schema",
                           "$ref": BASE + ref})


def escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def error_pointers(errors):
    """JSON pointers of the faults, in the style of the C++ decoder: an unknown property or a
    missing required one is reported at the property's own pointer, not at its parent."""
    out = set()
    for e in errors:
        base = "".join("/" + escape(p) for p in e.absolute_path)
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            known = e.schema.get("properties", {})
            out.update(f"{base}/{escape(k)}" for k in e.instance if k not in known)
        elif e.validator == "required" and isinstance(e.instance, dict):
            out.update(f"{base}/{escape(k)}" for k in e.validator_value if k not in e.instance)
        else:
            out.add(base)
    return out


def describe(errors):
    return "\n".join(f"  /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


class SchemaTestCase(unittest.TestCase):
    def assertValid(self, ref, doc):
        errors = list(validator_for(ref).iter_errors(doc))
        self.assertEqual(errors, [], f"{ref} refused a valid document:\n{describe(errors)}\n"
                                     f"{json.dumps(doc)[:400]}")

    def assertInvalid(self, ref, doc, *pointers):
        """Fails unless `doc` breaks `ref` with (at least) an error at each pointer."""
        errors = list(validator_for(ref).iter_errors(doc))
        self.assertTrue(errors, f"{ref} accepted an invalid document: {json.dumps(doc)[:400]}")
        got = error_pointers(errors)
        for p in pointers:
            self.assertIn(p, got, f"{ref}: no error at {p!r}; got\n{describe(errors)}")


def walk(node, path="#"):
    """Yields (json-pointer-ish path, subschema) for every dict in a schema."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}/{i}")


# --------------------------------------------------------------------------------------------
# The schemas themselves.

EXPECTED_FILES = {"common.schema.json", "order.schema.json", "order.stored.schema.json",
                  "order-view.schema.json", "shipment.schema.json", "problem.schema.json",
                  "cloudevent.schema.json", "return.schema.json", "inventory.schema.json"}


class MetaTest(SchemaTestCase):
    def test_expected_files_exist(self):
        self.assertTrue(EXPECTED_FILES <= set(SCHEMAS), sorted(EXPECTED_FILES - set(SCHEMAS)))

    def test_every_schema_is_valid_2020_12(self):
        for name, schema in SCHEMAS.items():
            with self.subTest(schema=name):
                self.assertEqual(schema.get("$schema"),
                                 "https://json-schema.org/draft/2020-12/schema")
                self.assertEqual(schema.get("$id"), BASE + name)
                self.assertTrue(schema.get("title"))
                self.assertTrue(schema.get("description"))
                Draft202012Validator.check_schema(schema)

    def test_every_ref_resolves(self):
        count = 0
        for name, schema in SCHEMAS.items():
            for path, node in walk(schema):
                ref = node.get("$ref")
                if not isinstance(ref, str):
                    continue
                with self.subTest(schema=name, at=path, ref=ref):
                    # No schema here has an embedded $id, so every $ref is relative to the file.
                    target = resolve(urljoin(schema["$id"], ref))
                    self.assertIsInstance(target, (dict, bool))
                    count += 1
        self.assertGreater(count, 50)

    def test_every_property_and_definition_has_a_description(self):
        # Subschemas under if/then/oneOf only narrow properties described elsewhere.
        narrowing = {"if", "then", "oneOf"}
        for name, schema in SCHEMAS.items():
            for path, node in walk(schema):
                segments = path.split("/")
                if narrowing & set(segments) or segments[-1] in ("properties", "$defs"):
                    continue
                for key in ("properties", "$defs"):
                    for prop, sub in node.get(key, {}).items():
                        with self.subTest(schema=name, at=f"{path}/{key}/{prop}"):
                            self.assertIsInstance(sub, dict)
                            self.assertTrue(sub.get("description"), "no description")

    def test_objects_are_closed(self):
        """Every object schema that lists properties refuses unknown ones (except CloudEvent
        data, which is deliberately open)."""
        for name, schema in SCHEMAS.items():
            for path, node in walk(schema):
                if node.get("type") == "object" and "properties" in node:
                    with self.subTest(schema=name, at=path):
                        self.assertIs(node.get("additionalProperties"), False)


# --------------------------------------------------------------------------------------------
# Orders: the golden files of the C++ codec test.

def amount(s):
    return Decimal(s) if s is not None else Decimal(0)


def arithmetic_errors(order):
    """Pointers where the given totals differ from those recomputed as
    model/validation.cc ComputeTotals does (the one rule a JSON Schema cannot express)."""
    sub = disc = tax = ship = Decimal(0)
    for line in order["lines"]:
        sub += Decimal(line["quantity"]) * amount(line["unit_price"])
        disc += sum((amount(a["amount"]) for a in line.get("discounts", [])), Decimal(0))
        tax += sum((amount(a["amount"]) for a in line.get("taxes", [])), Decimal(0))
    for s in order.get("shipping", []):
        ship += amount(s["amount"])
        tax += sum((amount(a["amount"]) for a in s.get("taxes", [])), Decimal(0))
    want = {"subtotal": sub, "discount_total": disc, "tax_total": tax, "shipping_total": ship,
            "grand_total": sub - disc + tax + ship}
    given = order["totals"]
    bad = {f"/totals/{k}" for k, v in want.items() if amount(given.get(k)) != v}
    if want["grand_total"] < 0:
        bad.add("/totals/grand_total")
    return bad


# Golden inputs that the server refuses only for arithmetic (totals that do not add up). A
# JSON Schema cannot sum values, so these must PASS the schema; the test recomputes the totals
# in Python instead and checks that exactly the listed pointers are wrong.
ARITHMETIC_ONLY = {"order_totals.json"}

SERVER_FIELDS = {"id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "status": "dispatched", "partner": "shop",
                 "created_at": "2026-09-21T14:13:20.123Z", "updated_at": "2026-09-21T14:13:21.000Z"}


def golden_inputs():
    return sorted(p for p in GOLDEN_DIR.glob("*.json") if ".expected." not in p.name)


def read_json(p):
    return json.loads(p.read_text(encoding="utf-8"))


class GoldenOrderTest(SchemaTestCase):
    def test_there_are_golden_files(self):
        self.assertGreaterEqual(len(golden_inputs()), 5)
        self.assertTrue(list(GOLDEN_DIR.glob("*.expected.json")))

    def test_expected_outputs_are_valid_writes(self):
        for p in sorted(GOLDEN_DIR.glob("*.expected.json")):
            with self.subTest(golden=p.name):
                doc = read_json(p)
                self.assertValid("order.schema.json", doc)
                self.assertEqual(arithmetic_errors(doc), set())

    def test_expected_outputs_with_server_fields_are_valid_stored_orders(self):
        # Mirrors CanonicalJsonTest.StoredOrderWithServerFieldsRoundTrips: the same document
        # with server-owned members is a stored order and is refused as a write.
        for p in sorted(GOLDEN_DIR.glob("*.expected.json")):
            with self.subTest(golden=p.name):
                doc = {**SERVER_FIELDS, **read_json(p)}
                self.assertValid("order.stored.schema.json", doc)
                self.assertInvalid("order.schema.json", doc, *("/" + k for k in SERVER_FIELDS))

    def test_golden_inputs(self):
        for p in golden_inputs():
            stem = p.name[:-len(".json")]
            expected = GOLDEN_DIR / f"{stem}.expected.json"
            errors = GOLDEN_DIR / f"{stem}.errors.txt"
            doc = read_json(p)
            with self.subTest(golden=p.name):
                if expected.exists():
                    self.assertValid("order.schema.json", doc)
                    continue
                self.assertTrue(errors.exists(), "golden input without .expected.json or .errors.txt")
                listed = {line.strip() for line in errors.read_text().splitlines() if line.strip()}
                if p.name in ARITHMETIC_ONLY:
                    # Structurally a perfect order: only its totals are wrong.
                    self.assertValid("order.schema.json", doc)
                    self.assertTrue(listed)
                    self.assertTrue(listed <= arithmetic_errors(doc),
                                    f"listed {sorted(listed)}, arithmetic {sorted(arithmetic_errors(doc))}")
                else:
                    # Structural faults (unknown or server-owned properties, wrong types, missing
                    # required members): the schema must report each listed pointer.
                    self.assertInvalid("order.schema.json", doc, *sorted(listed))

    def test_stored_order_needs_its_server_fields(self):
        doc = read_json(GOLDEN_DIR / "order_full.expected.json")
        self.assertInvalid("order.stored.schema.json", doc, *("/" + k for k in SERVER_FIELDS))
        stored = {**SERVER_FIELDS, **doc}
        for field, bad in [("id", "ord_1"), ("id", "ord_81JDXW8Z4M6Q2C1T9XK3A7B5RF"),
                           ("id", "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RU"), ("status", "lost"),
                           ("created_at", "2026-09-21T14:13:20Z"), ("partner", "")]:
            with self.subTest(field=field, value=bad):
                self.assertInvalid("order.stored.schema.json", {**stored, field: bad}, "/" + field)
        # As emitted, totals always have all five members.
        short = copy.deepcopy(stored)
        del short["totals"]["tax_total"]
        self.assertInvalid("order.stored.schema.json", short, "/totals/tax_total")
        self.assertValid("order.schema.json", {k: v for k, v in short.items() if k not in SERVER_FIELDS})


def minimal_order():
    return {"channel": "web", "external_ref": "X-9", "currency": "USD",
            "ship_to": {"line1": "1 Main", "city": "Reno", "country": "US"},
            "lines": [{"line_id": "1", "sku": "A", "quantity": 2, "unit_price": "5.00"}],
            "totals": {"subtotal": "10.00", "grand_total": "10.00"}}


class OrderRulesTest(SchemaTestCase):
    def test_minimal_order_is_valid(self):
        self.assertValid("order.schema.json", minimal_order())

    def test_invalid_orders(self):
        cases = [
            ("/currency", lambda o: o.update(currency="usd")),
            ("/currency", lambda o: o.update(currency="US")),
            ("/ship_to/country", lambda o: o["ship_to"].update(country="United States")),
            ("/ship_to/country", lambda o: o["ship_to"].update(country="us")),
            ("/ship_to/line1", lambda o: o["ship_to"].pop("line1")),
            ("/ship_to/city", lambda o: o["ship_to"].update(city="")),
            ("/channel", lambda o: o.update(channel="")),
            ("/notes", lambda o: o.update(notes="x" * 513)),
            ("/placed_at", lambda o: o.update(placed_at="2026-11-27 15:04:05")),
            ("/placed_at", lambda o: o.update(placed_at="2026-13-27T15:04:05Z")),
            ("/lines", lambda o: o.update(lines=[])),
            ("/lines/0/quantity", lambda o: o["lines"][0].update(quantity=0)),
            ("/lines/0/quantity", lambda o: o["lines"][0].update(quantity=1000001)),
            ("/lines/0/quantity", lambda o: o["lines"][0].update(quantity=1.5)),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price="-5.00")),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price="5.0000001")),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price="1e3")),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price="+5")),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price=".5")),
            ("/lines/0/unit_price", lambda o: o["lines"][0].update(unit_price="5.")),
            ("/lines/0/discounts/0/amount", lambda o: o["lines"][0].update(discounts=[{"code": "X"}])),
            ("/lines/0/discounts", lambda o: o["lines"][0].update(discounts=[{"amount": "0"}] * 21)),
            ("/lines/0/taxes/0/rate", lambda o: o["lines"][0].update(taxes=[{"amount": "1", "rate": "0.1"}])),
            ("/shipping/0/amount", lambda o: o.update(shipping=[{"method": "Ground"}])),
            ("/totals/grand_total", lambda o: o["totals"].pop("grand_total")),
            ("/totals/subtotal", lambda o: o["totals"].update(subtotal=10)),
            ("/customer/vip", lambda o: o.update(customer={"vip": True})),
            ("/bill_to/country", lambda o: o.update(bill_to={"line1": "x", "city": "y"})),
        ]
        for pointer, mutate in cases:
            doc = minimal_order()
            mutate(doc)
            with self.subTest(pointer=pointer, doc=json.dumps(doc)[:160]):
                self.assertInvalid("order.schema.json", doc, pointer)
        self.assertInvalid("order.schema.json", [minimal_order()], "")

    def test_valid_variants(self):
        doc = minimal_order()
        doc.update(placed_at="2026-11-27T15:04:05.123456+05:30", service_level="", notes="",
                   customer={"phone": "+1 555 0100"},
                   shipping=[{"amount": "0"}])
        doc["lines"][0].update(unit_price="0.000001", quantity=1000000)
        self.assertValid("order.schema.json", doc)


# --------------------------------------------------------------------------------------------
# Shipments.

def read_cpp_literal(relpath, marker):
    """The raw-string literal R"J(...)J" that follows `marker` in a C++ test file: the exact
    output the C++ test asserts."""
    src = (ROOT / relpath).read_text(encoding="utf-8")
    at = src.index(marker)
    m = re.compile(r'R"J\((.*?)\)J"', re.S).search(src, at)
    assert m, f"no R\"J(...)J\" literal after {marker!r} in {relpath}"
    return json.loads(m.group(1))


# What EncodeShipment writes for the Shipment built in CanonicalJsonTest.ShipmentRoundTripAndErrors
# (src/codecs/canonical_json_test.cc); it is decoded there again, so it is also a valid write.
ENCODED_TEST_SHIPMENT = {
    "order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "node": "tpl-east",
    "partner_event_id": "tpl-east-ev-1", "shipped_at": "2026-09-21T14:13:20.000Z",
    "carrier": "UPS", "tracking_number": "1Z999",
    "packages": [{"sscc": "106141411234567897", "tracking_number": "1Z999", "weight_kg": "2.5",
                  "lines": [{"line_id": "1", "sku": "SKU-1", "quantity": 2}]}]}


class ShipmentTest(SchemaTestCase):
    def test_valid_shipments(self):
        as_sent = {k: v for k, v in ENCODED_TEST_SHIPMENT.items() if k != "node"}
        self.assertValid("shipment.schema.json", as_sent)
        # `node` comes from the URL; in a body it is refused, as by DecodeShipment.
        self.assertInvalid("shipment.schema.json", ENCODED_TEST_SHIPMENT, "/node")
        self.assertValid("shipment.schema.json", {
            "order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "partner_event_id": "ev-1",
            "packages": [{"lines": [{"line_id": "10", "quantity": 1}]}]})
        self.assertValid("shipment.schema.json", {
            "order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "partner_event_id": "ev-2",
            "shipped_at": "2026-11-28T09:00:00+01:00", "carrier": "DHL", "service": "Express",
            "packages": [{"sscc": "", "weight_kg": "", "lines": [{"line_id": "10", "quantity": 150}]},
                         {"weight_kg": "12", "lines": [{"line_id": "20", "sku": "NUT-M8", "quantity": 200},
                                                       {"line_id": "10", "quantity": 50}]}]})

    def test_invalid_shipments(self):
        # The document CanonicalJsonTest.ShipmentRoundTripAndErrors feeds to DecodeShipment.
        self.assertInvalid("shipment.schema.json",
                           {"order_id": 5, "packages": [{"lines": [{"quantity": 1}]}]},
                           "/order_id", "/partner_event_id", "/packages/0/lines/0/line_id")
        cases = [
            ("/id", lambda s: s.update(id="shp_01JDXW8Z4M6Q2C1T9XK3A7B5RF")),
            ("/order_id", lambda s: s.update(order_id="")),
            ("/partner_event_id", lambda s: s.update(partner_event_id="")),
            ("/packages", lambda s: s.update(packages=[])),
            ("/packages/0/lines", lambda s: s["packages"][0].pop("lines")),
            ("/packages/0/lines", lambda s: s["packages"][0].update(lines=[])),
            ("/packages/0/lines/0/quantity", lambda s: s["packages"][0]["lines"][0].update(quantity=0)),
            ("/packages/0/lines/0/quantity", lambda s: s["packages"][0]["lines"][0].update(quantity="2")),
            ("/packages/0/sscc", lambda s: s["packages"][0].update(sscc="12345")),
            ("/packages/0/weight_kg", lambda s: s["packages"][0].update(weight_kg="-1")),
            ("/packages/0/weight_kg", lambda s: s["packages"][0].update(weight_kg=2.5)),
            ("/packages/0/seal", lambda s: s["packages"][0].update(seal="X")),
            ("/shipped_at", lambda s: s.update(shipped_at="yesterday")),
            ("/carrier", lambda s: s.update(carrier=7)),
        ]
        for pointer, mutate in cases:
            doc = copy.deepcopy(ENCODED_TEST_SHIPMENT)
            mutate(doc)
            with self.subTest(pointer=pointer):
                self.assertInvalid("shipment.schema.json", doc, pointer)

    def test_stored_shipment(self):
        stored = {**ENCODED_TEST_SHIPMENT, "id": "shp_01JDXW8Z4M6Q2C1T9XK3A7B5RF"}
        self.assertValid("shipment.schema.json#/$defs/StoredShipment", stored)
        self.assertInvalid("shipment.schema.json#/$defs/StoredShipment", ENCODED_TEST_SHIPMENT, "/id")
        no_node = {k: v for k, v in stored.items() if k != "node"}
        self.assertInvalid("shipment.schema.json#/$defs/StoredShipment", no_node, "/node")

    def test_shipment_result(self):
        ref = "shipment.schema.json#/$defs/ShipmentResult"
        self.assertValid(ref, {"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "result": "applied",
                               "status": "partially_shipped"})
        self.assertValid(ref, {"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "result": "duplicate"})
        self.assertInvalid(ref, {"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "result": "ok"}, "/result")


# --------------------------------------------------------------------------------------------
# Problems.

PROBLEM_TEST_BODY = read_cpp_literal("src/gateway/problem_test.cc", "RendersRfc9457WithPointers")


def problem_catalogue():
    """(slug, status, title) for every entry of kCatalogue in src/gateway/problem.cc."""
    src = (ROOT / "src/gateway/problem.cc").read_text(encoding="utf-8")
    entries = re.findall(r'\{ProblemType::k\w+,\s*(\d+),\s*"([^"]+)",\s*"([^"]+)"\}', src)
    return [(slug, int(status), title) for status, slug, title in entries]


class ProblemTest(SchemaTestCase):
    def test_problem_test_output_is_valid(self):
        self.assertEqual(PROBLEM_TEST_BODY["status"], 422)
        self.assertValid("problem.schema.json", PROBLEM_TEST_BODY)

    def test_every_catalogue_entry_is_valid(self):
        catalogue = problem_catalogue()
        self.assertEqual(len(catalogue), 21)
        for slug, status, title in catalogue:
            with self.subTest(slug=slug):
                # Only type, title and status are always present (bad-request and
                # headers-too-large have no instance; empty members are omitted).
                self.assertValid("problem.schema.json", {
                    "type": "https://crossdock.dev/problems/" + slug, "title": title,
                    "status": status})
                self.assertValid("problem.schema.json", {
                    "type": "https://crossdock.dev/problems/" + slug, "title": title,
                    "status": status, "detail": "something",
                    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
                self.assertValid("problem.schema.json", {
                    "type": "https://crossdock.dev/problems/" + slug, "title": title,
                    "status": status, "instance": "/v1/orders",
                    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})

    def test_schema_catalogue_matches_code(self):
        in_schema = set()
        for entry in SCHEMAS["problem.schema.json"]["oneOf"]:
            props = entry["properties"]
            in_schema.add((props["type"]["const"].rsplit("/", 1)[1], props["status"]["const"],
                           props["title"]["const"]))
        self.assertEqual(in_schema, set(problem_catalogue()))

    def test_problems_md_lists_every_type(self):
        doc = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
        self.assertIn("https://crossdock.dev/problems/", doc)
        for slug, status, title in problem_catalogue():
            with self.subTest(slug=slug):
                self.assertIn(f"`{slug}`", doc)
                self.assertIn(title, doc)
                self.assertIn(f"https://crossdock.dev/problems/{slug}", doc)

    def test_examples_in_problems_md_are_valid(self):
        doc = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
        blocks = re.findall(r"```json\n(.*?)```", doc, re.S)
        self.assertGreaterEqual(len(blocks), 19)
        for text in blocks:
            with self.subTest(example=text[:80]):
                self.assertValid("problem.schema.json", json.loads(text))

    def test_invalid_problems(self):
        base = PROBLEM_TEST_BODY
        cases = [
            ("/status", {**base, "status": "422"}),
            ("/type", {**base, "type": "about:blank"}),
            ("/extra", {**base, "extra": 1}),
            ("/title", {k: v for k, v in base.items() if k != "title"}),
            ("/errors/0/pointer", {**base, "errors": [{"detail": "x"}]}),
            ("/errors/0/pointer", {**base, "errors": [{"pointer": "lines/0", "detail": "x"}]}),
            ("/errors/0/code", {**base, "errors": [{"pointer": "", "detail": "x", "code": 1}]}),
            ("/detail", {**base, "detail": ""}),
        ]
        for pointer, doc in cases:
            with self.subTest(pointer=pointer):
                self.assertInvalid("problem.schema.json", doc, pointer)
        # type, title and status must be one catalogue entry.
        for doc in [{**base, "status": 400},
                    {**base, "title": "Unprocessable"},
                    {**base, "type": "https://crossdock.dev/problems/teapot"}]:
            with self.subTest(doc=doc):
                self.assertFalse(validator_for("problem.schema.json").is_valid(doc))


# --------------------------------------------------------------------------------------------
# CloudEvents.

CLOUD_EVENT_TEST_BODY = read_cpp_literal("src/bus/cloud_event_test.cc", "HasEveryRequiredAttribute")

SHIPPED_EVENT = {
    "specversion": "1.0", "id": "evt_01JDXW9A1B2C3D4E5F6G7H8J9K", "source": "/crossdock/orders",
    "type": "dev.crossdock.order.shipped.v1", "subject": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF",
    "time": "2026-09-21T14:13:20.456Z", "datacontenttype": "application/json",
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
    "data": {"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "channel": "web", "external_ref": "E2E-1",
             "status": "shipped",
             "shipment": {**ENCODED_TEST_SHIPMENT, "id": "shp_01JDXW9A1B2C3D4E5F6G7H8J9M"}},
    "sequence": "1207"}


class CloudEventTest(SchemaTestCase):
    def test_cloud_event_test_output_is_valid(self):
        self.assertEqual(CLOUD_EVENT_TEST_BODY["sequence"], "42")
        self.assertValid("cloudevent.schema.json", CLOUD_EVENT_TEST_BODY)

    def test_realistic_events(self):
        self.assertValid("cloudevent.schema.json", SHIPPED_EVENT)
        self.assertValid("cloudevent.schema.json#/$defs/OrderEventData", SHIPPED_EVENT["data"])
        no_trace = {k: v for k, v in SHIPPED_EVENT.items() if k != "traceparent"}
        no_trace.update(type="dev.crossdock.order.received.v1", data={})
        self.assertValid("cloudevent.schema.json", no_trace)

    def test_invalid_events(self):
        cases = [
            ("/specversion", {"specversion": "0.3"}),
            ("/type", {"type": "order.shipped"}),
            ("/type", {"type": "dev.crossdock.order.shipped"}),
            ("/sequence", {"sequence": 42}),
            ("/sequence", {"sequence": "-1"}),
            ("/data", {"data": "{\"order_id\":\"ord_1\"}"}),
            ("/time", {"time": "2026-09-21T14:13:20Z"}),
            ("/datacontenttype", {"datacontenttype": "text/plain"}),
            ("/traceparent", {"traceparent": "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}),
            ("/dataschema", {"dataschema": "https://example.com"}),
        ]
        for pointer, change in cases:
            with self.subTest(pointer=pointer):
                self.assertInvalid("cloudevent.schema.json", {**CLOUD_EVENT_TEST_BODY, **change}, pointer)
        for missing in ("id", "source", "subject", "data", "sequence"):
            with self.subTest(missing=missing):
                doc = {k: v for k, v in CLOUD_EVENT_TEST_BODY.items() if k != missing}
                self.assertInvalid("cloudevent.schema.json", doc, "/" + missing)

    def test_order_event_data_rules(self):
        ref = "cloudevent.schema.json#/$defs/OrderEventData"
        self.assertInvalid(ref, CLOUD_EVENT_TEST_BODY["data"], "/channel", "/external_ref", "/status")
        data = copy.deepcopy(SHIPPED_EVENT["data"])
        data["status"] = "lost"
        self.assertInvalid(ref, data, "/status")


# --------------------------------------------------------------------------------------------
# GET /v1/orders/{id}.

def order_view():
    order = {**SERVER_FIELDS, **read_json(GOLDEN_DIR / "order_full.expected.json"), "status": "shipped"}
    oid = order["id"]
    base = {"order_id": oid, "channel": order["channel"], "external_ref": order["external_ref"]}
    shipment = {"id": "shp_01JDXW9A1B2C3D4E5F6G7H8J9M", "order_id": oid, "node": "tpl-east",
                "partner_event_id": "tpl-east-ev-1",
                "packages": [{"lines": [{"line_id": "10", "quantity": 200},
                                        {"line_id": "20", "sku": "NUT-M8", "quantity": 200}]}]}
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    return {
        "order": order,
        "fulfillment": {"node": "tpl-east", "node_ref": "TPL-884211",
                        "received_at": "2026-09-21T14:13:20.123Z",
                        "allocated_at": "2026-09-21T14:13:20.123Z",
                        "dispatched_at": "2026-09-21T14:13:20.900Z",
                        "shipped_at": "2026-09-21T14:13:21.000Z",
                        "shipped": {"10": 200, "20": 200}},
        "orchestration": {"customer": "web:C-7", "erp_sale": "42",
                          "validated_at": "2026-09-21T14:13:20.300Z",
                          "accepted_at": "2026-09-21T14:13:20.500Z",
                          "invoices": {"tpl-east-ev-1": "117"}},
        "history": [
            {"seq": 1, "at": "2026-09-21T14:13:20.123Z", "type": "order.received",
             "data": {**base, "status": "received"}, "trace_id": trace},
            {"seq": 2, "at": "2026-09-21T14:13:20.123Z", "type": "order.allocated",
             "data": {**base, "status": "allocated", "node": "tpl-east"}, "trace_id": trace},
            {"seq": 3, "at": "2026-09-21T14:13:20.900Z", "type": "order.dispatched",
             "data": {**base, "status": "dispatched", "node": "tpl-east", "node_ref": "TPL-884211"}},
            {"seq": 4, "at": "2026-09-21T14:13:21.000Z", "type": "order.shipped",
             "data": {**base, "status": "shipped", "shipment": shipment}, "trace_id": trace},
        ],
    }


class OrderViewTest(SchemaTestCase):
    def test_valid_view(self):
        self.assertValid("order-view.schema.json", order_view())
        fresh = order_view()
        fresh["order"]["status"] = "allocated"
        fresh["fulfillment"] = {"node": "tpl-east", "received_at": "2026-09-21T14:13:20.123Z",
                                "allocated_at": "2026-09-21T14:13:20.123Z", "shipped": {}}
        fresh["history"] = fresh["history"][:2]
        self.assertValid("order-view.schema.json", fresh)

    def test_invalid_views(self):
        cases = [
            ("/fulfillment", lambda v: v.pop("fulfillment")),
            ("/order/id", lambda v: v["order"].pop("id")),
            ("/order/status", lambda v: v["order"].update(status="lost")),
            ("/fulfillment/shipped/10", lambda v: v["fulfillment"]["shipped"].update({"10": "200"})),
            ("/fulfillment/node", lambda v: v["fulfillment"].pop("node")),
            ("/history/0/seq", lambda v: v["history"][0].update(seq=0)),
            ("/history/0/data/status", lambda v: v["history"][0]["data"].update(status="allocated")),
            ("/history/1/data/node", lambda v: v["history"][1]["data"].pop("node")),
            ("/history/3/data/shipment", lambda v: v["history"][3]["data"].pop("shipment")),
            ("/history/0/trace_id", lambda v: v["history"][0].update(trace_id="ABC")),
            ("/history/0/at", lambda v: v["history"][0].update(at="2026-09-21T14:13:20+00:00")),
        ]
        for pointer, mutate in cases:
            doc = order_view()
            mutate(doc)
            with self.subTest(pointer=pointer):
                self.assertInvalid("order-view.schema.json", doc, pointer)


# --------------------------------------------------------------------------------------------
# Drift between the schemas and the decoder in src/codecs/canonical_json.cc.

def cpp_function(src, signature):
    start = src.index(signature)
    end = src.index("\n}\n", start)
    return src[start:end]


def keys_and_required(body, var):
    keys = set(re.findall(var + r' == "([a-z0-9_]+)"', body))
    req = set()
    for group in re.findall(r"Require\([^,]+, \{([^}]*)\}", body):
        req.update(re.findall(r'"([a-z0-9_]+)"', group))
    return keys, req


class DecoderDriftTest(unittest.TestCase):
    """The schemas list exactly the properties the decoder knows, and require at least what it
    requires. If this fails after a change to canonical_json.cc, update docs/schemas."""

    SRC = (ROOT / "src/codecs/canonical_json.cc").read_text(encoding="utf-8")

    def check(self, schema, signature, var="k", exclude_nested=None):
        body = cpp_function(self.SRC, signature)
        if exclude_nested:
            body = body.split(exclude_nested)[0]
        keys, req = keys_and_required(body, var)
        self.assertEqual(set(schema["properties"]), keys, signature)
        self.assertTrue(req <= set(schema.get("required", [])), f"{signature}: {sorted(req)}")

    def test_order(self):
        defs = SCHEMAS["order.schema.json"]["$defs"]
        self.check(SCHEMAS["order.schema.json"], "Decoded<Order> DecodeOrder(")
        self.check(defs["Address"], "void ReadAddress(")
        self.check(defs["Customer"], "void ReadCustomer(")
        self.check(defs["OrderLine"], "void ReadLine(")
        self.check(defs["ShippingCharge"], "void ReadShipping(")
        self.check(defs["OrderTotals"], "void ReadTotals(")
        self.check(defs["Adjustment"], "void ReadAdjustments(")

    def test_shipment(self):
        schema = SCHEMAS["shipment.schema.json"]
        body = cpp_function(self.SRC, "Decoded<Shipment> DecodeShipment(")
        self.assertEqual(set(schema["properties"]), set(re.findall(r'\(k == "([a-z0-9_]+)"\)', body)))
        self.assertEqual(set(schema["$defs"]["Package"]["properties"]),
                         set(re.findall(r'pk == "([a-z0-9_]+)"', body)))
        self.assertEqual(set(schema["$defs"]["ShippedLine"]["properties"]),
                         set(re.findall(r'lk == "([a-z0-9_]+)"', body)))
        self.assertTrue({"order_id", "partner_event_id", "packages"} <= set(schema["required"]))
        self.assertIn('Require("", {"order_id", "partner_event_id", "packages"}', body)

    def test_order_status_enum(self):
        src = (ROOT / "src/model/order.cc").read_text(encoding="utf-8")
        names = re.findall(r'\{OrderStatus::k\w+, "([a-z0-9_]+)"\}', src)
        enum = SCHEMAS["order.stored.schema.json"]["$defs"]["OrderStatus"]["enum"]
        self.assertEqual(enum, names)



class OpenApiDocumentTest(unittest.TestCase):
    """docs/openapi.json is generated from the route table and the schemas, and stays so."""

    def test_generated_document_is_up_to_date(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location("gen_openapi", ROOT / "scripts" / "gen_openapi.py")
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        self.assertEqual((ROOT / "docs" / "openapi.json").read_text(), gen.render(),
                         "run python3 scripts/gen_openapi.py")

    def test_document_shape_and_refs(self):
        doc = json.loads((ROOT / "docs" / "openapi.json").read_text())
        self.assertEqual(doc["openapi"], "3.1.0")
        for name, schema in doc["components"]["schemas"].items():
            Draft202012Validator.check_schema(schema)
        for path, ops in doc["paths"].items():
            self.assertTrue(path.startswith("/"), path)
            for method, op in ops.items():
                self.assertIn(method, {"get", "post", "put", "patch", "delete"})
                self.assertIn("operationId", op)
                self.assertTrue(op["responses"], f"{method} {path} documents no response")
                for status, resp in op["responses"].items():
                    self.assertRegex(status, r"^[1-5][0-9][0-9]$")
                    self.assertIn("description", resp)
        # Every internal $ref points at something that exists.
        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "$ref" and v.startswith("#/"):
                        target = doc
                        for part in v[2:].split("/"):
                            part = part.replace("~1", "/").replace("~0", "~")
                            self.assertIn(part, target, v)
                            target = target[part]
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(doc["paths"])
        walk(doc["components"])


class PartnerFormatOutputTest(SchemaTestCase):
    """What the partner decoders produce is a valid canonical order write."""

    def test_partner_expected_outputs_are_valid_orders(self):
        files = []
        for partner in ("shopify", "woocommerce", "amazon"):
            found = sorted((ROOT / "tests" / "golden" / partner).glob("*.expected.json"))
            self.assertTrue(found, partner)
            files += found
        for p in files:
            with self.subTest(p.name):
                self.assertValid("order.schema.json", json.loads(p.read_text()))


class ReturnAndInventoryTest(SchemaTestCase):
    def test_return_request(self):
        ok = {"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF",
              "lines": [{"line_id": "1", "quantity": 1, "reason": "damaged"}], "notes": "box torn"}
        self.assertValid("return.schema.json", ok)
        for pointer, mutate in [
                ("/id", lambda d: d.update(id="ret_x")),
                ("/status", lambda d: d.update(status="approved")),
                ("/lines", lambda d: d.update(lines=[])),
                ("/lines/0/quantity", lambda d: d["lines"][0].update(quantity=0)),
                ("/lines/0/reason", lambda d: d["lines"][0].pop("reason"))]:
            doc = copy.deepcopy(ok)
            mutate(doc)
            with self.subTest(pointer=pointer):
                self.assertInvalid("return.schema.json", doc, pointer)
        stored = {**ok, "id": "ret_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "status": "authorized",
                  "partner": "b2b-portal", "created_at": "2026-11-28T10:00:00.000Z"}
        self.assertValid("return.schema.json#/$defs/StoredReturn", stored)

    def test_inventory_report(self):
        ok = {"levels": [{"sku": "A", "on_hand": 3, "as_of": "2026-11-01T10:00:00Z"}]}
        self.assertValid("inventory.schema.json", ok)
        self.assertInvalid("inventory.schema.json", {"levels": [{"sku": "A", "on_hand": 1}]},
                           "/levels/0/as_of")
        self.assertInvalid("inventory.schema.json", {"levels": [], "node": "x"}, "/node")


if __name__ == "__main__":
    unittest.main()
