"""A REST ERP (`erp: {kind: rest}`) played by `crossdock-sim erp`, which allows 15 concurrent
requests as NetSuite does and answers 429 + Retry-After beyond that, before any effect.

Crossdock is configured to send up to 30 ERP commands at once, so the limit is hit. Every order
must still get exactly one ERP sale and one invoice per shipment (the simulator counts every
creation), the ERP must never see more than 15 requests at once, and the 429s must have been
taken as "later", not as failures: no order ends with an exception.
"""
import os
import secrets
import subprocess
import sys
import json
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SIM, Crossdock, Http, Sim, free_port, make_order, wait_until  # noqa: E402

N = int(os.environ.get("CROSSDOCK_ERP_REST_ORDERS", "60"))


class ErpSim:
    def __init__(self, *extra):
        self.key = secrets.token_hex(16)
        env = dict(os.environ, CROSSDOCK_SIM_INBOUND_KEY=self.key)
        self.proc = subprocess.Popen([SIM, "erp", "--listen", "127.0.0.1:0", "--slow-ms", "60",
                                      *extra], stdout=subprocess.PIPE, env=env, text=True)
        self.url = "http://" + json.loads(self.proc.stdout.readline())["listening"]

    def stats(self):
        client = Http(self.url)
        try:
            return client.json("GET", "/sim/stats")[2]
        finally:
            client.close()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class RestErpTest(unittest.TestCase):
    def test_concurrency_limit_is_respected_and_nothing_is_duplicated(self):
        erp = ErpSim()
        port = free_port()
        node = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=50)
        keyfile = f"/tmp/crossdock-erp-key-{os.getpid()}"
        with open(keyfile, "w") as f:
            f.write(erp.key + "\n")
        os.chmod(keyfile, 0o600)
        cd = Crossdock(node, port=port, extra_config=f"""
delivery: {{workers: 40}}
erp:
  kind: rest
  url: {erp.url}/erp
  api_key_file: {keyfile}
  timeout_ms: 5000
  quota: {{max_in_flight: 30}}
  retry: {{initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 1000}}
""").start()
        try:
            ids, lock = [], threading.Lock()

            def submit(worker):
                client = cd.channel()
                for i in range(worker, N, 6):
                    ref = f"REST-{i}"
                    code, _, body = client.json("POST", "/v1/orders", make_order(ref),
                                                {"Idempotency-Key": ref})
                    assert code == 201, body
                    with lock:
                        ids.append(body["id"])
                client.close()

            threads = [threading.Thread(target=submit, args=(w,)) for w in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(len(ids), N)
            client = cd.channel()

            def status(oid):
                return client.json("GET", f"/v1/orders/{oid}")[2]["order"]["status"]
            wait_until(lambda: all(status(o) == "invoiced" for o in ids), 180, interval=0.5,
                       what="every order invoiced")
            accepted = 0
            for oid in ids:
                view = client.json("GET", f"/v1/orders/{oid}")[2]
                accepted += sum(1 for h in view["history"] if h["type"] == "order.accepted")
                self.assertNotIn("exception", view["orchestration"], oid)
            client.close()
            ops = cd.operator()
            inbox = ops.json("GET", "/v1/admin/exceptions")[2]
            ops.close()
            s = erp.stats()
            print(f"N={N} orders; ERP sales created={s['sales_created']}, invoices created="
                  f"{s['invoices_created']}, repeats={s['sale_repeats']}+{s['invoice_repeats']}, "
                  f"max in flight={s['max_in_flight']} (limit 15), refused with 429="
                  f"{s['concurrency_refused']}", flush=True)
            self.assertEqual(accepted, N)
            self.assertEqual(s["sales_created"], N)
            self.assertEqual(s["invoices_created"], N)
            self.assertLessEqual(s["max_in_flight"], 15)
            self.assertGreater(s["concurrency_refused"], 0)  # the limit was reached and honoured
            self.assertEqual(inbox["items"], [])
        finally:
            cd.stop()
            node.stop()
            erp.stop()
            os.unlink(keyfile)

    def test_hold_timer_is_durable_across_a_kill(self):
        """A credit hold with hold_timeout_s releases the order by itself, even when the
        server is killed with SIGKILL while the order waits: the timer is in the store."""
        erp = ErpSim("--credit", "web:buyer@example.com=5.00")
        port = free_port()
        node = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=50)
        keyfile = f"/tmp/crossdock-erp-key-hold-{os.getpid()}"
        with open(keyfile, "w") as f:
            f.write(erp.key + "\n")
        os.chmod(keyfile, 0o600)
        cd = Crossdock(node, port=port, extra_config=f"""
erp:
  kind: rest
  url: {erp.url}/erp
  api_key_file: {keyfile}
  hold_timeout_s: 3
""").start()
        try:
            client = cd.channel()
            code, _, body = client.json("POST", "/v1/orders", make_order("HOLD-1"),
                                        {"Idempotency-Key": "hold-1"})
            self.assertEqual(code, 201, body)
            oid = body["id"]

            def view():
                return client.json("GET", f"/v1/orders/{oid}")[2]
            wait_until(lambda: view()["order"]["status"] == "held", 20, what="held")
            cd.kill9()
            cd.start()
            client.close()
            client = cd.channel()
            wait_until(lambda: view()["order"]["status"] in ("invoiced", "shipped"), 30,
                       what="released by its timer after the restart")
            hold = view()["orchestration"]["hold"]
            client.close()
            self.assertEqual(hold["released_by"], "timer")
            self.assertIn("credit limit 5.00 exceeded", hold["reason"])
            self.assertEqual(erp.stats()["sales_created"], 1)
        finally:
            cd.stop()
            node.stop()
            erp.stop()
            os.unlink(keyfile)


if __name__ == "__main__":
    unittest.main(verbosity=2)
