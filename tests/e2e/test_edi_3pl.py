"""The EDI 3PL path end to end (docs/x12.md, "The EDI 3PL path").

Node tpl-edi is a 3PL of kind x12: Crossdock writes each order as a 940 into the node's
outbound folder; `crossdock-sim edi` takes it, answers with a 997 and, after a delay, a 945 in
the inbound folder; Crossdock's inbox loop acknowledges the dispatch on the 997, ships the order
on the 945 and answers the 945's group with a 997 of its own.

1. 24 orders of channel `edi` all reach `shipped`, with crossdock killed with SIGKILL once in
   the middle: the 3PL received every order exactly once (duplicate 940s would count).
2. With the 3PL withholding its 997s (and 945s), an order's acknowledgment timer (x12.ack_timeout_s: 2)
   raises sla-ack-missed in the exception inbox; the order stays allocated.
3. An 846 dropped into the inbound folder becomes the node's on-hand in the availability API;
   a file that is not X12 lands in failed/ with the reason beside it.
4. X12 over HTTP POST (x12.post_url): the 940 is POSTed to the 3PL (application/edi-x12, with
   the node's key) instead of written to outbound/; an 846 POSTed to /v1/nodes/tpl-edi/x12 counts,
   and our 997 for it is POSTed back; a body that is not X12 is refused with 400.
"""
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from harness import SIM, Crossdock, Http, Sim, free_port, make_order, wait_until  # noqa: E402


class EdiSim:
    """crossdock-sim edi on the node's folder."""

    def __init__(self, folder, ship_delay_ms=300, extra=()):
        self.proc = subprocess.Popen(
            [SIM, "edi", "--folder", str(folder), "--listen", "127.0.0.1:0",
             "--ship-delay-ms", str(ship_delay_ms), *extra],
            stdout=subprocess.PIPE, text=True)
        hello = json.loads(self.proc.stdout.readline())
        self.http = Http("http://" + hello["listening"])

    def stats(self):
        return self.http.json("GET", "/sim/stats")[2]

    def faults(self, **switches):
        status, _, body = self.http.json("POST", "/sim/faults", switches)
        assert status == 200, body

    def stop(self):
        self.http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


def edi_node(folder, ack_timeout_s=0, post_url=""):
    post = f"\n      post_url: {post_url}" if post_url else ""
    key = '\n    api_key: "FAKE-EDI-POST-KEY"' if post_url else ""
    return f"""  - id: tpl-edi
    kind: x12{key}
    x12:
      folder: {folder}{post}
      sender: ZZ:CROSSDOCK
      receiver: ZZ:TPLEDI
      version: "004010"
      poll_interval_ms: 100
      ack_timeout_s: {ack_timeout_s}
    retry: {{initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 1000}}
"""


