"""The profile rows: planned only when a field that needs the plan is read, equal to rows planned at once."""

import pytest

from jupyter_awsrole.listing import Listing, ProfileInfo, _row
from jupyter_awsrole.profiles import ProfileStore

MFA = "arn:aws:iam::123456789012:mfa/user1"
PROFILES = {  # the chain user1 -> admin (MFA) -> reader, a broken source, a profile with nothing to switch with
    "user1": {"region": "us-east-1"},
    "admin": {"role_arn": "arn:aws:iam::123456789012:role/admin", "source_profile": "user1", "mfa_serial": MFA},
    "reader": {"role_arn": "arn:aws:iam::123456789012:role/reader", "source_profile": "admin"},
    "broken": {"role_arn": "arn:aws:iam::123456789012:role/x", "source_profile": "nobody"},
    "bare": {"region": "us-east-1"},
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    sections = [
        f"[profile {name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()) for name, values in PROFILES.items()
    ]
    files = {
        "config": "".join(sections),
        "credentials": "[user1]\naws_access_key_id = AKIDX\naws_secret_access_key = s\n",
    }
    for variable, (name, text) in zip(("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"), files.items(), strict=True):
        (tmp_path / name).write_text(text)
        monkeypatch.setenv(variable, str(tmp_path / name))
    return ProfileStore()


def test_rows_equal_rows_planned_at_once(store):
    profiles = store.profiles()
    rows = Listing.read(store, profiles).rows
    eager = [_row(store, profiles[name]) for name in sorted(profiles)]
    assert rows == eager and [r.public() for r in rows] == [r.public() for r in eager]
    assert repr(rows[0]) == repr(eager[0]) and {rows[0]} == {eager[0]}
    broken = next(r for r in rows if r.name == "broken")
    assert "nobody" in broken.problem and broken.source == ""
    reader = next(r for r in rows if r.name == "reader")
    assert (reader.source, reader.mfa, reader.mfa_state) == ("user1 -> admin", True, "code needed")


def test_only_the_rows_read_are_planned(store, monkeypatch):
    planned = []
    real = store.plan_loaded
    monkeypatch.setattr(store, "plan_loaded", lambda name: planned.append(name) or real(name))
    listing = Listing.read(store, store.profiles())
    assert [r.name for r in listing.switchable] == ["admin", "broken", "reader", "user1"]
    assert planned == []  # names and kinds need no plan
    assert listing.rows[1].source == ""  # 'bare': no role, no plan either
    assert listing.rows[3].source == "user1 -> admin" and planned == ["reader"]


def test_live_rows_are_plain_rows(store):
    row = next(r for r in Listing.read(store, store.profiles()).rows if r.name == "admin")
    live = row.live(lambda _name: False)
    assert type(live) is ProfileInfo and live.mfa_state == "session open" and live.source == "user1"
