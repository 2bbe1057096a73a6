"""Validates docs/openapi.json as an OpenAPI 3.1 document with openapi-spec-validator (which
checks the document against the OpenAPI 3.1 schema and resolves every $ref), and checks that it
is what scripts/gen_openapi.py generates today.

Debian 12 packages no OpenAPI 3.1 validator. The check uses openapi-spec-validator from any
python3 on PATH that has it (pip package `openapi-spec-validator`); without one it exits 77,
which CTest reports as skipped, never as passed.

Run: /usr/bin/python3 tests/schema/test_openapi.py
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "openapi.json"
CHECK = (
    "import json, sys\n"
    "from openapi_spec_validator import validate\n"
    "doc = json.load(open(sys.argv[1]))\n"
    "assert doc['openapi'].startswith('3.1.'), doc['openapi']\n"
    "validate(doc)\n"
    "print('valid OpenAPI', doc['openapi'], '-', len(doc['paths']), 'paths')\n")


def interpreters():
    seen = set()
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/local/bin"]:
        exe = shutil.which("python3", path=d)
        if exe and os.path.realpath(exe) not in seen:
            seen.add(os.path.realpath(exe))
            yield exe


def main():
    gen = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_openapi.py"), "--check"])
    if gen.returncode != 0:
        return 1
    for exe in interpreters():
        probe = subprocess.run([exe, "-c", "import openapi_spec_validator"],
                               capture_output=True)
        if probe.returncode != 0:
            continue
        result = subprocess.run([exe, "-c", CHECK, str(DOC)], capture_output=True, text=True)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr[-4000:])
        return result.returncode
    print("SKIPPED: no python3 on PATH has openapi-spec-validator; the OpenAPI 3.1 document was "
          "not validated")
    return 77


if __name__ == "__main__":
    sys.exit(main())
