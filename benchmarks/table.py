"""Rows of the benchmark table: samples with median/min/max, ratios and counts, each with its goal.

A figure measured in repetitions (REPEATS runs of the same cell in one benchmark run) is judged on the median of
the repetitions' medians (or ratios), and the table shows their spread, so one noisy stretch of a busy machine
neither meets nor misses a goal alone."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

REPEATS = 3


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
    repeats: Sequence[float] = ()  # each repetition's median (times) or ratio: the figure is their median

    @property
    def median(self) -> float:
        return statistics.median(self.repeats) if self.repeats else statistics.median(self.samples)

    @property
    def spread(self) -> str:
        """min-max of the repetitions, '' for a figure measured once."""
        if len(self.repeats) < 2:
            return ""
        low, high = min(self.repeats), max(self.repeats)
        if self.kind == "ratio":
            return f"{low:.2f}-{high:.2f}x"
        return f"{_t(low, self.unit)}-{_t(high, self.unit)}".replace(" ms-", "-").replace(" µs-", "-")

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
                self.spread,
                self.goal,
                self.verdict,
            ]
        if self.kind == "ratio" and isinstance(self.value, (int, float)):
            shown = f"{self.value:.2f}x"
        elif self.kind == "count" and isinstance(self.value, (int, float)):
            shown = f"{self.value:g}"
        else:
            shown = str(self.value)
        return [self.section, self.what, "", shown, "", "", self.spread, self.goal, self.verdict]


HEADER = ["#", "measurement", "n", "median", "min", "max", f"spread of {REPEATS} runs", "goal", "result"]


def repeated(section: str, what: str, runs: Sequence[Sequence[float]], **kwargs: Any) -> Row:
    """A time row from REPEATS runs of the same measurement: all samples, judged on the median of run medians."""
    samples = [x for run in runs for x in run]
    return Row(section, what, samples, repeats=[statistics.median(run) for run in runs if run], **kwargs)


def repeated_ratio(section: str, what: str, num: Row, den: Row, **kwargs: Any) -> Row:
    """num / den run by run (both from `repeated`, runs paired in time): the median ratio and its spread."""
    if not num.repeats or len(num.repeats) != len(den.repeats):
        return Row(section, what, value=ratio(num, den), kind="ratio", **kwargs)
    ratios = [a / b for a, b in zip(num.repeats, den.repeats, strict=True)]
    return Row(section, what, value=statistics.median(ratios), kind="ratio", repeats=ratios, **kwargs)


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
    return _markdown(HEADER, [row.cells() for row in rows])


def plain(rows: Sequence[Row]) -> str:
    return _plain(HEADER, [row.cells() for row in rows], right=range(2, 7))


FLIPS_HEADER = ["#", "goal of", "goal", "met in", "figure of each run", "across runs"]


def across_runs(runs: Sequence[Sequence[Row]]) -> list[list[str]]:
    """One line per goal of several whole benchmark runs: how many met it, each run's figure, and whether the goal
    is steadily met, steadily missed, or FLIPS (met in some runs, missed in others: issue 16, goal 4)."""
    goals: dict[tuple[str, str], list[Row]] = {}
    for rows in runs:
        for row in rows:
            if row.verdict:
                goals.setdefault((row.section, row.what), []).append(row)
    lines = []
    for (section, what), seen in goals.items():
        met = sum(row.verdict == "met" for row in seen)
        state = "met" if met == len(seen) else "MISSED" if not met else "FLIPS"
        figures = ", ".join(row.cells()[3] for row in seen)
        lines.append([section, what, seen[0].goal, f"{met} of {len(seen)}", figures, state])
    return lines


def flips_markdown(runs: Sequence[Sequence[Row]]) -> str:
    return _markdown(FLIPS_HEADER, across_runs(runs))


def flips_plain(runs: Sequence[Sequence[Row]]) -> str:
    return _plain(FLIPS_HEADER, across_runs(runs), right=range(3, 4))


def _markdown(header: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for line in cells:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    return "\n".join(lines)


def _plain(header: Sequence[str], cells: Sequence[Sequence[str]], right: range) -> str:
    table = [list(header), *cells]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    out = []
    for j, r in enumerate(table):
        out.append("  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
