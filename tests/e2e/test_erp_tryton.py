"""Order-to-cash against a real Tryton 6.0 (docs/erp.md), end to end.

Starts trytond on loopback with a fresh SQLite database (tests/erp/tryton_env.py), a simulated 3PL
that ships every order in two parts, and `crossdock serve` with `erp: {kind: tryton}`. Then:

* N orders flow through check → sale → dispatch → two shipments → two invoices → delivery →
  closed. Midway the server is killed with SIGKILL and restarted, and so is trytond. Afterwards
  Tryton must hold exactly one confirmed sale per order (found by our order id as its reference)
  and exactly one posted invoice per shipment; the counts are printed.
* An order over a customer's credit limit is held, released by an operator (audited), and then
  accepted with its sale.
* An order with a SKU Tryton does not sell is rejected and creates no sale.
* An order cancelled while held is cancelled without touching Tryton.
* A return of a delivered order is authorized by the return policy, received at the node in a
  sellable condition (restocked) and credited in Tryton with a posted credit note.
* An invoice paid in Tryton (which sends no webhooks) is seen by delta polling and recorded on
  its order once (order.invoice_paid).
* An order cancelled after Tryton accepted it (and processed its sale) and after the node took
  it is cancelled at the node (which then never ships it) and undone in Tryton by a return sale.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "erp"))
from harness import CROSSDOCK, Crossdock, Sim, free_port, wait_until  # noqa: E402
from tryton_env import TrytonServer  # noqa: E402

N = int(os.environ.get("CROSSDOCK_ERP_ORDERS", "12"))
CUSTOMERS = ["C-100", "C-200", "C-300"]


def erp_order(ref, customer, skus=(("SKU-RED", 2, "12.50"), ("SKU-BLUE", 1, "8.00")),
              channel="web"):
    lines, subtotal = [], 0
    for i, (sku, qty, price) in enumerate(skus):
        cents = int(price.replace(".", ""))
        subtotal += qty * cents
        lines.append({"line_id": str(i + 1), "sku": sku, "quantity": qty, "unit_price": price})
    money = f"{subtotal // 100}.{subtotal % 100:02d}"
    return {
        "channel": channel, "external_ref": ref, "currency": "USD",
        "customer": {"external_ref": customer, "name": f"Customer {customer}",
                     "email": f"{customer.lower()}@example.com"},
        "ship_to": {"name": f"Customer {customer}", "line1": "1 Main St", "city": "Reno",
                    "region": "NV", "postal_code": "89501", "country": "US"},
        "lines": lines,
        "totals": {"subtotal": money, "discount_total": "0.00", "tax_total": "0.00",
                   "shipping_total": "0.00", "grand_total": money},
    }


class TrytonOrderToCashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t0 = time.monotonic()
        cls.tryton = TrytonServer()
        cls.tryton.create()
        cls.tryton.start()
        print(f"tryton ready in {time.monotonic() - t0:.0f} s at {cls.tryton.url}", flush=True)
        port = free_port()
        cls.sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=150, extra=("--reorder-callbacks",))
        # A slow node: its orders stay unshipped long enough to be cancelled.
        cls.slow = Sim(f"http://127.0.0.1:{port}", node="tpl-slow", ship_delay_ms=600_000)
        erp = f"""
erp:
  kind: tryton
  url: {cls.tryton.url}
  user: admin
  password_file: {cls.tryton.passfile}
  price_tolerance_percent: "1"
  timeout_ms: 20000
  retry: {{initial_backoff_ms: 100, max_backoff_ms: 2000, max_attempts: 10000}}
  breaker: {{consecutive_failures: 50, open_base_ms: 500, open_max_ms: 2000}}
  poll_interval_s: 1
  poll_overlap_s: 10
  create_products: {{category: Goods, channels: [catalog]}}
