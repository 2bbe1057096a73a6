"""Availability published to a sales channel, coalesced within the channel's quota.

The simulated 3PL also plays the channel's inventory API (POST /sim/availability, which
records every call). Channel `web` holds back 2 units of safety stock and allows a burst of 5
calls, refilled at 2 per second. tpl-east reports SKU-1 200 times in quick succession (on hand
1..200) and SKU-2 once; then an order reserves 1 unit of SKU-1 and 2 of SKU-2. The channel must
end at SKU-1 = 200 − 1 − 2 and SKU-2 = 50 − 2 − 2 after far fewer calls than changes, within the
quota; the availability API agrees; the sync-delay histogram counted every acknowledged call.

Then crossdock stops, `crossdock reconcile inventory` (another process) corrects SKU-2 to 60,
and crossdock starts again: its start-up resync sends the channel SKU-2's new figure and
nothing for SKU-1, whose figure the channel acknowledged before the restart (kept in the store).
"""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import CROSSDOCK, Crossdock, Sim, free_port, make_order, wait_until  # noqa: E402


class InventoryFeedTest(unittest.TestCase):
    def test_changes_coalesce_within_the_quota_and_the_channel_ends_right(self):
        port = free_port()
        sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=600_000)
        feed = f"""
channels:
  - id: web
    safety_stock: 2
    publish: {{url: "{sim.url}/sim/availability", burst: 5, per_second: 2}}
"""
        cd = Crossdock(sim, port=port, extra_config=feed).start()
        try:
            node = cd.channel()
            node.key = sim.api_key
            started = time.monotonic()
            for i in range(1, 201):
                code, _, body = node.json(
                    "POST", f"/v1/nodes/{sim.node}/inventory",
                    {"levels": [{"sku": "SKU-1", "on_hand": i,
                                 "as_of": f"2026-11-28T06:{i // 60:02d}:{i % 60:02d}Z"}]})
                self.assertIn(code, (200, 201), body)
            code, _, body = node.json("POST", f"/v1/nodes/{sim.node}/inventory",
                                      {"levels": [{"sku": "SKU-2", "on_hand": 50,
                                                   "as_of": "2026-11-28T06:00:00Z"}]})
            self.assertIn(code, (200, 201), body)
            node.close()
            reported = time.monotonic() - started
            shop = cd.channel()
            code, _, order = shop.json("POST", "/v1/orders", make_order("FEED-1"),
                                       {"Idempotency-Key": "feed-1"})
            self.assertEqual(code, 201, order)

            def channel():
                with urllib.request.urlopen(sim.url + "/sim/availability", timeout=5) as r:
                    return json.loads(r.read())
            wait_until(lambda: channel()["skus"] == {"SKU-1": 197, "SKU-2": 46}, 30,
                       what="the channel at SKU-1=197, SKU-2=46")
            elapsed = time.monotonic() - started
            seen = channel()
            print(f"202 stock changes in {reported:.1f} s; channel calls {seen['calls']} "
                  f"(quota 5 + 2/s over {elapsed:.1f} s); channel ends at {seen['skus']}",
                  flush=True)
            self.assertLessEqual(seen["calls"], 5 + 2 * elapsed + 1)
            self.assertLess(seen["calls"], 202 // 4)
            _, _, av = shop.json("GET", "/v1/availability?sku=SKU-1,SKU-2&channel=web")
            self.assertEqual([(i["sku"], i["available"], i["safety_stock"]) for i in av["items"]],
                             [("SKU-1", 197, 2), ("SKU-2", 46, 2)])
            shop.close()
            delays = cd.metric('crossdock_inventory_sync_delay_seconds_count{channel="web"}')
            self.assertEqual(delays, seen["calls"])

            # A correction made while crossdock is down reaches the channel at its next start,
            # and the figures the channel already has are not sent again.
            cd.stop()
            snapshot = cd.dir / "snapshot.csv"
            snapshot.write_text("sku,on_hand\nSKU-1,200\nSKU-2,60\n")
            run = subprocess.run([CROSSDOCK, "reconcile", "inventory", "--node", sim.node,
                                  "--snapshot", str(snapshot), "--as-of", "2026-11-28T07:00:00Z",
                                  "--auto-adjust-max", "100", "--json",
                                  "--config", str(cd.config)],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(json.loads(run.stdout)["adjusted"], 1, run.stdout)
            before = channel()["calls"]
            cd.start()
            wait_until(lambda: channel()["skus"] == {"SKU-1": 197, "SKU-2": 56}, 30,
                       what="the channel at SKU-2=56 after the restart")
            wait_until(lambda: cd.metric('crossdock_inventory_resyncs_total{channel="web"}') == 1,
                       10, what="the start-up resync counted")
            time.sleep(1)  # anything else the resync would send has been sent by now
            after = channel()["calls"]
            print(f"after a restart and an offline correction: channel calls {before} -> {after}",
                  flush=True)
            self.assertEqual(after, before + 1)
        finally:
            cd.stop()
            sim.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
