"""Masking an MFA code typed on a magic line in IPython's input history, in memory and on disk.

It works on the raw text, before the line is parsed (a line that fails to parse keeps its code
otherwise), and only on the current cell's lines that carry `--mfa-token`.
"""

from __future__ import annotations

import re
from typing import Any

from .compat import rewrite_current_input

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
    rewrite_current_input(shell, line, masked)
