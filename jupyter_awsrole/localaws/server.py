"""The local AWS process: moto behind the MFA gate, seeded, enforcing IAM, announced in localaws.json."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType

from .account import ACCOUNT_ID, SSO_BROKER

HOST = "127.0.0.1"


def serve(state_dir: Path, port: int = 0) -> None:
    """Run until SIGTERM or SIGINT; localaws.json says ready=true only once everything is in place."""
    # Pin moto to one account and keep loopback calls off any proxy, before moto or boto3 load.
    os.environ["MOTO_ACCOUNT_ID"] = ACCOUNT_ID
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), HOST, "localhost"]))

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from . import files, moto_patches
    from .account import MFA_SERIAL
    from .controls import Controls
    from .federation_standin import local_checker
    from .federation_standin import start as start_federation
    from .mfa_codes import CodeLedger
    from .mfa_gate import MfaGate
    from .sandbox import write_sandbox
    from .seed import enable_enforcement, seed_account
    from .sessions import SessionRegistry
    from .sso_standin import broker_minter
    from .sso_standin import start as start_sso

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    state_dir.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    registry = SessionRegistry()
    controls = Controls()
    moto_patches.install(registry)
    gate = MfaGate(DomainDispatcherApplication(create_backend_app), controls, registry, CodeLedger())
    server = make_server(HOST, port, gate, threaded=True, request_handler=MotoRequestHandler)
    endpoint = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="localaws-http", daemon=True)
    thread.start()
    try:
        seeded = seed_account(endpoint)
        enable_enforcement(endpoint)
        broker = seeded.keys[SSO_BROKER]
        sso_server, sso_endpoint = start_sso(
            HOST, broker_minter(endpoint, broker.access_key_id, broker.secret_access_key)
        )
        federation_server, signin_url = start_federation(HOST, local_checker(endpoint, registry.role_is_chained))
        write_sandbox(state_dir, endpoint, seeded)
        state = {
            "endpoint": endpoint,
            "sso_endpoint": sso_endpoint,
            "signin_url": signin_url,
            "pid": os.getpid(),
            "account_id": ACCOUNT_ID,
            "mfa_serial": MFA_SERIAL,
            "config_file": str(state_dir / files.CONFIG),
            "credentials_file": str(state_dir / files.CREDENTIALS),
            "ready": True,
        }
        files.write_json_atomic(state_dir / files.STATE, state)
        print(f"localaws ready at {endpoint} (pid {os.getpid()})", flush=True)
        while not stopping.wait(1.0):
            pass
        files.write_json_atomic(state_dir / files.STATE, {**state, "ready": False})
        sso_server.shutdown()
        federation_server.shutdown()
    finally:
        controls.release()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
