"""Profile validation and chain planning on real config files, read as botocore reads them."""

import pytest

from jupyter_awsrole.errors import ProfileError
from jupyter_awsrole.profiles import ProfileStore, _load, _load_with_botocore, config_paths, plan_chain

CONFIG = """
[profile user1]
region = us-east-1
[profile marketingadmin]
role_arn = arn:aws:iam::123456789012:role/marketingadminrole
source_profile = user1
mfa_serial = arn:aws:iam::123456789012:mfa/user1
[profile reporting]
role_arn = arn:aws:iam::123456789012:role/reportingrole
source_profile = marketingadmin
external_id = ext
duration_seconds = 1800
region = eu-west-1
[profile deeper]
role_arn = arn:aws:iam::123456789012:role/deeper
source_profile = reporting
[profile envrole]
role_arn = arn:aws:iam::123456789012:role/envrole
credential_source = Environment
[profile both]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = user1
credential_source = Environment
[profile neither]
role_arn = arn:aws:iam::123456789012:role/x
[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = loop-a
[profile badsource]
role_arn = arn:aws:iam::123456789012:role/x
credential_source = Laptop
[profile badduration]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = user1
duration_seconds = an hour
[profile ghost]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = nobody
[profile empty-source]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = emptyp
[profile emptyp]
region = us-east-1
[profile selfkeys]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = selfkeys
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = secret
[profile proc]
credential_process = /bin/echo
[profile viaproc]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = proc
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
[profile ssouser]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
[profile viasso]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = ssouser
[profile ssohalf]
sso_session = corp
sso_account_id = 123456789012
[profile viassohalf]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = ssohalf
[profile ssonosession]
sso_role_name = Dev
sso_session = nowhere
region = eu-west-1
sso_account_id = 123456789012
[profile ssolegacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 210987654321
sso_role_name = ReadOnly
[profile webid]
role_arn = arn:aws:iam::123456789012:role/web
web_identity_token_file = /tmp/token
[profile viaweb]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = webid
"""
CREDENTIALS = """
[user1]
aws_access_key_id = AKIDUSER1
aws_secret_access_key = user1secret
"""


@pytest.fixture
def store(tmp_path, monkeypatch):
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return ProfileStore()


def test_credentials_file_profiles_are_merged(store):
    user1 = store.get("user1")
    assert user1.kind == "keys" and user1.region == "us-east-1"


def test_one_hop_with_mfa(store):
    plan = store.plan("marketingadmin")
    assert plan.root.name == "user1"
    assert [h.role_arn for h in plan.hops] == ["arn:aws:iam::123456789012:role/marketingadminrole"]
    assert plan.needs_mfa


def test_three_hop_chain_in_call_order(store):
    plan = store.plan("deeper")
    assert plan.root.name == "user1"
    assert [h.profile.name for h in plan.hops] == ["marketingadmin", "reporting", "deeper"]
    assert plan.hops[1].external_id == "ext" and plan.hops[1].duration_seconds == 1800
    assert plan.source_label == "user1 -> marketingadmin -> reporting"


def test_credential_source(store):
    plan = store.plan("envrole")
    assert plan.credential_source == "Environment" and plan.root is None


@pytest.mark.parametrize(
    "name, words",
    [
        ("both", ["'both'", "both source_profile and credential_source"]),
        ("neither", ["'neither'", "neither source_profile nor credential_source"]),
        ("loop-a", ["loop-a -> loop-b -> loop-a"]),
        ("badsource", ["'badsource'", "unknown credential_source 'Laptop'", "Environment"]),
        ("badduration", ["'badduration'", "duration_seconds", "an hour"]),
        ("ghost", ["'ghost'", "'nobody' does not exist"]),
        ("empty-source", ["'emptyp' has no credentials"]),
        ("emptyp", ["'emptyp' has no role_arn and no credentials"]),
        ("ssohalf", ["'ssohalf' uses SSO but has no sso_role_name"]),
        ("ssonosession", ["'ssonosession'", "sso_session 'nowhere' has no [sso-session] section"]),
        ("viassohalf", ["'ssohalf' uses SSO but has no sso_role_name"]),
    ],
)
def test_validation_messages_are_one_line_and_name_the_profile(store, name, words):
    with pytest.raises(ProfileError) as info:
        store.plan(name)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_unknown_profile_suggests_close_names(store):
    with pytest.raises(ProfileError, match="Did you mean: marketingadmin"):
        store.plan("marketingadmn")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("marketingadmn", ["marketingadmin"]),  # not 'reporting' as well, which merely shares letters
        ("analist", ["analyst"]),
        ("admin", ["marketingadmin"]),  # nothing a typo away: names holding what was typed
        ("xyzzy", []),
    ],
)
def test_suggestions_are_close_or_none(typed, suggested):
    from jupyter_awsrole.profiles import suggest

    names = {n: None for n in ("user1", "marketingadmin", "analyst", "reporting", "audit", "ci")}
    said = suggest(typed, names)  # type: ignore[arg-type]
    assert said == (f" Did you mean: {', '.join(suggested)}?" if suggested else "")


