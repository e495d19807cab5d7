"""%awsrole lines read like a shell reads them, contradictions refused, and a typed code kept out of history."""

from __future__ import annotations

import json
import secrets
import sqlite3

import pytest

from tests.support.cells import AWS_ENV, WHOAMI, extend_config
from tests.support.kernel import Kernel
from tests.support.leaks import count_leaks

pytestmark = pytest.mark.kernel

WRITE_HISTORY = "get_ipython().history_manager.writeout_cache()"
HISTORY_OF = (  # every place IPython keeps the previous cell's text, seen from the next cell
    "import json; n = len(In) - 2\n"
    "print(json.dumps([In[n], _ih[n], globals()[f'_i{n}'], _i, get_ipython().history_manager._i]))"
)


@pytest.fixture
def aws(kernel):
    kernel.run("%load_ext jupyter_awsrole").ok()
    return kernel


def history_rows(home) -> list:
    db = next((home / ".ipython").rglob("history.sqlite"))
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT line, source, source_raw FROM history").fetchall()


def fake_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def one_line_usage_error(run) -> str:
    assert run.error is not None and run.error["ename"] == "UsageError", run.text
    message = run.error["evalue"].strip()
    assert message and "\n" not in message and "Traceback" not in run.text
    return message


# -- item 7: the code leaves no trace in history, even when the line fails ---------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "%awsrole marketingadmin --mfa-token {code} --bogus",
        "%awsrole --mfa-token marketingadmin {code}",
        "%awsrole marketingadmin --mfa-token={code} --duration soon",
        "%awsrole marketingadmin --mfa {code} --unset",
        "%awsrole marketingadmin --mfa-token '{code}",
    ],
    ids=["unknown-flag", "code-after-profile", "equals-bad-duration", "abbreviated-flag", "open-quote"],
)
def test_a_code_on_a_line_that_fails_is_masked_in_memory_and_on_disk(aws, home, line):
    code = fake_code()
    failed = aws.run(f"{WRITE_HISTORY}\n{line.format(code=code)}")
    one_line_usage_error(failed)
    places = aws.run(HISTORY_OF).ok().stdout
    assert json.loads(places)[0].startswith(WRITE_HISTORY), "the scan must look at the failed cell"
    aws.run(WRITE_HISTORY).ok()
    rows = history_rows(home)
    assert rows
    found = count_leaks({code}, places), count_leaks({code}, rows)
    assert found == (0, 0), f"the code stayed in (In/_ih/_i, history.sqlite): {found}"
    assert "******" in places


def test_a_code_is_masked_when_history_was_written_before_and_after_the_magic(aws, local_aws, home):
    code = local_aws.mfa_code()
    aws.run(f"{WRITE_HISTORY}\n%awsrole marketingadmin --mfa-token {code}\n{WRITE_HISTORY}").ok()
    places = aws.run(HISTORY_OF).ok().stdout
    found = count_leaks({code}, places), count_leaks({code}, history_rows(home))
    assert found == (0, 0), f"the code stayed in (In/_ih/_i, history.sqlite): {found}"
    assert "assumed-role/marketingadminrole/" in aws.run(WHOAMI).ok().stdout


def test_only_the_current_cell_and_only_the_code_are_masked(aws, home):
    aws.run("word = 'a banana'").ok()
    one_line_usage_error(aws.run("%awsrole marketingadmin --mfa-token a"))
    aws.run(WRITE_HISTORY).ok()
    texts = json.loads(aws.run("import json; print(json.dumps(_ih[-4:-2]))").ok().stdout)
    masked_magic = "get_ipython().run_line_magic('awsrole', 'marketingadmin --mfa-token ******')"
    assert texts == ["word = 'a banana'", masked_magic]
    raw = [raw for _, _, raw in history_rows(home)]
    assert "word = 'a banana'" in raw and "%awsrole marketingadmin --mfa-token ******" in raw


# -- item 8: arguments read like a shell, contradictions refused ---------------------------------------------------


def test_quotes_are_removed_like_a_shell_does(aws):
    assert "Now analystrole" in aws.run('%awsrole "analyst"').ok().stdout
    aws.run("%awsrole 'analyst' --region \"eu-west-1\" --session-name 'nightly-build' --refresh").ok()
    env = json.loads(aws.run(AWS_ENV).ok().stdout)
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert "assumed-role/analystrole/nightly-build" in aws.run(WHOAMI).ok().stdout


def test_a_profile_whose_name_has_spaces_can_be_named(kernel_env, local_aws, tmp_path):
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        ('\n[profile "data team"]\nrole_arn = arn:aws:iam::123456789012:role/analystrole\nsource_profile = user1\n'),
    )
    k = Kernel(kernel_env)
    try:
        assert "Now analystrole" in k.run("%load_ext jupyter_awsrole\n%awsrole 'data team'").ok().stdout
        assert k.value("__import__('jupyter_awsrole').current().profile") == "data team"
    finally:
        k.stop()


@pytest.mark.parametrize(
    "line, words",
    [
        ("%awsrole analyst --region ''", ["region"]),
        ("%awsrole analyst --region '   '", ["region"]),
        ("%awsrole analyst --unset", ["--unset", "profile"]),
        ("%awsrole --unset --list", ["--list", "--unset"]),
        ("%awsrole --list --picker", ["--list", "--picker"]),
        ("%awsrole --picker analyst", ["--picker", "profile"]),
        ("%awsrole --unset --refresh", ["--unset", "--refresh"]),
        ("%awsrole --list --region eu-west-1", ["--list", "--region"]),
        ("%awsrole --region eu-west-1", ["--region", "profile"]),
        ("%awsrole --refresh", ["--refresh", "profile"]),
        ("%awsrole analyst marketingadmin", ["One profile"]),
        ("%awsrole --export", ["--export takes one profile"]),
        ("%awsrole --export analyst audit", ["--export takes one profile"]),
        ("%awsrole --export analyst --region eu-west-1", ["--export", "--region"]),
        ("%awsrole --export analyst --unset", ["--export", "--unset"]),
        ("%awsrole analyst --yes", ["--yes goes with --export"]),
        ("%awsrole --list --as x", ["--as goes with --export"]),
        ("%awsrole --export nosuch --yes", ["Unknown profile 'nosuch'"]),
        ('%awsrole "analyst', ["Cannot read the arguments"]),
        ("%%awsrole --unset\nprint(1)", ["%%awsrole needs a profile"]),
    ],
)
def test_contradictions_and_empty_values_are_one_line_and_change_nothing(aws, line, words):
    aws.run("%awsrole analyst").ok()
    before = aws.run(AWS_ENV).ok().stdout
    message = one_line_usage_error(aws.run(line))
    for word in words:
        assert word in message, message
    assert aws.run(AWS_ENV).ok().stdout == before
    assert aws.value("__import__('jupyter_awsrole').current().profile") == "analyst"


def test_list_takes_several_words(aws):
    listing = aws.run("%awsrole --list market admin").ok().plain
    names = [line.split()[0] for line in listing.splitlines()[1:] if line.strip()]
    assert names == ["marketingadmin"], listing
