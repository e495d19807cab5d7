"""Profiles of the paths that miss their goal, with pyinstrument, against the same local AWS.

pyinstrument lives in benchmarks/.venv-prof only (never in the project's .venv); it imports the
project and its dependencies through PYTHONPATH:

    python -m venv benchmarks/.venv-prof && benchmarks/.venv-prof/bin/pip install pyinstrument
    PYTHONPATH=$PWD:$PWD/.venv/lib/python3.11/site-packages \
        benchmarks/.venv-prof/bin/python -m benchmarks.profiling [cold|user|list|all]

The paths run in-process in an IPython InteractiveShell (not a kernel): the package code is the same,
only the kernel's stdout/iopub plumbing is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pyinstrument import Profiler

from benchmarks.run import scale_config


def profiled(title: str, func, reps: int, interval: float = 0.0001) -> None:
    func()  # warm-up outside the profile
    profiler = Profiler(interval=interval)
    start = time.perf_counter()
    profiler.start()
    for _ in range(reps):
        func()
    profiler.stop()
    per = (time.perf_counter() - start) / reps
    print(f"\n===== {title}: {reps} calls, {per * 1e3:.2f} ms per call (under the profiler) =====")
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))


def main(which: str) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from jupyter_awsrole.localaws import LocalAws

    tmp = Path(tempfile.mkdtemp(prefix="awsrole-prof-"))
    atexit.register(shutil.rmtree, tmp, True)  # registered before the shell's own atexit, so it runs after it
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[name]
    os.environ["HOME"] = str(tmp / "home")
    (tmp / "home").mkdir()
    os.environ["IPYTHONDIR"] = str(tmp / "home" / ".ipython")
    aws = LocalAws.start(tmp / "localaws")
    try:
        os.environ.update(aws.env())
        shell = InteractiveShell.instance()
        quiet = contextlib.redirect_stdout(io.StringIO())
        with quiet:
            shell.run_line_magic("load_ext", "jupyter_awsrole")
            shell.run_line_magic("awsrole", f"marketingadmin --mfa-token {aws.mfa_code()}")
            shell.run_line_magic("awsrole", "analyst")

        def magic(line: str):
            def call() -> None:
                with contextlib.redirect_stdout(io.StringIO()):
                    shell.run_line_magic("awsrole", line)

            return call

        if which in ("cold", "all"):
            import botocore.session

            shell.run_line_magic("config", "AwsRole.cache = False")
            shell.run_line_magic("config", "AwsRole.mfa_session_seconds = 0")
            aws.allow_mfa_reuse(True)  # each loop below times one code, fetched outside it, many times over
            import configparser

            cp = configparser.RawConfigParser()
            cp.read(aws.credentials_file)
            raw = botocore.session.Session().create_client(
                "sts",
                region_name="us-east-1",
                endpoint_url=aws.endpoint,
                aws_access_key_id=cp.get("user1", "aws_access_key_id"),
                aws_secret_access_key=cp.get("user1", "aws_secret_access_key"),
            )
            arn = "arn:aws:iam::123456789012:role/marketingadminrole"
            code = aws.mfa_code()
            profiled(
                "raw sts.assume_role (pre-built client)",
                lambda: raw.assume_role(
                    RoleArn=arn, RoleSessionName="bench", SerialNumber=aws.mfa_serial, TokenCode=code
                ),
                100,
            )
            profiled(
                "cold %awsrole marketingadmin --mfa-token --refresh",
                magic(f"marketingadmin --mfa-token {aws.mfa_code()} --refresh"),
                100,
            )
            profiled(
                "cold %awsrole audit --mfa-token --refresh (3 hops)",
                magic(f"audit --mfa-token {aws.mfa_code()} --refresh"),
                50,
            )
            shell.run_line_magic("config", "AwsRole.cache = True")
            shell.run_line_magic("config", "AwsRole.mfa_session_seconds = 43200")
            aws.allow_mfa_reuse(False)

        if which in ("user", "all"):
            import boto3

            def first(service: str):
                def call() -> None:
                    with contextlib.redirect_stdout(io.StringIO()):
                        shell.run_line_magic("awsrole", "analyst")
                    boto3.client(service)

                return call

            profiled("%awsrole analyst (cached) + first boto3.client('sts')", first("sts"), 30)
            profiled("%awsrole analyst (cached) + first boto3.client('s3')", first("s3"), 30)

        if which in ("list", "all"):
            from jupyter_awsrole.display import ProfileTable
            from jupyter_awsrole.manager import get_manager

            big = tmp / "config-5000"
            scale_config(aws.config_file, big, 5000)
            os.environ["AWS_CONFIG_FILE"] = str(big)
            manager = get_manager()
            stamp = [time.time_ns()]

            def list_first() -> None:
                stamp[0] += 1_000_000
                os.utime(big, ns=(stamp[0], stamp[0]))
                table = ProfileTable(manager.list_profiles(), None)
                table._repr_html_(), repr(table)  # what the kernel's display formatter computes

            def list_repeat() -> None:
                table = ProfileTable(manager.list_profiles(), None)
                table._repr_html_(), repr(table)

            profiled("--list first call (5,000 profiles): list_profiles + html + text", list_first, 5, 0.0005)
            profiled("--list repeat (files unchanged)", list_repeat, 10, 0.0005)
    finally:
        aws.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
