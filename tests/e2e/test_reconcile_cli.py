"""`crossdock reconcile inventory` against a running server's stock ledger.

tpl-east reports counts for 6 SKUs through the node API. Then a full CSV snapshot (the partner's own column names, mapped) disagrees
on four SKUs: two by 1 unit (adjusted with --auto-adjust-max 1), one by 5 (left for review) and
one SKU the ledger never saw. The CLI prints a JSON summary; the ledger shows the adjustments;
the admin API lists the run and serves its JSON and CSV reports. A malformed snapshot exits 1
naming the line and column.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from harness import CROSSDOCK, Crossdock, Sim, free_port, make_order, wait_until  # noqa: E402


class ReconcileCliTest(unittest.TestCase):
    def test_snapshot_reconciliation_adjusts_small_differences_and_keeps_the_report(self):
        port = free_port()
        sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=600_000)
        cd = Crossdock(sim, port=port).start()
        try:
            node = cd.channel()
            node.key = sim.api_key
            levels = [{"sku": f"SKU-{i}", "on_hand": 10 * i, "as_of": "2026-11-28T06:00:00Z"}
                      for i in range(1, 7)]
            code, _, body = node.json("POST", f"/v1/nodes/{sim.node}/inventory",
                                      {"levels": levels})
            self.assertIn(code, (200, 201), body)
            node.close()
            ops = cd.operator()

            def on_hand(sku):
                _, _, av = ops.json("GET", f"/v1/availability?sku={sku}")
                nodes = av["items"][0]["nodes"]
                return nodes[0]["on_hand"] if nodes else None
            self.assertEqual(on_hand("SKU-3"), 30)

            mapping = cd.dir / "mapping.yaml"
            mapping.write_text('sku: "Item"\non_hand: "Qty"\n')
            snapshot = cd.dir / "snapshot.csv"
            rows = ["Item,Qty,Note"]
            counts = {f"SKU-{i}": 10 * i for i in range(1, 7)}
            counts["SKU-1"] += 1   # 1 over: adjusted
            counts["SKU-2"] -= 1   # 1 short: adjusted
            counts["SKU-4"] -= 5   # 5 short: for review
            counts["SKU-NEW"] = 7  # unknown to the ledger: for review
            rows += [f"{sku},{qty},\"counted, by hand\"" for sku, qty in counts.items()]
            snapshot.write_text("\n".join(rows) + "\n")
            costs = cd.dir / "costs.csv"
            costs.write_text("sku,unit_cost\nSKU-4,2.50\nSKU-1,1.00\n")
            run = subprocess.run([CROSSDOCK, "reconcile", "inventory", "--node", sim.node,
                                  "--snapshot", str(snapshot), "--mapping", str(mapping),
                                  "--unit-costs", str(costs), "--as-of", "2026-11-28T07:00:00Z",
                                  "--auto-adjust-max", "1", "--json", "--config", str(cd.config)],
                                 capture_output=True, text=True)
            print(run.stdout)
            self.assertEqual(run.returncode, 0, run.stderr)
            summary = json.loads(run.stdout)
            self.assertEqual((summary["skus"], summary["matched"], summary["discrepancies"]),
                             (7, 3, 4))
            self.assertEqual((summary["units_over"], summary["units_short"]), (8, 6))
            self.assertEqual((summary["value_over"], summary["value_short"]), ("1.00", "12.50"))
            self.assertEqual((summary["adjusted"], summary["for_review"]), (2, 2))
            self.assertEqual(on_hand("SKU-1"), 11)   # adjusted
            self.assertEqual(on_hand("SKU-2"), 19)   # adjusted
            self.assertEqual(on_hand("SKU-4"), 40)   # left for review
            self.assertIsNone(on_hand("SKU-NEW"))    # left for review

            code, _, listed = ops.json("GET", "/v1/admin/reconciliations")
            self.assertEqual(code, 200, listed)
            self.assertEqual([r["id"] for r in listed["items"]], [summary["id"]])
            self.assertEqual(listed["items"][0]["summary"]["for_review"], 2)
            code, _, report = ops.json("GET", f"/v1/admin/reconciliations/{summary['id']}")
            self.assertEqual(code, 200, report)
            actions = {d["sku"]: (d["difference"], d["action"]) for d in report["discrepancies"]}
            self.assertEqual(actions, {"SKU-1": (1, "adjusted"), "SKU-2": (-1, "adjusted"),
                                       "SKU-4": (-5, "review"), "SKU-NEW": (7, "review")})
            status, headers, csv = ops.request(
                "GET", f"/v1/admin/reconciliations/{summary['id']}/report.csv",
                headers={"Accept": "text/csv"})
            self.assertEqual(status, 200)
            lines = csv.decode().split("\r\n")
            self.assertEqual(lines[0], "sku,ledger,counted,difference,value,action")
            self.assertIn("SKU-4,40,35,-5,12.50,review", lines)

            # What is left for review is an exception each, for an operator to apply or dismiss.
            code, _, open_ = ops.json("GET", f"/v1/admin/stock-exceptions?node={sim.node}")
            self.assertEqual(code, 200, open_)
            by_sku = {e["sku"]: e for e in open_["items"]}
            self.assertEqual({k: (e["ledger"], e["counted"], e["difference"], e["run"])
                              for k, e in by_sku.items()},
                             {"SKU-4": (40, 35, -5, summary["id"]),
                              "SKU-NEW": (0, 7, 7, summary["id"])})
            code, _, applied = ops.json(
                "POST", f"/v1/admin/stock-exceptions/{by_sku['SKU-4']['id']}/resolve",
                {"action": "apply", "note": "recounted"})
            self.assertEqual(code, 200, applied)
            self.assertEqual((applied["resolution"], applied["resolved_by"]), ("applied", "ops"))
            self.assertEqual(on_hand("SKU-4"), 35)
            code, _, dismissed = ops.json(
                "POST", f"/v1/admin/stock-exceptions/{by_sku['SKU-NEW']['id']}/resolve",
                {"action": "dismiss"})
            self.assertEqual(code, 200, dismissed)
            self.assertIsNone(on_hand("SKU-NEW"))
            status, headers, again = ops.request(
                "POST", f"/v1/admin/stock-exceptions/{by_sku['SKU-4']['id']}/resolve",
                body={"action": "dismiss"})
            self.assertEqual(status, 409, again)
            self.assertEqual(headers.get("Content-Type"), "application/problem+json")
            code, _, bad_action = ops.json(
                "POST", f"/v1/admin/stock-exceptions/{by_sku['SKU-4']['id']}/resolve",
                {"action": "ignore"})
            self.assertEqual(code, 422, bad_action)
            self.assertEqual(bad_action["errors"][0]["pointer"], "/action")
            code, _, none_left = ops.json("GET", "/v1/admin/stock-exceptions")
            self.assertEqual(none_left["items"], [])
            code, _, every = ops.json("GET", "/v1/admin/stock-exceptions?state=all")
            self.assertEqual(sorted(e["resolution"] for e in every["items"]),
                             ["applied", "dismissed"])
            _, _, audit = ops.json("GET", "/v1/admin/audit")
            self.assertEqual(sorted(a["action"] for a in audit["items"]),
                             ["stock_exception.apply", "stock_exception.dismiss"])
            ops.close()

            # A malformed snapshot: nothing runs, the fault is named.
            snapshot.write_text("Item,Qty\nSKU-1,lots\n")
            bad = subprocess.run([CROSSDOCK, "reconcile", "inventory", "--node", sim.node,
                                  "--snapshot", str(snapshot), "--mapping", str(mapping),
                                  "--config", str(cd.config)], capture_output=True, text=True)
            self.assertEqual(bad.returncode, 1, bad.stderr)
            self.assertIn("line 2, column 2 (Qty)", bad.stderr)
            unknown = subprocess.run([CROSSDOCK, "reconcile", "inventory", "--node", "nowhere",
                                      "--snapshot", str(snapshot), "--config", str(cd.config)],
                                     capture_output=True, text=True)
            self.assertEqual(unknown.returncode, 2)
            self.assertIn("no node 'nowhere'", unknown.stderr)
        finally:
            cd.stop()
            sim.stop()

    def test_a_snapshot_dropped_in_the_nodes_folder_is_reconciled_on_schedule(self):
        """nodes[].snapshots: the node's own column names in the configuration; a file dropped
        in inbound/ is reconciled at the next pass and archived, a bad one moved to failed/."""
        port = free_port()
        sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=600_000)
        drop = Path(tempfile.mkdtemp(prefix="crossdock-snapshots-"))
        options = (Crossdock.DEFAULT_NODE_OPTIONS + "\n    snapshots: {folder: " + str(drop) +
                   ', mapping: {sku: Item, on_hand: Qty, delimiter: ";"}, '
                   "auto_adjust_max: 3, poll_interval_s: 1}")
        cd = Crossdock(sim, port=port, node_options=options).start()
        try:
            node = cd.channel()
            node.key = sim.api_key
            code, _, body = node.json(
                "POST", f"/v1/nodes/{sim.node}/inventory",
                {"levels": [{"sku": s, "on_hand": 10, "as_of": "2026-11-28T06:00:00Z"}
                            for s in ("SKU-A", "SKU-B", "SKU-C")]})
            self.assertIn(code, (200, 201), body)
            node.close()
            ops = cd.operator()
            (drop / "inbound" / ".east.csv").write_text(
                "Item;Qty\nSKU-A;10\nSKU-B;12\nSKU-C;40\n")
            os.rename(drop / "inbound" / ".east.csv", drop / "inbound" / "east.csv")
            (drop / "inbound" / "broken.csv").write_text("Item;Qty\nSKU-A;ten\n")
            wait_until(lambda: (drop / "archive" / "received" / "east.csv").exists(), 15,
                       what="the snapshot archived")
            wait_until(lambda: (drop / "failed" / "broken.csv.error.txt").exists(), 15,
                       what="the broken snapshot refused")
            self.assertIn("line 2, column 2 (Qty)",
                          (drop / "failed" / "broken.csv.error.txt").read_text())
            _, _, av = ops.json("GET", "/v1/availability?sku=SKU-B,SKU-C")
            self.assertEqual([i["nodes"][0]["on_hand"] for i in av["items"]], [12, 10])
            _, _, runs = ops.json("GET", "/v1/admin/reconciliations")
            self.assertEqual(len(runs["items"]), 1)
            self.assertEqual((runs["items"][0]["summary"]["adjusted"],
                              runs["items"][0]["summary"]["for_review"]), (1, 1))
            _, _, exceptions = ops.json("GET", "/v1/admin/stock-exceptions")
            self.assertEqual([(e["sku"], e["counted"]) for e in exceptions["items"]],
                             [("SKU-C", 40)])
            self.assertEqual(cd.metric('crossdock_snapshot_files_total{node="tpl-east",'
                                       'outcome="reconciled"}'), 1)
            ops.close()
        finally:
            cd.stop()
            sim.stop()
            shutil.rmtree(drop, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
