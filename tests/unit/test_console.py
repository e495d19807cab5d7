"""console.py: what is asked of the federation endpoint, the link it gives, and the one-line refusals."""

from __future__ import annotations

import datetime as _dt
import json
import threading
import urllib.parse
from types import SimpleNamespace

import pytest
from traitlets import TraitError

from jupyter_awsrole import console
from jupyter_awsrole.credentials import Credentials, RoleState, utcnow
from jupyter_awsrole.errors import AwsRoleError
from jupyter_awsrole.localaws import federation_standin as standin
from jupyter_awsrole.loopback import free_port
from jupyter_awsrole.manager import RoleManager
from jupyter_awsrole.settings import SIGNIN_URL_VARIABLE, AwsRole

KEY, SECRET, TOKEN = "ASIAEXAMPLEKEY000001", "secret/EXAMPLE+key0000000000000000000000001", "token-EXAMPLE" * 8
ROLE_ARN = "arn:aws:sts::123456789012:assumed-role/analystrole/jupyter"


def state(
    session_arn: str = ROLE_ARN, token: str | None = TOKEN, hours: float = 1.0, long_term: bool = False
) -> RoleState:
    expiry = utcnow() + _dt.timedelta(hours=hours)
    return RoleState(
        profile="analyst",
        role_arn="arn:aws:iam::123456789012:role/analystrole",
        session_arn=session_arn,
        account="123456789012",
        region="eu-west-1",
        expiration=expiry,
        credentials=Credentials(KEY, SECRET, token, expiry),
        long_term=long_term,
    )


def plan(hops: int, root_kind: str = "keys", root_token: str | None = None) -> SimpleNamespace:
    root = SimpleNamespace(kind=root_kind, get=lambda name: root_token if name == "aws_session_token" else None)
    return SimpleNamespace(hops=tuple(range(hops)), root=root)


class Recorder:
    """A checker for the stand-in that records what it was asked and whether the manager's lock was free."""

    def __init__(self, arn: str = ROLE_ARN, chained: bool = False, lock: threading.RLock | None = None) -> None:
        self.arn, self.chained, self.lock = arn, chained, lock
        self.asked: list[tuple[str, str, str]] = []
        self.lock_was_free: bool | None = None

    def __call__(self, key: str, secret: str, token: str) -> standin.Identity:
        self.asked.append((key, secret, token))
        if self.lock is not None:
            self.lock_was_free = self.lock.acquire(blocking=False)
            if self.lock_was_free:
                self.lock.release()
        return standin.Identity(self.arn, self.chained)


@pytest.fixture
def federation():
    """The federation stand-in on 127.0.0.1 with a recording checker instead of the local AWS."""
    recorder = Recorder()
    server, url = standin.start("127.0.0.1", lambda *creds: recorder(*creds))
    yield SimpleNamespace(url=url, recorder=recorder, standin=server.RequestHandlerClass.standin)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def settings_for(url: str) -> AwsRole:
    return AwsRole(signin_url=url)


def test_a_link_never_shows_its_url_in_repr_or_str():
    link = console.ConsoleLink("https://signin.example/federation?SigninToken=SECRET", "analyst", "https://c/", "x")
    assert "SECRET" not in repr(link) and "SECRET" not in str(link)
    assert "analyst" in repr(link)


def test_long_term_keys_and_get_session_token_credentials_are_refused_in_one_line():
    with pytest.raises(AwsRoleError, match="long-term access keys") as keys:
        console.federation_kind(state(token=None))
    with pytest.raises(AwsRoleError, match="GetSessionToken") as session:
        console.federation_kind(state(session_arn="arn:aws:iam::123456789012:user/user1"))
    for error in (keys, session):
        assert "\n" not in str(error.value) and "role_arn" in str(error.value)
    assert console.federation_kind(state()) == "role"
    assert console.federation_kind(state(session_arn="arn:aws:sts::123456789012:federated-user/bob")) == "federated"


def test_role_chains_are_told_from_the_plan():
    assert not console.role_chained(plan(1))  # one role from long-term keys
    assert console.role_chained(plan(2))  # role to role
    assert console.role_chained(plan(1, root_token="from-get-session-token"))  # a role from session keys
    assert console.role_chained(plan(1, root_kind="sso"))
    assert not console.role_chained(plan(0, root_kind="sso"))  # the SSO role itself
    assert console.role_chained(None)  # unknown: the shorter session


