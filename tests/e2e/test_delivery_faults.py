"""Delivery under partner faults, against the real binaries and crossdock-sim's fault switches.

Reliability plan rows R3 (3PL down under load), R4 (down longer than the retry schedule, then
replay), R5 (a poison message), R6 (partner rate limits: 429 + Retry-After, a Shopify-style
bucket) and the "timeout after the effect" case. Each test prints its figures.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Crossdock, Sim, free_port, make_order, wait_until  # noqa: E402


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


class Env:
    """One simulator and one server, stopped at the end of a test."""

    def __init__(self, test, node_options, sim_args=(), ship_delay_ms=20):
        """`node_options` is YAML for the node, or a function of the simulator giving it."""
        port = free_port()
        self.sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=ship_delay_ms, extra=sim_args)
        if callable(node_options):
            node_options = node_options(self.sim)
        self.cd = Crossdock(self.sim, port=port, node_options=node_options).start()
        test.addCleanup(self.stop)

    def stop(self):
        try:
            self.cd.stop()
        finally:  # a failed stop must not leave the simulator holding the test's pipes
            self.sim.stop()

    def submit(self, refs, threads=4):
        """Posts one order per ref; returns {ref: id} and the intake latencies in ms."""
        ids, lat, lock = {}, [], threading.Lock()
        refs = list(refs)

        def worker(part):
            client = self.cd.channel()
            for ref in part:
                t0 = time.monotonic()
                status, _, body = client.json("POST", "/v1/orders", make_order(ref),
                                              {"Idempotency-Key": ref + "-k"})
                assert status == 201, (status, body)
                with lock:
                    ids[ref] = body["id"]
                    lat.append((time.monotonic() - t0) * 1000)
            client.close()

        ts = [threading.Thread(target=worker, args=(refs[i::threads],)) for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return ids, lat

    def dead_letters(self, query=""):
        ops = self.cd.operator()
        status, _, body = ops.json("GET", "/v1/admin/dead-letters" + query)
        ops.close()
        assert status == 200, body
        return body["items"]


class DeliveryFaultTest(unittest.TestCase):
    def test_r12_fault_injected_store_and_http_client(self):
        port = free_port()
        sim = Sim(f"http://127.0.0.1:{port}", ship_delay_ms=20, extra=("--error-rate", "0.03"))
        cd = Crossdock(sim, port=port, extra_config="""fault_injection:
  store_write_error_rate: 0.03
  store_read_error_rate: 0.03
  http_error_rate: 0.05
