"""Black-box harness: starts the real `crossdock` and `crossdock-sim` binaries and talks to
them only over HTTP (and, after a run, reads the SQLite file to count rows).

Binaries come from $CROSSDOCK_BIN_DIR (set by CTest) or ../../build/bin.
"""
import base64
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("CROSSDOCK_BIN_DIR", ROOT / "build" / "bin"))
CROSSDOCK = str(BIN_DIR / "crossdock")
SIM = str(BIN_DIR / "crossdock-sim")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    """A small keep-alive JSON client for one base URL. Not thread-safe: one per thread."""

    def __init__(self, base, key=None, timeout=10):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.key, self.timeout = u.hostname, u.port, key, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {"Accept": "application/json"}
        if self.key:
            h["Authorization"] = "Bearer " + self.key
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=h)
                resp = self.conn.getresponse()
                payload = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, dict(resp.getheaders()), payload
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, headers=None):
        status, hdrs, payload = self.request(method, path, body, headers)
        return status, hdrs, (json.loads(payload) if payload else None)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Sim:
    """crossdock-sim 3pl as a child process."""

    def __init__(self, crossdock_url, node="tpl-east", ship_delay_ms=100, extra=()):
        self.api_key = secrets.token_hex(16)       # the node's key at Crossdock
        self.inbound_key = secrets.token_hex(16)   # what Crossdock must present to the node
        self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        env = dict(os.environ, CROSSDOCK_SIM_API_KEY=self.api_key,
                   CROSSDOCK_SIM_INBOUND_KEY=self.inbound_key,
                   CROSSDOCK_SIM_WEBHOOK_SECRET=self.webhook_secret)
        self.node = node
        self.proc = subprocess.Popen(
            [SIM, "3pl", "--listen", "127.0.0.1:0", "--node", node, "--crossdock-url", crossdock_url,
             "--ship-delay-ms", str(ship_delay_ms), *extra],
            stdout=subprocess.PIPE, env=env, text=True)
        hello = json.loads(self.proc.stdout.readline())
        self.url = "http://" + hello["listening"]
        self.http = Http(self.url)

    def stats(self):
        return self.http.json("GET", "/sim/stats")[2]

    def faults(self, **switches):
        """Sets fault switches at run time (see crossdock-sim 3pl --help)."""
        status, _, body = self.http.json("POST", "/sim/faults", switches)
        assert status == 200, body

    def effects(self):
        return self.http.json("GET", "/sim/effects")[2]

    def stop(self):
        self.http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


class Crossdock:
    """`crossdock serve` as a child process on a config written for the test."""

    DEFAULT_NODE_OPTIONS = ("timeout_ms: 3000\n"
                            "    retry: {initial_backoff_ms: 50, max_backoff_ms: 1000, max_attempts: 1000}")

    def __init__(self, sim, data_dir=None, port=None, extra_config="", node_options=None,
                 more_sims=(), routing_rules="", extra_nodes=""):
        """`more_sims`: further simulated nodes (each gets a partner and a node entry);
        `routing_rules`: YAML list items under routing.rules to send orders to them;
        `extra_nodes`: YAML list items appended to nodes (nodes that are not simulators)."""
        self.dir = Path(data_dir or tempfile.mkdtemp(prefix="crossdock-e2e-"))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.channel_key = secrets.token_hex(16)
        self.operator_key = secrets.token_hex(16)
        self.sim = sim
        self.config = self.dir / "crossdock.yaml"
        self.config.write_text(f"""
listen: 127.0.0.1:{self.port}
data_dir: {self.dir / 'data'}
log_file: {self.dir / 'crossdock.log'}
partners:
  - {{id: webshop, kind: channel, api_keys: ["{self.channel_key}"]}}
  - {{id: ops, kind: operator, api_keys: ["{self.operator_key}"]}}
  - {{id: {sim.node}, kind: 3pl, api_keys: ["{sim.api_key}"]}}
{"".join(f'  - {{id: {s.node}, kind: 3pl, api_keys: ["{s.api_key}"]}}' + chr(10) for s in more_sims)}nodes:
  - id: {sim.node}
    url: {sim.url}/orders
    cancel_url: {sim.url}/orders/cancel
    api_key: "{sim.inbound_key}"
    {node_options or self.DEFAULT_NODE_OPTIONS}
{"".join(f'  - id: {s.node}' + chr(10) + f'    url: {s.url}/orders' + chr(10) + f'    cancel_url: {s.url}/orders/cancel' + chr(10) + f'    api_key: "{s.inbound_key}"' + chr(10) + '    ' + self.DEFAULT_NODE_OPTIONS + chr(10) for s in more_sims)}{extra_nodes}routing:
  default_node: {sim.node}
  rules: [{routing_rules}]
subscribers:
  - id: sim-webhooks
    url: {sim.url}/sim/webhooks
    secret: "{sim.webhook_secret}"
{extra_config}
""")
        os.chmod(self.config, 0o600)
        self.proc = None
        self.last_ready_seconds = None

    def start(self, timeout=15):
        t0 = time.monotonic()
        self.proc = subprocess.Popen([CROSSDOCK, "serve", "--config", str(self.config)],
                                     stdout=subprocess.DEVNULL)
        probe = Http(self.url, timeout=1)
        wait_until(lambda: probe.request("GET", "/readyz")[0] == 200, timeout, what="/readyz")
        probe.close()
        self.last_ready_seconds = time.monotonic() - t0
        return self

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=20)
            assert code == 0, f"crossdock exited {code} on SIGTERM"

    def channel(self):
        return Http(self.url, self.channel_key)

    def operator(self):
        return Http(self.url, self.operator_key)

    def metric(self, name_with_labels):
        """The value of one Prometheus sample, 0 when absent."""
        client = Http(self.url)
        _, _, body = client.request("GET", "/metrics")
        client.close()
        for line in body.decode().splitlines():
            if line.startswith(name_with_labels + " "):
                return float(line.split()[-1])
        return 0.0

    def peak_rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return -1


def make_order(ref, lines=2, channel="web"):
    """A valid canonical order whose totals add up."""
    items = []
    subtotal = 0
    for i in range(lines):
        qty, cents = 1 + i, 1000 + 250 * i
        subtotal += qty * cents
        items.append({"line_id": str(i + 1), "sku": f"SKU-{i + 1}", "quantity": qty,
                      "unit_price": f"{cents // 100}.{cents % 100:02d}"})
    total = subtotal + 599
    money = lambda c: f"{c // 100}.{c % 100:02d}"
    return {
        "channel": channel, "external_ref": ref, "currency": "USD",
        "customer": {"name": "Test Buyer", "email": "buyer@example.com"},
        "ship_to": {"name": "Test Buyer", "line1": "1 Main St", "city": "Reno", "region": "NV",
                    "postal_code": "89501", "country": "US"},
        "lines": items,
        "shipping": [{"method": "Ground", "amount": "5.99"}],
        "totals": {"subtotal": money(subtotal), "discount_total": "0.00", "tax_total": "0.00",
                   "shipping_total": "5.99", "grand_total": money(total)},
    }