def test_session_duration_follows_the_credentials_within_what_aws_allows():
    now = utcnow()
    assert console.session_duration(state(hours=5), "role", False, now) == pytest.approx(5 * 3600, abs=2)
    assert console.session_duration(state(hours=5), "role", True, now) == 3600
    assert console.session_duration(state(hours=20), "role", False, now) == 43200
    assert console.session_duration(state(hours=0.2), "role", False, now) is None  # under AWS's 900 s minimum
    assert console.session_duration(state(hours=5), "federated", False, now) is None  # GetFederationToken: none
    assert console.session_duration(state(hours=5, long_term=True), "role", False, now) is None  # expiry unknown


def test_destinations_and_endpoints_follow_the_partition():
    assert console.destination(state(), None) == "https://console.aws.amazon.com/"
    assert console.destination(state(), " S3 ") == "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    china = state(session_arn="arn:aws-cn:sts::123456789012:assumed-role/r/s")
    assert console.destination(china, None) == "https://console.amazonaws.cn/"
    assert console.endpoint_for(console.AWS_SIGNIN_URL, "aws-us-gov") == (
        "https://signin.amazonaws-us-gov.com/federation"
    )
    assert console.endpoint_for("http://127.0.0.1:9/federation", "aws-cn") == "http://127.0.0.1:9/federation"
    with pytest.raises(AwsRoleError) as bad:
        console.destination(state(), "s3/../iam")
    assert bad.value.field == "service"


def test_signin_url_is_a_setting_that_never_sends_credentials_in_clear_off_this_machine(monkeypatch):
    monkeypatch.setenv(SIGNIN_URL_VARIABLE, "http://127.0.0.1:8/federation")
    assert AwsRole().signin_url == "http://127.0.0.1:8/federation"
    monkeypatch.delenv(SIGNIN_URL_VARIABLE)
    assert AwsRole().signin_url == console.AWS_SIGNIN_URL
    with pytest.raises(TraitError, match="https"):
        AwsRole(signin_url="http://signin.example.com/federation")
    assert AwsRole(signin_url="https://signin.example.com/federation").signin_url.startswith("https://")


def test_a_link_trades_the_session_for_a_token_and_logs_in_with_it(federation):
    now = utcnow()
    link = console.console_link(state(hours=2), plan(1), settings_for(federation.url), "s3", now)
    assert federation.recorder.asked == [(KEY, SECRET, TOKEN)]
    parts = urllib.parse.urlsplit(link.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == federation.url
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query["Action"] == "login" and query["Issuer"] == console.ISSUER
    assert query["Destination"] == link.destination == "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    grant = federation.standin.state.grants[query["SigninToken"]]
    assert grant.session_seconds == pytest.approx(7200, abs=2)
    assert link.expires_at == (now + _dt.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert link.profile == "analyst"


def test_a_chained_session_asks_for_an_hour_at_most(federation):
    federation.recorder.chained = True
    link = console.console_link(state(hours=5), plan(2), settings_for(federation.url))
    token = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link.url).query))["SigninToken"]
    assert federation.standin.state.grants[token].session_seconds == 3600


def test_a_refusal_is_one_line_without_any_credential(federation):
    federation.recorder.arn = "arn:aws:iam::123456789012:user/user1"  # the endpoint finds GetSessionToken keys
    with pytest.raises(AwsRoleError) as refused:
        console.console_link(state(), plan(1), settings_for(federation.url))
    message = str(refused.value)
    assert "HTTP 400" in message and "\n" not in message
    assert not any(secret in message for secret in (KEY, SECRET, TOKEN))
    assert refused.value.__cause__ is None and refused.value.__context__ is None


def test_an_unreachable_endpoint_is_one_line_without_any_credential():
    url = f"http://127.0.0.1:{free_port()}/federation"
    with pytest.raises(AwsRoleError, match="Cannot reach") as failed:
        console.console_link(state(), plan(1), settings_for(url))
    assert not any(secret in str(failed.value) for secret in (KEY, SECRET, TOKEN))
    assert failed.value.__context__ is None


def test_an_answer_without_a_token_is_said_so(federation):
    federation.standin.get_signin_token = lambda params: {"Nothing": "here"}
    with pytest.raises(AwsRoleError, match="gave no sign-in token"):
        console.console_link(state(), plan(1), settings_for(federation.url))


def test_the_manager_asks_outside_its_lock_and_needs_an_active_role(federation):
    manager = RoleManager(settings_for(federation.url))
    with pytest.raises(AwsRoleError, match="No role is active"):
        manager.console_link()
    manager.active = state()
    federation.recorder.lock = manager._lock
    link = manager.console_link()
    assert federation.recorder.lock_was_free is True
    assert link.destination == "https://console.aws.amazon.com/"
    body = json.dumps(federation.standin.stats())
    assert not any(secret in body for secret in (KEY, SECRET, TOKEN))
