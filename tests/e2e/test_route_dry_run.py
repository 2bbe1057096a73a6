"""`crossdock route --dry-run --policy NEW.yaml` on a stored history.

Orders to the US and Canada are taken and allocated by the running policy (everything to
tpl-east), the server is stopped, and a new policy is tried: Canada to tpl-west, and express
orders to a ranked pair where the cheaper node wins. The report must name exactly the orders
that would move, with the rule that moved them, and count the nodes before and after. A policy
that names an unknown node is refused.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import CROSSDOCK, Crossdock, Sim, free_port, make_order, wait_until  # noqa: E402


class RouteDryRunTest(unittest.TestCase):
    def test_dry_run_reports_what_would_move_and_why(self):
        port = free_port()
        east = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=600_000)
        west = Sim(f"http://127.0.0.1:{port}", node="tpl-west", ship_delay_ms=600_000)
        cd = Crossdock(east, port=port, more_sims=(west,)).start()
        client = cd.channel()
        ids = {}
        for ref, country, level in (("US-1", "US", ""), ("US-2", "US", "express"),
                                    ("CA-1", "CA", ""), ("CA-2", "CA", "")):
            order = make_order(ref)
            order["ship_to"]["country"] = country
            order["ship_to"]["region"] = "ON" if country == "CA" else "NV"
            if level:
                order["service_level"] = level
            code, _, body = client.json("POST", "/v1/orders", order, {"Idempotency-Key": ref})
            self.assertEqual(code, 201, body)
            ids[ref] = body["id"]
        wait_until(lambda: all(client.json("GET", f"/v1/orders/{i}")[2]["order"]["status"] ==
                               "dispatched" for i in ids.values()), 30, what="dispatched")
        client.close()
        cd.stop()
        east.stop()
        west.stop()

        policy = cd.dir / "new-routing.yaml"
        policy.write_text("""
routing:
  default_node: tpl-east
  rules:
    - {country: CA, node: tpl-west}
    - {service_level: express, nodes: [tpl-east, tpl-west]}
nodes:
  - {id: tpl-east, url: "http://127.0.0.1:1/orders", cost: "5.00"}
  - {id: tpl-west, url: "http://127.0.0.1:1/orders", cost: "3.50"}
""")
        run = subprocess.run([CROSSDOCK, "route", "--dry-run", "--policy", str(policy),
                              "--config", str(cd.config)], capture_output=True, text=True)
        print(run.stdout)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("4 stored orders replayed", run.stdout)
        self.assertIn("3 would route differently, 0 could not be routed", run.stdout)
        self.assertIn(f"{ids['CA-1']} web/CA-1 (dispatched): tpl-east -> tpl-west  "
                      "[rule 1 (country=CA)]", run.stdout)
        self.assertIn(f"{ids['US-2']} web/US-2 (dispatched): tpl-east -> tpl-west  "
                      "[rule 2 (service_level=express)]", run.stdout)
        self.assertNotIn(ids["US-1"], run.stdout)
        self.assertIn("tpl-east: 4 -> 1", run.stdout)
        self.assertIn("tpl-west: 0 -> 3", run.stdout)

        as_json = subprocess.run([CROSSDOCK, "route", "--dry-run", "--json", "--all", "--policy",
                                  str(policy), "--config", str(cd.config)],
                                 capture_output=True, text=True)
        report = json.loads(as_json.stdout)
        self.assertEqual((report["orders"], report["changed"]), (4, 3))
        moved = {i["external_ref"]: i["would"] for i in report["items"] if i["would"] != i["was"]}
        self.assertEqual(moved, {"US-2": "tpl-west", "CA-1": "tpl-west", "CA-2": "tpl-west"})

        bad = cd.dir / "bad-routing.yaml"
        bad.write_text("routing: {default_node: tpl-mars}\n")
        refused = subprocess.run([CROSSDOCK, "route", "--dry-run", "--policy", str(bad),
                                  "--config", str(cd.config)], capture_output=True, text=True)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("unknown nodes: tpl-mars", refused.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
