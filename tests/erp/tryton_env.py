"""A real Tryton 6.0 server for the tests, on loopback, with an SQLite database.

`TrytonServer` creates a throw-away database, activates the modules Crossdock uses (sale,
sale_credit_limit, account_invoice, stock), sets up a company with a chart of accounts, a fiscal
year with invoice sequences, a payment term and the products of the test catalogue, then starts
`trytond` and waits for its JSON-RPC endpoint. Setting up takes about a minute; the database can be
cached between runs with TRYTON_TEMPLATE_DB (a path; reused if it exists).

Runs with Debian's /usr/bin/python3, where trytond and proteus live; the test harness may run on
another Python.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
DB_NAME = "crossdock"
ADMIN_LOGIN = "admin"

# The catalogue the ERP knows: SKU (product code) → (name, list price).
CATALOGUE = {
    "SKU-RED": ("Red widget", "12.50"),
    "SKU-BLUE": ("Blue widget", "8.00"),
    "SKU-GREEN": ("Green widget", "19.99"),
    "SKU-BOLT": ("Hex bolt M8", "0.35"),
}
# A customer with a credit limit, for the hold scenario (party code → limit).
CREDIT_LIMITED = {"b2b:ACME-LOW": "50.00"}

SETUP = r'''
import datetime, json, sys
from decimal import Decimal
from proteus import Model, config as pconfig
cfg = pconfig.set_trytond(sys.argv[1], config_file=sys.argv[2])
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.modules.account.tests.tools import create_fiscalyear, create_chart, get_accounts
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences, create_payment_term)
catalogue = json.loads(sys.argv[3])
credit = json.loads(sys.argv[4])
_ = create_company()
company = get_company()
today = datetime.date.today()
for year in (today.year - 1, today.year, today.year + 1):
    fy = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company, today=datetime.date(year, 6, 1)))
    fy.click('create_period')
_ = create_chart(company)
accounts = get_accounts(company)
term = create_payment_term()
term.save()
Category = Model.get('product.category')
cat = Category(name='Goods', accounting=True)
cat.account_expense = accounts['expense']
cat.account_revenue = accounts['revenue']
cat.save()
Uom = Model.get('product.uom')
unit, = Uom.find([('name', '=', 'Unit')])
Template = Model.get('product.template')
for code, (name, price) in catalogue.items():
    t = Template(name=name, code=code, default_uom=unit, type='goods', salable=True,
                 list_price=Decimal(price), account_category=cat)
    t.save()
Journal = Model.get('account.journal')
PaymentMethod = Model.get('account.invoice.payment.method')
cash_journal, = Journal.find([('type', '=', 'cash')])
PaymentMethod(name='Cash', journal=cash_journal, credit_account=accounts['cash'],
              debit_account=accounts['cash']).save()
Party = Model.get('party.party')
for code, limit in credit.items():
    party = Party(name=code, code=code, credit_limit_amount=Decimal(limit))
    party.customer_payment_term = term
    party.save()
print('setup done')
'''


PAY = r'''
import sys
from proteus import Model, Wizard, config as pconfig
pconfig.set_trytond(sys.argv[1], config_file=sys.argv[2])
from trytond.modules.company.tests.tools import get_company
User = Model.get('res.user')
pconfig.get_config()._context = User.get_preferences(True, {})
Invoice = Model.get('account.invoice')
PaymentMethod = Model.get('account.invoice.payment.method')
invoice = Invoice(int(sys.argv[3]))
pay = Wizard('account.invoice.pay', [invoice])
pay.form.payment_method, = PaymentMethod.find()
pay.execute('choice')
invoice.reload()
print('invoice', invoice.id, invoice.state)
'''


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TrytonServer:
    def __init__(self, workdir=None, log=sys.stderr):
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="crossdock-tryton-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.password = "tryton-test-" + os.urandom(6).hex()
        self.proc = None
        self.log = log
        self.conf = self.dir / "trytond.conf"
        self.passfile = self.dir / "admin.pass"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/{DB_NAME}/"

    def _env(self):
        env = dict(os.environ)
        env["TRYTONPASSFILE"] = str(self.passfile)
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONHOME", None)
        env["DB_NAME"] = DB_NAME  # read by Tryton's test tools, which the set-up uses
        return env

    def _write_conf(self):
        self.conf.write_text(
            "[database]\nuri = sqlite://\npath = %s\n"
            "[web]\nlisten = 127.0.0.1:%d\n"
            "[session]\ntimeout = 86400\nmax_attempt = 1000\n" % (self.dir, self.port))
        self.passfile.write_text(self.password + "\n")
        os.chmod(self.passfile, 0o600)

    def create(self):
        """Creates and populates the database (about a minute), or copies the cached one."""
        self._write_conf()
        db = self.dir / (DB_NAME + ".sqlite")
        template = os.environ.get("TRYTON_TEMPLATE_DB")
        if template and Path(template).exists():
            shutil.copy(template, db)
            self._set_admin_password()
            return
        db.touch()  # trytond-admin needs the file to exist
        t0 = time.monotonic()
        subprocess.run(
            ["trytond-admin", "-c", str(self.conf), "-d", DB_NAME, "--all",
             "--email", "admin@example.invalid", "-u", "sale", "sale_credit_limit",
             "account_invoice", "stock", "--activate-dependencies"],
            env=self._env(), check=True, stdout=subprocess.DEVNULL, stderr=self.log)
        print(f"tryton: modules activated in {time.monotonic() - t0:.0f} s", file=self.log)
        subprocess.run(
            [SYSTEM_PYTHON, "-c", SETUP, DB_NAME, str(self.conf), json.dumps(CATALOGUE),
             json.dumps(CREDIT_LIMITED)],
            env=self._env(), check=True, stdout=self.log, stderr=self.log, cwd=self.dir)
        print(f"tryton: company, accounts and catalogue in {time.monotonic() - t0:.0f} s",
              file=self.log)
        if template:
            shutil.copy(db, template)

    def _set_admin_password(self):
        subprocess.run(["trytond-admin", "-c", str(self.conf), "-d", DB_NAME, "-p"],
                       env=self._env(), check=True, stdout=subprocess.DEVNULL, stderr=self.log)

    def start(self):
        with open(self.dir / "trytond.log", "ab") as log:
            self.proc = subprocess.Popen(["trytond", "-c", str(self.conf)], env=self._env(),
                                         stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.rpc("common.server.version", [], root=True)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("trytond did not start; see " + str(self.dir / "trytond.log"))

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def rpc(self, method, params, session=None, root=False):
        body = json.dumps({"id": 1, "method": method, "params": params}).encode()
        url = f"http://127.0.0.1:{self.port}/" if root else self.url
        req = urllib.request.Request(url, data=body,
                                     headers={"Content-Type": "application/json"})
        if session:
            import base64
            token = base64.b64encode(
                f"{ADMIN_LOGIN}:{session[0]}:{session[1]}".encode()).decode()
            req.add_header("Authorization", "Session " + token)
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.loads(resp.read())
        if answer.get("error"):
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def login(self):
        return self.rpc("common.db.login",
                        [ADMIN_LOGIN, {"password": self.password}, "en"])

    def pay_invoice(self, invoice_id):
        """Pays a posted customer invoice in full, as an accountant would in Tryton."""
        subprocess.run([SYSTEM_PYTHON, "-c", PAY, DB_NAME, str(self.conf), str(invoice_id)],
                       env=self._env(), check=True, stdout=self.log, stderr=self.log,
                       cwd=self.dir)

    def count(self, model, domain, session):
        return len(self.rpc(f"model.{model}.search", [domain, 0, None, None, {}], session))

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":
    # Manual use: python3 tests/erp/tryton_env.py  → sets up, starts, prints the URL, waits.
    srv = TrytonServer()
    srv.create()
    srv.start()
    print(srv.url, "password in", srv.passfile, flush=True)
    try:
        signal.pause()
    finally:
        srv.cleanup()
