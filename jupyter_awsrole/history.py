"""Masking an MFA code typed on a magic line in IPython's input history, in memory and on disk.

It works on the raw text, before the line is parsed (a line that fails to parse keeps its code
otherwise), and only on the current cell's lines that carry `--mfa-token`.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "******"
FLAG = "--mfa-token"
_OPTION = re.compile(r"(?<![\w-])--m[\w-]*")  # argparse also takes a prefix such as --mfa
_VALUE = re.compile(r"(?P<flag>(?<![\w-])--m[\w-]*)(?P<sep>=|[ \t]+)(?P<value>'[^'\n]*'?|\"[^\"\n]*\"?|[^\s'\"]+)")
_DIGITS = re.compile(r"(?<!\d)\d(?:[ \t]?\d){5,}(?!\d)")  # a code typed as 123456 or 123 456


def carries_code(text: str) -> bool:
    """Whether `text` has `--mfa-token` (or a prefix argparse would expand to it)."""
    return any(FLAG.startswith(match.group()) for match in _OPTION.finditer(text))


def masked(text: str) -> str:
    """`text` with the value after `--mfa-token`, and every 6-digit run, masked on each line carrying the flag."""
    return "\n".join(_masked_line(line) if carries_code(line) else line for line in text.split("\n"))


def _masked_line(line: str) -> str:
    def value(match: re.Match) -> str:
        if not FLAG.startswith(match["flag"]):
            return match.group()
        return match["flag"] + match["sep"] + MASK

    return _DIGITS.sub(MASK, _VALUE.sub(value, line))


def scrub(shell: Any, line: str) -> None:
    """Mask the code in every history place IPython filled for the cell running the magic `line`, and only there."""
    hm = getattr(shell, "history_manager", None)
    if hm is None or not hm.input_hist_raw:
        return
    count = len(hm.input_hist_raw) - 1
    if line.strip() not in hm.input_hist_raw[count]:
        return  # this cell was not stored (silent, or the body of %%awsrole), or the line was built in code
    for hist in (hm.input_hist_parsed, hm.input_hist_raw):
        hist[count] = masked(hist[count])
    name = f"_i{count}"
    if isinstance(shell.user_ns.get(name), str):
        shell.user_ns[name] = masked(shell.user_ns[name])
    hm._i00 = masked(hm._i00)  # becomes the next cell's _i
    with hm.db_input_cache_lock:
        hm.db_input_cache[:] = [
            (number, masked(source), masked(raw)) if number == count else (number, source, raw)
            for number, source, raw in hm.db_input_cache
        ]
        _scrub_database(hm, count)


def _scrub_database(hm: Any, count: int) -> None:
    """The current cell's row, when IPython already wrote it (its writer thread may run at any time)."""
    try:
        with hm.db:
            rows = hm.db.execute(
                "SELECT source, source_raw FROM history WHERE session = ? AND line = ?", (hm.session_number, count)
            ).fetchall()
            for source, raw in rows:
                hm.db.execute(
                    "UPDATE history SET source = ?, source_raw = ? WHERE session = ? AND line = ?",
                    (masked(source), masked(raw), hm.session_number, count),
                )
    except Exception:
        pass  # history disabled (":memory:" or a DummyDB): nothing was written
