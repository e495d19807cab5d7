"""Property tests: odd magic lines and random config files give the right result or one clear line, never a traceback."""

from __future__ import annotations

import getpass
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jupyter_awsrole.errors import AwsRoleError
from jupyter_awsrole.magics import FLAGS
from jupyter_awsrole.manager import RoleManager

PROFILES = ["marketingadmin", "analyst", "reporting", "audit", "ci", "user1"]
QUIET = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

words = st.one_of(
    st.sampled_from(PROFILES + list(FLAGS) + ["--", "-", "'", '"', "''", "--mfa-token=123456", "--duration=900"]),
    st.text(alphabet=string.printable + "éßø中文🙂\u200b", min_size=0, max_size=12),
    st.from_regex(r"\d{1,8}", fullmatch=True),
    st.text(min_size=200, max_size=400),
)
lines = st.lists(words, min_size=0, max_size=6).map(" ".join)


@pytest.fixture(scope="module")
def shell(local_aws, tmp_path_factory):
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(local_aws.env())
    os.environ["HOME"] = str(tmp_path_factory.mktemp("home"))
    # A copy: a random `--export PROFILE --yes` writes to the config, and the session's one is shared.
    config = tmp_path_factory.mktemp("config") / "config"
    config.write_text(Path(local_aws.config_file).read_text())
    os.environ["AWS_CONFIG_FILE"] = str(config)
    real_getpass = getpass.getpass

    def no_terminal(prompt: str = "") -> str:
        raise EOFError  # a test run has nobody to type a code

    getpass.getpass = no_terminal
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyter_awsrole")
    ip.run_line_magic("awsrole", "analyst")
    yield ip
    getpass.getpass = real_getpass
    ip.run_line_magic("awsrole", "--unset")
    os.environ.clear()
    os.environ.update(saved)


def _aws_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("AWS_")}


@QUIET
@given(line=lines)
def test_any_magic_line_either_works_or_says_one_line_and_changes_nothing(shell, line):
    from jupyter_awsrole.manager import get_manager

    manager = get_manager()
    if manager.active is None:
        shell.run_line_magic("awsrole", "analyst")
    before, active = _aws_env(), manager.active
    try:
        shell.run_line_magic("awsrole", line)
    except UsageError as exc:
        message = str(exc).strip()
        assert message and "\n" not in message and "Traceback" not in message
        assert _aws_env() == before and manager.active == active


KEYS = [
    "role_arn",
    "source_profile",
    "credential_source",
    "mfa_serial",
    "external_id",
    "role_session_name",
    "duration_seconds",
    "region",
    "endpoint_url",
    "aws_access_key_id",
    "aws_secret_access_key",
    "credential_process",
    "sso_session",
    "web_identity_token_file",
    "bogus_key",
]
names = st.sampled_from(["a", "b", "c", "d", "default", "é"])
values = st.one_of(
    names,
    st.sampled_from(["Environment", "Laptop", "arn:aws:iam::123456789012:role/x", "900", "an hour", "-5", ""]),
    st.text(alphabet=string.ascii_letters + string.digits + ":/-_ ", max_size=20),
)
sections = st.tuples(names, st.booleans(), st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=6))
garbage = st.sampled_from(["", "no section line", "[broken", "key without value", "= value", "[profile a]"])


@QUIET
@given(config=st.lists(st.one_of(sections, garbage), max_size=8))
def test_any_config_file_is_planned_or_refused_in_one_line(tmp_path, monkeypatch, config):
    text = []
    for part in config:
        if isinstance(part, str):
            text.append(part)
            continue
        name, prefixed, items = part
        text.append(f"[profile {name}]" if prefixed and name != "default" else f"[{name}]")
        text.extend(f"{k} = {v}" for k, v in items)
    path = Path(tmp_path) / "config"
    path.write_text("\n".join(text) + "\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(Path(tmp_path) / "missing"))
    manager = RoleManager()
    for name in ["a", "b", "c", "d", "default", "é", "nosuch"]:
        try:
            manager.plan(name)
        except AwsRoleError as exc:
            assert "\n" not in str(exc) and str(exc)
    try:
        rows = manager.list_profiles()
    except AwsRoleError as exc:
        assert "\n" not in str(exc)
    else:
        assert all("\n" not in row.problem for row in rows)
