"""The benchmark of issue 6: `python -m benchmarks.run` prints one table of figures and goals.

Everything runs against a local AWS that this script starts (and stops, also on error), with HOME set
to a temporary folder so ~/.aws is never read or written.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from benchmarks import cells, dask_sharing
from benchmarks.table import (
    REPEATS,
    Row,
    flips_markdown,
    flips_plain,
    markdown,
    plain,
    ratio,
    repeated,
    repeated_ratio,
)
from jupyter_awsrole.sandbox_env import sandbox_environment

HERE = Path(__file__).resolve().parent
AWSUME_VENV = HERE / ".venv-awsume"
LATEST = HERE / "latest.md"

PROFILE = "analyst"  # no MFA; cached after the first switch
MFA_PROFILE = "marketingadmin"  # user1 -> marketingadmin, MFA
CHAIN_PROFILE = "audit"  # user1 -> marketingadmin -> reporting -> audit
SCALE_PROFILES = 5000
SECTIONS = "123456789"
KERNEL_A = "12368"  # the sections measured in kernel A (warm-up switches first)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- machine ---------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for name in ("boto3", "botocore", "ipykernel", "s3fs", "pandas"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:
            pass
    try:
        load = (
            "load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
            + " at the end (other work on the machine adds noise)"
        )
    except OSError:
        load = ""
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} ({platform.system()}); "
        + ", ".join(versions)
        + (f"; {load}" if load else "")
    )


# -- kernels ---------------------------------------------------------------------------


def bench(kernel: Any, code: str, answers: Any = ()) -> tuple[dict, Any]:
    """Run a cell and return its `BENCH {json}` line and the Run (prompts, output)."""
    run = kernel.run(code, answers=answers, timeout=300)
    if run.error is not None:
        raise RuntimeError(f"benchmark cell failed: {run.error.get('ename')}: {run.error.get('evalue')}")
    for line in reversed(run.stdout.splitlines()):
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH ") :]), run
    raise RuntimeError("benchmark cell printed no BENCH line")


def bench_runs(kernel: Any, code: str, answers: Any = ()) -> tuple[list[dict], list[Any]]:
    """REPEATS runs of one benchmark cell: each run's figures and its Run."""
    got = [bench(kernel, code, answers) for _ in range(REPEATS)]
    return [g[0] for g in got], [g[1] for g in got]


def runs_of(results: list[dict], key: str) -> list[list[float]]:
    """One figure's samples, run by run."""
    return [r[key] for r in results]


def below(limit: float | None) -> dict[str, Any]:
    """The goal of a time row: under `limit` seconds, or reported only."""
    if limit is None:
        return {"goal": "(reported)"}
    shown = f"{limit * 1e3:g} ms" if limit < 1 else f"{limit:g} s"
    return {"goal": f"< {shown}", "check": lambda v: v < limit}


def ratio_goal(section: str, what: str, num: Row, den: Row, limit: float) -> Row:
    """A ratio row whose goal is at most `limit` (judged run by run when both rows were repeated)."""
    return repeated_ratio(section, what, num, den, goal=f"<= {limit:g}", check=lambda v: v <= limit)


def count_goal(what: str, value: int, expected: int) -> Row:
    """A section-7 count whose goal is exactly `expected`."""
    return Row("7", what, value=value, kind="count", goal=str(expected), check=lambda v: v == expected)


def kernel_env(aws: Any, home: Path) -> dict[str, str]:
    return sandbox_environment(aws.env(), home)


# -- awsume in its own venv ------------------------------------------------------------


