"""Section 9 (issue 13): a role shared with a Dask cluster of 4 workers (`dask scheduler` + `dask worker`
processes on 127.0.0.1 with a clean environment), driven from its own kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.table import Row
from jupyter_awsrole.sandbox_env import sandbox_environment

WORKERS = 4
PROFILE, OTHER = "analyst", "ci"  # neither needs a code; both cached after the warm-up

SHARED_SWITCH = r"""
import json as _bj, time as _bt, jupyter_awsrole
from distributed import Client
from jupyter_awsrole.worker_plugin import applied as _applied
_bip = get_ipython()
_bpc = _bt.perf_counter
def _bmagic(line):
    t = _bpc()
    _bip.run_line_magic("awsrole", line)
    return _bpc() - t
_c = Client("{address}", timeout=30)
_c.wait_for_workers({workers}, timeout=60)
_profiles = ["{other}", "{profile}"]
for _ in range(3):
    _bmagic("{other}"); _bmagic("{profile}")
_plain = [_bmagic(_profiles[i % 2]) for i in range({n})]
_share = jupyter_awsrole.share_with(_c)
for _ in range(3):
    _bmagic("{other}"); _bmagic("{profile}")
_shared, _until = [], []
for i in range({n}):
    _want = _profiles[i % 2]
    _shared.append(_bmagic(_want))
    _returned = _bpc()
    while True:  # every worker says which push it took: the profile, no secret
        _seen = _c.run(_applied)
        if len(_seen) == {workers} and all(v[1] == _want for v in _seen.values()):
            break
    _until.append(_bpc() - _returned)
_share.stop()
_c.close()
print("BENCH " + _bj.dumps(dict(plain=_plain, shared=_shared, until=_until)))
"""


def rows(aws: Any, tmp: Path, n: int) -> list[Row]:
    """Start the cluster and a kernel, measure, stop both; rows that say n/a if something failed."""
    from tests.support.dask_cluster import DaskCluster
    from tests.support.kernel import Kernel

    titles = [
        f"from %awsrole returning until all {WORKERS} workers act as the new role (client.run confirms)",
        f"%awsrole {PROFILE} <-> {OTHER}, cached, no cluster shared",
        f"same, shared with {WORKERS} workers (the push included)",
    ]
    cluster = DaskCluster(tmp / "dask", aws.endpoint)
    kernel = None
    try:
        cluster.start_scheduler()
        for i in range(WORKERS):
            cluster.start_worker(f"w{i + 1}")
        home = tmp / "home-dask"
        kernel = Kernel(sandbox_environment(aws.env(), home), cwd=str(tmp))
        kernel.run(f"%load_ext jupyter_awsrole\n%awsrole {PROFILE}\n%awsrole {OTHER}").ok()
        run = kernel.run(
            SHARED_SWITCH.format(address=cluster.address, workers=WORKERS, n=n, profile=PROFILE, other=OTHER),
            timeout=600,
        )
        if run.error is not None:
            raise RuntimeError(f"{run.error.get('ename')}: {run.error.get('evalue')}"[:100])
        line = next(li for li in reversed(run.stdout.splitlines()) if li.startswith("BENCH "))
        got = json.loads(line[len("BENCH ") :])
    except (RuntimeError, OSError, StopIteration, TimeoutError) as exc:
        return [Row("9", what, value=f"n/a ({exc})"[:120], kind="text") for what in titles]
    finally:
        if kernel is not None:
            kernel.stop()
        cluster.stop()
    until = Row("9", titles[0], got["until"], goal="< 100 ms", check=lambda v: v < 0.1)
    plain = Row("9", titles[1], got["plain"])
    shared = Row("9", titles[2], got["shared"])
    added = shared.median - plain.median
    return [
        until,
        plain,
        shared,
        Row(
            "9",
            f"added time of %awsrole while {WORKERS} workers share the role",
            value=f"{added * 1e3:.2f} ms",
            kind="text",
            goal="(reported)",
        ),
    ]
