"""Where a chain starts (credential_process, ECS, EC2 metadata) and where STS calls go, end to end."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.cells import WHOAMI, extend_config
from tests.support.kernel import Kernel

pytestmark = pytest.mark.kernel


def _ci_keys(local_aws) -> dict[str, str]:
    return json.loads(Path(local_aws.state_dir, "env.json").read_text())


def _user1_keys(local_aws) -> tuple[str, str]:
    values = dict(
        line.split(" = ", 1) for line in Path(local_aws.credentials_file).read_text().splitlines() if " = " in line
    )
    return values["aws_access_key_id"], values["aws_secret_access_key"]


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def send(self, data: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 standing in for an AWS endpoint moto does not have."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _SsoPortal(_LoopbackServer):
    """A loopback stand-in for the SSO portal's GetRoleCredentials, handing out ci-bot's keys for a
    known bearer token (the local AWS has no SSO; its keys are long-term, so no session token)."""

    def __init__(self, keys: dict[str, str], token: str) -> None:
        expiry_ms = int((dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).timestamp() * 1000)
        body = json.dumps(
            {
                "roleCredentials": {
                    "accessKeyId": keys["AWS_ACCESS_KEY_ID"],
                    "secretAccessKey": keys["AWS_SECRET_ACCESS_KEY"],
                    "sessionToken": "",
                    "expiration": expiry_ms,
                }
            }
        ).encode()
        self.requests: list[str] = []
        requests = self.requests

        class Handler(_QuietHandler):
            def do_GET(self):
                requests.append(self.path)
                ok = self.headers.get("x-amz-sso_bearer_token") == token and self.path.startswith(
                    "/federation/credentials"
                )
                if ok:
                    self.send(body)
                else:
                    self.send(b'{"message": "Session token not found or invalid"}', 401)

        self.serve(Handler)


class _MetadataServer(_LoopbackServer):
    """A loopback stand-in for the ECS and EC2 credential endpoints, serving ci-bot's keys."""

    def __init__(self, keys: dict[str, str]) -> None:
        expiry = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps(
            {
                "AccessKeyId": keys["AWS_ACCESS_KEY_ID"],
                "SecretAccessKey": keys["AWS_SECRET_ACCESS_KEY"],
                "Token": "",
                "Expiration": expiry,
                "Code": "Success",
            }
        ).encode()

        class Handler(_QuietHandler):
            def do_PUT(self):  # IMDSv2 token
                self.send(b"imds-session")

            def do_GET(self):
                if self.path.rstrip("/") == "/latest/meta-data/iam/security-credentials":
                    self.send(b"ci-instance-role")
                else:
                    self.send(body)

        self.serve(Handler)


@pytest.fixture
def metadata(local_aws):
    server = _MetadataServer(_ci_keys(local_aws))
    yield server
    server.close()


def _assume(kernel_env, line: str) -> str:
    k = Kernel(kernel_env)
    try:
        k.run(f"%load_ext jupyter_awsrole\n{line}").ok()
        return k.run(WHOAMI).ok().stdout
    finally:
        k.stop()


def test_credential_process_source(kernel_env, local_aws, tmp_path):
    key, secret = _user1_keys(local_aws)
    script = tmp_path / "creds.py"
    script.write_text(
        f"import json\nprint(json.dumps({{'Version': 1, 'AccessKeyId': {key!r}, 'SecretAccessKey': {secret!r}}}))\n"
    )
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile proc]
credential_process = {sys.executable} {script}
[profile analyst-via-process]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = proc
endpoint_url = {local_aws.endpoint}
""",
    )
    assert "assumed-role/analystrole/" in _assume(kernel_env, "%awsrole analyst-via-process")


def test_ecs_container_source(kernel_env, local_aws, tmp_path, metadata):
    kernel_env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = metadata.url + "/v2/credentials"
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile ecs]
role_arn = arn:aws:iam::123456789012:role/envrole
credential_source = EcsContainer
endpoint_url = {local_aws.endpoint}
""",
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        kernel_env.pop(name)
    assert "assumed-role/envrole/" in _assume(kernel_env, "%awsrole ecs")