returns: {{window_days: 30, reasons: [damaged, not_wanted]}}
"""
        # dc-own: a warehouse run in Tryton's stock module (its default warehouse, WH).
        cls.cd = Crossdock(cls.sim, port=port, extra_config=erp, more_sims=(cls.slow,),
                           routing_rules="{channel: slow, node: tpl-slow}, "
                                         "{channel: own, node: dc-own}",
                           extra_nodes="  - {id: dc-own, kind: tryton, warehouse: WH}\n").start()
        cls.session = cls.tryton.login()

    @classmethod
    def tearDownClass(cls):
        cls.cd.stop()
        cls.sim.stop()
        cls.slow.stop()
        cls.tryton.cleanup()

    def status(self, oid):
        client = self.cd.channel()
        try:
            code, _, body = client.json("GET", f"/v1/orders/{oid}")
            return body["order"]["status"] if code == 200 else None
        finally:
            client.close()

    def submit(self, order, key):
        client = self.cd.channel()
        for _ in range(100):
            try:
                code, _, body = client.json("POST", "/v1/orders", order, {"Idempotency-Key": key})
            except OSError:
                time.sleep(0.2)  # the server is restarting: the same key again
                continue
            if code in (200, 201):
                client.close()
                return body["id"]
            self.fail(f"submit {key}: {code} {body}")
        self.fail("server never came back")

    def tryton_sales(self, oid):
        return self.tryton.rpc("model.sale.sale.search_read",
                               [[["reference", "=", oid]], 0, None, None, ["state", "number"], {}],
                               self.session)

    def tryton_invoices(self, oid):
        return self.tryton.rpc("model.account.invoice.search_read",
                               [[["reference", "like", oid + "/%"], ["type", "=", "out"]], 0, None,
                                None, ["state", "reference", "total_amount"], {}], self.session)

    def test_1_orders_to_cash_with_kills(self):
        ids = []
        for i in range(N):
            ids.append(self.submit(erp_order(f"ERP-{i}", CUSTOMERS[i % 3]), f"erp-{i}"))
            if i in (N // 4, N // 2, 3 * N // 4):
                # The server dies mid-way (connector included) and comes back.
                self.cd.kill9()
                self.cd.start()
            if i == N // 2 + 2:
                # The ERP dies too, for a few seconds; commands wait and are retried.
                self.tryton.stop(signal.SIGKILL)
                time.sleep(2)
                self.tryton.start()
        wait_until(lambda: all(self.status(o) == "invoiced" for o in ids), 240,
                   interval=0.5, what="every order invoiced")
        type(self).closed_ids = ids
        # The carrier delivers: each order closes.
        node = self.cd.channel()
        node.key = self.sim.api_key
        for oid in ids:
            code, _, body = node.json("POST", f"/v1/nodes/{self.sim.node}/milestones",
                                      {"order_id": oid, "kind": "delivered",
                                       "partner_event_id": "dlv-" + oid})
            self.assertEqual(code, 201, body)
            self.assertEqual(body["status"], "closed")
        node.close()

        sales = {oid: self.tryton_sales(oid) for oid in ids}
        invoices = {oid: self.tryton_invoices(oid) for oid in ids}
        n_sales = sum(len(s) for s in sales.values())
        n_invoices = sum(len(v) for v in invoices.values())
        duplicates = sum(max(0, len(s) - 1) for s in sales.values())
        refs = [inv["reference"] for v in invoices.values() for inv in v]
        duplicates += len(refs) - len(set(refs))
        print(f"N={N} orders; Tryton sales={n_sales}, invoices={n_invoices} "
              f"(2 shipments per order), duplicates={duplicates}", flush=True)
        self.assertEqual(duplicates, 0)
        self.assertEqual(n_sales, N)
        self.assertEqual(n_invoices, 2 * N)
        for oid in ids:
            # Tryton processes a confirmed sale at once (its queue runs inline here).
            self.assertIn(sales[oid][0]["state"], ("confirmed", "processing"), oid)
            self.assertTrue(all(inv["state"] == "posted" for inv in invoices[oid]), invoices[oid])
            total = sum(float(inv["total_amount"]["decimal"]) for inv in invoices[oid])
            self.assertAlmostEqual(total, 33.00, places=2)  # 2 × 12.50 + 8.00, billed once
        # Each invoice line points at the sale line it bills.
        lines = self.tryton.rpc("model.account.invoice.line.search_read",
                                [[["invoice.reference", "like", ids[0] + "/%"]], 0, None, None,
                                 ["origin", "quantity"], {}], self.session)
        sale_lines = self.tryton.rpc("model.sale.line.search", [[["sale.reference", "=", ids[0]]],
                                                                0, None, None, {}], self.session)
        self.assertTrue(lines)
        self.assertEqual({l["origin"] for l in lines}, {f"sale.line,{i}" for i in sale_lines})

    def test_2_credit_hold_then_operator_release(self):
        big = erp_order("B2B-1", "ACME-LOW", skus=(("SKU-GREEN", 5, "19.99"),), channel="b2b")
        oid = self.submit(big, "b2b-1")
        wait_until(lambda: self.status(oid) == "held", 60, what="held")
        self.assertEqual(self.tryton_sales(oid), [])
        ops = self.cd.operator()
        code, _, body = ops.json("POST", f"/v1/admin/orders/{oid}/release",
                                 {"reason": "customer paid upfront"})
        self.assertEqual(code, 201, body)
        code, _, body = ops.json("POST", f"/v1/admin/orders/{oid}/release", {})
        self.assertEqual(code, 409, body)  # not held any more
        code, _, audit = ops.json("GET", "/v1/admin/audit")
        self.assertTrue(any(a["action"] == "order.release" and a["subject"] == "order:" + oid
                            for a in audit["items"]), audit)
        ops.close()
        wait_until(lambda: self.status(oid) in ("invoiced", "shipped", "partially_shipped"), 120,
                   what="released order shipped")
        self.assertEqual(len(self.tryton_sales(oid)), 1)

    def test_3_unknown_sku_is_rejected_without_a_sale(self):
        oid = self.submit(erp_order("BAD-1", "C-100", skus=(("SKU-NOPE", 1, "1.00"),)), "bad-1")
        wait_until(lambda: self.status(oid) == "rejected", 60, what="rejected")
        self.assertEqual(self.tryton_sales(oid), [])
        client = self.cd.channel()
        _, _, order = client.json("GET", f"/v1/orders/{oid}")
        client.close()
        rejected = [h for h in order["history"] if h["type"] == "order.rejected"]
        self.assertIn("does not sell SKU SKU-NOPE", rejected[0]["data"]["reasons"][0])

    def test_4_cancel_while_held_touches_nothing(self):
        big = erp_order("B2B-2", "ACME-LOW", skus=(("SKU-GREEN", 4, "19.99"),), channel="b2b")
        oid = self.submit(big, "b2b-2")
        wait_until(lambda: self.status(oid) == "held", 60, what="held")
        client = self.cd.channel()
        code, _, body = client.json("POST", f"/v1/orders/{oid}/cancel", {"reason": "dup"})
        client.close()
        self.assertEqual(code, 202, body)
        self.assertEqual(body["status"], "cancelled")
        self.assertEqual(self.tryton_sales(oid), [])

    def test_5_cancel_after_acceptance_compensates_node_and_erp(self):
        oid = self.submit(erp_order("SLOW-1", "C-200", channel="slow"), "slow-1")
        wait_until(lambda: self.status(oid) == "dispatched", 60, what="dispatched to tpl-slow")
        self.assertEqual(len(self.tryton_sales(oid)), 1)
        client = self.cd.channel()
        code, _, body = client.json("POST", f"/v1/orders/{oid}/cancel", {"reason": "changed mind"})
        self.assertEqual(code, 202, body)

        def compensated():
            _, _, view = client.json("GET", f"/v1/orders/{oid}")
            c = view["orchestration"].get("cancellation", {})
            return "node_cancelled_at" in c and "sale_cancelled_at" in c
        wait_until(compensated, 60, what="node and ERP compensations")
        client.close()
        self.assertEqual(self.slow.stats()["cancellations"], 1)
        self.assertEqual(self.slow.stats()["shipments_pending"], 0)
        undo = self.tryton.rpc("model.sale.sale.search_read",
                               [[["reference", "=", oid + "/cancel"]], 0, None, None,
                                ["state", "total_amount"], {}], self.session)
        self.assertEqual(len(undo), 1, undo)
        self.assertAlmostEqual(float(undo[0]["total_amount"]["decimal"]), -33.00, places=2)

    def test_6_return_received_restocked_and_credited(self):
        oid = self.closed_ids[0]
        client = self.cd.channel()
        code, _, body = client.json("POST", "/v1/returns", {
            "order_id": oid, "lines": [{"line_id": "1", "quantity": 1, "reason": "colour"}]},
            {"Idempotency-Key": "ret-refused"})
        self.assertEqual(code, 422, body)  # not a reason the policy accepts
        self.assertEqual(body["errors"][0]["pointer"], "/lines/0/reason")
        code, _, ret = client.json("POST", "/v1/returns", {
            "order_id": oid, "lines": [{"line_id": "1", "quantity": 1, "reason": "damaged"}]},
            {"Idempotency-Key": "ret-1"})
        self.assertEqual(code, 201, ret)
        self.assertEqual(ret["status"], "authorized")
        node = self.cd.channel()
        node.key = self.sim.api_key
        code, _, body = node.json("POST", f"/v1/nodes/{self.sim.node}/returns", {
            "return_id": ret["id"],
            "lines": [{"line_id": "1", "quantity": 1, "condition": "sellable"}]})
        node.close()
        self.assertEqual(code, 201, body)
        wait_until(lambda: client.json("GET", f"/v1/returns/{ret['id']}")[2]["status"] ==
                   "credited", 60, what="credited")
        _, _, view = client.json("GET", f"/v1/returns/{ret['id']}")
        _, _, order = client.json("GET", f"/v1/orders/{oid}")
        client.close()
        restocked = [h for h in order["history"] if h["type"] == "order.restocked"]
        self.assertEqual(restocked[0]["data"]["lines"][0]["sku"], "SKU-RED")
        notes = self.tryton.rpc("model.account.invoice.search_read",
                                [[["reference", "=", f"{oid}/{ret['id']}"]], 0, None, None,
                                 ["state", "total_amount"], {}], self.session)
        self.assertEqual(len(notes), 1, notes)
        self.assertEqual(notes[0]["state"], "posted")
        self.assertAlmostEqual(float(notes[0]["total_amount"]["decimal"]), -12.50, places=2)
        self.assertEqual(view["credit_note"], str(notes[0]["id"]))

    def test_7_payment_in_tryton_is_seen_by_polling(self):
        oid = self.closed_ids[1]
        invoices = self.tryton_invoices(oid)
        self.tryton.pay_invoice(invoices[0]["id"])
        client = self.cd.channel()

        def paid_events():
            _, _, view = client.json("GET", f"/v1/orders/{oid}")
            return [h for h in view["history"] if h["type"] == "order.invoice_paid"]
        wait_until(lambda: len(paid_events()) == 1, 30, what="order.invoice_paid")
        time.sleep(2.5)  # more polls overlap the payment: it is still recorded once
        events = paid_events()
        client.close()
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["data"]["invoice"], str(invoices[0]["id"]))

    def test_8_unknown_sku_of_a_catalog_channel_is_created_once(self):
        # Two orders of the "catalog" channel name a SKU Tryton lacks: the first check creates
        # it at the channel's price; the second finds it. A "web" order with an unknown SKU is
        # still rejected (test_3): only the listed channels create products.
        skus = (("SKU-NEW-1", 2, "4.20"),)
        ids = [self.submit(erp_order(f"CAT-{i}", "C-200", skus=skus, channel="catalog"),
                           f"cat-{i}") for i in range(2)]
        wait_until(lambda: all(self.status(o) in ("shipped", "invoiced") for o in ids), 120,
                   what="catalog orders shipped")
        products = self.tryton.rpc("model.product.product.search_read",
                                   [[["code", "=", "SKU-NEW-1"]], 0, None, None,
                                    ["code", "list_price", "salable"], {"company": 1}],
                                   self.session)
        print(f"products created for SKU-NEW-1: {len(products)}", flush=True)
        self.assertEqual(len(products), 1, products)
        self.assertEqual(float(products[0]["list_price"]["decimal"]), 4.20, products)
        self.assertTrue(products[0]["salable"])
        for oid in ids:
            self.assertEqual(len(self.tryton_sales(oid)), 1, oid)

    def history(self, oid):
        client = self.cd.channel()
        try:
            _, _, view = client.json("GET", f"/v1/orders/{oid}")
            return view
        finally:
            client.close()

    def shipment_button(self, shipment, button):
        self.tryton.rpc(f"model.stock.shipment.out.{button}", [[shipment], {"company": 1}],
                        self.session)

    def test_9_own_warehouse_in_tryton_ships_and_is_polled(self):
        # An order routed to dc-own becomes a Tryton customer shipment (reference
        # "<order id>/dc-own"), set waiting. Warehouse staff work it in Tryton: Crossdock reads
        # picked and packed as milestones and done as the node's shipment, which is invoiced.
        oid = self.submit(erp_order("OWN-1", "C-300", channel="own"), "own-1")
        wait_until(lambda: self.status(oid) == "dispatched", 60, what="own order dispatched")
        shipment = int(self.history(oid)["fulfillment"]["node_ref"])
        found = self.tryton.rpc("model.stock.shipment.out.search_read",
                                [[["reference", "=", oid + "/dc-own"]], 0, None, None,
                                 ["state"], {}], self.session)
        self.assertEqual([s["id"] for s in found], [shipment])
        self.assertEqual(found[0]["state"], "waiting")

        def types():
            return [h["type"] for h in self.history(oid)["history"]]
        self.shipment_button(shipment, "assign_force")
        self.shipment_button(shipment, "pick")
        wait_until(lambda: "order.picked" in types(), 30, what="order.picked from Tryton")
        self.shipment_button(shipment, "pack")
        wait_until(lambda: "order.packed" in types(), 30, what="order.packed from Tryton")
        self.shipment_button(shipment, "done")
        wait_until(lambda: self.status(oid) == "invoiced", 60, what="own order invoiced")
        time.sleep(2.5)  # more overlapping polls see the done shipment again
        view = self.history(oid)
        shipped = [h for h in view["history"] if h["type"] == "order.shipped"]
        self.assertEqual(len(shipped), 1)
        self.assertEqual(shipped[0]["data"]["shipment"]["partner_event_id"],
                         f"tryton-shipment-{shipment}")
        self.assertEqual(view["fulfillment"]["shipped"], {"1": 2, "2": 1})
        invoices = self.tryton_invoices(oid)
        print(f"own warehouse: shipment {shipment} done; order.shipped events={len(shipped)}, "
              f"invoices={len(invoices)}", flush=True)
        self.assertEqual([i["reference"] for i in invoices], [f"{oid}/tryton-shipment-{shipment}"])
        # The moves deliver the sale's lines: Tryton's sale knows it was sent.
        sale = self.tryton.rpc("model.sale.sale.search_read",
                               [[["reference", "=", oid]], 0, None, None, ["shipment_state"], {}],
                               self.session)
        self.assertEqual([s["shipment_state"] for s in sale], ["sent"])

    def test_10_cancel_at_the_own_warehouse_cancels_the_tryton_shipment(self):
        oid = self.submit(erp_order("OWN-2", "C-300", channel="own"), "own-2")
        wait_until(lambda: self.status(oid) == "dispatched", 60, what="own order dispatched")
        shipment = int(self.history(oid)["fulfillment"]["node_ref"])
        client = self.cd.channel()
        code, _, body = client.json("POST", f"/v1/orders/{oid}/cancel", {"reason": "changed"})
        client.close()
        self.assertEqual(code, 202, body)
        wait_until(lambda: any(h["type"] == "order.node_cancelled"
                               for h in self.history(oid)["history"]), 60, what="node cancelled")
        state = self.tryton.rpc("model.stock.shipment.out.read",
                                [[shipment], ["state"], {}], self.session)[0]["state"]
        self.assertEqual(state, "cancelled")

    def test_11_rerouted_away_and_back_gets_a_fresh_tryton_shipment(self):
        # Re-routed to a 3PL, the Tryton shipment is cancelled; re-routed back, the order gets a
        # new shipment ("<order id>/dc-own/r2"): the cancelled one is never revived.
        oid = self.submit(erp_order("OWN-3", "C-300", channel="own"), "own-3")
        wait_until(lambda: self.status(oid) == "dispatched", 60, what="own order dispatched")
        first = int(self.history(oid)["fulfillment"]["node_ref"])
        ops = self.cd.operator()
        for node in (self.sim.node, "dc-own"):
            code, _, body = ops.json("POST", f"/v1/admin/orders/{oid}/actions",
                                     {"action": "reroute", "node": node, "reason": "test"})
            self.assertEqual(code, 201, body)
            wait_until(lambda: self.status(oid) == "dispatched", 60, what=f"dispatched at {node}")
        ops.close()
        second = int(self.history(oid)["fulfillment"]["node_ref"])
        shipments = self.tryton.rpc("model.stock.shipment.out.search_read",
                                    [[["reference", "like", oid + "/dc-own%"]], 0, None,
                                     [["id", "ASC"]], ["reference", "state"], {}], self.session)
        self.assertEqual([(s["id"], s["reference"], s["state"]) for s in shipments],
                         [(first, oid + "/dc-own", "cancelled"),
                          (second, oid + "/dc-own/r2", "waiting")])

    def reconcile(self, *extra):
        run = subprocess.run([CROSSDOCK, "reconcile", "financial", "--config", str(self.cd.config),
                              "--json", "--grace-minutes", "0", *extra],
                             capture_output=True, text=True, timeout=120)
        self.assertIn(run.returncode, (0, 1), run.stderr)
        report = json.loads(run.stdout)
        return run.returncode, report

    def test_99_financial_reconciliation_finds_an_invoice_out_of_step(self):
        # (Named to run after test_1 to test_8: unittest sorts by name.) Every invoice
        # Crossdock asked for is in Tryton at the shipment's value: nothing found
        # (waiting out invoices still being posted by the earlier tests).
        wait_until(lambda: self.reconcile("--dry-run")[0] == 0, 60,
                   what="every shipment invoiced in Tryton")
        code, clean = self.reconcile()
        s = clean["summary"]
        print(f"financial reconciliation: {s['shipments']} shipments, {s['invoices']} Tryton "
              f"invoices, {s['matched']} matched, {s['discrepancies']} discrepancies", flush=True)
        self.assertEqual(code, 0)
        self.assertEqual(s["discrepancies"], 0)
        self.assertGreaterEqual(s["matched"], 24)  # test 1's orders, two shipments each
        self.assertEqual(s["matched"], s["shipments"])

        # Someone re-labels one of the order's invoices in Tryton's database: its shipment now
        # looks uninvoiced and the invoice names no shipment.
        oid = self.closed_ids[2]
        invoice = self.tryton_invoices(oid)[0]
        db = sqlite3.connect(self.tryton.dir / "crossdock.sqlite", timeout=30)
        try:
            db.execute("UPDATE account_invoice SET reference = ? WHERE id = ?",
                       (oid + "/relabelled", invoice["id"]))
            db.commit()
            code, found = self.reconcile()
        finally:
            db.execute("UPDATE account_invoice SET reference = ? WHERE id = ?",
                       (invoice["reference"], invoice["id"]))
            db.commit()
            db.close()
        kinds = sorted((d["kind"], d["reference"]) for d in found["discrepancies"])
        print(f"after relabelling invoice {invoice['id']}: {kinds}; exceptions opened "
              f"{found['exceptions']}", flush=True)
        self.assertEqual(code, 1)
        self.assertEqual(kinds, [("invoiced_not_shipped", oid + "/relabelled"),
                                 ("shipped_not_invoiced", invoice["reference"])])
        client = self.cd.operator()
        _, _, view = client.json("GET", f"/v1/orders/{oid}")
        self.assertTrue(view["orchestration"]["exception"]["reason"].startswith("reconcile-"),
                        view["orchestration"].get("exception"))
        code, _, kept = client.json("GET", f"/v1/admin/reconciliations/{found['id']}")
        self.assertEqual(code, 200, kept)
        self.assertEqual(kept["kind"], "financial")
        code, _, csv = client.request("GET", f"/v1/admin/reconciliations/{found['id']}/report.csv")
        self.assertEqual(code, 200)
        self.assertIn(b"shipped_not_invoiced," + oid.encode(), csv)
        client.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
