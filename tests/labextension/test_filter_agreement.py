"""The lab switcher filters profiles by the kernel's rule: labextension/src/filter.ts and listing.matching agree.

The kernel filters and pages the switcher's rows (`list` with `filter`); the switcher narrows the rows it has at once
as the user types, by filter.ts, until the kernel's answer comes: the two must agree or rows would come and go."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from jupyter_awsrole.listing import ProfileInfo, matching

LAB = Path(__file__).resolve().parents[2] / "labextension"
TYPESCRIPT = LAB / "node_modules" / "typescript"

# filter.ts compiled in memory by the extension's own TypeScript, then run on every case.
RUN = r"""
const fs = require('fs');
const ts = require(process.argv[1]);
const source = fs.readFileSync(process.argv[2], 'utf8');
const options = { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } };
const module = { exports: {} };
new Function('module', 'exports', ts.transpileModule(source, options).outputText)(module, module.exports);
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const found = cases.map(([names, query]) => module.exports.matching(names.map(name => ({ name })), query));
process.stdout.write(JSON.stringify(found.map(rows => rows.map(row => row.name))));
"""

NAMES = ["marketingadmin", "Analyst", "data team", "team-0042-admin", "ÄRGER", "straße", "İstanbul",
         "ΣΊΣΥΦΟΣ", "a\x1cb", "a\ufeffb", "a\x85b", "ci"]
QUERIES = ["", "   ", "MARKET", "market admin", "admin market", "team 42", "team-42", "ärg", "STRASSE", "straße",
           "i̇stan", "istan", "σίσυφος", "σισυφοσ", "a\x1cb", "a\ufeffb", "a\x85b", "a\u3000b", "c", "zzz", "\t ci \n"]


def test_the_switcher_and_the_kernel_filter_alike():
    node = shutil.which("node")
    if node is None or not TYPESCRIPT.is_dir():
        pytest.fail("node and labextension/node_modules are needed: `make test` installs them")
    cases = [(NAMES, query) for query in QUERIES]
    done = subprocess.run([node, "-e", RUN, str(TYPESCRIPT), str(LAB / "src" / "filter.ts")],
                          input=json.dumps(cases), capture_output=True, text=True, timeout=60, check=True)
    rows = [ProfileInfo(name, "role", "", "", False, "") for name in NAMES]
    expected = [[row.name for row in matching(rows, query)] for query in QUERIES]
    assert json.loads(done.stdout) == expected
    assert expected[QUERIES.index("market admin")] == ["marketingadmin"]  # the cases do tell rules apart
