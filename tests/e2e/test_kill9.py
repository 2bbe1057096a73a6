"""Reliability plan R1 (docs/reliability.md), in small: kill -9 the server repeatedly while orders flow.

A steady load of orders (each with its own Idempotency-Key, retried with the same key until
acknowledged) runs while the server is killed with SIGKILL at random moments and restarted,
KILLS times. Afterwards every acknowledged order must be stored exactly once, be shipped, and
have reached the simulated 3PL with exactly one effect. The counts are printed.
"""
import os
import random
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Crossdock, Sim, free_port, make_order, wait_until  # noqa: E402

KILLS = int(os.environ.get("CROSSDOCK_KILL9_ROUNDS", "20"))
THREADS = 6
PACE_S = 0.01


class Kill9Test(unittest.TestCase):
    def test_no_acknowledged_order_lost_or_duplicated(self):
        rng = random.Random(int(os.environ.get("CROSSDOCK_KILL9_SEED", "20261128")))
        port = free_port()
        sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=30)
        cd = Crossdock(sim, port=port)
        acked = {}          # external ref → order id
        attempts = {"sent": 0, "errors": 0}
        lock = threading.Lock()
        stop_load = threading.Event()
        next_ref = [0]

        def load(worker):
            client = cd.channel()
            client.timeout = 3
            pending = None
            while not stop_load.is_set():
                if pending is None:
                    with lock:
                        next_ref[0] += 1
                        pending = f"K9-{next_ref[0]}"
                try:
                    with lock:
                        attempts["sent"] += 1
                    status, _, body = client.json("POST", "/v1/orders", make_order(pending),
                                                  {"Idempotency-Key": pending + "-key"})
                except Exception:  # server killed mid-request: retry the same key
                    with lock:
                        attempts["errors"] += 1
                    time.sleep(0.02)
                    continue
                if status == 201:
                    with lock:
                        acked[pending] = body["id"]
                    pending = None
                    time.sleep(PACE_S)  # a steady load, not a flood: keeps the drain short
                elif status in (409, 503):
                    time.sleep(0.02)
                else:
                    self.fail(f"unexpected {status}: {body}")
            # Finish the order in hand so nothing is left half-sent.
            while pending is not None:
                try:
                    status, _, body = client.json("POST", "/v1/orders", make_order(pending),
                                                  {"Idempotency-Key": pending + "-key"})
                    if status == 201:
                        with lock:
                            acked[pending] = body["id"]
                        pending = None
                except Exception:
                    time.sleep(0.05)
            client.close()

        ready_times = []
        t0 = time.monotonic()
        try:
            cd.start()
            threads = [threading.Thread(target=load, args=(i,)) for i in range(THREADS)]
            for t in threads:
                t.start()
            for _ in range(KILLS):
                time.sleep(rng.uniform(0.2, 0.8))
                cd.kill9()
                time.sleep(rng.uniform(0.0, 0.2))
                cd.start()
                ready_times.append(cd.last_ready_seconds)
            time.sleep(0.5)
            stop_load.set()
            for t in threads:
                t.join(timeout=60)
            # Drain: every acknowledged order reaches the 3PL and ships.
            wait_until(lambda: sim.stats()["effects"] >= len(acked), 120, interval=0.25,
                       what="every acknowledged order at the 3PL")
            wait_until(lambda: sim.stats()["shipments_pending"] == 0, 120, interval=0.25,
                       what="every shipment confirmed")
            ops = cd.operator()
            sample = list(acked.items())[:: max(1, len(acked) // 50)]
            api_not_shipped = [r for r, oid in sample
                               if ops.json("GET", f"/v1/orders/{oid}")[2]["order"]["status"] != "shipped"]
            ops.close()
        finally:
            cd.stop()
            sim_stats = sim.stats()
            effects = sim.effects()
            sim.stop()

        db = sqlite3.connect(cd.dir / "data" / "crossdock.db")
        rows = dict(db.execute("SELECT external_ref, COUNT(*) FROM orders GROUP BY external_ref"))
        ids = {r: i for r, i in db.execute("SELECT external_ref, id FROM orders")}
        not_shipped = [r for (r,) in db.execute("SELECT external_ref FROM orders WHERE status != 'shipped'")
                       if r in acked]
        db.close()
        missing = [r for r in acked if r not in rows]
        twice = [r for r, n in rows.items() if n > 1]
        wrong_id = [r for r, oid in acked.items() if ids.get(r) != oid]
        dup_effects = {r: n for r, n in effects.items() if n > 1}
        lost_at_3pl = [r for r in acked if effects.get("web/" + r, 0) == 0]
        print(f"\nkill9: kills={KILLS} acknowledged={len(acked)} stored={len(rows)} "
              f"missing={len(missing)} stored_twice={len(twice)} wrong_id={len(wrong_id)} "
              f"not_shipped={len(not_shipped)} 3pl_effects={sim_stats['effects']} "
              f"duplicate_effects={sim_stats['duplicate_effects']} lost_at_3pl={len(lost_at_3pl)} "
              f"duplicate_deliveries={sim_stats['duplicate_deliveries']} "
              f"requests={attempts['sent']} transport_errors={attempts['errors']} "
              f"ready_after_restart_s_max={max(ready_times):.2f} wall_s={time.monotonic() - t0:.1f}")
        self.assertGreater(len(acked), KILLS, "the load should have made progress between kills")
        self.assertEqual(missing, [])
        self.assertEqual(twice, [])
        self.assertEqual(wrong_id, [])
        self.assertEqual(lost_at_3pl, [])
        self.assertEqual(dup_effects, {})
        self.assertEqual(sim_stats["duplicate_effects"], 0)
        self.assertEqual(not_shipped, [])
        self.assertEqual(api_not_shipped, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
