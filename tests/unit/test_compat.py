"""One test per shim of jupyter_awsrole.compat, each against the real library: an upgrade that breaks one fails here."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from importlib.metadata import version

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyter_awsrole import compat
from tests.support.aws_cli import CLI_KEY, CLI_KEY_ARGS, ROLE


def broke(shim: str, *packages: str) -> str:
    """The failure message: which shim, and the versions installed now (the docstring names the checked ones)."""
    installed = ", ".join(f"{name} {version(name)}" for name in packages)
    return f"compat.{shim} no longer works with {installed}: see its docstring for the versions it was checked against"


# -- botocore and boto3 -----------------------------------------------------------------------


def test_assume_role_cache_key_is_the_file_name_the_aws_cli_writes():
    assert compat.assume_role_cache_key(ROLE, CLI_KEY_ARGS) == CLI_KEY, broke("assume_role_cache_key", "botocore")


def _botocore_cache_key(role_arn: str, extra_args: dict) -> str:
    from botocore.credentials import AssumeRoleCredentialFetcher

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None, source_credentials=None, role_arn=role_arn, extra_args=dict(extra_args), cache={}
    )
    return fetcher._cache_key


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_policy = st.dictionaries(_text, st.one_of(_text, st.lists(_text, max_size=3)), max_size=4).map(
    lambda doc: json.dumps(doc, sort_keys=False)
)
_assume_args = st.fixed_dictionaries(
    {},
    optional={
        "RoleSessionName": st.one_of(st.just(""), _text),
        "ExternalId": _text,
        "SerialNumber": _text,
        "DurationSeconds": st.integers(900, 43200),
        "Policy": _policy,
        "PolicyArns": st.lists(st.fixed_dictionaries({"arn": _text}), max_size=2),
        "Tags": st.lists(st.fixed_dictionaries({"Key": _text, "Value": _text}), max_size=2),
        "RoleArn": _text,
    },
)


@settings(max_examples=200, deadline=None)
@given(role_arn=_text, extra_args=_assume_args)
def test_assume_role_cache_key_equals_botocores_own(role_arn, extra_args):
    """Computed without importing botocore.credentials, the key is still botocore's, whatever the arguments."""
    assert compat.assume_role_cache_key(role_arn, extra_args) == _botocore_cache_key(role_arn, extra_args), broke(
        "assume_role_cache_key", "botocore"
    )


def test_assume_role_cache_keys_remembered_keep_equal_values_of_other_types_apart():
    """1, 1.0 and True are equal in Python but not in JSON: each is its own key, botocore's, asked twice."""
    for _ in range(2):
        keys = [compat.assume_role_cache_key(ROLE, {"DurationSeconds": v}) for v in (1, 1.0, True)]
        assert len(set(keys)) == 3
        assert keys == [_botocore_cache_key(ROLE, {"DurationSeconds": v}) for v in (1, 1.0, True)]


def test_assume_role_cache_key_does_not_import_botocore_credentials():
    code = "import sys; from jupyter_awsrole import compat; compat.assume_role_cache_key('arn', {}); "
    code += "print('botocore.credentials' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_credentials_expiry_of_refreshable_and_deferred_credentials():
    from botocore.credentials import (
        Credentials,
        DeferredRefreshableCredentials,
        RefreshableCredentials,
    )

    expiry = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).replace(microsecond=0)
    metadata = {"access_key": "AKID", "secret_key": "s", "token": "t", "expiry_time": expiry.isoformat()}
    refreshable = RefreshableCredentials.create_from_metadata(metadata, lambda: metadata, "test")
    deferred = DeferredRefreshableCredentials(lambda: metadata, "sso")  # SSO and web identity: fetched on use
    deferred.get_frozen_credentials()
    assert compat.credentials_expiry(refreshable) == expiry, broke("credentials_expiry", "botocore")
    assert compat.credentials_expiry(deferred) == expiry, broke("credentials_expiry", "botocore")
    assert compat.credentials_expiry(Credentials("AKID", "s")) is None


def test_boto3_default_session_is_kept_and_resolves_the_new_credentials(monkeypatch, tmp_path):
    import boto3

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFIRST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "first")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session.get_credentials().access_key == "AKIDFIRST"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSECOND")
    assert session.get_credentials().access_key == "AKIDFIRST"  # boto3 keeps them: why the shim exists

    compat.forget_default_session_credentials(boto3, keep_session=True)
    assert boto3.DEFAULT_SESSION is session, broke("forget_default_session_credentials", "boto3", "botocore")
    assert session.get_credentials().access_key == "AKIDSECOND", broke(
        "forget_default_session_credentials", "boto3", "botocore"
    )
    compat.forget_default_session_credentials(boto3, keep_session=False)
    assert boto3.DEFAULT_SESSION is None


_IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDA</UserId><Account>123456789012</Account>"
    b"</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


class _Raw:
    def stream(self, **_):
        yield _IDENTITY


def test_a_client_signs_with_the_credentials_swapped_into_its_session():
    import botocore.session
    from botocore.awsrequest import AWSResponse

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session.set_credentials("unset", "unset")
    client = session.create_client("sts", region_name="us-east-1", endpoint_url="https://sts.compat-test.invalid")
    signing = session.get_credentials()
    sent: list[dict[str, str]] = []

    def answer(request, **_):
        sent.append({k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})
        return AWSResponse(request.url, 200, {}, _Raw())

    client.meta.events.register("before-send", answer)
    compat.swap_signing_credentials(signing, "AKIDSWAPPEDIN", "secret", "token-1")
    client.get_caller_identity()
    compat.swap_signing_credentials(signing, "AKIDSECONDKEY", "secret", None)
    client.get_caller_identity()

    assert "Credential=AKIDSWAPPEDIN/" in sent[0]["Authorization"], broke("swap_signing_credentials", "botocore")
    assert sent[0].get("X-Amz-Security-Token") == "token-1", broke("swap_signing_credentials", "botocore")
    assert "Credential=AKIDSECONDKEY/" in sent[1]["Authorization"], broke("swap_signing_credentials", "botocore")
    assert "X-Amz-Security-Token" not in sent[1]


