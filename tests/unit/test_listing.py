"""The profile rows: planned only when a field that needs the plan is read, equal to rows planned at once."""

import pytest

from jupyter_awsrole.cache import mfa_session_key
from jupyter_awsrole.errors import AwsRoleError
from jupyter_awsrole.listing import MATCHES_KEPT, Listing, Page, ProfileInfo, _row, mfa_state
from jupyter_awsrole.manager import RoleManager
from jupyter_awsrole.profiles import ProfileStore
from tests.unit.test_cache import _response  # an STS answer as the cache keeps it

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


# -- pages ------------------------------------------------------------------------------------


@pytest.fixture
def manager(store, tmp_path):
    m = RoleManager()
    m.settings.auto_refresh = False
    m.settings.cache_dir = str(tmp_path / "cache")
    return m


def test_a_page_is_the_filtered_rows_from_the_offset_and_the_count_of_all(manager):
    page = manager.list_page("", 1, 2)
    assert isinstance(page, Page) and (page.total, page.offset) == (5, 1)
    assert [r.name for r in page.rows] == [r.name for r in manager.list_profiles()[1:3]] == ["bare", "broken"]
    assert [r.name for r in manager.list_page("AD", 0, 10).rows] == ["admin", "reader"]
    assert manager.list_page("e r", 0, 1).total == 4 and manager.list_page("nothing").total == 0
    assert manager.list_page("", 4, 200).rows[0].name == "user1" and manager.list_page("", 5).rows == []
    assert page.public() == [r.public() for r in page.rows]


@pytest.mark.parametrize(
    ("offset", "limit", "field"), [(-1, 10, "offset"), (0, 0, "limit"), (0, 1001, "limit"), ("0", 10, "offset")]
)
def test_a_page_out_of_range_is_a_one_line_error_naming_the_field(manager, offset, limit, field):
    with pytest.raises(AwsRoleError) as caught:
        manager.list_page("", offset, limit)
    assert caught.value.field == field and str(caught.value).startswith(field) and "\n" not in str(caught.value)


def test_page_rows_say_the_mfa_state_each_row_has_now(manager):
    """The state of each row of a page is the one needs_code gives that profile alone (what --list showed)."""
    before = {r.name: r.mfa_state for r in manager.list_page().rows}
    assert before == {"admin": "code needed", "bare": "no MFA", "broken": "no MFA", "reader": "code needed",
                      "user1": "no MFA"}  # fmt: skip
    manager.cache.directory = manager.settings.cache_dir
    manager.cache.store(mfa_session_key(MFA, "user1"), _response(60))  # an open MFA session from user1
    after = manager.list_page().rows
    assert {r.name: r.mfa_state for r in after if r.mfa} == {"admin": "session open", "reader": "session open"}
    assert [r.mfa_state for r in after] == [mfa_state(r.name, r.mfa, manager.needs_code) for r in after]


def test_only_the_page_is_checked_for_mfa(manager, monkeypatch):
    asked = []
    real = manager.assumer.needs_code
    monkeypatch.setattr(
        manager.assumer, "needs_code", lambda plan, *a: asked.append(plan.profile.name) or real(plan, *a)
    )
    manager.list_page("", 0, 1)
    assert asked == ["admin"]


def test_a_changed_config_file_is_a_new_listing_and_new_matches(manager, tmp_path):
    assert manager.list_page("new").total == 0
    listing = manager.listing()
    assert manager.listing().matching("new") is listing.matching("new")  # a filter typed again: no new scan
    config = tmp_path / "config"
    config.write_text(
        config.read_text() + "[profile new-one]\nrole_arn = arn:aws:iam::1:role/n\nsource_profile = user1\n"
    )
    assert [r.name for r in manager.list_page("new").rows] == ["new-one"] and manager.listing() is not listing


def test_matches_kept_are_bounded_and_copies_are_handed_out(manager):
    listing = manager.listing()
    for i in range(MATCHES_KEPT + 5):
        listing.matching(f"x{i}")
    assert len(listing._matches) == MATCHES_KEPT
    manager.list_profiles().clear()  # a caller changing its list changes no later answer
    assert len(manager.list_profiles()) == 5