""").start()
        self.addCleanup(sim.stop)
        self.addCleanup(cd.stop)
        acked, answers, bad_errors = {}, {}, []
        client = cd.channel()
        for i in range(300):
            ref = f"R12-{i}"
            for _ in range(50):  # a client retries 5xx with the same key
                status, headers, body = client.request("POST", "/v1/orders", make_order(ref),
                                                       {"Idempotency-Key": ref + "-k"})
                answers[status] = answers.get(status, 0) + 1
                if status == 201:
                    acked[ref] = body
                    break
                if not (status == 503 and headers.get("Content-Type") == "application/problem+json"
                        and headers.get("Retry-After")):
                    bad_errors.append((status, body[:200]))
                    break
                time.sleep(0.01)
        client.close()
        wait_until(lambda: sim.stats()["effects"] >= len(acked) and sim.stats()["shipments_pending"] == 0,
                   90, interval=0.2, what="all delivered and shipped")
        stats = sim.stats()
        effects = sim.effects()
        lost = [r for r in acked if effects.get("web/" + r, 0) == 0]
        alive = cd.proc.poll() is None
        print(f"\nR12: orders={len(acked)} answers={answers} injected_5xx_seen={answers.get(503, 0)} "
              f"partner_refusals={stats['refused']} lost={len(lost)} duplicate_effects={stats['duplicate_effects']} "
              f"duplicate_deliveries={stats['duplicate_deliveries']} server_alive={alive}")
        self.assertEqual(bad_errors, [])
        self.assertEqual(len(acked), 300)
        self.assertGreater(answers.get(503, 0), 0)  # faults were really injected
        self.assertEqual(lost, [])
        self.assertEqual(stats["duplicate_effects"], 0)
        self.assertTrue(alive)

    def test_r3_partner_down_under_load(self):
        # The partner also limits us to 200 calls/s; our quota for it is 180/s, so the backlog
        # after recovery must drain without a single 429.
        env = Env(self, """timeout_ms: 1000
    retry: {initial_backoff_ms: 100, max_backoff_ms: 2000, max_attempts: 1000}
    breaker: {consecutive_failures: 5, open_base_ms: 500, open_max_ms: 4000}
    quota: {per_second: 180, burst: 20}""", sim_args=("--rate-limit", "200", "--rate-burst", "25"))
        before, lat_before = env.submit([f"R3-A-{i}" for i in range(100)])
        wait_until(lambda: env.sim.stats()["effects"] >= 100, 30, what="warm-up delivered")
        calls_before = env.sim.stats()["deliveries"]
        env.sim.faults(down=True)  # connections reset: nothing applied
        t_outage = time.monotonic()
        during, lat_during = {}, []
        end = time.monotonic() + 6
        n = 0
        while time.monotonic() < end:  # a steady load through the outage
            ids, lat = env.submit([f"R3-B-{n + i}" for i in range(20)], threads=2)
            during.update(ids)
            lat_during += lat
            n += 20
            time.sleep(0.2)
        env.sim.faults(down=False, unavailable=True)  # then 503 for a while
        time.sleep(2)
        outage_s = time.monotonic() - t_outage
        stats_outage = env.sim.stats()
        calls_during_outage = stats_outage["deliveries"] - calls_before
        env.sim.faults(unavailable=False)
        t_recover = time.monotonic()
        total = len(before) + len(during)
        wait_until(lambda: env.sim.stats()["effects"] >= total, 60, interval=0.1, what="backlog drained")
        drain_s = time.monotonic() - t_recover
        stats = env.sim.stats()
        effects = env.sim.effects()
        lost = [r for r in list(before) + list(during) if effects.get("web/" + r, 0) == 0]
        opened = env.cd.metric('crossdock_breaker_transitions_total{destination="node:tpl-east",to="open"}')
        closed = env.cd.metric('crossdock_breaker_transitions_total{destination="node:tpl-east",to="closed"}')
        rss = env.cd.peak_rss_kb()
        print(f"\nR3: orders={total} during_outage={len(during)} outage_s={outage_s:.1f} "
              f"partner_calls_during_outage={calls_during_outage} breaker_opened={opened:.0f} "
              f"breaker_closed={closed:.0f} intake_p99_ms_before={percentile(lat_before, 99):.1f} "
              f"intake_p99_ms_during={percentile(lat_during, 99):.1f} drain_s={drain_s:.1f} "
              f"lost={len(lost)} duplicate_effects={stats['duplicate_effects']} "
              f"partner_rate_limited={stats['rate_limited']} peak_rss_kb={rss}")
        self.assertEqual(lost, [])
        self.assertEqual(stats["duplicate_effects"], 0)
        self.assertEqual(stats["rate_limited"], 0)  # drained within the partner's rate limit
        self.assertGreaterEqual(opened, 1)
        self.assertGreaterEqual(closed, 1)
        # The breaker keeps calls sparse: far fewer calls than orders waiting during the outage.
        self.assertLess(calls_during_outage, len(during))
        # Intake does not wait for the partner.
        self.assertLess(percentile(lat_during, 99), 1000)

    def test_r4_down_longer_than_the_retry_schedule_then_replay(self):
        env = Env(self, """timeout_ms: 1000
    retry: {initial_backoff_ms: 100, max_backoff_ms: 200, max_attempts: 4}
    breaker: {consecutive_failures: 1000, min_calls: 1000}""", sim_args=("--unavailable",))
        ids, _ = env.submit([f"R4-{i}" for i in range(5)], threads=1)
        wait_until(lambda: len(env.dead_letters()) == 5, 30, what="all dead-lettered")
        dead = env.dead_letters()
        stats = env.sim.stats()
        attempts = sorted(d["attempts"] for d in dead)
        keys = {d["order_id"]: d["idempotency_key"] for d in dead}
        print(f"\nR4: orders=5 dead_lettered={len(dead)} attempts_each={attempts} "
              f"partner_calls={stats['deliveries']} last_error={dead[0]['last_error']!r}")
        self.assertEqual(attempts, [4] * 5)
        self.assertEqual(stats["deliveries"], 20)  # exactly max_attempts each, no more
        # On schedule: the gap before attempt n+1 is at most the backoff cap (100, 200, 200 ms:
        # full jitter picks within [0, cap]) plus processing slack.
        calls = env.sim.http.json("GET", "/sim/calls")[2]
        by_key = {}
        for c in calls:
            by_key.setdefault(c["key"], []).append(c["at_ms"])
        caps = [100, 200, 200]
        worst = 0
        for key, times in by_key.items():
            self.assertEqual(len(times), 4, key)
            for n, (a, b) in enumerate(zip(times, times[1:])):
                worst = max(worst, (b - a) - caps[n])
        print(f"R4: largest gap beyond the backoff cap = {worst} ms")
        self.assertLess(worst, 250)
        self.assertEqual(stats["effects"], 0)
        self.assertTrue(all(d["error_class"] == "http_5xx" for d in dead))
        # The partner recovers; an operator replays everything.
        env.sim.faults(unavailable=False)
        ops = env.cd.operator()
        status, _, body = ops.json("POST", "/v1/admin/dead-letters/replay", {"per_second": 20})
        ops.close()
        self.assertEqual(status, 200, body)
        self.assertEqual(body["replayed"], 5)
        wait_until(lambda: env.sim.stats()["effects"] >= 5, 30, what="replayed orders delivered")
        stats = env.sim.stats()
        print(f"R4: after replay effects={stats['effects']} duplicate_effects={stats['duplicate_effects']}")
        self.assertEqual(stats["effects"], 5)
        self.assertEqual(stats["duplicate_effects"], 0)
        for oid, key in keys.items():
            self.assertEqual(key, f"dispatch-{oid}-tpl-east")  # the original key, replayed
        self.assertEqual(env.dead_letters(), [])

    def test_r5_poison_message_does_not_block_the_others(self):
        env = Env(self, """timeout_ms: 1000
    retry: {initial_backoff_ms: 50, max_backoff_ms: 500, max_attempts: 8}""",
                  sim_args=("--poison-ref", "POISON"))
        refs = [f"R5-{i}" for i in range(150)] + ["R5-POISON-1"] + [f"R5-{i}" for i in range(150, 300)]
        ids, _ = env.submit(refs)
        wait_until(lambda: env.sim.stats()["effects"] >= 300, 60, what="the good orders delivered")
        wait_until(lambda: len(env.dead_letters()) == 1, 30, what="the poison dead-lettered")
        dead = env.dead_letters()
        stats = env.sim.stats()
        ops = env.cd.operator()
        _, _, view = ops.json("GET", f"/v1/orders/{ids['R5-POISON-1']}")
        ops.close()
        print(f"\nR5: orders=301 delivered={stats['effects']} dead_lettered={len(dead)} "
              f"poison_attempts={dead[0]['attempts']} poison_calls={stats['poison_refused']} "
              f"duplicate_effects={stats['duplicate_effects']}")
        self.assertEqual(stats["effects"], 300)
        self.assertEqual(dead[0]["order_id"], ids["R5-POISON-1"])
        self.assertEqual(dead[0]["attempts"], 1)  # dead on the first permanent error
        self.assertEqual(stats["poison_refused"], 1)
        self.assertIn("order.dispatch_failed", [h["type"] for h in view["history"]])

    def test_r6_rate_limits_are_respected(self):
        # The partner allows 20 calls/s (burst 5) and answers 429 + Retry-After beyond that.
        # Crossdock's quota for it is 16/s (burst 4): it should never be told to wait.
        env = Env(self, """timeout_ms: 2000
    retry: {initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 100}
    quota: {per_second: 16, burst: 4}""", sim_args=("--rate-limit", "20", "--rate-burst", "5"))
        t0 = time.monotonic()
        env.submit([f"R6-{i}" for i in range(120)])
        wait_until(lambda: env.sim.stats()["effects"] >= 120, 60, interval=0.1, what="all delivered")
        secs = time.monotonic() - t0
        stats = env.sim.stats()
        print(f"\nR6 quota: orders=120 seconds={secs:.1f} rate={120 / secs:.1f}/s "
              f"rate_limited={stats['rate_limited']} retry_after_violations={stats['retry_after_violations']} "
              f"duplicate_effects={stats['duplicate_effects']}")
        self.assertEqual(stats["rate_limited"], 0)
        self.assertEqual(stats["retry_after_violations"], 0)
        self.assertEqual(stats["duplicate_effects"], 0)
        self.assertGreater(secs, (120 - 4) / 16 * 0.9)  # the quota, not the partner, paced us

    def test_r6_retry_after_and_shopify_bucket(self):
        # No quota of ours: the partner's 429 + Retry-After must hold the whole destination.
        env = Env(self, """timeout_ms: 2000
    retry: {initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 100}
    quota: {max_in_flight: 1}""", sim_args=("--rate-limit", "10", "--rate-burst", "2"))
        env.submit([f"R6B-{i}" for i in range(40)])
        wait_until(lambda: env.sim.stats()["effects"] >= 40, 60, interval=0.1, what="all delivered")
        stats = env.sim.stats()
        print(f"\nR6 retry-after: orders=40 rate_limited={stats['rate_limited']} "
              f"retry_after_violations={stats['retry_after_violations']} max_in_flight={stats['max_in_flight']}")
        self.assertGreater(stats["rate_limited"], 0)
        self.assertEqual(stats["retry_after_violations"], 0)
        self.assertEqual(stats["duplicate_effects"], 0)

        # A Shopify-style bucket (40, leaking 2/s): mirrored from the partner's header.
        env2 = Env(self, """timeout_ms: 2000
    retry: {initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 100}
    quota: {call_limit_header: X-Shopify-Shop-Api-Call-Limit, call_limit_size: 40, call_limit_leak_per_second: 2}""",
                   sim_args=("--call-limit",))
        t0 = time.monotonic()
        env2.submit([f"R6S-{i}" for i in range(50)])
        wait_until(lambda: env2.sim.stats()["effects"] >= 50, 60, interval=0.1, what="all delivered")
        secs = time.monotonic() - t0
        stats2 = env2.sim.stats()
        print(f"R6 bucket: orders=50 seconds={secs:.1f} rate_limited={stats2['rate_limited']} "
              f"duplicate_effects={stats2['duplicate_effects']}")
        self.assertEqual(stats2["rate_limited"], 0)  # never overflowed the partner's bucket
        self.assertGreater(secs, 4.0)  # 40 at once, then 2/s for the other 10

    def test_timeout_after_the_effect_creates_no_duplicate(self):
        env = Env(self, """timeout_ms: 300
    retry: {initial_backoff_ms: 50, max_backoff_ms: 500, max_attempts: 100}
    breaker: {consecutive_failures: 1000, min_calls: 1000}""",
                  sim_args=("--timeout-after-effect-rate", "0.3", "--timeout-sleep-ms", "800",
                            "--malformed-rate", "0.05", "--threads", "16"))
        ids, _ = env.submit([f"TO-{i}" for i in range(80)])
        wait_until(lambda: env.sim.stats()["effects"] >= 80 and env.sim.stats()["shipments_pending"] == 0,
                   60, interval=0.1, what="all delivered and shipped")
        stats = env.sim.stats()
        effects = env.sim.effects()
        print(f"\ntimeout-after-effect: orders=80 effects={stats['effects']} "
              f"timeouts_injected={stats['timeouts_injected']} malformed_sent={stats['malformed_sent']} "
              f"duplicate_deliveries={stats['duplicate_deliveries']} duplicate_effects={stats['duplicate_effects']}")
        self.assertGreater(stats["timeouts_injected"], 0)
        self.assertEqual(stats["effects"], 80)
        self.assertEqual(stats["duplicate_effects"], 0)
        self.assertTrue(all(effects.get("web/" + r) == 1 for r in ids))

    def test_partner_without_keys_is_looked_up_before_a_resend(self):
        faults = ("--ignore-idempotency-key", "--timeout-after-effect-rate", "0.3",
                  "--timeout-sleep-ms", "800", "--threads", "16")
        options = """timeout_ms: 300
    retry: {{initial_backoff_ms: 50, max_backoff_ms: 500, max_attempts: 100}}
    breaker: {{consecutive_failures: 1000, min_calls: 1000}}{lookup}"""
        # Negative control: resending blindly to a partner without keys duplicates effects, so
        # the test below can see a duplicate if one happens.
        blind = Env(self, options.format(lookup=""), sim_args=faults)
        blind.submit([f"NK-{i}" for i in range(60)])
        wait_until(lambda: len(blind.sim.effects()) >= 60, 60, interval=0.1, what="all at the partner")
        time.sleep(1.5)  # let late retries land
        control = blind.sim.stats()
        # With a lookup URL, an in-doubt command is looked up before it is sent again.
        env = Env(self, lambda sim: options.format(
            lookup=f"\n    lookup_url: {sim.url}/orders?reference={{reference}}"), sim_args=faults)
        sim, cd = env.sim, env.cd
        env.submit([f"NK-{i}" for i in range(60)])
        wait_until(lambda: len(sim.effects()) >= 60 and sim.stats()["shipments_pending"] == 0, 60,
                   interval=0.1, what="all delivered")
        time.sleep(1.5)
        stats = sim.stats()
        resolved = cd.metric('crossdock_delivery_attempts_total{destination="node:tpl-east",outcome="resolved_by_lookup"}')
        in_doubt = cd.metric('crossdock_delivery_attempts_total{destination="node:tpl-east",outcome="in_doubt"}')
        print(f"\nno-key partner: blind resend duplicate_effects={control['duplicate_effects']} "
              f"(timeouts {control['timeouts_injected']}); with lookup duplicate_effects={stats['duplicate_effects']} "
              f"(timeouts {stats['timeouts_injected']}, in_doubt {in_doubt:.0f}, resolved_by_lookup {resolved:.0f})")
        self.assertGreater(control["duplicate_effects"], 0)
        self.assertGreater(stats["timeouts_injected"], 0)
        self.assertEqual(stats["duplicate_effects"], 0)
        self.assertGreater(resolved, 0)

    def test_one_partner_outage_does_not_stop_the_others(self):
        # Two 3PLs: orders to Canada go to tpl-west, the rest to tpl-east. East becomes slow
        # (every answer after 2.5 s), then down; west must keep its normal pace throughout.
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        east = Sim(url, node="tpl-east", ship_delay_ms=20, extra=("--threads", "16"))
        west = Sim(url, node="tpl-west", ship_delay_ms=20)
        cd = Crossdock(east, port=port, more_sims=[west],
                       routing_rules="{country: CA, node: tpl-west}").start()
        self.addCleanup(west.stop)
        self.addCleanup(east.stop)
        self.addCleanup(cd.stop)
        east.faults(slow_ms=2500)
        client = cd.channel()
        ops = cd.operator()
        west_ids, east_ids = [], []
        for i in range(120):
            for country, bucket, prefix in (("CA", west_ids, "W"), ("US", east_ids, "E")):
                order = make_order(f"ISO-{prefix}-{i}")
                order["ship_to"]["country"] = country
                status, _, body = client.json("POST", "/v1/orders", order,
                                              {"Idempotency-Key": f"iso-{prefix}-{i}"})
                self.assertEqual(status, 201, body)
                bucket.append(body["id"])
            if i == 60:
                east.faults(slow_ms=0, down=True)
            time.sleep(0.02)
        wait_until(lambda: west.stats()["effects"] >= 120, 30, interval=0.1, what="west delivered")
        releases = []
        for oid in west_ids:
            _, _, view = ops.json("GET", f"/v1/orders/{oid}")
            f = view["fulfillment"]
            if "dispatched_at" in f:
                t = lambda s: time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) + float(s[19:-1] or 0)
                releases.append((t(f["dispatched_at"]) - t(f["received_at"])) * 1000)
        east_done = east.stats()["effects"]
        client.close()
        ops.close()
        print(f"\nisolation: west delivered={west.stats()['effects']}/120 "
              f"west_release_p50_ms={percentile(releases, 50):.0f} west_release_p99_ms={percentile(releases, 99):.0f} "
              f"east delivered={east_done}/120 while slow then down")
        self.assertEqual(west.stats()["effects"], 120)
        self.assertEqual(len(releases), 120)
        # A slow or dead east must not hold west's orders behind it.
        self.assertLess(percentile(releases, 99), 2000)
        self.assertLess(east_done, 120)


if __name__ == "__main__":
    unittest.main(verbosity=2)