# -- fsspec and s3fs ----------------------------------------------------------------------------


def test_filesystem_instances_is_the_cache_s3fs_answers_from_and_connected_follows_the_client():
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()
    try:
        fs = s3fs.S3FileSystem(anon=True, endpoint_url="http://127.0.0.1:9")
        instances = compat.filesystem_instances(s3fs.S3FileSystem)
        assert fs in instances.values(), broke("filesystem_instances", "fsspec", "s3fs")
        assert not compat.s3fs_connected(fs), broke("s3fs_connected", "s3fs")
        fs.connect()  # makes the client; nothing is sent until a call
        assert compat.s3fs_connected(fs), broke("s3fs_connected", "s3fs")
        kept = dict(instances)
        s3fs.S3FileSystem.clear_instance_cache()
        compat.filesystem_instances(s3fs.S3FileSystem).update(kept)
        assert s3fs.S3FileSystem(anon=True, endpoint_url="http://127.0.0.1:9") is fs, broke(
            "filesystem_instances", "fsspec", "s3fs"
        )
    finally:
        s3fs.S3FileSystem.clear_instance_cache()


# -- IPython ------------------------------------------------------------------------------------


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # a real sqlite database, never the real ~/.ipython
    ip = InteractiveShell.instance(config=config)
    yield ip
    InteractiveShell.clear_instance()


def _history_rows(hm) -> list[tuple[str, str]]:
    return hm.db.execute("SELECT source, source_raw FROM history WHERE session = ?", (hm.session_number,)).fetchall()


@pytest.mark.parametrize("written", [False, True], ids=["in IPython's write cache", "already in the database"])
def test_rewrite_current_input_reaches_every_copy_of_the_cell_and_no_other(shell, written):
    hm = shell.history_manager
    shell.run_cell("before = 'SECRET'", store_history=True)
    shell.run_cell("x = 'SECRET'", store_history=True)
    count = len(hm.input_hist_raw) - 1
    if written:
        hm.writeout_cache()

    compat.rewrite_current_input(shell, "x = 'SECRET'", lambda text: text.replace("SECRET", "******"))
    hm.writeout_cache()

    message = broke("rewrite_current_input", "ipython")
    assert shell.user_ns["In"][count] == hm.input_hist_raw[count] == "x = '******'", message
    assert shell.user_ns["_ih"][count] == shell.user_ns[f"_i{count}"] == "x = '******'", message
    assert hm._i00 == "x = '******'", message
    assert _history_rows(hm) == [("before = 'SECRET'",) * 2, ("x = '******'",) * 2], message
    assert hm.input_hist_raw[count - 1] == "before = 'SECRET'"


def test_rewrite_current_input_leaves_history_alone_when_the_line_is_not_the_stored_cell(shell):
    shell.run_cell("x = 'SECRET'", store_history=True)
    compat.rewrite_current_input(shell, "y = 'SECRET'", lambda text: text.replace("SECRET", "******"))
    assert shell.history_manager.input_hist_raw[-1] == "x = 'SECRET'"


def _completions(shell, code: str) -> list[str]:
    """What IPython offers at the end of `code`, through the API ipykernel and the terminal use."""
    with provisionalcompleter():
        return [c.text for c in shell.Completer.completions(code, len(code))]


def test_magic_completer_offers_only_its_own_matches(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "markfile.txt").write_text("")  # the file matcher would offer it
    shell.user_ns["markvar"] = 1
    asked: list[str] = []

    def complete(text: str) -> list[str]:
        asked.append(text)
        return ["marketingadmin", "Marketing2", "analyst", "--list"]

    compat.add_magic_completer(shell, "probe", complete)
    compat.add_magic_completer(shell, "probe", complete)  # %reload_ext: one completer, not two

    message = broke("add_magic_completer", "ipython")
    assert _completions(shell, "%probe mark") == ["marketingadmin"], message
    assert _completions(shell, "%probe Mark") == ["Marketing2"], message
    assert _completions(shell, "probe --l") == ["--list"], message  # automagic: typed without %
    assert _completions(shell, "x = 1\n%probe mar") == ["marketingadmin"], message
    assert _completions(shell, "%probe ") == ["marketingadmin", "Marketing2", "analyst", "--list"], message
    assert asked[0] == " mark"
    assert "marketingadmin" not in _completions(shell, "%%probe mark")  # a cell magic line is not ours
    assert "markvar" in _completions(shell, "mark")  # other code completes as before
    assert [m for m in shell.Completer.custom_matchers if "probe" in getattr(m, "matcher_identifier", "")]


# -- Jupyter comms -----------------------------------------------------------------------------


def test_comm_targets_land_in_the_kernels_own_comm_manager():
    # In a child process: importing ipykernel rewires the comm package for the whole process.
    script = textwrap.dedent("""
        from ipykernel.inprocess.manager import InProcessKernelManager
        from jupyter_awsrole import compat

        km = InProcessKernelManager()
        km.start_kernel()
        callback = lambda comm, msg: None
        compat.register_comm_target(km.kernel, "compat-probe", callback)
        assert km.kernel.comm_manager.targets["compat-probe"] is callback
        km.shutdown_kernel()
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().endswith("ok"), broke("register_comm_target", "comm", "ipykernel") + "\n" + done.stderr