def test_ec2_instance_metadata_source(kernel_env, local_aws, tmp_path, metadata):
    kernel_env.pop("AWS_EC2_METADATA_DISABLED", None)
    kernel_env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.url + "/"
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile ec2]
role_arn = arn:aws:iam::123456789012:role/envrole
credential_source = Ec2InstanceMetadata
endpoint_url = {local_aws.endpoint}
""",
    )
    assert "assumed-role/envrole/" in _assume(kernel_env, "%awsrole ec2")


def test_sts_goes_to_the_endpoint_of_the_profile_being_assumed(kernel_env, local_aws, tmp_path):
    kernel_env.pop("AWS_ENDPOINT_URL")
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile elsewhere-user]
aws_access_key_id = {_user1_keys(local_aws)[0]}
aws_secret_access_key = {_user1_keys(local_aws)[1]}
endpoint_url = http://127.0.0.1:9
[profile analyst-here]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = elsewhere-user
endpoint_url = {local_aws.endpoint}
""",
    )
    k = Kernel(kernel_env)
    try:
        k.run("%load_ext jupyter_awsrole\n%awsrole analyst-here").ok()
        env = k.run("import os; print(os.environ.get('AWS_ENDPOINT_URL'))").ok().stdout.strip()
        assert env == local_aws.endpoint  # so boto3, s3fs and the CLI reach the same place
        assert "assumed-role/analystrole/" in k.run(WHOAMI).ok().stdout
    finally:
        k.stop()


def test_unreachable_sts_and_throttling_are_one_line(kernel_env, local_aws, tmp_path):
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        """
[profile nowhere]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = user1
endpoint_url = http://127.0.0.1:9
""",
    )
    k = Kernel(kernel_env)
    try:
        k.run("%load_ext jupyter_awsrole").ok()
        down = k.run("%awsrole nowhere")
        assert down.error["ename"] == "UsageError"
        assert "Cannot reach STS at http://127.0.0.1:9" in down.error["evalue"]
        local_aws.set_fault("throttle")
        try:
            slow = k.run("%awsrole analyst")
        finally:
            local_aws.set_fault("ok")
        assert "throttling" in slow.error["evalue"]
        assert "Traceback" not in down.text + slow.text
        k.run("%awsrole analyst --region eu-west-3").ok()
        assert k.run(
            "import os; print(os.environ['AWS_REGION'], os.environ['AWS_DEFAULT_REGION'])"
        ).ok().stdout.split() == ["eu-west-3", "eu-west-3"]
    finally:
        k.stop()


def test_web_identity_source(kernel_env, local_aws, tmp_path):
    token = tmp_path / "token"
    token.write_text("header.payload.signature")
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile federated]
role_arn = arn:aws:iam::123456789012:role/analystrole
web_identity_token_file = {token}
endpoint_url = {local_aws.endpoint}
[profile federated-lost-token]
role_arn = arn:aws:iam::123456789012:role/analystrole
web_identity_token_file = {tmp_path / "no-such-token"}
endpoint_url = {local_aws.endpoint}
""",
    )
    k = Kernel(kernel_env)
    try:
        k.run("%load_ext jupyter_awsrole").ok()
        listing = k.run("%awsrole --list").ok().plain
        assert any(line.startswith("federated") and "web-identity" in line for line in listing.splitlines())
        k.run("%awsrole federated").ok()
        assert "assumed-role/analystrole/" in k.run(WHOAMI).ok().stdout
        lost = k.run("%awsrole federated-lost-token")  # botocore fails late, inside its refreshable credentials
        assert lost.error["ename"] == "UsageError" and "federated-lost-token" in lost.error["evalue"]
        assert "Traceback" not in lost.text
        assert "assumed-role/analystrole/" in k.run(WHOAMI).ok().stdout
    finally:
        k.stop()


def test_sso_source_uses_the_cached_token_of_aws_sso_login(kernel_env, local_aws, tmp_path):
    import hashlib

    token = "sso-access-token-for-tests"
    cache = Path(kernel_env["HOME"]) / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.example/start",
                "region": "us-east-1",
                "accessToken": token,
                "expiresAt": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    )
    portal = _SsoPortal(_ci_keys(local_aws), token)
    kernel_env["AWS_ENDPOINT_URL_SSO"] = portal.url
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[sso-session corp]
sso_start_url = https://corp.example/start
sso_region = us-east-1
[profile corp-dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Developer
[profile analyst-via-sso]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = corp-dev
endpoint_url = {local_aws.endpoint}
""",
    )
    try:
        assert "assumed-role/analystrole/" in _assume(kernel_env, "%awsrole analyst-via-sso")
        assert any("role_name=Developer" in r and "account_id=123456789012" in r for r in portal.requests)
    finally:
        portal.close()
