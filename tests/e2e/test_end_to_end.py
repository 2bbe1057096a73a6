"""Black-box end to end: the real binaries, the simulated 3PL, HTTP only.

N orders go in through POST /v1/orders; each must come out shipped, reach the 3PL exactly
once in effect, and produce signed webhook events. Error paths of the real server answer
RFC 9457 problem+json.
"""
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Crossdock, Sim, make_order, wait_until  # noqa: E402

N = int(os.environ.get("CROSSDOCK_E2E_ORDERS", "300"))


class EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        port = None
        from harness import free_port
        port = free_port()
        cls.sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=50)
        cls.cd = Crossdock(cls.sim, port=port).start()

    @classmethod
    def tearDownClass(cls):
        cls.cd.stop()
        cls.sim.stop()

    def assertProblem(self, status, headers, body, want_status, want_slug):
        self.assertEqual(status, want_status, body)
        self.assertEqual(headers.get("Content-Type"), "application/problem+json")
        doc = json.loads(body)
        self.assertEqual(doc["status"], want_status)
        self.assertEqual(doc["type"], "https://crossdock.dev/problems/" + want_slug)
        self.assertIn("title", doc)
        self.assertEqual(len(doc["trace_id"]), 32)
        return doc

    def test_orders_flow_to_the_3pl_and_back_exactly_once(self):
        ids = {}
        lock = threading.Lock()

        def worker(start):
            client = self.cd.channel()
            for n in range(start, N, 8):
                ref = f"E2E-{n}"
                status, headers, body = client.json(
                    "POST", "/v1/orders", make_order(ref), {"Idempotency-Key": ref + "-k"})
                self.assertEqual(status, 201, body)
                with lock:
                    ids[ref] = body["id"]
            client.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(ids), N)

        ops = self.cd.operator()
        wait_until(lambda: self.sim.stats()["shipments_acked"] >= N, 60, what="all shipments confirmed")
        shipped = 0
        for ref, oid in ids.items():
            status, _, view = ops.json("GET", f"/v1/orders/{oid}")
            self.assertEqual(status, 200)
            self.assertEqual(view["order"]["external_ref"], ref)
            types = [h["type"] for h in view["history"]]
            self.assertEqual(types[:2], ["order.received", "order.allocated"])
            self.assertIn("order.shipped", types)
            shipped += view["order"]["status"] == "shipped"
        stats = self.sim.stats()
        effects = self.sim.effects()
        missing = [r for r in ids if effects.get("web/" + r, 0) == 0]
        print(f"\ne2e: orders={N} accepted={len(ids)} shipped={shipped} "
              f"effects={stats['effects']} duplicate_effects={stats['duplicate_effects']} "
              f"duplicate_deliveries={stats['duplicate_deliveries']} lost={len(missing)}")
        self.assertEqual(shipped, N)
        self.assertEqual(missing, [])
        self.assertEqual(stats["effects"], N)
        self.assertEqual(stats["duplicate_effects"], 0)
        # Every state change reached the webhook subscriber as a signed CloudEvent:
        # received, allocated, dispatched, shipped per order.
        wait_until(lambda: self.sim.stats()["webhook_events"] >= 4 * N, 30, what="webhook events")
        final = self.sim.stats()
        ops.close()
        print(f"e2e: webhook_events={final['webhook_events']} bad_signatures={final['webhook_bad_signatures']}")
        self.assertEqual(final["webhook_bad_signatures"], 0)

    def test_replayed_post_is_byte_identical(self):
        client = self.cd.channel()
        order = make_order("REPLAY-1")
        s1, h1, b1 = client.request("POST", "/v1/orders", order, {"Idempotency-Key": "replay-key"})
        s2, h2, b2 = client.request("POST", "/v1/orders", order, {"Idempotency-Key": "replay-key"})
        self.assertEqual((s1, s2), (201, 201))
        self.assertEqual(b1, b2)
        self.assertEqual(h1["Location"], h2["Location"])
        s3, h3, b3 = client.request("POST", "/v1/orders", make_order("REPLAY-2"),
                                    {"Idempotency-Key": "replay-key"})
        self.assertProblem(s3, h3, b3, 422, "idempotency-key-reused")
        client.close()

    def test_error_paths_answer_problem_json(self):
        anon = self.cd.channel()
        anon.key = None
        self.assertProblem(*anon.request("POST", "/v1/orders", make_order("X-1"),
                                         {"Idempotency-Key": "a"}), 401, "unauthorized")
        client = self.cd.channel()
        self.assertProblem(*client.request("POST", "/v1/orders", make_order("X-2")), 400,
                           "missing-idempotency-key")
        doc = self.assertProblem(*client.request(
            "POST", "/v1/orders", raw=b'{"channel": "web",,}',
            headers={"Idempotency-Key": "b", "Content-Type": "application/json"}), 400, "malformed-json")
        self.assertIn("at byte", doc["detail"])
        bad = make_order("X-3")
        bad["lines"][0]["quantity"] = 0
        bad["id"] = "ord_x"
        doc = self.assertProblem(*client.request("POST", "/v1/orders", bad, {"Idempotency-Key": "c"}),
                                 422, "validation-error")
        self.assertEqual({e["pointer"] for e in doc["errors"]} >= {"/id"}, True, doc)
        self.assertProblem(*client.request("GET", "/v1/orders/ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF"), 404, "not-found")
        self.assertProblem(*client.request("PUT", "/v1/orders"), 405, "method-not-allowed")
        self.assertProblem(*client.request("GET", "/v9/nothing"), 404, "not-found")
        # Body over the 1 MiB limit: 413 from the HTTP layer.
        big = b'{"notes":"' + b"x" * (1 << 20) + b'"}'
        self.assertProblem(*client.request("POST", "/v1/orders", raw=big,
                                           headers={"Idempotency-Key": "d",
                                                    "Content-Type": "application/json"}),
                           413, "payload-too-large")
        client.close()
        anon.close()

    def test_malformed_http_gets_a_problem_and_the_server_stays_up(self):
        with socket.create_connection(("127.0.0.1", self.cd.port), timeout=5) as s:
            s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
            reply = s.recv(4096).decode(errors="replace")
        self.assertTrue(reply.startswith("HTTP/1.1 400"), reply)
        self.assertIn("application/problem+json", reply)
        client = self.cd.channel()
        self.assertEqual(client.request("GET", "/livez")[0], 200)
        client.close()

    def test_metrics_and_health(self):
        client = self.cd.channel()
        status, headers, body = client.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertIn("# TYPE crossdock_orders_received_total counter", text)
        self.assertIn("crossdock_http_request_duration_seconds_bucket", text)
        for path in ("/livez", "/readyz", "/healthz"):
            self.assertEqual(client.request("GET", path)[0], 200, path)
        client.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
