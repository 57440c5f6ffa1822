"""Drift in JupyterLab and Chromium: a value that changes sign when a cell is re-run with another seed is
shown under the cell and in the inbox as drift, not as a failed prediction; the experiment detail shows the
cell's history with its source diff. Screenshots at 250 and 400 px, light and dark, go to artifacts/drift-*.png."""

from __future__ import annotations

import nbformat
import pytest

from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.sidebar_checks import (
    SIDEBAR,
    overflows,
    set_sidebar_width,
    set_theme,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

CELLS = ["%load_ext kernel_hooks\nseed = 0", "score = 0.5 - seed", "seed = 1"]


@pytest.fixture
def lab(tmp_path):
    chromium()
    root = tmp_path / "project"
    (root / ".logbook").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source, id=f"cell-{i}") for i, source in enumerate(CELLS)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "seeds.ipynb")
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        yield running


def shot(page, name: str, locator: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.getSelection().removeAllRanges()")  # a splitter drag may have selected text
    target = page.locator(locator).first if locator else page
    target.screenshot(path=str(ARTIFACTS / f"drift-{name}.png"))


def run_cell(page, index: int, runs: list[int]) -> None:
    """Run cell ``index`` in place and wait until it has its new execution count."""
    runs.append(index)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    cell.locator(".jp-InputPrompt", has_text=f"[{len(runs)}]").wait_for(timeout=60_000)


def test_drift_under_the_cell_in_the_inbox_and_the_history(lab, tmp_path):
    with browser_page(tmp_path) as page:
        try:
            drift_loop(lab, page)
        except Exception:
            shot(page, "failure")
            raise


def drift_loop(lab, page):
    page.goto(f"{lab.url}/lab/tree/seeds.ipynb?token={lab.token}")
    open_sidebar(page)
    page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=60_000)
    runs: list[int] = []
    for index in (0, 1, 2, 1):
        run_cell(page, index, runs)

    # Under the re-run cell: a drift card, labelled drift, with the earlier value.
    scored = page.locator(".jp-Notebook .jp-Cell").nth(1)
    card = scored.locator(".jp-OutputArea .jp-Logbook-surpriseCard.jp-mod-drift")
    card.wait_for(timeout=30_000)
    text = card.inner_text()
    assert "score changed sign" in text and "now -0.5" in text and "0.5 (#2)" in text
    assert " predicted " not in text and "unpredicted" in text
    assert card.get_by_role("button", name="Show this surprise in the Logbook sidebar").count() == 1
    shot(page, "under-the-cell", ".jp-Notebook .jp-Cell >> nth=1")

    # In the inbox: a drift row, then its triage with the Expected action.
    row = page.locator(f"{SIDEBAR} .jp-Logbook-surprise.jp-mod-drift").first
    row.wait_for(timeout=30_000)
    assert "score changed sign" in row.inner_text() and "drift" in row.inner_text()
    row.click()
    triage = page.locator(f"{SIDEBAR} .jp-Logbook-triage")
    triage.get_by_role("button", name="score is expected to vary in this cell", exact=False).wait_for()
    assert not triage.get_by_role("button", name="Refute", exact=False).count()
    for width in (250, 400):
        set_sidebar_width(page, width)
        assert not overflows(page), overflows(page)
        shot(page, f"inbox-{width}-light", SIDEBAR)
    set_theme(page, "JupyterLab Dark")
    for width in (250, 400):
        set_sidebar_width(page, width)
        assert not overflows(page), overflows(page)
        shot(page, f"inbox-{width}-dark", SIDEBAR)
    shot(page, "under-the-cell-dark", ".jp-Notebook .jp-Cell >> nth=1")
    set_theme(page, "JupyterLab Light")

    # Edit the cell and run it again: its history shows both edits side by side, with the diff.
    scored.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("score = 0.25 - seed")
    run_cell(page, 1, runs)
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="0.25").click()
    history = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-history")
    history.wait_for(timeout=30_000)
    assert "History of this cell (3 runs)" in history.text_content()
    diff = history.locator(".jp-Logbook-diff").first.inner_text()
    assert "-score = 0.5 - seed" in diff and "+score = 0.25 - seed" in diff
    values = history.locator("table").first.inner_text()
    assert "score" in values and "-0.5" in values and "-0.75" in values
    assert history.locator(".jp-Logbook-pill.jp-mod-drift").count() == 1
    assert not page.locator(
        ".jp-Logbook-detailArea:visible table[aria-label='Predictions judged here']"
    ).count()
    shot(page, "history", ".jp-Logbook-detailArea:visible")

    # Expected: the surprise is explained and the name is not flagged again in this cell.
    page.locator(f"{SIDEBAR} .jp-Logbook-surprise.jp-mod-drift").first.click()
    triage.get_by_role("button", name="score is expected to vary in this cell", exact=False).click()
    page.locator(f"{SIDEBAR} .jp-Logbook-surprise.jp-mod-drift").first.wait_for(state="detached")
    (closed,) = [s for s in lab.api("GET", "logbook/api/surprises") if s["kind"] == "drift"]
    assert closed["status"] == "explained"
    assert closed["explanation"] == "score: changes of this size are expected here"
