"""The benchmark's verdicts across whole runs (issue 16, goal 4): a goal met in some runs and missed in others flips."""

from benchmarks.table import Row, across_runs, repeated


def _run(*figures_ms: float) -> list[Row]:
    """One whole run: a goal row per figure (< 10 ms), and a row without a goal."""
    rows = [repeated("6", f"goal {i}", [[ms / 1000]], goal="< 10 ms", check=lambda v: v < 0.01) for i, ms in
            enumerate(figures_ms)]  # fmt: skip
    return [*rows, Row("6", "reported only", [0.5])]


def test_each_goal_says_in_how_many_runs_it_was_met_and_whether_it_flips():
    lines = across_runs([_run(5, 20, 5), _run(5, 20, 15), _run(6, 30, 5)])
    assert [line[1] for line in lines] == ["goal 0", "goal 1", "goal 2"]  # rows without a goal are left out
    assert [(line[3], line[5]) for line in lines] == [("3 of 3", "met"), ("0 of 3", "MISSED"), ("2 of 3", "FLIPS")]
    assert lines[2][4] == "5.00 ms, 15.00 ms, 5.00 ms" and lines[0][2] == "< 10 ms"
