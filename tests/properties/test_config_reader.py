"""Differential property test: config_reader reads generated AWS config files exactly as botocore does."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jupyter_awsrole.config_reader import read_sections
from jupyter_awsrole.errors import ProfileError
from jupyter_awsrole.profiles import _load, _load_with_botocore

MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

names = st.sampled_from(["a", "b", "dev", "prod", "default", "user1", "x y", "DEFAULT"])
keys = st.sampled_from(
    ["role_arn", "source_profile", "region", "mfa_serial", "aws_access_key_id", "aws_secret_access_key", "s3", "Region"]
)
values = st.one_of(
    st.sampled_from(["v", "arn:aws:iam::123456789012:role/r", "a b", "x # not a comment", "", "1:2", "a=b", "é"]),
    st.text(alphabet="ab =:#;[]\"'\\\t", max_size=8),
)
headers = st.one_of(
    names.map(lambda n: f"[profile {n}]"),
    names.map(lambda n: f"[{n}]"),
    names.map(lambda n: f"[profile  {n}]"),
    names.map(lambda n: f'[profile "{n}"]'),
    names.map(lambda n: f"[sso-session {n}]"),
    st.sampled_from(["[profile]", "[profilea]", "[profile 'a]", "[]", "[a] trailing", "[profile a\\ b]"]),
)
options = st.tuples(keys, st.sampled_from([" = ", "=", ": ", " :", "  =  "]), values).map("".join)
indented = st.tuples(st.sampled_from(["  ", "\t", "    ", " \t"]), st.one_of(options, values)).map("".join)
lines = st.one_of(
    headers,
    options,
    options,
    indented,  # nested blocks and continuation lines
    st.sampled_from(["", "   ", "# comment", "; comment", "  # indented comment", "\t; indented"]),
    st.sampled_from(["no delimiter", "= value", "[DEFAULT]", "k = \u00e9"]),  # botocore's errors and oddities
)
files = st.tuples(st.lists(lines, max_size=14), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans()).map(
    lambda t: t[1].join(t[0]) + (t[1] if t[2] else "")
)


def _write(path: Path, text: str | None) -> str:
    if text is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(text.encode())
    return str(path)


def _outcome(load, config: str, creds: str) -> object:
    try:
        return load(config, creds)
    except ProfileError as exc:
        return ("error", str(exc))


@MANY
@given(text=files)
def test_sections_equal_botocores_raw_parse(tmp_path, text):
    path = _write(tmp_path / "config", text)
    mine = read_sections(path)
    event("read here" if mine is not None else "left to botocore")
    try:
        theirs = raw_config_parse(path)
    except ConfigParseError:
        assert mine is None  # botocore reads it again and raises its own error
        return
    if mine is None:  # left to botocore only for what it reads in its own way
        assert "DEFAULT" in text or not text.isascii()
    else:
        assert mine == theirs


@MANY
@given(config=files, creds=st.one_of(st.none(), files))
def test_profiles_equal_botocores_with_the_credentials_file_on_top(tmp_path, config, creds):
    config_path = _write(tmp_path / "config", config)
    creds_path = _write(tmp_path / "credentials", creds)
    assert _outcome(_load, config_path, creds_path) == _outcome(_load_with_botocore, config_path, creds_path)


@pytest.mark.parametrize(
    "text",
    [
        "[profile a]\nrole_arn = r\n  continued\n\n[a]\nregion = x\n",  # continuation; [a] is not profile a
        "[profile a]\ns3 =\n  addressing_style = path\n# c\n; c\nregion=eu-west-1 ; kept\n",
        "[default]\nregion = x\n[profile default]\nregion = y\n[profile  b]\nk = 1\n[profile b]\nk = 2\n",
        '[profile "a b"]\nk = v\n[profile a b]\nk = w\n',
    ],
)
def test_the_usual_quirks_are_read_here_not_left_to_botocore(tmp_path, text):
    path = _write(tmp_path / "config", text)
    assert read_sections(path) is not None
    assert read_sections(path) == raw_config_parse(path)


@pytest.mark.parametrize(
    "text",
    ["[a]\nk = 1\nk = 2\n", "[a]\n[a]\n", "[DEFAULT]\nk = 1\n[a]\n", "k = 1\n", "[a]\nno delimiter\n", "[a]\nk = é\n"],
)
def test_what_botocore_rejects_or_reads_differently_is_left_to_it(tmp_path, text):
    assert read_sections(_write(tmp_path / "config", text)) is None
