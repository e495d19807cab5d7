"""RoleManager with a fake assumer: atomic switches, scoped restore, observers, refresh decisions."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.errors import MfaRequired, StsError
from jupyter_awsrole.manager import RoleManager

CONFIG = """
[profile base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = basesecret
[profile one]
role_arn = arn:aws:iam::111111111111:role/one
source_profile = base
region = eu-west-1
[profile two]
role_arn = arn:aws:iam::111111111111:role/two
source_profile = base
"""


class FakeAssumer:
    """Hands out numbered credentials, or raises what the test says."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_with: Exception | None = None

    def resolve(self, plan, mfa, baseline, overrides=None, policy=None, refresh=False) -> RoleState:
        if self.fail_with:
            raise self.fail_with
        self.calls += 1
        expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        creds = Credentials(f"ASIA{self.calls:04d}", f"secret{self.calls}", f"token{self.calls}", expiry)
        role = plan.hops[-1].role_arn
        return RoleState(plan.profile.name, role, role.replace(":iam:", ":sts:") + "/s", "111111111111",
                         plan.region, expiry, creds)


@pytest.fixture
def manager(tmp_path, monkeypatch):
    (tmp_path / "config").write_text(CONFIG)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "base")
    m = RoleManager()
    m.settings.auto_refresh = False
    m.assumer = FakeAssumer()
    yield m
    m.unset()


def test_switch_installs_and_tells_observers(manager):
    events = []
    manager.observe(lambda event, state: events.append((event, state and state.profile)))
    manager.assume("one")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0001" and "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_REGION"] == "eu-west-1"
    manager.unset()
    assert os.environ["AWS_PROFILE"] == "base" and "AWS_ACCESS_KEY_ID" not in os.environ
    assert events == [("assumed", "one"), ("unset", None)]


def test_a_failed_switch_changes_nothing(manager):
    manager.assume("one")
    before = dict(os.environ)
    manager.assumer.fail_with = StsError("nope")
    with pytest.raises(StsError):
        manager.assume("two")
    assert dict(os.environ) == before and manager.active.profile == "one"


def test_scoped_restores_after_an_exception(manager):
    manager.assume("one")
    before = dict(os.environ)
    with pytest.raises(ValueError):
        with manager.scoped("two") as state:
            assert state.profile == "two" and os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0002"
            raise ValueError
    assert dict(os.environ) == before and manager.active.profile == "one"


def test_refresh_needing_a_code_is_reported_before_the_next_cell(manager, capsys):
    manager.assume("one")
    manager.assumer.fail_with = MfaRequired("code needed")
    events = []
    manager.observe(lambda event, state: events.append(event))
    manager.settings.auto_refresh = True
    manager._next_check = 0  # as if the renewal time had come
    manager.before_cell()
    assert events == ["needs-mfa"]
    assert "needs a new MFA code" in capsys.readouterr().err
    assert os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0001"


def test_nothing_happens_before_a_cell_when_nothing_is_due(manager, capsys):
    manager.assume("one")
    calls = manager.assumer.calls
    manager.before_cell()
    assert manager.assumer.calls == calls and capsys.readouterr().err == ""


@pytest.mark.parametrize("value", ["soon", "10", "99999"])
def test_bad_duration_is_refused_before_anything(manager, value):
    with pytest.raises(Exception, match="--duration"):
        manager.assume("one", duration=value)
    assert manager.active is None
