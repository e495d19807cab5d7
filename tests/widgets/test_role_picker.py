"""The role picker's widgets against the local AWS, in-process (no browser, no kernel needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from jupyter_awsrole import comm
from jupyter_awsrole.errors import AwsRoleError
from jupyter_awsrole.manager import RoleManager
from jupyter_awsrole.role_picker import MAX_SHOWN, RolePicker
from tests.support.leaks import assert_no_leak


@pytest.fixture
def manager(local_aws, monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in local_aws.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    manager = RoleManager()
    yield manager
    manager.unset()


def _state_of_every_widget(picker: RolePicker) -> str:
    import ipywidgets

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    parts = []
    for widget in walk(picker.widget):
        parts.append(json.dumps(widget.get_state(), default=str))
        if isinstance(widget, ipywidgets.Widget) and hasattr(widget, "layout"):
            parts.append(json.dumps(widget.layout.get_state(), default=str))
    return "\n".join(parts)


def test_choosing_a_profile_shows_its_role_and_the_code_field_only_when_needed(manager):
    picker = RolePicker(manager)
    assert {"marketingadmin", "analyst", "reporting", "audit", "ci"} <= set(picker.select.options)
    assert {"user1", "datascientist"} <= set(picker.select.options)  # keys and SSO profiles are targets too
    picker.select.value = "marketingadmin"
    assert "arn:aws:iam::123456789012:role/marketingadminrole" in picker.details.value
    assert "MFA code needed" in picker.details.value
    assert picker.code.layout.display == ""
    picker.select.value = "analyst"
    assert picker.code.layout.display == "none"
    assert "no MFA" in picker.details.value


def test_inside_an_mfa_session_the_picker_says_what_the_switcher_and_list_say(manager, local_aws):
    manager.assume("marketingadmin", mfa=local_aws.mfa_code())
    picker = RolePicker(manager)
    picker.select.value = "reporting"
    assert "MFA session open" in picker.details.value and "code needed" not in picker.details.value
    assert picker.code.layout.display == "none"
    row = next(row for row in manager.switchable("reporting"))
    assert row.live(manager.needs_code).mfa_state == "session open"


def test_unset_is_named_and_placed_apart_from_the_filter_which_clears_alone(manager):
    manager.assume("analyst")
    picker = RolePicker(manager)
    assert picker.unset_button.description == "Unset role"
    filter_row = next(
        box for box in picker.widget.children[0].children[0].children if picker.filter in getattr(box, "children", ())
    )
    assert picker.unset_button not in filter_row.children
    picker.filter.value = "market"
    picker.filter_clear.click()
    assert picker.filter.value == "" and manager.active.profile == "analyst"  # the role stays
    picker.unset_button.click()
    assert manager.active is None


def test_filter_narrows_and_a_single_match_is_chosen(manager):
    picker = RolePicker(manager)
    picker.filter.value = "MARKET"
    assert picker.select.options == ("marketingadmin",)
    assert picker.select.value == "marketingadmin"
    picker.filter.value = "zzz"
    assert picker.select.options == () and "no profile matches" in picker.more.value


def test_enter_in_the_code_field_assumes_and_the_code_is_cleared_at_once(manager, local_aws):
    picker = RolePicker(manager)
    picker.select.value = "marketingadmin"
    code = local_aws.mfa_code()
    picker.code.value = code
    assert picker.code.value == ""
    assert manager.active.profile == "marketingadmin"
    assert "assumed-role/marketingadminrole/" in boto3.client("sts").get_caller_identity()["Arn"]
    assert "marketingadminrole" in picker.status.value and "123456789012" in picker.status.value
    assert "jupyter-awsrole-countdown" in picker.status.value
    assert picker.code.layout.display == "none"  # the MFA session spares the next code
    assert picker.error.value == ""
    secrets = set(json.loads(Path(local_aws.state_dir, "env.json").read_text()).values())
    secrets |= {
        manager.active.credentials.access_key_id,
        manager.active.credentials.secret_access_key,
        manager.active.credentials.session_token or "",
        code,
    }
    assert_no_leak(secrets, _state_of_every_widget(picker), "the picker's widget state")


def test_errors_show_the_magics_one_line_messages_and_change_nothing(manager, local_aws):
    manager.assume("analyst")
    picker = RolePicker(manager)
    picker.select.value = "marketingadmin"
    picker.assume_button.click()
    assert "Type the MFA code" in picker.error.value
    picker.code.value = local_aws.wrong_mfa_code()
    assert "Wrong MFA code" in picker.error.value
    picker.code.value = "12ab"
    assert "6 digits" in picker.error.value
    assert manager.active.profile == "analyst"


def test_every_picker_follows_switches_made_elsewhere(manager, local_aws):
    first, second = RolePicker(manager), RolePicker(manager)
    manager.assume("analyst")
    for picker in (first, second):
        assert picker.select.value == "analyst" and "analystrole" in picker.status.value
    first.select.value = "marketingadmin"
    first.code.value = local_aws.mfa_code()
    assert second.select.value == "marketingadmin" and "marketingadminrole" in second.status.value
    second.unset_button.click()
    assert manager.active is None
    assert "no role assumed" in first.status.value
    first.widget.close()
    manager.assume("analyst")
    assert "no role assumed" in first.status.value  # a closed picker stops following


def test_five_thousand_profiles_stay_usable(manager, local_aws, tmp_path, monkeypatch):
    lines = [Path(local_aws.config_file).read_text()]
    for i in range(5000):
        lines.append(
            f"[profile team-{i:04d}-admin]\nrole_arn = arn:aws:iam::123456789012:role/team{i}\n"
            "source_profile = user1\nmfa_serial = arn:aws:iam::123456789012:mfa/user1\n"
        )
    config = tmp_path / "big-config"
    config.write_text("\n".join(lines))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    picker = RolePicker(manager)
    assert len(picker.select.options) == MAX_SHOWN and "more; type to narrow" in picker.more.value
    picker.filter.value = "team-4242"
    assert picker.select.options == ("team-4242-admin",)
    assert "role/team4242" in picker.details.value


def test_closing_a_picker_leaves_other_widgets_alone(manager):
    import ipywidgets

    other = ipywidgets.Text(value="mine")
    picker = RolePicker(manager)
    picker.close()
    assert other.comm is not None and picker.widget.comm is None and picker.filter.comm is None
    manager.assume("analyst")
    assert "no role assumed" in picker.status.value  # a closed picker stops following


def test_the_console_button_hands_the_link_to_the_lab_and_no_trait_holds_it(manager, monkeypatch):
    token = "SigninTokenNeverInATrait42"
    link = SimpleNamespace(
        url=f"https://signin.example.invalid/federation?Action=login&SigninToken={token}",
        profile="analyst",
        expires_at="2030-01-01T12:00:00Z",
    )
    offered: list = []
    monkeypatch.setattr(manager, "console_link", lambda service=None: link, raising=False)
    monkeypatch.setattr(comm, "open_console", lambda given: offered.append(given) or True)
    picker = RolePicker(manager)
    assert picker.console_button.disabled  # no role: nothing to sign in as
    manager.assume("analyst")
    assert not picker.console_button.disabled
    picker.console_button.click()
    assert offered == [link] and picker.error.value == ""
    monkeypatch.setattr(comm, "open_console", lambda given: False)  # no JupyterLab listening
    picker.console_button.click()
    assert "JupyterLab" in picker.error.value
    assert_no_leak({link.url, token}, _state_of_every_widget(picker), "the picker's widget state")


def test_the_console_button_shows_the_managers_one_line_error(manager, monkeypatch):
    def refuse(service=None):
        raise AwsRoleError("The AWS console needs a role session, not long-term keys.")

    monkeypatch.setattr(manager, "console_link", refuse, raising=False)
    manager.assume("analyst")
    picker = RolePicker(manager)
    picker.console_button.click()
    assert "needs a role session" in picker.error.value and "<br" not in picker.error.value
    assert manager.active.profile == "analyst"