def test_self_sourced_static_keys(store):
    plan = store.plan("selfkeys")
    assert plan.root.name == "selfkeys" and len(plan.hops) == 1
    # The root is the profile's keys alone: resolving the whole profile would assume the role twice.
    assert plan.root.kind == "keys" and plan.root.role_arn is None and plan.root.source_profile is None
    assert plan.root.get("aws_access_key_id") == "AKIDEXAMPLE" and plan.source_label == "selfkeys"


@pytest.mark.parametrize("name, kind", [("viaproc", "process"), ("viasso", "sso"), ("viaweb", "web-identity")])
def test_other_source_kinds(store, name, kind):
    plan = store.plan(name)
    assert plan.root.kind == kind and len(plan.hops) == 1


def test_web_identity_profile_is_its_own_root(store):
    plan = store.plan("webid")
    assert plan.root.name == "webid" and plan.hops == ()


def test_reparse_only_when_a_file_changes(store, tmp_path):
    first = store.profiles()
    assert store.profiles() is first
    (tmp_path / "config").write_text(CONFIG + "\n[profile added]\nregion = x\n")
    assert "added" in store.profiles()


def test_broken_config_is_a_profile_error(tmp_path, monkeypatch):
    (tmp_path / "config").write_text("[profile a]\nrole_arn = x\n[profile a]\nregion = y\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(ProfileError):
        ProfileStore().profiles()


@pytest.mark.parametrize(
    "name, label",
    [
        ("user1", "static keys"),
        ("proc", "credential_process"),
        ("ssouser", "SSO account 123456789012, permission set Dev"),
        ("ssolegacy", "SSO account 210987654321, permission set ReadOnly"),
    ],
)
def test_a_profile_that_holds_credentials_is_a_target_of_zero_hops(store, name, label):
    plan = store.plan(name)
    assert plan.root is store.get(name) and plan.hops == () and not plan.needs_mfa
    assert plan.role_arn == "" and plan.source_label == label


def test_an_sso_profile_names_its_token_after_the_session_or_the_legacy_start_url(store):
    session = store.get("ssouser").sso
    legacy = store.get("ssolegacy").sso
    assert session is not None and legacy is not None
    assert (session.token_name, session.start_url, session.region) == (
        "corp",
        "https://example.awsapps.com/start",
        "us-east-1",
    )
    assert (legacy.token_name, legacy.region, legacy.account_id) == (
        "https://legacy.awsapps.com/start",
        "eu-west-1",
        "210987654321",
    )
    assert store.get("user1").sso is None


def test_the_profiles_read_here_equal_botocores(store):
    files = config_paths()
    assert _load(*files) == _load_with_botocore(*files)
    assert store.get("user1").get("aws_secret_access_key") == "user1secret"  # the credentials file on top


def test_a_plain_config_is_read_without_botocore(store, monkeypatch):
    import jupyter_awsrole.profiles as profiles

    def refuse(*_args):
        raise AssertionError("botocore read a plain config")

    monkeypatch.setattr(profiles, "_load_with_botocore", refuse)
    assert store.plan("deeper").root.name == "user1"


def test_a_chain_reaching_a_planned_profile_plans_as_a_fresh_walk(store):
    profiles = store.profiles()
    for first, then in (("marketingadmin", "deeper"), ("reporting", "deeper"), ("ssouser", "viasso")):
        planned = {first: store.plan(first)}
        assert plan_chain(profiles, then, planned) == plan_chain(profiles, then)
    with pytest.raises(ProfileError, match="loop-a -> loop-b -> loop-a"):
        plan_chain(profiles, "loop-a", {"loop-b": ProfileError("x")})
