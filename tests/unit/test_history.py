"""Masking a typed MFA code in history: which text is masked, and which cell."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyter_awsrole.history import carries_code, masked

CODE = "214315"


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"%awsrole marketingadmin --mfa-token {CODE} --bogus", "%awsrole marketingadmin --mfa-token ****** --bogus"),
        (f"%awsrole --mfa-token marketingadmin {CODE}", "%awsrole --mfa-token ****** ******"),
        (f"%awsrole x --mfa-token={CODE}", "%awsrole x --mfa-token=******"),
        ("%awsrole x --mfa-token '214 315'", "%awsrole x --mfa-token ******"),
        (f"%awsrole x --mfa {CODE}", "%awsrole x --mfa ******"),
        ("%awsrole marketingadmin --mfa-token a", "%awsrole marketingadmin --mfa-token ******"),
        (
            f"get_ipython().run_line_magic('awsrole', 'x --mfa-token {CODE}')",
            "get_ipython().run_line_magic('awsrole', 'x --mfa-token ******')",
        ),
        (f"x = 'a'\n%awsrole m --mfa-token a\nprint({CODE})", f"x = 'a'\n%awsrole m --mfa-token ******\nprint({CODE})"),
        (f"%awsrole x --multi {CODE}", f"%awsrole x --multi {CODE}"),
        ("%awsrole arn:aws:iam::123456789012:role/x", "%awsrole arn:aws:iam::123456789012:role/x"),
    ],
)
def test_only_lines_carrying_the_flag_are_masked_and_only_the_code_on_them(text, expected):
    assert masked(text) == expected
    assert masked(expected) == expected


def test_a_prefix_argparse_accepts_counts_as_the_flag():
    assert carries_code("--mfa 1") and carries_code("--mfa-token=1") and carries_code("--m 1")
    assert not carries_code("--multi 1") and not carries_code("x--mfa-token 1")


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # never the real ~/.ipython
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "jupyter_awsrole")
    yield ip
    InteractiveShell.clear_instance()


def test_the_current_cell_is_masked_and_a_silent_run_touches_no_earlier_cell(shell):
    shell.run_cell("note = 'the code was 214315'", store_history=True)
    shell.run_cell(f"%awsrole marketingadmin --mfa-token {CODE} --bogus", store_history=True)
    assert (
        shell.user_ns["In"][-1]
        == "get_ipython().run_line_magic('awsrole', 'marketingadmin --mfa-token ****** --bogus')"
    )
    assert shell.history_manager.input_hist_raw[-1] == "%awsrole marketingadmin --mfa-token ****** --bogus"
    shell.run_cell(f"x = 1\n%awsrole marketingadmin --mfa-token {CODE} --bogus", store_history=False)
    shell.run_cell(f"%awsrole marketingadmin --mfa-token {CODE} --bogus", silent=True)
    assert shell.history_manager.input_hist_raw[-2] == "note = 'the code was 214315'"
