"""Governed API against the real server started on examples/reference/crossdock.yaml (so the
reference configuration is proven runnable): RELIABILITY.md S1 (tenant isolation over the
wire), S2 (authentication), S3 (webhook signatures), S4 (mass assignment), S5 (limits), S7
(secrets never leak), and every HTTP row of the bad-input table, each asserting the status and
the problem type. The nodes of the reference (ports 9101-9103) are not started: orders wait in
the outbox, which these tests do not need.

Run: CROSSDOCK_BIN_DIR=build/bin python3 tests/e2e/test_governance.py
"""
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CROSSDOCK, ROOT, Http, free_port, make_order, wait_until  # noqa: E402

REFERENCE = ROOT / "examples" / "reference"
SECRETS = {p.name: p.read_text().strip() for p in (REFERENCE / "secrets").iterdir()}
SHOPIFY_ORDER = (ROOT / "tests" / "golden" / "shopify" / "order_two_lines.json").read_bytes()
MISSING_ORDER = "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF"


def problem_type(body):
    return json.loads(body)["type"].rsplit("/", 1)[-1]


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def shopify_headers(body, secret, webhook_id, triggered=None, topic="orders/create"):
    sig = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": sig,
            "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Topic": topic,
            "X-Shopify-Triggered-At": rfc3339(triggered or datetime.now(timezone.utc))}


def standard_headers(body, secret, msg_id, ts=None):
    ts = int(ts if ts is not None else time.time())
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{ts}.".encode() + body
    sig = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "webhook-id": msg_id,
            "webhook-timestamp": str(ts), "webhook-signature": "v1," + sig}


def normalized(body, asked):
    doc = json.loads(body)
    doc.pop("trace_id", None)
    return json.dumps(doc, sort_keys=True).replace(asked, "<id>")


class GovernanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="crossdock-gov-"))
        cls.port = free_port()
        cls.url = f"http://127.0.0.1:{cls.port}"
        cls.log_path = cls.dir / "crossdock.log"
        cls.log = open(cls.log_path, "wb")
        env = dict(os.environ, CROSSDOCK_LOG_LEVEL="debug")
        cls.proc = subprocess.Popen(
            [CROSSDOCK, "serve", "--config", str(REFERENCE / "crossdock.yaml"),
             "--listen", f"127.0.0.1:{cls.port}", "--data-dir", str(cls.dir / "data")],
            stdout=cls.log, stderr=subprocess.STDOUT, env=env)
        probe = Http(cls.url, timeout=1)
        wait_until(lambda: probe.request("GET", "/readyz")[0] == 200, 20, what="/readyz")
        probe.close()
        cls.bodies = []  # every answer, for the secret scan
        key = lambda name: SECRETS[name + ".key"]
        cls.clients = {p: Http(cls.url, key(p)) for p in
                       ("b2b-portal", "amazon", "ebay", "shopify", "tpl-central", "tpl-west",
                        "erp", "ops")}

    @classmethod
    def tearDownClass(cls):
        for c in cls.clients.values():
            c.close()
        cls.proc.terminate()
        cls.proc.wait(timeout=20)
        cls.log.close()

    def call(self, who, method, path, body=None, headers=None, raw=None, wait_quota=True):
        """One request as partner `who` (None: no key). A partner over its quota waits for
        Retry-After and asks again, unless `wait_quota` is false (the quota tests)."""
        client = self.clients[who] if who else Http(self.url)
        for _ in range(5):
            status, hdrs, payload = client.request(method, path, body, headers, raw)
            self.bodies.append(payload)
            if status != 429 or not wait_quota or not who or b"over its quota" not in payload:
                break
            time.sleep(float(hdrs.get("Retry-After", "1")))
        if not who:
            client.close()
        return status, hdrs, payload

    def expect(self, answer, status, ptype=None):
        got_status, hdrs, payload = answer
        self.assertEqual(got_status, status, payload[:500])
        if ptype:
            self.assertEqual(hdrs.get("Content-Type"), "application/problem+json")
            self.assertEqual(problem_type(payload), ptype)
        return hdrs, payload

    def submit(self, who, ref, channel, lines=2):
        hdrs, payload = self.expect(
            self.call(who, "POST", "/v1/orders", make_order(ref, lines, channel),
                      {"Idempotency-Key": "k-" + ref}), 201)
        return json.loads(payload)["id"]

    # S1 ------------------------------------------------------------------------------------
    def test_s1_foreign_ids_answer_like_missing_ones_and_change_nothing(self):
        owners = {"b2b-portal": "b2b-portal", "amazon": "amazon", "ebay": "ebay"}
        ids = {p: self.submit(p, f"S1-{p}", channel) for p, channel in owners.items()}
        checks = 0
        for caller in owners:
            for owner, oid in ids.items():
                if owner == caller:
                    continue
                for method, path, body in (
                        ("GET", f"/v1/orders/{{}}", None),
                        ("GET", f"/v1/orders/{{}}/tracking", None),
                        ("GET", f"/v1/orders/{{}}/status", None),
                        ("POST", f"/v1/orders/{{}}/cancel", {})):
                    foreign = self.call(caller, method, path.format(oid), body)
                    missing = self.call(caller, method, path.format(MISSING_ORDER), body)
                    self.expect(foreign, 404, "not-found")
                    self.assertEqual(normalized(foreign[2], oid),
                                     normalized(missing[2], MISSING_ORDER))
                    checks += 1
                _, _, page = self.call(caller, "GET", "/v1/orders?limit=200")
                self.assertNotIn(oid.encode(), page)
        self.assertEqual(checks, 3 * 2 * 4)
        # No foreign cancellation took effect.
        for owner, oid in ids.items():
            _, _, tracking = self.call(owner, "GET", f"/v1/orders/{oid}/tracking")
            self.assertNotIn(b"cancellation", tracking)

    # S2 ------------------------------------------------------------------------------------
    def test_s2_credentials_and_scopes(self):
        self.expect(self.call(None, "GET", "/v1/orders"), 401, "unauthorized")
        self.expect(self.call(None, "GET", "/v1/orders", headers={"Authorization": "Basic eDp5"}),
                    401, "unauthorized")
        # A key that is not (or no longer) configured: revoked.
        self.expect(self.call(None, "GET", "/v1/orders",
                              headers={"Authorization": "Bearer test-revoked-key-not-secret"}),
                    401, "unauthorized")
        # Marketplaces have no returns scope; the ERP cannot submit; a channel is no operator.
        self.expect(self.call("amazon", "POST", "/v1/returns", {"order_id": MISSING_ORDER},
                              {"Idempotency-Key": "r-1"}), 403, "forbidden")
        self.expect(self.call("erp", "POST", "/v1/orders", make_order("S2-erp", 1, "erp"),
                              {"Idempotency-Key": "e-1"}), 403, "forbidden")
        self.expect(self.call("b2b-portal", "GET", "/v1/admin/partners"), 403, "forbidden")

    # S3 ------------------------------------------------------------------------------------
    def test_s3_shopify_signatures_rotation_and_dedup(self):
        old, new = SECRETS["shopify-webhook-2026.secret"], SECRETS["shopify-webhook-2027.secret"]
        path = "/v1/webhooks/shopify"

        def count():
            _, _, page = self.call("ops", "GET", "/v1/orders?channel=shopify&limit=200")
            return len(json.loads(page)["items"])

        before = count()
        bad = [
            ("one byte changed", SHOPIFY_ORDER[:-3] + b" }\n", shopify_headers(SHOPIFY_ORDER, new, "w-1")),
            ("truncated signature", SHOPIFY_ORDER, {**shopify_headers(SHOPIFY_ORDER, new, "w-2"),
                                                    "X-Shopify-Hmac-Sha256": shopify_headers(SHOPIFY_ORDER, new, "w-2")["X-Shopify-Hmac-Sha256"][:-6]}),
            ("stale retry", SHOPIFY_ORDER, shopify_headers(SHOPIFY_ORDER, new, "w-3",
                                                           datetime.now(timezone.utc) - timedelta(hours=5))),
            ("wrong secret", SHOPIFY_ORDER, shopify_headers(SHOPIFY_ORDER, "FAKE-guess", "w-4")),
        ]
        for what, body, headers in bad:
            with self.subTest(what):
                self.expect(self.call(None, "POST", path, raw=body, headers=headers), 401,
                            "invalid-signature")
        self.assertEqual(count(), before)  # no effect
        # During the rotation overlap both secrets are accepted; repeats have one effect.
        first = self.expect(self.call(None, "POST", path, raw=SHOPIFY_ORDER,
                                      headers=shopify_headers(SHOPIFY_ORDER, old, "w-5")), 201)
        again = self.call(None, "POST", path, raw=SHOPIFY_ORDER,
                          headers=shopify_headers(SHOPIFY_ORDER, old, "w-5"))
        self.assertEqual(again[0], 201)
        self.assertEqual(again[1].get("Idempotent-Replayed"), "true")
        other = self.call(None, "POST", path, raw=SHOPIFY_ORDER,
                          headers=shopify_headers(SHOPIFY_ORDER, new, "w-6"))
        self.assertEqual(other[0], 200)  # same Shopify order, new delivery id: duplicate
        self.assertEqual(count(), before + 1)
        self.assertEqual(first[0]["Location"], other[1]["Location"])

    def test_s3_standard_webhooks_from_a_node(self):
        secret = SECRETS["tpl-west-webhook.secret"]
        body = json.dumps({"type": "inventory.levels", "data": {"levels": [
            {"sku": "S3-SKU", "on_hand": 7, "as_of": rfc3339(datetime.now(timezone.utc))}]}}).encode()
        path = "/v1/webhooks/tpl-west"
        self.expect(self.call(None, "POST", path, raw=body,
                              headers=standard_headers(body, secret, "msg_s3_stale", time.time() - 400)),
                    401, "invalid-signature")
        tampered = standard_headers(body, secret, "msg_s3_t")
        self.expect(self.call(None, "POST", path, raw=body.replace(b"7", b"9"), headers=tampered),
                    401, "invalid-signature")
        _, _, avail = self.call("erp", "GET", "/v1/availability?sku=S3-SKU")
        self.assertIn(b'"available":0', avail)
        self.expect(self.call(None, "POST", path, raw=body,
                              headers=standard_headers(body, secret, "msg_s3_ok")), 200)
        _, _, avail = self.call("erp", "GET", "/v1/availability?sku=S3-SKU&channel=amazon")
        self.assertIn(b'"available":7', avail)

    # S4 ------------------------------------------------------------------------------------
    def test_s4_server_owned_fields_are_refused_with_pointers(self):
        order = make_order("S4-1", 1, "b2b-portal")
        order.update({"id": "ord_x", "status": "shipped", "partner": "ops",
                      "created_at": "2026-01-01T00:00:00Z"})
        _, payload = self.expect(self.call("b2b-portal", "POST", "/v1/orders", order,
                                           {"Idempotency-Key": "s4-1"}), 422, "validation-error")
        pointers = {e["pointer"] for e in json.loads(payload)["errors"]}
        self.assertTrue({"/id", "/status", "/partner", "/created_at"} <= pointers, pointers)

    # S5 ------------------------------------------------------------------------------------
    def test_s5_limits(self):
        big = b'{"pad":"' + b"x" * (1 << 20) + b'"}'
        self.expect(self.call("b2b-portal", "POST", "/v1/orders", raw=big,
                              headers={"Content-Type": "application/json",
                                       "Idempotency-Key": "s5-big"}), 413, "payload-too-large")
        deep = b"[" * 100 + b"]" * 100
        self.expect(self.call("b2b-portal", "POST", "/v1/orders", raw=deep,
                              headers={"Content-Type": "application/json",
                                       "Idempotency-Key": "s5-deep"}), 400, "malformed-json")
        # The portal may send 1000 lines; 1001 is refused with the pointer.
        _, payload = self.expect(self.call("b2b-portal", "POST", "/v1/orders",
                                           make_order("S5-lines", 1001, "b2b-portal"),
                                           {"Idempotency-Key": "s5-lines"}), 422, "validation-error")
        self.assertIn("/lines", {e["pointer"] for e in json.loads(payload)["errors"]})
        # eBay's quota is 5/s with a burst of 10.
        answers = [self.call("ebay", "GET", "/v1/orders?limit=1", wait_quota=False)
                   for _ in range(20)]
        limited = [a for a in answers if a[0] == 429]
        self.assertTrue(limited, [a[0] for a in answers])
        self.assertEqual(problem_type(limited[0][2]), "rate-limited")
        self.assertIn("Retry-After", limited[0][1])
        self.assertIn("RateLimit-Remaining", limited[0][1])
        # A slow client is cut off after the read timeout (10 s in the reference).
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(b"GET /v1/orders HTTP/1.1\r\nHost: x\r\n")
            s.settimeout(20)
            t0 = time.monotonic()
            data = s.recv(4096)
            waited = time.monotonic() - t0
        self.assertLess(waited, 15)
        self.assertGreaterEqual(waited, 5)
        self.assertTrue(data == b"" or b"408" in data or b"400" in data, data[:200])

    # Bad-input table -------------------------------------------------------------------------
    def test_bad_input_table_http_rows(self):
        portal = "b2b-portal"
        order = make_order("BI-1", 1, "b2b-portal")
        ok = self.call(portal, "POST", "/v1/orders", order, {"Idempotency-Key": "bi-1"})
        self.assertEqual(ok[0], 201)
        oid = json.loads(ok[2])["id"]
        rows = [
            ("missing Idempotency-Key", ("POST", "/v1/orders", make_order("BI-2", 1, "b2b-portal"), {}),
             400, "missing-idempotency-key"),
            ("Idempotency-Key over 255 chars", ("POST", "/v1/orders", make_order("BI-3", 1, "b2b-portal"),
                                               {"Idempotency-Key": "k" * 256}), 400, "invalid-idempotency-key"),
            ("same key, different body", ("POST", "/v1/orders", make_order("BI-4", 1, "b2b-portal"),
                                          {"Idempotency-Key": "bi-1"}), 422, "idempotency-key-reused"),
            ("wrong Content-Type", ("POST", "/v1/orders", None, {"Idempotency-Key": "bi-5",
                                                              "Content-Type": "text/csv"}),
             415, "unsupported-media-type"),
            ("unsatisfiable Accept", ("GET", f"/v1/orders/{oid}", None, {"Accept": "application/xml"}),
             406, "not-acceptable"),
            ("unknown property", ("POST", "/v1/orders", {**make_order("BI-6", 1, "b2b-portal"), "colour": 1},
                                  {"Idempotency-Key": "bi-6"}), 422, "validation-error"),
            ("nonexistent object", ("GET", f"/v1/orders/{MISSING_ORDER}", None, {}), 404, "not-found"),
            ("unknown API version", ("GET", f"/v2/orders/{oid}", None, {}), 404, "not-found"),
        ]
        for what, (method, path, body, headers), status, ptype in rows:
            with self.subTest(what):
                raw = b"{}" if body is None and method == "POST" else None
                self.expect(self.call(portal, method, path, body, headers, raw), status, ptype)
        # Malformed JSON and invalid UTF-8: 400 naming the byte offset.
        for raw in (b'{"channel": "b2b-portal",', b'{"channel": "\xff"}'):
            _, payload = self.expect(self.call(portal, "POST", "/v1/orders", raw=raw, headers={
                "Content-Type": "application/json", "Idempotency-Key": "bi-raw"}), 400, "malformed-json")
            self.assertIn("byte", json.loads(payload)["detail"])
        # A bad SSCC check digit in a shipment: 422 with the pointer.
        shipment = {"order_id": oid, "partner_event_id": "bi-ship-1", "packages": [
            {"sscc": "000000000000000001", "lines": [{"line_id": "1", "quantity": 1}]}]}
        _, payload = self.expect(self.call("tpl-central", "POST", "/v1/nodes/tpl-central/shipments",
                                           shipment), 422, "validation-error")
        self.assertIn("/packages/0/sscc", payload.decode())
        # An illegal transition: cancel a shipped order.
        shipment["packages"][0].pop("sscc")
        self.expect(self.call("tpl-central", "POST", "/v1/nodes/tpl-central/shipments", shipment), 201)
        self.expect(self.call(portal, "POST", f"/v1/orders/{oid}/cancel", {}), 409, "conflict")
        # A return for what shipped, once.
        ret = {"order_id": oid, "lines": [{"line_id": "1", "quantity": 1, "reason": "damaged"}]}
        hdrs, _ = self.expect(self.call(portal, "POST", "/v1/returns", ret, {"Idempotency-Key": "bi-r"}), 201)
        self.expect(self.call(portal, "GET", hdrs["Location"]), 200)
        self.expect(self.call("amazon", "GET", hdrs["Location"]), 404, "not-found")

    def test_deprecated_route_headers(self):
        oid = self.submit("b2b-portal", "DEP-1", "b2b-portal")
        hdrs, _ = self.expect(self.call("b2b-portal", "GET", f"/v1/orders/{oid}/status"), 200)
        self.assertTrue(hdrs["Deprecation"].startswith("@"))
        self.assertEqual(hdrs["Sunset"], "Wed, 30 Jun 2027 00:00:00 GMT")
        self.assertIn(f"/v1/orders/{oid}/tracking", hdrs["Link"])

    # S7 and brute force last: they scan everything the others produced, and lock the address.
    def test_z_s7_secrets_never_leak_and_brute_force_is_throttled(self):
        self.expect(self.call("ops", "GET", "/v1/admin/partners"), 200)
        self.call(None, "GET", "/metrics")
        dump = subprocess.run([CROSSDOCK, "config", "--config", str(REFERENCE / "crossdock.yaml")],
                              capture_output=True, check=True).stdout
        time.sleep(0.2)  # let the log flush
        log = self.log_path.read_bytes()
        self.assertIn(b"request", log)  # the debug log has one line per request
        haystacks = {"log": log, "config dump": dump, "answers": b"\n".join(self.bodies)}
        for name, secret in SECRETS.items():
            for where, text in haystacks.items():
                self.assertNotIn(secret.encode(), text, f"{name} appears in the {where}")
        # 25 wrong keys from one address: the limit answers 429 with Retry-After.
        answers = [self.call(None, "GET", "/v1/orders",
                             headers={"Authorization": f"Bearer wrong-{i}"}) for i in range(25)]
        self.assertEqual(answers[0][0], 401)
        self.assertEqual(answers[-1][0], 429)
        self.assertEqual(problem_type(answers[-1][2]), "rate-limited")
        self.assertIn("Retry-After", answers[-1][1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