def awsume_command(install: bool) -> tuple[list[str] | None, str]:
    """The awsumepy entry point of benchmarks/.venv-awsume, installed there on first use."""
    exe = AWSUME_VENV / "bin" / "awsumepy"
    if exe.exists():
        return [str(exe)], ""
    if not install:
        return None, "not installed (run without --no-install)"
    log("installing awsume into benchmarks/.venv-awsume (once)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(AWSUME_VENV)], check=True, capture_output=True, timeout=120)
        subprocess.run(
            [str(AWSUME_VENV / "bin" / "pip"), "install", "-q", "awsume"], check=True, capture_output=True, timeout=240
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"cannot install awsume here ({type(exc).__name__})"
    return ([str(exe)], "") if exe.exists() else (None, "awsume installed no awsumepy")


def run_awsume(cmd: list[str], args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd + args, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:  # its stdout holds credentials: never shown
        raise RuntimeError(f"awsume {args[0]} exited {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}")
    return elapsed


# -- the benchmark ---------------------------------------------------------------------


def scale_config(base: Path, path: Path, count: int) -> None:
    """The sandbox config plus `count` role profiles: teams of 10, an MFA admin each, the rest chained to it."""
    parts = [base.read_text(), "\n"]
    for i in range(count):
        team, seat = divmod(i, 10)
        name = f"team-{team}-admin" if seat == 0 else f"team-{team}-role{seat}"
        parts.append(f"[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/team{team}-{seat}\n")
        if seat == 0:
            parts.append("source_profile = user1\nmfa_serial = arn:aws:iam::123456789012:mfa/user1\n")
        else:
            parts.append(f"source_profile = team-{team}-admin\n")
        parts.append("region = eu-west-1\n\n")
    path.write_text("".join(parts))


def fresh_scale(
    aws: Any, tmp: Path, config: Path, per_run: int
) -> tuple[dict[str, list[list[float]]], dict[str, dict]]:
    """The first list of a big config in a fresh kernel (no parse or plan done before, as after a restart), for
    `%awsrole --list`, the picker and the lab switcher's comm answer, each in a kernel of its own: REPEATS runs of
    `per_run` kernels each. The extension is loaded and the picker's, comm's and ipywidgets' modules imported before
    the timer. Also each front end's last figures (the lab answer's size, whether the comm paged it)."""
    from tests.support.kernel import Kernel

    home = tmp / "home-fresh"
    home.mkdir(exist_ok=True)
    env = {**kernel_env(aws, home), "AWS_CONFIG_FILE": str(config)}
    kernel = Kernel(env, cwd=str(tmp))
    got: dict[str, list[list[float]]] = {what: [[] for _ in range(REPEATS)] for what in cells.FRESH_FIRST}
    last: dict[str, dict] = {}
    try:
        started = False
        for run in range(REPEATS):
            for _ in range(per_run):
                for what, code in cells.FRESH_FIRST.items():
                    if started:
                        kernel.restart()
                    started = True
                    kernel.run(cells.PRELUDE + cells.FRESH_SETUP).ok()
                    figures, _ = bench(kernel, code)
                    got[what][run].append(figures["first"])
                    last[what] = figures
    finally:
        kernel.stop()
    return got, last


def endpoint_rows(kernel: Any, n: dict[str, int]) -> list[Row]:
    """Section 8 (issue 12): the endpoint's figures, each beside its environment-mode baseline, same kernel.

    Guarded: in a version without `AwsRole.credential_mode` (or when a cell fails) the rows say n/a and the
    run goes on. The kernel is left in the default (endpoint) mode.
    """
    titles = [
        "one GET to the credential endpoint (botocore's ContainerMetadataFetcher, as clients fetch)",
        "first call of a fresh boto3 client: ratio endpoint / env keys",
        "%awsrole switch between two cached roles, endpoint mode",
        "RoleManager.before_cell() in the kernel, endpoint mode (timeit)",
    ]
    try:
        bench(kernel, cells.MODES.format())
        get, _ = bench_runs(kernel, cells.ENDPOINT_GET.format(profile=PROFILE, n=n["endpoint_get"]))
        fresh, _ = bench_runs(kernel, cells.FRESH_CLIENT.format(profile=PROFILE, n=n["fresh_client"]))
        switch, _ = bench_runs(kernel, cells.MODE_SWITCH.format(profile=PROFILE, other=MFA_PROFILE, n=n["cached"]))
        precell, _ = bench_runs(kernel, cells.MODE_BEFORE_CELL.format(profile=PROFILE, repeat=n["timeit_repeat"]))
    except RuntimeError as exc:
        why = f"n/a ({str(exc).removeprefix('benchmark cell failed: ')[:100]})"
        return [Row("8", what, value=why, kind="text") for what in titles]
    finally:
        kernel.run('%config AwsRole.credential_mode = "endpoint"')
    one_get = repeated("8", titles[0], runs_of(get, "botocore"), goal="< 1 ms", check=lambda v: v < 1e-3)
    new_conn = repeated(
        "8", "one GET on a new connection each time (urllib; one AWS CLI run makes one)", runs_of(get, "urllib")
    )
    bare_get = repeated(
        "8", "same GET to a bare stdlib ThreadingHTTPServer in the kernel (fixed body)", runs_of(get, "bare")
    )
    through = repeated(
        "8", "fresh boto3.Session().client('sts') + first call, through the endpoint", runs_of(fresh, "endpoint")
    )
    static = repeated("8", "same, through static env keys (environment mode)", runs_of(fresh, "environment"))
    sw_ep = repeated(
        "8",
        f"%awsrole {PROFILE} <-> {MFA_PROFILE}, cached, endpoint mode",
        runs_of(switch, "endpoint"),
        **below(1e-3),
    )
    sw_env = repeated("8", "same, environment mode", runs_of(switch, "environment"))
    return [
        one_get,
        new_conn,
        bare_get,
        repeated_ratio("8", "ratio GET endpoint / bare server, new connections", new_conn, bare_get),
        through,
        static,
        repeated_ratio("8", titles[1], through, static, goal="<= 1.1", check=lambda v: v <= 1.1),
        sw_ep,
        sw_env,
        repeated_ratio("8", "ratio cached switch endpoint / environment", sw_ep, sw_env),
        repeated("8", titles[3], runs_of(precell, "endpoint"), unit="us", goal="< 20 µs", check=lambda v: v < 20e-6),
        repeated("8", "same, environment mode", runs_of(precell, "environment"), unit="us"),
        repeated(
            "8",
            "pre_run_cell hook jupyter_awsrole._before_cell, endpoint mode",
            runs_of(precell, "endpoint_hook"),
            unit="us",
        ),
        repeated("8", "same, environment mode", runs_of(precell, "environment_hook"), unit="us"),
    ]


def measure(args: argparse.Namespace, tmp: Path, rows: list[Row], facts: dict[str, Any]) -> None:
    from jupyter_awsrole.localaws import LocalAws
    from tests.support.kernel import Kernel

    n = args.n
    want = args.sections.__contains__
    ka: Any = None
    log("starting the local AWS")
    aws = LocalAws.start(tmp / "localaws")
    kernels: list[Any] = []
    try:
        home = tmp / "home"
        home.mkdir()
        os.environ.update(aws.env())  # the in-process measurements use the sandbox too (HOME is already tmp)
        config = configparser.RawConfigParser()
        config.read(aws.config_file)
        mfa_role_arn = config.get(f"profile {MFA_PROFILE}", "role_arn")
        code_answer = lambda _prompt: aws.mfa_code()  # noqa: E731

        if any(want(section) for section in KERNEL_A):
            log("kernel A: warm-up switches")
            ka = Kernel(kernel_env(aws, home), cwd=str(tmp))
            kernels.append(ka)
            ka.run(cells.PRELUDE + "\n_bip.run_line_magic('load_ext', 'jupyter_awsrole')").ok()
            ka.run(f"%awsrole {PROFILE}").ok()
            ka.run(f"%awsrole {MFA_PROFILE}", answers=code_answer).ok()
        if want("1"):
            section_1(args, ka, aws, home, rows, facts)
        if want("3"):
            section_3(ka, n, rows)
        if want("8"):
            log("8. credential endpoint vs environment")
            rows += endpoint_rows(ka, n)
        if want("6"):
            section_6(ka, aws, tmp, n, rows, facts)
        if want("2"):
            section_2(ka, aws, n, mfa_role_arn, rows, facts)
        if want("5") or want("7"):
            home_b = tmp / "home-b"
            home_b.mkdir()
            if ka is not None:
                ka.stop()
                kernels.remove(ka)
            kb = Kernel(kernel_env(aws, home_b), cwd=str(tmp))
            kernels.append(kb)
            if want("5"):
                section_5(kb, n, rows)
            if want("7"):
                log("7. two MFA roles in one MFA session")
                aws.reset_stats()
                prompts = 0
                for line in (
                    MFA_PROFILE,
                    "reporting",
                    f"{MFA_PROFILE} --refresh",
                    CHAIN_PROFILE,
                    "reporting --refresh",
                ):
                    prompts += len(kb.run(f"%awsrole {line}", answers=code_answer).ok().prompts)
                facts["mfa_session"] = (prompts, aws.stats())
        if want("9"):
            log(f"9. a role shared with {dask_sharing.WORKERS} Dask workers")
            rows += dask_sharing.rows(aws, tmp, n["dask"])
        if want("4"):
            section_4(n, rows)
    finally:
        for k in kernels:
            try:
                k.stop()
            except Exception:
                pass
        aws.stop()
        log("local AWS stopped")
    rows += section_7(facts)


def section_1(args: argparse.Namespace, ka: Any, aws: Any, home: Path, rows: list[Row], facts: dict[str, Any]) -> None:
    """Cached switches against boto3 + the AWS CLI's cache, and awsume."""
    n = args.n
    log("1. cached switch")
    aws.reset_stats()
    cached, runs1 = bench_runs(ka, cells.CACHED_SWITCH.format(profile=PROFILE, n=n["cached"]))
    cached_mfa, run2 = bench(ka, cells.CACHED_SWITCH.format(profile=MFA_PROFILE, n=n["cached"]))
    stats = aws.stats()
    cached_prompts = sum(len(r.prompts) for r in runs1) + len(run2.prompts)
    magic = repeated(
        "1",
        f"%awsrole {PROFILE}, cached (in kernel, per call)",
        runs_of(cached, "magic"),
        **below(1e-3),
    )
    boto = repeated("1", f"boto3.Session('{PROFILE}') + CLI JSONFileCache hit", runs_of(cached, "boto3"))
    rows += [magic, Row("1", f"%awsrole {MFA_PROFILE} (MFA role), cached", cached_mfa["magic"]), boto]
    facts["cached_calls"] = (stats["sts_total"], stats["mfa_checked"], cached_prompts)

    awsume_cmd, why = awsume_command(not args.no_install)
    awsume_rows: list[Row] = []
    if awsume_cmd is None:
        awsume_rows.append(Row("1", "awsume (whole process)", value=why, kind="text"))
    else:
        log("1. awsume")
        env = kernel_env(aws, home)
        try:
            run_awsume(awsume_cmd, [MFA_PROFILE, "--mfa-token", aws.mfa_code()], env)  # opens its MFA session
            aws.reset_stats()
            plain_t = [run_awsume(awsume_cmd, [PROFILE], env) for _ in range(n["awsume"])]
            mid = aws.stats()["sts_total"]
            mfa_t = [run_awsume(awsume_cmd, [MFA_PROFILE], env) for _ in range(n["awsume"])]
            after = aws.stats()["sts_total"] - mid
            awsume_rows.append(
                Row(
                    "1",
                    f"awsume {PROFILE} (whole process; {mid / len(plain_t):g} STS call/run,"
                    " it caches no role sessions)",
                    plain_t,
                )
            )
            awsume_rows.append(
                Row(
                    "1",
                    f"awsume {MFA_PROFILE} on its MFA-session cache ({after / len(mfa_t):g} STS call/run)",
                    mfa_t,
                )
            )
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            awsume_rows = [Row("1", "awsume (whole process)", value=f"cannot run here: {exc}"[:120], kind="text")]
    rows += awsume_rows
    rows.append(
        repeated_ratio("1", "ratio boto3 path / %awsrole (cached)", boto, magic, goal=">= 5x", check=lambda v: v >= 5)
    )
    for r in awsume_rows:
        if r.samples:
            rows.append(
                Row("1", f"ratio {r.what.split(' (')[0]} / %awsrole (cached)", value=ratio(r, magic), kind="ratio")
            )


def section_3(ka: Any, n: dict[str, int], rows: list[Row]) -> None:
    """User code after a switch: boto3 clients and pandas reads."""
    # 3. user code after a switch -----------------------------------------------------
    log("3. user code after a switch")
    user, _ = bench_runs(ka, cells.USER_CODE.format(profile=PROFILE, n=n["user"]))
    for svc in ("sts", "s3"):
        first = repeated("3", f"first boto3.client('{svc}') after a switch", runs_of(user, f"{svc}_first"))
        warm = repeated("3", f"boto3.client('{svc}') on the unchanged default session", runs_of(user, f"{svc}_warm"))
        rows += [first, warm, ratio_goal("3", f"ratio first after switch / unchanged ({svc})", first, warm, 2)]
    url = "s3://marketing-data/campaigns.csv"
    pandas_res, _ = bench_runs(ka, cells.PANDAS.format(profile=MFA_PROFILE, other=PROFILE, url=url, n=n["pandas"]))
    back = repeated(
        "3", "first pd.read_csv(s3://…) after switching back to a role used before", runs_of(pandas_res, "back")
    )
    new = repeated("3", "first pd.read_csv(s3://…) as a role not used before in the kernel", runs_of(pandas_res, "new"))
    warm = repeated("3", "pd.read_csv(s3://…), warm", runs_of(pandas_res, "warm"))
    rows += [
        back,
        new,
        warm,
        ratio_goal("3", "ratio read after switching back / warm", back, warm, 1.5),
        ratio_goal("3", "ratio read as a new role / warm", new, warm, 3),
    ]


def section_6(ka: Any, aws: Any, tmp: Path, n: dict[str, int], rows: list[Row], facts: dict[str, Any]) -> None:
    """5,000 profiles: first calls in fresh kernels, after a change of the files, and repeats."""
    log(f"6. {SCALE_PROFILES} profiles")
    big = tmp / "config-5000"
    scale_config(aws.config_file, big, SCALE_PROFILES)
    scale, _ = bench_runs(
        ka,
        cells.SCALE.format(
            config=big,
            original=aws.config_file,
            n_first=n["scale_first"],
            n_repeat=n["scale_repeat"],
            lab_page=cells.LAB_PAGE,
        ),
    )
    facts["scale"] = (scale[0]["profiles"], scale[0]["shown"])
    fresh, last = fresh_scale(aws, tmp, big, n["fresh_scale"])
    count = scale[0]["profiles"]
    # The lab's rows time the comm's paged request (contracts.md); a comm that does not page yet answers every row.
    lab = "lab switcher list: comm 'list', offset 0, limit 200 (JSON)"
    if not (last["lab"]["paged"] and scale[0]["lab_paged"]):
        lab += " [comm not paged yet: every row]"
    page = "RoleManager.list_page('', 0, 200) + JSON (the core's part of it)"
    figures = [  # what, the runs' samples, goal (seconds; None: reported only)
        (f"%awsrole --list, first call in a fresh kernel ({count} profiles)", fresh["list"], 0.1),
        (
            "RolePicker(manager), first display in a fresh kernel (ipywidgets imported before)",
            fresh["picker"],
            0.15,
        ),
        (f"{lab}, first in a fresh kernel", fresh["lab"], 0.15),
        (f"{page}, first in a fresh kernel", fresh["page"], None),
        ("%awsrole --list, first call after the config file changed", runs_of(scale, "list_first"), 0.25),
        ("%awsrole --list, repeat (files unchanged)", runs_of(scale, "list_repeat"), 0.01),
        ("RolePicker(manager), first display after the config file changed", runs_of(scale, "picker_first"), 0.5),
        ("RolePicker(manager), repeat (files unchanged)", runs_of(scale, "picker_repeat"), 0.01),
        (f"picker filter keystroke 'team-42' ({scale[0]['shown']} shown)", runs_of(scale, "keystroke"), None),
        (f"{lab}, first call after the config file changed", runs_of(scale, "lab_first"), 1.0),
        (f"{lab}, repeat (files unchanged)", runs_of(scale, "lab_repeat"), 0.01),
        (f"{page}, first call after the config file changed", runs_of(scale, "page_first"), None),
        (f"{page}, repeat (files unchanged)", runs_of(scale, "page_repeat"), 0.01),
    ]
    rows += [repeated("6", what, runs, **below(limit)) for what, runs, limit in figures]
    for what, size in ((lab, last["lab"]["bytes"]), (page, last["page"]["bytes"])):
        rows.append(
            Row(
                "6",
                f"{what}: size in KB, {count} profiles",
                value=round(size / 1000, 1),
                kind="count",
                goal="< 100 KB",
                check=lambda v: v < 100,
            )
        )


def section_2(ka: Any, aws: Any, n: dict[str, int], mfa_role_arn: str, rows: list[Row], facts: dict[str, Any]) -> None:
    """Cold switches with an MFA code against one raw AssumeRole call, and where the time beside it goes."""
    log("2. cold switch")
    bench(ka, cells.COLD_SETUP.format(endpoint=aws.endpoint, user="user1"))
    raw_t: list[list[float]] = []
    one_t: list[list[float]] = []
    three_t: list[list[float]] = []
    aws.allow_mfa_reuse(True)  # a batch times one code, fetched outside the timed loop, many times over
    try:
        for _ in range(REPEATS):
            got, _ = bench(
                ka,
                cells.COLD_BATCH.format(
                    n=n["cold_per_batch"],
                    role_arn=mfa_role_arn,
                    serial=aws.mfa_serial,
                    code=aws.mfa_code(),
                    one_hop=MFA_PROFILE,
                    three_hop=CHAIN_PROFILE,
                    chain=True,
                ),
            )
            raw_t.append(got["raw"])
            one_t.append(got["one"])
            three_t.append(got["three"])
        parts, _ = bench(
            ka,
            cells.COLD_BREAKDOWN.format(
                n=n["cold_breakdown"],
                one_hop=MFA_PROFILE,
                code=aws.mfa_code(),
                role_arn=mfa_role_arn,
                serial=aws.mfa_serial,
            ),
        )
    finally:
        aws.allow_mfa_reuse(False)
    raw = repeated("2", "raw sts.assume_role, pre-built botocore client (MFA code)", raw_t)
    one = repeated("2", f"%awsrole {MFA_PROFILE} --mfa-token --refresh, nothing cached (1 hop)", one_t)
    three = repeated("2", f"%awsrole {CHAIN_PROFILE} --mfa-token --refresh, nothing cached (3 hops)", three_t)
    rows += [raw, one, three]
    for figure, hops, limit in ((one, "1-hop", 1.15), (three, "3-hop", 3.3)):  # issue 16, goal 3
        rows.append(ratio_goal("2", f"ratio cold {hops} switch / raw assume_role", figure, raw, limit))
    rows += breakdown_rows(parts)
    aws.reset_stats()
    bench(ka, cells.COLD_COUNT.format(profile=MFA_PROFILE, code=aws.mfa_code()))
    facts["cold_calls"] = aws.stats()["sts_total"]
    aws.reset_stats()
    bench(ka, cells.COLD_COUNT.format(profile=CHAIN_PROFILE, code=aws.mfa_code()))
    facts["cold_chain_calls"] = aws.stats()["sts_total"]


def breakdown_rows(parts: dict[str, list[float]]) -> list[Row]:
    """Issue 16, goal 3: where a cold 1-hop switch spends its time, per switch, from inclusive timings of its parts
    (cells.COLD_BREAKDOWN); each line is what that part adds, the STS call first."""

    def minus(whole: str, *inner: str) -> list[float]:
        return [w - sum(parts[i][k] for i in inner) for k, w in enumerate(parts[whole])]

    lines = [
        ("the raw assume_role call, in the same loop (not part of the switch)", parts["raw"]),
        ("the switch's AssumeRole call (its pooled botocore client, HTTP)", parts["sts"]),
        ("the assumer around it (arguments, cache keys, credentials)", minus("resolve", "sts", "cache")),
        ("cache reads and writes (the cache is off in these batches)", parts["cache"]),
        ("plan (config -> chain)", parts["plan"]),
        ("environment (os.environ, SDK caches)", parts["environment"]),
        ("installing the role beside the environment (endpoint path, state)", minus("install", "environment")),
        ("observers (comm push, picker, sharing)", parts["observers"]),
        (
            "the magic around the switch (parsing, history, message)",
            minus("total", "resolve", "plan", "install", "observers"),
        ),
    ]
    rows = [Row("2", "breakdown of a cold 1-hop switch (per switch, in a batch of its own):", value="", kind="text")]
    rows += [Row("2", f"  {what}", samples) for what, samples in lines]
    return rows


def section_5(kb: Any, n: dict[str, int], rows: list[Row]) -> None:
    """%load_ext in fresh kernels."""
    log("5. %load_ext in fresh kernels")
    bench(kb, cells.LOAD)  # not timed: writes the bytecode when no earlier kernel did (--only 5)
    load_t: list[list[float]] = [[] for _ in range(REPEATS)]
    for i in range(n["load"] * REPEATS):
        kb.restart()
        got, _ = bench(kb, cells.LOAD)
        load_t[i % REPEATS].append(got["load"])
    rows.append(
        repeated("5", "%load_ext jupyter_awsrole in a fresh kernel", load_t, goal="< 50 ms", check=lambda v: v < 0.05)
    )


def section_4(n: dict[str, int], rows: list[Row]) -> None:
    """The check before every cell, in this process."""
    # 4. per-cell check, in this process ----------------------------------------------------
    log("4. before_cell")
    from jupyter_awsrole import _before_cell
    from jupyter_awsrole import manager as manager_module
    from jupyter_awsrole.manager import RoleManager

    m = RoleManager()
    m.assume(PROFILE)
    manager_module._manager = m
    try:
        number = 100_000
        per = [
            [t / number for t in timeit.repeat(m.before_cell, number=number, repeat=n["timeit_repeat"])]
            for _ in range(REPEATS)
        ]
        hook = [t / number for t in timeit.repeat(_before_cell, number=number, repeat=n["timeit_repeat"])]
    finally:
        m.unset()
        manager_module._manager = None
    rows.append(
        repeated(
            "4",
            "RoleManager.before_cell(), nothing due (timeit)",
            per,
            unit="us",
            goal="< 20 µs",
            check=lambda v: v < 20e-6,
        )
    )
    rows.append(Row("4", "pre_run_cell hook jupyter_awsrole._before_cell (timeit)", hook, unit="us"))


def section_7(facts: dict[str, Any]) -> list[Row]:
    """The exact counts, from the facts the sections that ran gathered (1, 2 and 7)."""
    rows: list[Row] = []
    if "cached_calls" in facts:
        calls, mfa_checked, prompts_cached = facts["cached_calls"]
        rows += [
            count_goal("cached switches: STS calls at the server", calls, 0),
            count_goal("cached switches: MFA prompts in the kernel", prompts_cached, 0),
            count_goal("cached switches: MFA codes checked at the server", mfa_checked, 0),
        ]
    if "cold_calls" in facts:
        rows += [
            count_goal("cold 1-hop switch: STS calls at the server", facts["cold_calls"], 1),
            Row(
                "7",
                "cold 3-hop switch: STS calls at the server",
                value=facts["cold_chain_calls"],
                kind="count",
                goal="(reported)",
            ),
        ]
    if "mfa_session" in facts:
        prompts, s = facts["mfa_session"]
        rows += [
            count_goal(f"{MFA_PROFILE}, reporting, audit & refreshes in one MFA session: prompts", prompts, 1),
            Row(
                "7",
                "  same: codes checked / GetSessionToken / AssumeRole at the server",
                value=f"{s['mfa_checked']} / {s['sts'].get('GetSessionToken', 0)} / {s['sts'].get('AssumeRole', 0)}",
                kind="text",
            ),
        ]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not for figures)")
    parser.add_argument("--no-install", action="store_true", help="do not install awsume into benchmarks/.venv-awsume")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {LATEST.name}")
    parser.add_argument("--only-dask", action="store_true", help="only section 9 (Dask sharing); same as --only 9")
    parser.add_argument(
        "--only",
        metavar="SECTIONS",
        default="",
        help="only these sections, e.g. --only 6 or --only 2,6 (7's counts come from 1, 2 and 7); implies --no-write",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        metavar="N",
        help="whole runs in a row; then one line per goal: met in how many, each run's figure, FLIPS if it varies",
    )
    args = parser.parse_args(argv)
    args.sections = set((args.only or ("9" if args.only_dask else SECTIONS)).replace(",", ""))
    if args.sections - set(SECTIONS) or args.runs < 1:
        parser.error(f"--only takes section numbers from {SECTIONS}; --runs a number from 1")
    if args.only or args.only_dask:
        args.no_write = True
    # Counts per run: each goal's cell runs REPEATS times (benchmarks/README.md); awsume and Dask run once.
    args.n = dict(
        cached=70,
        awsume=10,
        user=5,
        pandas=2,
        scale_first=2,
        scale_repeat=4,
        cold_per_batch=5,
        cold_breakdown=15,
        load=2,
        timeit_repeat=3,
        endpoint_get=70,
        fresh_client=5,
        fresh_scale=2,
        dask=30,
    )
    if args.quick:
        args.n = dict(
            cached=10,
            awsume=2,
            user=2,
            pandas=1,
            scale_first=1,
            scale_repeat=2,
            cold_per_batch=2,
            cold_breakdown=3,
            load=1,
            timeit_repeat=2,
            endpoint_get=10,
            fresh_client=2,
            fresh_scale=1,
            dask=6,
        )

    started = time.perf_counter()
    saved = dict(os.environ)
    tmp = Path(tempfile.mkdtemp(prefix="awsrole-bench-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks stop the local AWS
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[name]
    # Kernels read the package's bytecode (__pycache__, ignored by git), as from an installed package, which pip
    # compiles at install: with PYTHONDONTWRITEBYTECODE, which this machine's sessions set, and an editable install,
    # every fresh kernel compiled each module again, about half of %load_ext's time.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    runs: list[list[Row]] = []
    try:
        for run in range(args.runs):
            if args.runs > 1:
                log(f"run {run + 1} of {args.runs}")
            here = tmp / f"run-{run}"
            here.mkdir()
            os.environ["HOME"] = str(here / "home")  # ~/.aws is never touched, by this process or its children
            rows: list[Row] = []
            measure(args, here, rows, {})
            rows.sort(key=lambda r: r.section)  # stable: order inside a section is kept
            runs.append(rows)
            if args.runs > 1:
                print(f"\nRun {run + 1} of {args.runs}:\n{plain(rows)}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = runs[-1]
    elapsed = time.perf_counter() - started
    about = machine()
    missed = [r for r in rows if r.verdict == "MISSED"]
    summary = f"{len([r for r in rows if r.verdict])} goals: {len(missed)} missed. Whole run {elapsed:.0f} s."
    if args.runs > 1:
        summary = f"Last of {args.runs} runs: {summary.replace('Whole run', 'All runs')}"
    print(f"\nMachine: {about}\n")
    print(plain(rows))
    print(f"\n{summary}")
    across = ""
    if args.runs > 1:
        print(f"\nEach goal across the {args.runs} runs:\n{flips_plain(runs)}")
        across = f"\n\nEach goal across the {args.runs} runs (issue 16, goal 4):\n\n{flips_markdown(runs)}\n"
    if not args.no_write:
        LATEST.write_text(
            f"# Benchmark (python -m benchmarks.run{' --quick' if args.quick else ''}"
            f"{f' --runs {args.runs}' if args.runs > 1 else ''})\n\n"
            f"Machine: {about}. Run on {time.strftime('%Y-%m-%d')}.\n\n{markdown(rows)}\n\n{summary}\n{across}"
        )
        print(f"(written to {LATEST.relative_to(HERE.parent)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
