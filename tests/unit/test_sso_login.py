"""The SSO token cache and the device flow, with a fake sso-oidc client and a recording presenter."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from jupyter_awsrole import sso_login
from jupyter_awsrole.profiles import SsoTarget
from jupyter_awsrole.sso_login import SsoError, SsoLoginRequired, ensure_token, read_token, token_path
from jupyter_awsrole.sts import Timeouts
from tests.support.sso import CLI_TOKEN_FIELDS

SSO = SsoTarget("corp", "https://corp.awsapps.com/start", "eu-west-1", "123456789012", "Dev")
LEGACY = SsoTarget(None, "https://legacy.awsapps.com/start", "eu-west-1", "123456789012", "Dev")


class Refused(Exception):
    def __init__(self, code: str) -> None:
        self.response = {"Error": {"Code": code}}


class FakeOidc:
    """Answers CreateToken from a script; records every call's operation."""

    def __init__(self, answers: list[object]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def register_client(self, **kwargs):
        self.calls.append("register")
        return {"clientId": "cid", "clientSecret": "csecret", "clientSecretExpiresAt": 4102444800}

    def start_device_authorization(self, **kwargs):
        self.calls.append("start")
        return {
            "deviceCode": "dev",
            "userCode": "ABCD-EFGH",
            "verificationUri": "https://device",
            "verificationUriComplete": "https://device?user_code=ABCD-EFGH",
            "expiresIn": 600,
            "interval": 1,
        }

    def create_token(self, **kwargs):
        self.calls.append(kwargs["grantType"])
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Presenter:
    def __init__(self) -> None:
        self.shown: list[object] = []
        self.ended: list[tuple[str, bool]] = []

    def show(self, prompt):
        self.shown.append(prompt)

    def tick(self, prompt):
        pass

    def finish(self, prompt, outcome, ok):
        self.ended.append((outcome, ok))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sso_login, "_wait", lambda seconds, prompt, presenter: waits.append(seconds))
    waits.clear()
    return tmp_path


waits: list[float] = []
TOKEN = {"accessToken": "at-1", "expiresIn": 3600, "refreshToken": "rt-1"}


def use(monkeypatch, client: FakeOidc) -> None:
    monkeypatch.setattr(sso_login, "_oidc_client", lambda sso, timeouts: client)


def test_the_token_file_is_named_and_written_as_the_cli_does(home, monkeypatch):
    client = FakeOidc([TOKEN])
    use(monkeypatch, client)
    presenter = Presenter()
    ensure_token(SSO, "dev", presenter, Timeouts())
    path = token_path(SSO)
    assert os.path.basename(path) == hashlib.sha1(b"corp").hexdigest() + ".json"
    assert path.startswith(str(home / ".aws" / "sso" / "cache"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    token = json.loads(Path(path).read_text())
    assert set(token) == CLI_TOKEN_FIELDS
    assert token["expiresAt"].endswith("Z") and token["registrationExpiresAt"] == "2100-01-01T00:00:00Z"
    assert presenter.ended == [("Signed in to https://corp.awsapps.com/start.", True)]
    assert os.path.basename(token_path(LEGACY)) == hashlib.sha1(LEGACY.start_url.encode()).hexdigest() + ".json"


def test_a_fresh_token_needs_no_call_and_an_old_one_is_refreshed_first(home, monkeypatch):
    client = FakeOidc([TOKEN, {"accessToken": "at-2", "expiresIn": 3600, "refreshToken": "rt-2"}])
    use(monkeypatch, client)
    ensure_token(SSO, "dev", Presenter(), Timeouts())
    ensure_token(SSO, "dev", None, Timeouts())
    assert client.calls == ["register", "start", sso_login.DEVICE_GRANT]
    token = read_token(SSO)
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    token["expiresAt"] = past.strftime("%Y-%m-%dT%H:%M:%SZ")
    Path(token_path(SSO)).write_text(json.dumps(token))
    ensure_token(SSO, "dev", None, Timeouts())  # no presenter needed: the refresh token serves
    assert client.calls[-1] == "refresh_token" and read_token(SSO)["accessToken"] == "at-2"


def test_without_a_presenter_a_needed_sign_in_is_one_line(home, monkeypatch):
    use(monkeypatch, FakeOidc([]))
    with pytest.raises(SsoLoginRequired, match="needs an SSO sign-in"):
        ensure_token(SSO, "dev", None, Timeouts())


def test_polling_follows_interval_and_slow_down(home, monkeypatch):
    pending, slow = Refused("AuthorizationPendingException"), Refused("SlowDownException")
    use(monkeypatch, FakeOidc([pending, slow, pending, TOKEN]))
    ensure_token(SSO, "dev", Presenter(), Timeouts())
    assert waits == [1, 1, 6, 6]


@pytest.mark.parametrize(
    "code, words",
    [("AccessDeniedException", "was denied"), ("ExpiredTokenException", "expired before it was approved")],
)
def test_a_refused_sign_in_ends_with_one_line(home, monkeypatch, code, words):
    use(monkeypatch, FakeOidc([Refused("AuthorizationPendingException"), Refused(code)]))
    presenter = Presenter()
    with pytest.raises(SsoError, match=words):
        ensure_token(SSO, "dev", presenter, Timeouts())
    assert presenter.ended and presenter.ended[0][1] is False
    assert read_token(SSO) is None
