"""RoleManager with a fake assumer: atomic switches, scoped restore, observers, refresh decisions."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest

from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.errors import AwsRoleError, MfaError, MfaRequired, StsError, call_cleanly
from jupyter_awsrole.events import Event, Problem, ProblemKind
from jupyter_awsrole.magics import tell_reminders
from jupyter_awsrole.manager import RoleManager, Status
from jupyter_awsrole.options import Options

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
[profile Fed-Web]
role_arn = arn:aws:iam::111111111111:role/web
web_identity_token_file = /tmp/token
[profile broken]
role_arn = arn:aws:iam::111111111111:role/broken
"""


class FakeAssumer:
    """Hands out numbered credentials, or raises what the test says, or hangs like a silent STS."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_with: Exception | None = None
        self.entered = threading.Event()
        self.waiting = 0
        self._go = threading.Event()
        self._go.set()
        self._lock = threading.Lock()

    def block(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    def resolve(self, plan, mfa, baseline, overrides=None, policy=None, refresh=False, login=None) -> RoleState:
        if self.fail_with:
            raise self.fail_with
        if refresh and not self._go.is_set():  # only renewals hang: a switch to another role gets through
            with self._lock:
                self.waiting += 1
            self.entered.set()
            self._go.wait(10)
        with self._lock:
            self.calls += 1
        expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        creds = Credentials(f"ASIA{self.calls:04d}", f"secret{self.calls}", f"token{self.calls}", expiry)
        role = plan.hops[-1].role_arn
        return RoleState(
            plan.profile.name,
            role,
            role.replace(":iam:", ":sts:") + "/s",
            "111111111111",
            (overrides and overrides.region) or plan.region,
            expiry,
            creds,
        )


def fake_manager(tmp_path, monkeypatch, mode: str) -> RoleManager:
    """A manager over a small config and the fake assumer, with nothing of this process's AWS settings."""
    (tmp_path / "config").write_text(CONFIG)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "base")
    m = RoleManager()
    m.settings.auto_refresh = False
    m.settings.credential_mode = mode
    m.assumer = FakeAssumer()
    return m


@pytest.fixture
def manager(tmp_path, monkeypatch):
    # These tests read the keys in os.environ; test_endpoint.py tests the endpoint mode.
    m = fake_manager(tmp_path, monkeypatch, "environment")
    tell_reminders(m)  # the magic's front end words the reminders before a cell: the core prints nothing
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
    with pytest.raises(ValueError), manager.scoped("two") as state:
        assert state.profile == "two" and os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0002"
        raise ValueError
    assert dict(os.environ) == before and manager.active.profile == "one"


def test_refresh_needing_a_code_is_reported_before_the_next_cell(manager, capsys):
    manager.assume("one")
    manager.assumer.fail_with = MfaRequired("code needed")
    events = []
    manager.observe(lambda event, state: events.append(event))
    assert manager.refresh() is None
    assert events == ["needs-mfa"]
    manager.before_cell()
    assert "needs a new MFA code" in capsys.readouterr().err
    assert os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0001"


def test_reminders_are_events_the_front_end_words_and_the_core_prints_nothing(manager, capsys):
    bare = RoleManager()  # no front end: nobody prints
    bare.settings.auto_refresh = False
    bare.assumer = FakeAssumer()
    bare.assume("one")
    bare.assumer.fail_with = StsError("STS is down.")
    changes, reminders = [], []
    bare.observe(lambda event, state: changes.append(event))
    bare.observe(lambda event, state: reminders.append((event, state.profile)), events={Event.REMINDER})
    assert bare.refresh() is None
    assert bare.status() == Status(bare.active, Problem(ProblemKind.REFRESH_FAILED, "STS is down."))
    bare.before_cell()
    assert changes == [Event.REFRESH_FAILED] and reminders == [(Event.REMINDER, "one")]
    assert capsys.readouterr().err == ""
    bare.unset()
    assert bare.status() == Status(None, None) and changes[-1] == "unset"


def make_due(manager) -> None:
    """As if the renewal time had come: the margin covers the whole session, the check is due now."""
    manager.settings.auto_refresh = True
    manager.settings.refresh_margin_seconds = 3600
    manager._next_check = 0


def test_the_pre_cell_check_never_waits_for_sts(manager, capsys):
    manager.assume("one")
    manager.assumer.block()
    make_due(manager)
    started = time.monotonic()
    for _ in range(3):
        manager._next_check = 0
        manager.before_cell()
    assert time.monotonic() - started < 0.5
    assert manager.assumer.entered.wait(5) and manager.assumer.waiting == 1  # one renewal, in the background
    assert os.environ["AWS_ACCESS_KEY_ID"] == "ASIA0001" and capsys.readouterr().err == ""
    manager.assumer.release()
    assert wait_for(lambda: os.environ.get("AWS_ACCESS_KEY_ID") == "ASIA0002")


