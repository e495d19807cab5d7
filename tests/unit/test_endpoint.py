"""The credential endpoint alone: stable paths, the token check, serving and renewing on demand."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import stat
import threading
import time

import pytest

from jupyter_awsrole import endpoint as ep
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.errors import StsError
from jupyter_awsrole.mfa import NoPrompt
from jupyter_awsrole.options import Options
from tests.support.endpoint_client import get
from tests.unit.test_manager import fake_manager


def _state(minutes: float, key: str = "AKIDONE", profile: str = "p") -> RoleState:
    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    creds = Credentials(key, "secret-" + key, "token-" + key, expiry)
    return RoleState(profile, "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", None, expiry, creds)


class Renewals:
    """A renewer that counts its calls, answers with a fresh state, or raises, or waits."""

    def __init__(self, minutes: float = 60, fail: bool = False, delay: float = 0.0) -> None:
        self.calls, self.minutes, self.fail, self.delay = 0, minutes, fail, delay
        self._lock = threading.Lock()

    def __call__(self, served: ep.Served) -> RoleState:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.fail:
            raise StsError("STS is down.")
        return _state(self.minutes, "AKIDNEW")


def _served(minutes: float, renew: Renewals) -> ep.Served:
    return ep.Served("p", Options(), NoPrompt(), {}, _state(minutes), renew)


@pytest.fixture
def endpoint():
    e = ep.Endpoint().start()
    yield e
    e.stop()


def test_a_path_is_stable_for_a_profile_and_its_options_and_differs_otherwise():
    e = ep.Endpoint()
    assert e.path_for("a", Options()) == e.path_for("a", Options(refresh=True))
    assert e.path_for("a", Options(duration=900)) == e.path_for("a", Options(duration=900))
    others = {e.path_for("b", Options()), e.path_for("a", Options(duration=900)), e.path_for("a", Options())}
    assert len(others) == 3
    assert "a" not in e.path_for("a", Options()).removeprefix("/role/").replace("a", "")  # hex, no name
    assert ep.Endpoint().path_for("a", Options()) != e.path_for("a", Options())  # keyed per kernel


def test_a_narrowed_role_is_served_at_a_path_of_its_own():
    e = ep.Endpoint()
    policy = {"Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
    narrowings = [
        {},
        {"policy": policy},
        {"policy_arns": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        {"tags": "team=data"},
        {"source_identity": "ada"},
    ]
    assert len({e.path_for("a", Options.parse(n)) for n in narrowings}) == len(narrowings)


def test_the_token_is_long_random_and_compared_whole():
    e = ep.Endpoint()
    assert len(e.token) >= 43 and e.token != ep.Endpoint().token  # 32 bytes, url-safe base64
    assert e.authorized(None) is None
    assert e.authorized(e.token) is True
    assert e.authorized(e.token[:-1]) is False
    assert e.authorized(e.token + "x") is False
    assert e.authorized("") is False
    assert e.authorized("\udcff") is False


def test_fresh_credentials_are_served_without_a_renewal():
    renew = Renewals()
    served = _served(60, renew)
    assert served.current() is served.state
    assert renew.calls == 0


def test_credentials_with_15_minutes_or_less_are_renewed_then_not_again_at_once():
    renew = Renewals(minutes=14)  # a short session: renewing again at once would not help
    served = _served(14, renew)
    assert served.current().credentials.access_key_id == "AKIDNEW"
    assert served.current().credentials.access_key_id == "AKIDNEW"
    assert renew.calls == 1


def test_a_failed_renewal_serves_what_is_still_valid_and_nothing_once_expired():
    served = _served(5, Renewals(fail=True))
    assert served.current().credentials.access_key_id == "AKIDONE"
    expired = _served(-1, Renewals(fail=True))
    assert expired.current() is None


def _current_in_threads(served: ep.Served, count: int) -> list[RoleState | None]:
    """What `count` concurrent requests for one path got."""
    results: list[RoleState | None] = []
    threads = [threading.Thread(target=lambda: results.append(served.current())) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_requests_share_one_renewal_and_serve_what_is_valid_meanwhile():
    renew = Renewals(delay=0.3)
    served = _served(10, renew)
    results = _current_in_threads(served, 8)
    assert renew.calls == 1
    assert len(results) == 8 and all(results)
    assert served.current().credentials.access_key_id == "AKIDNEW"


def test_requests_for_expired_credentials_wait_for_the_renewal():
    renew = Renewals(delay=0.3)
    served = _served(-1, renew)
    results = _current_in_threads(served, 4)
    assert renew.calls == 1
    assert {r.credentials.access_key_id for r in results if r} == {"AKIDNEW"} and len(results) == 4


def test_the_server_answers_the_protocol(endpoint):
    path = endpoint.register(_state(60), Options(), NoPrompt(), {}, Renewals())
    url = endpoint.url(path)
    assert get(url, None) == (401, b"")
    assert get(url, "nope") == (403, b"")
    assert get(endpoint.url("/role/" + "0" * 32), endpoint.token) == (404, b"")
    status, body = get(url, endpoint.token)
    data = json.loads(body)
    assert status == 200
    assert data["AccessKeyId"] == "AKIDONE" and data["Token"] == "token-AKIDONE"
    assert data["Expiration"].endswith("Z")
    endpoint.unregister_all()
    assert get(url, endpoint.token) == (404, b"")


def test_a_client_keeps_its_connection_and_a_caller_without_the_token_does_not(endpoint):
    path = endpoint.register(_state(60), Options(), NoPrompt(), {}, Renewals())
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=5)
    try:
        for _ in range(3):  # one connection, several answers: what botocore's pooled fetcher relies on
            conn.request("GET", path, headers={"Authorization": endpoint.token})
            answer = conn.getresponse()
            assert answer.status == 200 and json.loads(answer.read())["AccessKeyId"] == "AKIDONE"
            assert not answer.will_close
        conn.request("GET", path, headers={"Authorization": "nope"})
        refused = conn.getresponse()
        assert refused.status == 403 and refused.read() == b"" and refused.will_close
    finally:
        conn.close()


def test_registering_again_updates_the_path_in_place(endpoint):
    path = endpoint.register(_state(60), Options(), NoPrompt(), {}, Renewals())
    first = endpoint.served(path)
    assert endpoint.register(_state(60, "AKIDTWO"), Options(refresh=True), NoPrompt(), {}, Renewals()) == path
    assert endpoint.served(path) is first and first.state.credentials.access_key_id == "AKIDTWO"


def test_the_token_file_is_private_and_removed_at_stop():
    old = os.umask(0)
    try:
        e = ep.Endpoint().start()
    finally:
        os.umask(old)
    try:
        assert stat.S_IMODE(os.stat(e.token_file).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(e.token_file)).st_mode) == 0o700
        with open(e.token_file) as f:
            assert f.read() == e.token
    finally:
        e.stop()
    assert not os.path.exists(os.path.dirname(e.token_file))


def test_a_renewal_error_gives_an_empty_answer_not_a_trace(endpoint):
    def broken(served: ep.Served) -> RoleState:
        raise RuntimeError("secret-AKIDONE")

    path = endpoint.register(_state(-1), Options(), NoPrompt(), {}, broken)
    assert get(endpoint.url(path), endpoint.token) == (404, b"")


@pytest.fixture
def endpoint_manager(tmp_path, monkeypatch):
    """A manager with the fake assumer of test_manager.py, in the default (endpoint) mode."""
    m = fake_manager(tmp_path, monkeypatch, "endpoint")
    yield m
    m.unset()


def test_a_switch_in_endpoint_mode_installs_the_uri_and_no_static_keys(endpoint_manager):
    endpoint_manager.assume("one")
    uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert uri.startswith("http://127.0.0.1:") and os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert name not in os.environ
    assert os.environ["AWS_REGION"] == "eu-west-1"
    status, body = get(uri, token)
    assert status == 200 and json.loads(body)["AccessKeyId"] == "ASIA0001"
    endpoint_manager.assume("two")
    assert os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != uri
    assert json.loads(get(uri, token)[1])["AccessKeyId"] == "ASIA0001"  # the first role's path still serves it
    endpoint_manager.assume("one", refresh=True)
    assert os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == uri
    assert json.loads(get(uri, token)[1])["AccessKeyId"] == "ASIA0003"
    endpoint_manager.unset()
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in os.environ and os.environ["AWS_PROFILE"] == "base"
    assert get(uri, token) == (404, b"")


def test_serve_gives_a_path_without_switching(endpoint_manager):
    endpoint_manager.assume("one")
    before = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    state, variables = endpoint_manager.serve("two")
    assert state.profile == "two" and endpoint_manager.active.profile == "one"
    assert os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == before != variables[ep.ENV_URI]
    status, body = get(variables[ep.ENV_URI], variables[ep.ENV_TOKEN])
    assert status == 200 and json.loads(body)["AccessKeyId"] == "ASIA0002"


def test_the_setting_refuses_other_modes(endpoint_manager):
    from traitlets import TraitError

    with pytest.raises(TraitError):
        endpoint_manager.settings.credential_mode = "files"


def test_the_endpoint_is_the_default_mode():
    from jupyter_awsrole.settings import AwsRole

    assert AwsRole().credential_mode == "endpoint"
