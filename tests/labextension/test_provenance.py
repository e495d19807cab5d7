"""Provenance in JupyterLab: each cell keeps in its metadata which AWS identity produced its outputs, shows it
as a badge under its prompt (after a save and a reload too), and records nothing once the notebook turned it off."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.labextension.test_memory import open_in_lab
from tests.support import lab as ui
from tests.support.lab import ROLE_TEXT, TIMEOUT, WHOAMI, browse, run_cell, wait_text
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.browser

KEY = "jupyter_awsrole"
ANALYST = {
    "profile": "analyst",
    "role_arn": "arn:aws:iam::123456789012:role/analystrole",
    "account": "123456789012",
}
RECORDING = (
    "%load_ext jupyter_awsrole\nfrom jupyter_awsrole import provenance\nprint('recording', provenance.enabled())"
)

# The WCAG contrast of an element's text colour (blended over its background, through the opacity of every
# element on the way) against the first opaque background behind it.
CONTRAST = """e => {
  const rgba = c => { const v = c.match(/[\\d.]+/g).map(Number); return v.length === 4 ? v : [...v, 1]; };
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = e, bg, opacity = 1;
  do {
    bg = rgba(getComputedStyle(back).backgroundColor);
    if (bg[3] === 0) opacity *= Number(getComputedStyle(back).opacity);
    back = back.parentElement;
  } while (back && bg[3] === 0);
  const fg = rgba(getComputedStyle(e).color);
  const alpha = fg[3] * opacity;
  const seen = [0, 1, 2].map(i => fg[i] * alpha + bg[i] * (1 - alpha));
  const [a, b] = [lum(seen), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def saved(page, path: Path, done: Callable[[dict], bool]) -> dict:
    """Save the notebook in front; the file once `done(notebook)` holds (or as it is after 30 s)."""
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while True:
        notebook = json.loads(path.read_text())
        if done(notebook) or time.monotonic() > deadline:
            return notebook
        time.sleep(0.2)


def cell(page, index: int):
    return page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-CodeCell").nth(index)


def test_lab_records_shows_and_stops_recording_provenance(lab, tmp_path):
    browse(lambda page: provenance_steps(lab, page, tmp_path), failure=tmp_path / "provenance-failure.png")


def provenance_steps(lab, page, tmp_path):
    path = ui.write_notebook(lab.notebooks / "p.ipynb", "%load_ext jupyter_awsrole\n%awsrole analyst", WHOAMI, "6 * 7",
                             "%awsrole --provenance off", RECORDING)
    open_in_lab(page, lab, "p.ipynb")

    # After a switch, the cell that ran keeps who ran it, and shows it.
    run_cell(page, 0, "analyst")
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))
    run_cell(page, 1, "analystrole")
    badge = cell(page, 1).locator(".jp-awsrole-provenance")
    badge.wait_for(timeout=TIMEOUT)
    assert badge.inner_text().split() == ["analyst", "123456789012"]
    label = badge.get_attribute("aria-label") or ""
    assert ANALYST["role_arn"] in label and badge.get_attribute("title") == label
    assert badge.get_attribute("role") == "note"
    assert cell(page, 2).locator(".jp-awsrole-provenance").count() == 0  # never ran: no record

    notebook = saved(page, path, lambda nb: KEY in nb["cells"][1]["metadata"])
    assert notebook["cells"][1]["metadata"][KEY] == ANALYST
    assert notebook["metadata"][KEY] == {"profile": "analyst"}
    assert_no_leak(secrets_in_play(lab.aws, lab.root / "home"), path.read_text(), "the saved notebook")

    # Readable in the dark theme and the light one, in a cell that is not the active one.
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        ui.palette(page, f"Use Theme: {theme}")
        page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme, timeout=TIMEOUT)
        for part in ("profile", "account"):
            ratio = cell(page, 1).locator(f".jp-awsrole-provenance-{part}").evaluate(CONTRAST)
            assert ratio >= 4.5, (theme, part, ratio)
        cell(page, 1).screenshot(path=str(tmp_path / f"provenance-{theme.split()[-1].lower()}.png"))

    # Opened again, the notebook still shows which identity produced the outputs.
    page.reload()
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    badge = cell(page, 1).locator(".jp-awsrole-provenance")
    badge.wait_for(timeout=TIMEOUT)
    assert "analyst" in badge.inner_text()
    ui.wait_idle(page)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))  # the comm is open again

    # Off: the notebook keeps the choice; cells that run record nothing, and a rerun drops its stale record.
    run_cell(page, 3, "record")
    run_cell(page, 2, "42")
    run_cell(page, 1, "analystrole")
    cell(page, 1).locator(".jp-awsrole-provenance").wait_for(state="detached", timeout=TIMEOUT)
    notebook = saved(
        page,
        path,
        lambda nb: nb["metadata"].get(KEY, {}).get("provenance") is False and KEY not in nb["cells"][1]["metadata"],
    )
    assert notebook["metadata"][KEY] == {"profile": "analyst", "provenance": False}
    # The first cell, not run again, keeps the record of the run that produced its outputs.
    assert [KEY in c["metadata"] for c in notebook["cells"]] == [True, False, False, False, False]

    # A new kernel records by default: the notebook tells it not to as soon as the extension's comm opens.
    ui.palette(page, "Restart Kernel…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    ui.wait_idle(page)
    run_cell(page, 4, "recording")  # loads the extension: the comm opens, the notebook says "off"
    deadline = time.monotonic() + 30
    while "recording False" not in cell(page, 4).inner_text():
        assert time.monotonic() < deadline, cell(page, 4).inner_text()
        run_cell(page, 4, "recording")
    assert_no_leak(secrets_in_play(lab.aws, lab.root / "home"), path.read_text(), "the saved notebook")