def test_a_switch_and_an_unset_during_a_hung_renewal_win(manager):
    manager.assume("one")
    for step in ("switch", "unset"):
        manager.assumer.block()
        make_due(manager)
        started = time.monotonic()
        manager.before_cell()
        assert time.monotonic() - started < 0.5
        assert manager.assumer.entered.wait(5)
        started = time.monotonic()
        if step == "switch":
            manager.assume("two")
        else:
            manager.unset()
        assert time.monotonic() - started < 0.5, f"the {step} waited for the renewal"
        key = os.environ.get("AWS_ACCESS_KEY_ID")
        manager.assumer.release()
        time.sleep(0.2)  # the renewal answers for a state that is gone: it must not be installed
        assert os.environ.get("AWS_ACCESS_KEY_ID") == key
        manager.assumer.entered.clear()
    assert manager.active is None and "AWS_ACCESS_KEY_ID" not in os.environ


def test_a_failed_renewal_is_told_once_in_one_line(manager, capsys):
    manager.assume("one")
    manager.assumer.fail_with = StsError("STS is down.")
    assert manager.refresh() is None
    manager.before_cell()
    manager.before_cell()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not renew profile 'one'" in err and "STS is down." in err


def wait_for(condition, limit: float = 5.0) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_nothing_happens_before_a_cell_when_nothing_is_due(manager, capsys):
    manager.assume("one")
    calls = manager.assumer.calls
    manager.before_cell()
    assert manager.assumer.calls == calls and capsys.readouterr().err == ""


@pytest.mark.parametrize("value", ["soon", "10", "99999"])
def test_bad_duration_is_refused_before_anything(manager, value):
    with pytest.raises(Exception, match="duration"):
        manager.assume("one", duration=value)
    assert manager.active is None


NOT_REGIONS = ["", "   ", "''", '"eu-west-1"', "eu-west-1\x00", "eu west 1", "EU-WEST-1", "eu-west-1\n"]


@pytest.mark.parametrize("region", NOT_REGIONS)
def test_a_region_that_is_no_region_is_refused_before_anything(manager, region):
    with pytest.raises(AwsRoleError, match="region must look like eu-west-1, not ") as caught:
        manager.assume("one", region=region)
    assert "\n" not in str(caught.value) and "\x00" not in str(caught.value)
    assert manager.active is None and manager.assumer.calls == 0


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-2"])
def test_real_region_names_are_accepted(manager, region):
    assert manager.assume("one", region=region).region == region
    assert os.environ["AWS_REGION"] == region


def _deep(depth: int, error: BaseException) -> None:
    secret = "do-not-show"  # noqa: F841  (a local a verbose traceback would print)
    if depth:
        _deep(depth - 1, error)
    raise error


@pytest.mark.parametrize("error", [MfaError("Wrong MFA code."), KeyboardInterrupt()])
def test_errors_leave_the_public_boundary_without_the_frames_below(error):
    with pytest.raises(type(error)) as caught:
        call_cleanly(_deep, 3, error)
    fresh = caught.value
    assert fresh is not error and str(fresh) == str(error)
    assert fresh.__context__ is None and fresh.__cause__ is None and fresh.__suppress_context__
    frames = []
    tb = fresh.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "_deep" not in frames and frames[-1] == "call_cleanly"


def test_every_profile_with_a_role_or_credentials_can_be_switched_to(manager):
    assert [row.name for row in manager.list_profiles()] == ["Fed-Web", "base", "broken", "one", "two"]
    assert [row.name for row in manager.switchable()] == ["Fed-Web", "base", "broken", "one", "two"]
    assert next(row for row in manager.switchable() if row.name == "broken").problem  # and why it will fail


def test_one_filter_the_name_holds_every_word_ignoring_case(manager):
    assert [row.name for row in manager.switchable("fed WEB")] == ["Fed-Web"]
    assert [row.name for row in manager.switchable("111111111111")] == []  # the role ARN is not searched
    assert [row.name for row in manager.list_profiles("e")] == ["Fed-Web", "base", "broken", "one"]
    assert len(manager.switchable("  ")) == 5


def test_profile_rows_are_read_once_per_version_of_the_files(manager, tmp_path):
    first = manager.listing()
    assert manager.listing() is first and first.public() is first.public()
    (tmp_path / "config").write_text(
        CONFIG + "[profile added]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
    )
    assert "added" in [row.name for row in manager.switchable()]


def test_a_front_end_switch_never_prompts_and_says_when_a_code_is_needed(manager):
    manager.assumer.fail_with = MfaRequired("A new MFA code is needed.")
    assert manager.switch("one") is None and manager.active is None
    manager.assumer.fail_with = None
    assert manager.switch("one", options=Options(region="eu-west-3")).region == "eu-west-3"
