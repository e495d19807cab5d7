"""The `jupyter-awsrole` command: `demo` runs the whole product locally, `mfa-code` prints the demo's code,
`credential-process PROFILE` serves a notebook's sessions to every other AWS tool."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `jupyter-awsrole` console script."""
    parser = argparse.ArgumentParser(prog="jupyter-awsrole", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="JupyterLab with the demo notebooks against a local AWS")
    demo.add_argument("--port", type=int, default=0, help="JupyterLab port on 127.0.0.1 (default: a free one)")
    demo.add_argument("--dir", type=Path, default=None, help="keep the demo's files here (default: a temp folder)")
    opening = demo.add_mutually_exclusive_group()
    opening.add_argument(
        "--open-browser",
        dest="browser",
        action="store_true",
        default=None,
        help="let JupyterLab open a browser (default: when there is a desktop)",
    )
    opening.add_argument("--no-browser", dest="browser", action="store_false", help="only print the URL")
    code = commands.add_parser("mfa-code", help="print an unused MFA code of the demo's user1 (AWS refuses a used one)")
    code.add_argument("--state-dir", type=Path, default=None, help="the demo's local AWS folder")
    serve = commands.add_parser(
        "credential-process",
        help="print PROFILE's credentials as a profile's credential_process expects them (from the notebooks' sessions)",
    )
    serve.add_argument("profile", metavar="PROFILE", help="the AWS profile to serve")
    args = parser.parse_args(argv)

    if args.command == "credential-process":
        from .credential_process import run as serve_profile

        return serve_profile(args.profile)
    if args.command == "demo":
        from .demo import run

        browser = args.browser if args.browser is not None else _has_desktop()
        return run(args.dir, args.port, browser)
    from .demo import DEMO_DIR_VARIABLE
    from .localaws.launcher import hand_out_code, state_endpoint

    state_dir = args.state_dir or (Path(os.environ[DEMO_DIR_VARIABLE]) if os.environ.get(DEMO_DIR_VARIABLE) else None)
    if state_dir is None:
        parser.error(f"mfa-code needs --state-dir (the demo prints it) or {DEMO_DIR_VARIABLE}")
    try:
        print(hand_out_code(state_endpoint(state_dir)))
    except (RuntimeError, OSError) as error:  # the demo is not running (any more)
        print(f"jupyter-awsrole mfa-code: {error}", file=sys.stderr)
        return 1
    return 0


def _has_desktop() -> bool:
    """Whether a browser JupyterLab opens would be seen: a display, or macOS / Windows."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


if __name__ == "__main__":
    sys.exit(main())
