"""The SSO stand-in from a test's side: a sign-in done as `aws sso login` does it, the token file, cells waiting."""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_awsrole.localaws.account import REGION, SSO_SESSION, SSO_START_URL
from tests.support.kernel import Kernel, Run

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# The fields of a token file as `aws sso login` (AWS CLI v2) writes it.
CLI_TOKEN_FIELDS = frozenset(
    [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ]
)


def token_file(home: Path, name: str = SSO_SESSION) -> Path:
    """Where `aws sso login` puts the token of an sso-session (or of a legacy start URL) under `home`."""
    return Path(home) / ".aws" / "sso" / "cache" / (hashlib.sha1(name.encode()).hexdigest() + ".json")


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def cli_login(local_aws: Any, home: Path, expires_in: float | None = None) -> dict[str, Any]:
    """Sign in through the stand-in as the AWS CLI v2 would (register, device flow, approve) and write its token
    file; `expires_in` rewrites its expiry (negative: already expired). Returns the token."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    oidc = botocore.session.Session().create_client(
        "sso-oidc",
        region_name=REGION,
        endpoint_url=local_aws.sso_endpoint,
        config=Config(signature_version=UNSIGNED),
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
    )
    registration = oidc.register_client(
        clientName="botocore-client-cli", clientType="public", scopes=["sso:account:access"]
    )
    secrets = {"clientId": registration["clientId"], "clientSecret": registration["clientSecret"]}
    auth = oidc.start_device_authorization(startUrl=SSO_START_URL, **secrets)
    assert local_aws.sso("POST", "approve", {"user_code": auth["userCode"]})["done"]
    answer = oidc.create_token(grantType=DEVICE_GRANT, deviceCode=auth["deviceCode"], **secrets)
    now = datetime.datetime.now(datetime.timezone.utc)
    lifetime = answer["expiresIn"] if expires_in is None else expires_in
    token = {
        "startUrl": SSO_START_URL,
        "region": REGION,
        "accessToken": answer["accessToken"],
        "expiresAt": _iso(now + datetime.timedelta(seconds=lifetime)),
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": _iso(
            datetime.datetime.fromtimestamp(registration["clientSecretExpiresAt"], datetime.timezone.utc)
        ),
        "refreshToken": answer["refreshToken"],
    }
    path = token_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(token))
    path.chmod(0o600)
    return token


def sso_secrets(home: Path) -> set[str]:
    """Every token and client secret in the SSO token cache under `home`: none may ever be shown."""
    found: set[str] = set()
    for path in (Path(home) / ".aws" / "sso" / "cache").glob("*.json"):
        data = json.loads(path.read_text())
        found.update(str(data[k]) for k in ("accessToken", "refreshToken", "clientSecret") if data.get(k))
    return found


class Waiting:
    """A cell running on a thread of its own, so the test can act (approve, deny, interrupt) while it waits."""

    def __init__(self, kernel: Kernel, code: str, timeout: float = 120) -> None:
        self.run: Run | None = None
        self._thread = threading.Thread(target=self._go, args=(kernel, code, timeout), daemon=True)
        self._thread.start()

    def _go(self, kernel: Kernel, code: str, timeout: float) -> None:
        self.run = kernel.run(code, timeout=timeout)

    def result(self, timeout: float = 120) -> Run:
        self._thread.join(timeout)
        assert self.run is not None, "the cell did not end"
        return self.run


def pending_code(local_aws: Any, limit: float = 30) -> str:
    """The user code of the one sign-in waiting for approval, once there is one."""
    deadline = time.monotonic() + limit
    while True:
        pending = local_aws.sso("GET", "pending")["pending"]
        if pending:
            assert len(pending) == 1, f"{len(pending)} sign-ins are waiting"
            return str(pending[0])
        assert time.monotonic() < deadline, "no sign-in started"
        time.sleep(0.2)
