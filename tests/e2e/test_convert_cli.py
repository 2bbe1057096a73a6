"""The format commands against the real binary: `crossdock convert` for every supported
format and `crossdock x12 parse|validate`, with their documented exit codes (0 converted or
clean, 1 invalid input with every error's position, 2 bad usage or unreadable file).

Run: CROSSDOCK_BIN_DIR=build/bin python3 tests/e2e/test_convert_cli.py
"""
import json
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CROSSDOCK, ROOT  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def run(*args, stdin=None):
    p = subprocess.run([CROSSDOCK, *map(str, args)], input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class ConvertTest(unittest.TestCase):
    def test_each_order_format_prints_its_expected_canonical_order(self):
        for fmt, name in (("shopify", "order_two_lines"), ("woocommerce", "order_with_skus"),
                          ("amazon", "order_unshipped")):
            with self.subTest(fmt):
                code, out, err = run("convert", "--from", fmt, GOLDEN / fmt / f"{name}.json")
                self.assertEqual(code, 0, err)
                self.assertEqual(out.strip(),
                                 (GOLDEN / fmt / f"{name}.expected.json").read_text().strip())

    def test_invalid_input_lists_every_error_with_its_pointer(self):
        code, out, err = run("convert", "--from", "shopify",
                             GOLDEN / "partners" / "shopify_python_api" / "order.json")
        self.assertEqual(code, 1)
        self.assertIn("/order/total_line_items_price", err)
        code, out, _ = run("convert", "--from", "amazon", "--json",
                           GOLDEN / "partners" / "selling-partner-api-models" /
                           "ordersV0.json.getOrder.200.example.json")
        self.assertEqual(code, 1)
        pointers = {e["pointer"] for e in json.loads(out)["errors"]}
        self.assertIn("/payload/OrderStatus", pointers)
        code, _, err = run("convert", "--from", "canonical", "-", stdin=b'{"channel": ')
        self.assertEqual(code, 1)
        self.assertIn("byte", err)

    def test_bad_usage_exits_2(self):
        self.assertEqual(run("convert", "--from", "edifact", GOLDEN / "csv" / "snapshot.csv")[0], 2)
        self.assertEqual(run("convert", "--from", "shopify", "/no/such/file")[0], 2)
        self.assertEqual(run("x12", "lint", GOLDEN / "x12" / "project" / "945_shipped.edi")[0], 2)

    def test_csv_snapshot_with_a_mapping(self):
        code, out, err = run("convert", "--from", "csv", "--mapping", GOLDEN / "csv" / "mapping.yaml",
                             GOLDEN / "csv" / "snapshot.csv")
        self.assertEqual(code, 0, err)
        reports = {r["node"]: r["levels"] for r in json.loads(out)["reports"]}
        self.assertEqual(reports["east"][0], {"sku": "MUG-BLUE", "on_hand": 12,
                                              "as_of": "2026-11-28T06:00:00.000Z"})
        self.assertEqual(len(reports["west"]), 1)
        code, _, err = run("convert", "--from", "csv", "--as-of", "2026-11-28T00:00:00Z", "-",
                           stdin=b"sku,on_hand\nA,x\n")
        self.assertEqual(code, 1)
        self.assertIn("line 2, column 2 (on_hand)", err)

    def test_a_shipment_in_each_channels_shape(self):
        """A canonical shipment of a decoded channel order, converted back to the channel."""
        cases = (("shopify", "order_two_lines", ["466157049", "518995019"], ["--location-id", "905684977"]),
                 ("woocommerce", "order_with_skus", ["315", "316"], []),
                 ("amazon", "order_unshipped", ["68828574383266", "79039765272157"],
                  ["--marketplace-id", "ATVPDKIKX0DER"]))
        tmp = Path(subprocess.check_output(["mktemp", "-d"]).decode().strip())
        for fmt, name, lines, options in cases:
            with self.subTest(fmt):
                shipment = tmp / f"{fmt}.shipment.json"
                shipment.write_text(json.dumps({
                    "order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF", "partner_event_id": "e-1",
                    "shipped_at": "2026-11-28T09:30:00Z", "carrier": "UPS", "service": "Ground",
                    "tracking_number": "1Z001",
                    "packages": [{"tracking_number": "1Z001",
                                  "lines": [{"line_id": l, "sku": "X", "quantity": 1}]}
                                 for l in lines]}))
                code, out, err = run("convert", "--from", "shipment", "--to", fmt,
                                     "--order", GOLDEN / fmt / f"{name}.expected.json",
                                     *options, shipment)
                self.assertEqual(code, 0, err)
                doc = json.loads(out)
                if fmt == "shopify":
                    self.assertEqual([(i["id"], i["quantity"]) for i in doc["fulfillment"]["line_items"]],
                                     [(int(l), 1) for l in lines])
                    self.assertEqual(doc["fulfillment"]["location_id"], 905684977)
                elif fmt == "woocommerce":
                    self.assertEqual(doc["status"], "processing")  # 315 was ordered twice
                else:
                    self.assertEqual([d["packageDetail"]["orderItems"][0]["orderItemId"] for d in doc],
                                     lines)
        # A line the order lacks: exit 1 with the pointer; no --to: exit 2.
        bad = tmp / "bad.shipment.json"
        bad.write_text(json.dumps({"order_id": "ord_01JDXW8Z4M6Q2C1T9XK3A7B5RF",
                                   "partner_event_id": "e-2", "carrier": "UPS",
                                   "packages": [{"lines": [{"line_id": "999", "sku": "X",
                                                            "quantity": 1}]}]}))
        code, _, err = run("convert", "--from", "shipment", "--to", "shopify", "--order",
                           GOLDEN / "shopify" / "order_two_lines.expected.json", bad)
        self.assertEqual(code, 1)
        self.assertIn("/packages/0/lines/0/line_id: the order has no line '999'", err)
        code, _, err = run("convert", "--from", "shipment", bad)
        self.assertEqual(code, 2)
        self.assertIn("needs --to", err)

    def test_x12_purchase_orders_convert_to_canonical_orders(self):
        code, out, err = run("convert", "--from", "x12", "--channel", "edi-xyz",
                             GOLDEN / "x12" / "EdiEngine" / "850.OK.edi")
        self.assertEqual(code, 0, err)
        orders = json.loads(out)
        self.assertEqual([(o["channel"], o["external_ref"], len(o["lines"])) for o in orders],
                         [("edi-xyz", "08292233294", 6)])
        self.assertEqual(orders[0]["totals"]["grand_total"], "13045.94")
        code, out, err = run("convert", "--from", "x12", GOLDEN / "x12" / "x12-types" / "004010_850.edi")
        self.assertEqual(code, 1)
        self.assertRegex(err, r"segment \d+ \(PO1\) element 3 at byte \d+: PO103 unit 'CA'")
        code, out, _ = run("convert", "--from", "x12", "--json",
                           GOLDEN / "x12" / "EdiEngine" / "850.SyntaxNotes.ERR.edi")
        self.assertEqual(code, 1)
        errors = json.loads(out)["errors"]
        self.assertEqual((errors[0]["segment_id"], errors[0]["element"]), ("PO1", 7))
        code, _, err = run("convert", "--from", "x12", GOLDEN / "x12" / "staedi" / "simple997.edi")
        self.assertEqual(code, 1)
        self.assertIn("no 850 purchase order in the file", err)

    def test_a_mapped_partner_converts_and_its_samples_are_checked(self):
        """A partner without a built-in codec: its declarative mapping reads its documents, and
        `crossdock partner check` runs its samples against the expected output beside them."""
        acme = GOLDEN / "mapping" / "acme"
        tmp = Path(subprocess.check_output(["mktemp", "-d"]).decode().strip())
        config = tmp / "crossdock.yaml"

        def write_config(samples):
            config.write_text(
                "partners:\n"
                f"  - {{id: acme, kind: channel, api_keys: [FAKE-ACME-KEY], "
                f"mapping: {acme / 'acme.mapping.yaml'}, samples: {samples}}}\n"
                "nodes: [{id: east, url: 'http://127.0.0.1:1/o'}]\n"
                "routing: {default_node: east}\n")
            config.chmod(0o600)
        write_config(acme / "samples")
        code, out, err = run("partner", "check", "acme", "--config", config)
        self.assertEqual(code, 0, out + err)
        self.assertIn("acme: 2 of 2 samples as expected", out)
        code, out, err = run("convert", "--from", "acme", "--config", config,
                             acme / "samples" / "order_1.json")
        self.assertEqual(code, 0, err)
        self.assertEqual(out.strip(), (acme / "samples" / "order_1.expected.json").read_text().strip())
        code, _, err = run("convert", "--from", "acme", "--config", config,
                           acme / "samples" / "order_unmapped.json")
        self.assertEqual(code, 1)
        self.assertIn("/items/0/partNumber: 'A-999' is not in lookup 'sku'", err)
        # A sample whose expected output no longer matches fails the check, naming where.
        broken = tmp / "samples"
        broken.mkdir()
        (broken / "order_1.json").write_text((acme / "samples" / "order_1.json").read_text())
        (broken / "order_1.expected.json").write_text(
            (acme / "samples" / "order_1.expected.json").read_text().replace("SKU-RED", "SKU-PINK"))
        write_config(broken)
        code, out, _ = run("partner", "check", "acme", "--config", config, "--json")
        self.assertEqual(code, 1)
        summary = json.loads(out)
        self.assertEqual((summary["samples"], summary["failed"]), (1, 1))
        self.assertIn("differs at byte", summary["results"][0]["detail"])
        code, _, err = run("partner", "check", "nobody", "--config", config)
        self.assertEqual(code, 2)
        self.assertIn("no partner 'nobody'", err)

    def test_x12_parse_and_validate(self):
        code, out, _ = run("x12", "parse", GOLDEN / "x12" / "EdiEngine" / "940.OK.edi")
        self.assertEqual(code, 0)
        tree = json.loads(out)
        self.assertEqual(tree["interchanges"][0]["groups"][0]["sets"][0]["code"], "940")
        code, out, err = run("x12", "validate", GOLDEN / "x12" / "EdiEngine" / "940_Failed_SE01.edi")
        self.assertEqual(code, 1)
        self.assertIn("(SE) element 1", err)
        self.assertIn("AK5*R*5*4", out)  # its W01 lacks W0101 (5), its SE01 is wrong (4)
        self.assertIn("AK3*W01*5**8", out)
        # Envelopes that agree, content the dictionary refuses: a W0602 over 22 characters.
        code, out, err = run("x12", "validate", "--json", GOLDEN / "x12" / "project" / "945_shipped.edi")
        self.assertEqual(code, 1)
        report = json.loads(out)
        self.assertEqual(report["errors"], [])
        self.assertEqual([(e["segment_id"], e["element"]) for e in report["set_errors"]], [("W06", 2)])
        code, _, err = run("x12", "validate", GOLDEN / "x12" / "EdiEngine" / "850.OK.edi")
        self.assertEqual(code, 0, err)
        code, out, _ = run("x12", "validate", "--json", GOLDEN / "x12" / "EdiEngine" / "NonEdi.edi")
        self.assertEqual(code, 1)
        self.assertFalse(json.loads(out)["readable"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
