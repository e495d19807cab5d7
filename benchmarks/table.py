"""Rows of the benchmark table: samples with median/min/max, ratios and counts, each with its goal."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the table. `samples` in seconds, or a ratio / count / text in `value`."""

    section: str
    what: str
    samples: Sequence[float] = field(default_factory=list)
    value: float | str | None = None
    kind: str = "time"  # time | ratio | count | text
    goal: str = ""
    check: Callable[[float], bool] | None = None
    unit: str = "ms"  # ms | us, for times

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def measured(self) -> float | str | None:
        return self.median if self.kind == "time" and self.samples else self.value

    @property
    def verdict(self) -> str:
        if self.check is None or not isinstance(self.measured, (int, float)):
            return ""
        return "met" if self.check(self.measured) else "MISSED"

    def cells(self) -> list[str]:
        if self.kind == "time" and self.samples:
            return [
                self.section,
                self.what,
                str(len(self.samples)),
                _t(self.median, self.unit),
                _t(min(self.samples), self.unit),
                _t(max(self.samples), self.unit),
                self.goal,
                self.verdict,
            ]
        if self.kind == "ratio" and isinstance(self.value, (int, float)):
            shown = f"{self.value:.2f}x"
        elif self.kind == "count" and isinstance(self.value, (int, float)):
            shown = f"{self.value:g}"
        else:
            shown = str(self.value)
        return [self.section, self.what, "", shown, "", "", self.goal, self.verdict]


HEADER = ["#", "measurement", "n", "median", "min", "max", "goal", "result"]


def _t(seconds: float, unit: str) -> str:
    if unit == "us":
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e3:.2f} ms"


def ratio(a: Row, b: Row) -> float | str:
    """median(a) / median(b), or the reason there is none."""
    if not a.samples or not b.samples:
        return "n/a"
    return a.median / b.median


def markdown(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * len(HEADER)) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |")
    return "\n".join(lines)


def plain(rows: Sequence[Row]) -> str:
    table = [HEADER] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for j, r in enumerate(table):
        out.append("  ".join(c.ljust(widths[i]) if i < 2 or i >= 6 else c.rjust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
