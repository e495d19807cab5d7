"""The role switcher as a new user drives it: keyboard only, MFA profiles, both themes, readable contrast."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from tests.support.lab import (
    ROLE_TEXT,
    TIMEOUT,
    WHOAMI,
    browse,
    palette,
    run_cell,
    wait_idle,
    wait_text,
    write_notebook,
)

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
AA = 4.5  # WCAG AA for normal text

# The contrast of an element's text against what is painted behind it, from computed styles (WCAG 2 formula).
CONTRAST = """el => {
  const parse = c => { const p = c.match(/[\\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let back = [255, 255, 255];
  for (const c of layers.reverse()) back = back.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  const fg = parse(getComputedStyle(el).color);
  const front = back.map((v, i) => fg[i] * fg[3] + v * (1 - fg[3]));
  const lum = rgb => rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [a, b] = [lum(front), lum(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def shoot(page, locator, tmp_path: Path, name: str) -> None:
    """A screenshot for the README: into docs/ when AWSROLE_SCREENSHOTS=docs, else beside the test's files."""
    target = tmp_path / name
    (locator or page).screenshot(path=str(target))
    if os.environ.get("AWSROLE_SCREENSHOTS") == "docs":
        shutil.copy(target, DOCS / name)


def open_switcher(page):
    page.locator(".jp-awsrole-status").click()
    dialog = page.locator(".jp-awsrole-dialog")
    dialog.locator(".jp-awsrole-row").first.wait_for(timeout=TIMEOUT)
    return dialog


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {cls: e.className, role: e.getAttribute('role'), inDialog: !!e.closest('.jp-awsrole-dialog')}; }"""
    )


def selected_rows(dialog) -> list[str]:
    return dialog.locator(".jp-awsrole-row[aria-selected=true]").evaluate_all(
        "rows => rows.map(r => r.dataset.profile)"
    )


def assert_readable(dialog, theme: str) -> None:
    """Every piece of text in the list and the error line meets WCAG AA against its background."""
    texts = dialog.locator(
        ".jp-awsrole-row.jp-mod-selected .jp-awsrole-name, .jp-awsrole-row.jp-mod-selected .jp-awsrole-arn,"
        " .jp-awsrole-mfa:not(:empty), .jp-awsrole-row .jp-awsrole-name, .jp-awsrole-error:not(:empty)"
    )
    assert texts.count() >= 3
    for i in range(texts.count()):
        element = texts.nth(i)
        ratio = element.evaluate(CONTRAST)
        assert ratio >= AA, f"{theme}: {element.inner_text()!r} has contrast {ratio:.2f} < {AA}"


def test_keyboard_only_with_mfa_profiles_in_both_themes(lab, tmp_path):
    browse(lambda page: keyboard_steps(lab, page, tmp_path), failure=tmp_path / "switcher-failure.png")


def keyboard_steps(lab, page, tmp_path):
    write_notebook(lab.notebooks / "k.ipynb", WHOAMI, "import jupyter_awsrole\njupyter_awsrole.picker()")
    page.goto(f"{lab.base}/lab/workspaces/awsrole-{uuid.uuid4().hex[:8]}/tree/k.ipynb?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    wait_idle(page)
    wait_text(page, ".jp-awsrole-status", r"^AWS: none$")

    # Type until one row is left: it is the selected option of a listbox; Enter asks for the code.
    dialog = open_switcher(page)
    listbox = dialog.locator("[role=listbox]")
    assert listbox.count() == 1
    assert dialog.locator("[role=listbox] [role=option]").count() >= 5
    page.keyboard.type("reportin")
    assert dialog.locator(".jp-awsrole-row").count() == 1
    assert selected_rows(dialog) == ["reporting"]
    assert dialog.locator(".jp-awsrole-row[data-profile=reporting] .jp-awsrole-mfa").inner_text() == ("MFA code needed")
    page.keyboard.press("Enter")
    code = dialog.locator(".jp-awsrole-code")
    code.wait_for(state="visible", timeout=TIMEOUT)
    page.wait_for_function("() => document.activeElement?.classList.contains('jp-awsrole-code')", timeout=TIMEOUT)
    assert "Type the MFA code" in dialog.locator(".jp-awsrole-error").inner_text()
    page.wait_for_timeout(500)  # the kernel's own answer to "needs a code?" must not hide the field again
    assert code.is_visible() and focused(page)["cls"].find("jp-awsrole-code") >= 0
    shoot(page, dialog.locator(".jp-Dialog-content"), tmp_path, "switcher-mfa.png")

    # A wrong code: the message names the chosen profile (not the hop that has the device) and the device,
    # and wraps inside the dialog's width.
    width = dialog.locator(".jp-Dialog-content").bounding_box()["width"]
    page.keyboard.type(lab.wrong_mfa_code())
    page.keyboard.press("Enter")
    error = dialog.locator(".jp-awsrole-error")
    page.wait_for_function(
        "() => /Wrong MFA code/.test(document.querySelector('.jp-awsrole-error').textContent)", timeout=TIMEOUT
    )
    assert "profile 'reporting' (MFA device arn:aws:iam::123456789012:mfa/user1)" in error.inner_text()
    assert dialog.locator(".jp-Dialog-content").bounding_box()["width"] == width
    assert code.is_visible()
    page.keyboard.type(lab.mfa_code())
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="reporting"))

    # Inside the MFA session: no code is asked, the rows say so, and Enter assumes at once.
    dialog = open_switcher(page)
    row = dialog.locator(".jp-awsrole-row[data-profile=marketingadmin] .jp-awsrole-mfa")
    assert row.inner_text() == "MFA session open"
    page.keyboard.type("marketingad")
    assert selected_rows(dialog) == ["marketingadmin"]
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="marketingadmin"))
    shoot(page, page.locator(".jp-StatusBar-Widget"), tmp_path, "status-bar.png")
    # The picker says what the switcher says about the MFA session, with the same clock.
    run_cell(page, 1, "marketingadminrole")
    picker = page.locator(".jp-NotebookPanel:visible .jp-Cell").nth(1).locator(".jp-OutputArea-output")
    picker.locator("select").select_option("reporting")
    page.wait_for_function(
        "() => /MFA session open/.test(document.querySelector('.jupyter-awsrole-mfa')?.textContent)", timeout=TIMEOUT
    )
    shoot(page, picker, tmp_path, "picker.png")

    # Tab reaches the list, arrows move the selection, Enter assumes; Escape closes.
    dialog = open_switcher(page)
    page.keyboard.press("Tab")
    assert focused(page)["role"] == "listbox"
    page.keyboard.press("Home")
    first = selected_rows(dialog)
    page.keyboard.press("ArrowDown")
    second = selected_rows(dialog)
    assert len(first) == len(second) == 1 and first != second
    assert listbox.get_attribute("aria-activedescendant") == dialog.locator(".jp-mod-selected").get_attribute("id")
    assert dialog.locator("[aria-selected=false]").count() == dialog.locator("[role=option]").count() - 1
    while selected_rows(dialog) != ["analyst"]:
        before = selected_rows(dialog)
        page.keyboard.press("ArrowUp" if before > ["analyst"] else "ArrowDown")
        assert selected_rows(dialog) != before
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))
    dialog = open_switcher(page)
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)

    # Both themes: the selected row, the MFA words and the error line are readable.
    for theme, command in (("light", "JupyterLab Light"), ("dark", "JupyterLab Dark")):
        palette(page, f"Use Theme: {command}")
        page.wait_for_function(f"() => document.body.dataset.jpThemeName === '{command}'", timeout=TIMEOUT)
        page.wait_for_timeout(300)
        dialog = open_switcher(page)
        page.keyboard.type("market")
        dialog.get_by_role("button", name="Assume role").click()  # inside the session: assumes at once
        dialog.wait_for(state="detached", timeout=TIMEOUT)
        dialog = open_switcher(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Home")
        shoot(page, None, tmp_path, f"switcher-{theme}.png")
        dialog.locator(".jp-awsrole-error").evaluate("e => { e.textContent = 'Wrong MFA code (a sample)'; }")
        assert_readable(dialog, theme)
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=TIMEOUT)


def test_an_sso_sign_in_shows_its_link_and_code_in_the_switcher_and_the_status_bar(lab, tmp_path):
    browse(lambda page: sso_steps(lab, page), failure=tmp_path / "sso-failure.png")


SHARE = (
    "import jupyter_awsrole\nfrom distributed import Client, LocalCluster\n"
    "_client = Client(LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None))\n"
    "jupyter_awsrole.share_with(_client)\nprint('shared')"
)


def sso_steps(lab, page):
    write_notebook(lab.notebooks / "sso.ipynb", WHOAMI, SHARE)
    page.goto(f"{lab.base}/lab/workspaces/awsrole-{uuid.uuid4().hex[:8]}/tree/sso.ipynb?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    wait_idle(page)
    wait_text(page, ".jp-awsrole-status", r"^AWS: none$")

    dialog = open_switcher(page)
    page.keyboard.type("datascien")
    assert selected_rows(dialog) == ["datascientist"]
    page.keyboard.press("Enter")
    login = dialog.locator(".jp-awsrole-login")
    login.wait_for(state="visible", timeout=TIMEOUT)
    code = login.locator(".jp-awsrole-usercode").inner_text()
    assert [code] == lab.aws.sso("GET", "pending")["pending"]
    link = login.locator("a")
    assert link.get_attribute("target") == "_blank" and f"user_code={code}" in link.get_attribute("href")
    assert "profile datascientist" in login.inner_text()
    wait_text(page, ".jp-awsrole-status", f"^AWS: sign-in code {code}$")

    assert lab.aws.sso("POST", "approve", {"user_code": code})["done"]
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="datascientist"))
    run_cell(page, 0, "AWSReservedSSO_DataScientist")

    # Shared with a (threads-only) Dask cluster: the status bar and the switcher say with how many workers.
    run_cell(page, 1, "shared")
    wait_text(page, ".jp-awsrole-status", r"^AWS: datascientist @ 123456789012 · \d+m · 2 Dask workers$")
    dialog = open_switcher(page)
    note = dialog.locator(".jp-awsrole-shared")
    assert note.inner_text() == "The role is shared with 2 Dask workers: a switch reaches them too."
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)


def test_many_profiles_come_a_page_at_a_time_and_the_kernel_filters(lab, tmp_path):
    browse(lambda page: paging_steps(lab, page), failure=tmp_path / "paging-failure.png")


def paging_steps(lab, page):
    config = Path(lab.aws.config_file)
    config.write_text(config.read_text() + "".join(
        f"\n[profile team-{i:04d}-admin]\nrole_arn = arn:aws:iam::123456789012:role/team{i}\nsource_profile = user1\n"
        for i in range(450)
    ))
    write_notebook(lab.notebooks / "many.ipynb", WHOAMI)
    page.goto(f"{lab.base}/lab/workspaces/awsrole-{uuid.uuid4().hex[:8]}/tree/many.ipynb?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    wait_idle(page)

    dialog = open_switcher(page)
    rows = dialog.locator(".jp-awsrole-row")
    more = dialog.locator(".jp-awsrole-more")
    more.wait_for(timeout=TIMEOUT)
    first = rows.count()
    assert 0 < first <= 200
    assert " of 4" in more.inner_text() and "loaded" in more.inner_text()

    # The keyboard reaches the end of the loaded rows: the next page comes, until every row is there.
    page.keyboard.press("Tab")
    for _ in range(5):
        page.keyboard.press("End")
        page.wait_for_timeout(500)
    page.wait_for_function("n => document.querySelectorAll('.jp-awsrole-row').length > n", arg=400, timeout=TIMEOUT)
    assert more.is_hidden()
    assert dialog.locator(".jp-awsrole-row[data-profile=team-0449-admin]").count() == 1

    # Typing asks the kernel for the matching rows; a single match is chosen.
    dialog.locator(".jp-awsrole-filter").fill("TEAM 0442")
    page.wait_for_function("() => document.querySelectorAll('.jp-awsrole-row').length === 1", timeout=TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('.jp-awsrole-row.jp-mod-selected')?.dataset.profile === 'team-0442-admin'",
        timeout=TIMEOUT,
    )
    dialog.locator(".jp-awsrole-filter").fill("team-04")
    page.wait_for_function("() => document.querySelectorAll('.jp-awsrole-row').length === 50", timeout=TIMEOUT)
    assert selected_rows(dialog) == ["team-0442-admin"]  # still shown: still chosen
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
