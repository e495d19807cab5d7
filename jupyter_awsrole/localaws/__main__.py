"""Command line: `serve` runs the local AWS, `mfa-code` prints the code an authenticator app would show."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m jupyter_awsrole.localaws`."""
    parser = argparse.ArgumentParser(prog="python -m jupyter_awsrole.localaws", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run moto with the MFA gate, seeded, on 127.0.0.1")
    serve_cmd.add_argument("--state-dir", type=Path, required=True)
    serve_cmd.add_argument("--port", type=int, default=0, help="0 picks a free port")
    code_cmd = commands.add_parser(
        "mfa-code", help="print an unused MFA code of user1's device (a used one is refused, as in AWS)"
    )
    code_cmd.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "serve":
        from .server import serve

        serve(args.state_dir.resolve(), args.port)
    else:
        from .launcher import hand_out_code, state_endpoint

        print(hand_out_code(state_endpoint(args.state_dir)))


if __name__ == "__main__":
    main()
