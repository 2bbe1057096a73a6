"""The command line as a user meets it: `crossdock demo --orders 2000 --json` and --help."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import CROSSDOCK, SIM  # noqa: E402

DEMO_ORDERS = int(os.environ.get("CROSSDOCK_DEMO_ORDERS", "2000"))


class DemoCliTest(unittest.TestCase):
    def test_demo_json_summary(self):
        out = subprocess.run([CROSSDOCK, "demo", "--orders", str(DEMO_ORDERS), "--json"],
                             capture_output=True, text=True, timeout=600)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\ndemo: {json.dumps(summary)}")
        self.assertEqual(summary["accepted"], DEMO_ORDERS)
        self.assertEqual(summary["shipped"], DEMO_ORDERS)
        self.assertEqual(summary["lost"], 0)
        self.assertEqual(summary["duplicate_effects"], 0)
        self.assertGreater(summary["release_latency_ms"]["p99"], 0)
        self.assertGreaterEqual(summary["release_latency_ms"]["p99"], summary["release_latency_ms"]["p50"])

    def test_every_command_has_help(self):
        for argv in ([CROSSDOCK, "--help"], [CROSSDOCK, "serve", "--help"],
                     [CROSSDOCK, "demo", "--help"], [CROSSDOCK, "config", "--help"],
                     [CROSSDOCK, "version", "--help"], [SIM, "--help"], [SIM, "3pl", "--help"],
                     [SIM, "generate", "--help"]):
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, argv)
            self.assertIn("Usage", out.stdout, argv)
            self.assertGreater(len(out.stdout), 200, argv)

    def test_bad_usage_exits_2_with_a_message(self):
        out = subprocess.run([CROSSDOCK, "serve", "--config", "/nonexistent.yaml"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("cannot read config file /nonexistent.yaml", out.stderr)
        out = subprocess.run([CROSSDOCK, "frobnicate"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