class Partner3pl:
    """The 3PL's HTTP endpoint for X12: records every POST and answers 200."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                received.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/edi"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class EdiPathTest(unittest.TestCase):
    def start(self, ack_timeout_s=0, sim_extra=(), post_url="", with_sim=True):
        self.http_sim = Sim(f"http://127.0.0.1:{free_port()}", ship_delay_ms=600_000)
        self.cd = Crossdock(self.http_sim, routing_rules="{channel: edi, node: tpl-edi}",
                            extra_nodes="")
        self.folder = self.cd.dir / "edi"
        # The node entry goes in with the folder known (the data dir is the test's).
        self.cd.config.write_text(self.cd.config.read_text().replace(
            "routing:\n", edi_node(self.folder, ack_timeout_s, post_url) + "routing:\n", 1))
        self.cd.start()
        self.edi = EdiSim(self.folder, extra=sim_extra) if with_sim else None

    def tearDown(self):
        for stop in (lambda: self.edi and self.edi.stop(), lambda: self.cd.stop(),
                     lambda: self.http_sim.stop()):
            try:
                stop()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass

    def status(self, client, oid):
        return client.json("GET", f"/v1/orders/{oid}")[2]["order"]["status"]

    def test_orders_reach_shipped_through_940_997_945_once_across_a_crash(self):
        self.start()
        shop = self.cd.channel()
        ids = []
        n = 24
        for i in range(n):
            code, _, order = shop.json("POST", "/v1/orders", make_order(f"EDI-{i}", channel="edi"),
                                       {"Idempotency-Key": f"edi-{i}"})
            self.assertEqual(code, 201, order)
            ids.append(order["id"])
            if i == n // 2:
                shop.close()
                self.cd.kill9()
                self.cd.start()
                shop = self.cd.channel()
        wait_until(lambda: all(self.status(shop, oid) == "shipped" for oid in ids), 60,
                   what="every EDI order shipped")
        view = shop.json("GET", f"/v1/orders/{ids[0]}")[2]
        types = [h["type"] for h in view["history"]]
        for t in ("order.transmitted", "order.dispatched", "order.shipped"):
            self.assertIn(t, types)
        s = self.edi.stats()
        wait_until(lambda: self.edi.stats()["acks_received"] >= n, 20,
                   what="Crossdock's 997 for every 945")
        s = self.edi.stats()
        sent = sorted(p.name for p in (self.folder / "archive" / "sent").iterdir())
        received = list((self.folder / "archive" / "received").iterdir())
        print(f"N={n} orders over X12 with one SIGKILL: 3PL orders={s['orders']}, duplicate "
              f"orders={s['duplicate_orders']}, duplicate interchanges discarded="
              f"{s['duplicate_interchanges']}, 997s from the 3PL={s['acks_sent']}, 945s="
              f"{s['shipments_sent']}, 997s from Crossdock={s['acks_received']}; files sent="
              f"{len(sent)}, received and archived={len(received)}", flush=True)
        self.assertEqual(s["orders"], n)
        self.assertEqual(s["duplicate_orders"], 0)
        self.assertEqual(s["shipments_sent"], n)
        self.assertEqual(len([f for f in sent if "-940-" in f]), n)
        self.assertEqual(list((self.folder / "failed").iterdir()), [])
        shop.close()

    def test_a_missing_997_raises_an_exception_after_the_timeout(self):
        self.start(ack_timeout_s=2, sim_extra=("--withhold-997",))
        self.edi.faults(withhold_945=True)  # nor does it ship
        shop = self.cd.channel()
        code, _, order = shop.json("POST", "/v1/orders", make_order("EDI-MUTE", channel="edi"),
                                   {"Idempotency-Key": "edi-mute"})
        self.assertEqual(code, 201, order)
        oid = order["id"]
        ops = self.cd.operator()

        def inbox():
            return ops.json("GET", "/v1/admin/exceptions")[2]["items"]
        wait_until(lambda: any(e.get("order_id") == oid for e in inbox()), 30,
                   what="the missing 997 in the exception inbox")
        item = [e for e in inbox() if e.get("order_id") == oid][0]
        print(f"missing 997: exception {item.get('reason')} on {oid}: {item.get('detail')}",
              flush=True)
        self.assertEqual(item.get("reason"), "sla-ack-missed")
        self.assertEqual(self.status(shop, oid), "allocated")
        self.assertGreaterEqual(self.edi.stats()["acks_withheld"], 1)
        shop.close()
        ops.close()

    def test_an_846_counts_and_a_bad_file_is_kept_with_its_reason(self):
        self.start()
        inbound = self.folder / "inbound"
        x12 = ("ISA*00*          *00*          *ZZ*TPLEDI         *ZZ*CROSSDOCK      *261128*0900*U*"
               "00401*000000901*0*P*:~\nGS*IB*TPLEDI*CROSSDOCK*20261128*0900*901*X*004010~\n"
               "ST*846*0001~\nBIA*00*MM*INV-9*20261128*0900~\nLIN*1*SK*SKU-9~\nQTY*17*31*EA~\n"
               "SE*5*0001~\nGE*1*901~\nIEA*1*000000901~\n")
        (inbound / ".846.tmp").write_text(x12)
        os.rename(inbound / ".846.tmp", inbound / "846-1.x12")
        (inbound / "junk.x12").write_text("not an interchange")
        ops = self.cd.operator()

        def on_hand():
            _, _, body = ops.json("GET", "/v1/availability?sku=SKU-9")
            for item in body.get("items", []):
                for node in item.get("nodes", []):
                    if node["node"] == "tpl-edi":
                        return node["on_hand"]
            return None
        wait_until(lambda: on_hand() == 31, 20, what="SKU-9 on hand 31 at tpl-edi")
        wait_until(lambda: (self.folder / "failed" / "junk.x12.error.txt").exists(), 20,
                   what="junk.x12 in failed/")
        why = (self.folder / "failed" / "junk.x12.error.txt").read_text()
        print(f"846 applied (SKU-9 on hand 31); junk.x12 refused: {why.strip()}", flush=True)
        self.assertIn("ISA", why)
        ops.close()

    def test_x12_over_http_post_both_ways(self):
        partner = Partner3pl()
        try:
            self.start(post_url=partner.url, with_sim=False)
            shop = self.cd.channel()
            code, _, order = shop.json("POST", "/v1/orders", make_order("EDI-POST-1", channel="edi"),
                                       {"Idempotency-Key": "edi-post-1"})
            self.assertEqual(code, 201, order)
            wait_until(lambda: any("ST*940*" in body for _, body in partner.received), 20,
                       what="the 940 POSTed to the 3PL")
            headers, body = next((h, b) for h, b in partner.received if "ST*940*" in b)
            self.assertEqual(headers.get("Content-Type"), "application/edi-x12")
            self.assertEqual(headers.get("Authorization"), "Bearer FAKE-EDI-POST-KEY")
            self.assertIn(order["id"], body)
            self.assertEqual(list((self.folder / "outbound").iterdir()), [])  # not the folder
            self.assertEqual(len(list((self.folder / "archive" / "sent").iterdir())), 1)
            # The 3PL sends an 846 by POST; it counts, and our 997 for it is POSTed back.
            x12 = ("ISA*00*          *00*          *ZZ*TPLEDI         *ZZ*CROSSDOCK      *261128*0900*U*"
                   "00401*000000902*0*P*:~GS*IB*TPLEDI*CROSSDOCK*20261128*0900*902*X*004010~"
                   "ST*846*0001~BIA*00*MM*INV-10*20261128*0900~LIN*1*SK*SKU-10~QTY*17*12*EA~"
                   "SE*5*0001~GE*1*902~IEA*1*000000902~")
            ops = self.cd.operator()
            status, _, answer = ops.request("POST", "/v1/nodes/tpl-edi/x12", raw=x12.encode(),
                                            headers={"Content-Type": "application/edi-x12"})
            self.assertEqual(status, 202, answer)

            def on_hand():
                _, _, av = ops.json("GET", "/v1/availability?sku=SKU-10")
                nodes = av["items"][0]["nodes"]
                return nodes[0]["on_hand"] if nodes else None
            wait_until(lambda: on_hand() == 12, 20, what="SKU-10 on hand 12 at tpl-edi")
            wait_until(lambda: any("ST*997*" in b and "AK1*IB*902" in b for _, b in partner.received),
                       20, what="our 997 for the 846 POSTed back")
            status, _, refused = ops.request("POST", "/v1/nodes/tpl-edi/x12", raw=b"hello",
                                             headers={"Content-Type": "application/edi-x12"})
            self.assertEqual(status, 400, refused)
            self.assertIn(b"ISA", refused)
            ops.close()
            shop.close()
            print(f"X12 over HTTP: {len(partner.received)} interchanges POSTed to the 3PL",
                  flush=True)
        finally:
            partner.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
