"""Two experiments side by side, in JupyterLab and Chromium: a real cell run with seed 0, then edited to
seed 1 and run again (a tensor's mean moves, a prediction that held fails). The comparison opens from the
cell's history ("Compare with this run"), from two experiments chosen in the sidebar (by the keyboard),
and from the palette ("Logbook: Compare Experiments…"), where an id not in the logbook is a clear error.
Screenshots at 250 and 400 px sidebars, light and dark, go to artifacts/compare-*.png."""

from __future__ import annotations

import nbformat
import pytest

from logbook.rules import trust
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.sidebar_checks import (
    SIDEBAR,
    low_contrast,
    set_sidebar_width,
    set_theme,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytest.importorskip("torch")
pytestmark = pytest.mark.browser

VIEW = "#jp-logbook-compare"
CELLS = [
    "%load_ext kernel_hooks\nimport torch",
    "seed = 0\nacts = torch.arange(16.0).reshape(4, 4) / 16 + seed\nprint('seed', seed)\nacts.mean()",
]
#: The mean of acts: 7.5 / 16 with seed 0, one more with seed 1.
MEANS = ("0.4688", "1.469")

#: Text in the view whose contrast is checked.
TONED = f"{VIEW} .jp-Logbook-pill, {VIEW} button, {VIEW} .jp-Logbook-compareTag, {VIEW} .jp-Logbook-diffWord"
#: Controls in the view that a keyboard must reach.
CONTROLS = "button, summary, a[href], input, [tabindex='0']"

OVERFLOW = """
(selector) => {
  const view = document.querySelector(selector);
  const right = view.getBoundingClientRect().right;
  const found = [];
  for (const node of view.querySelectorAll('*')) {
    if (!(node instanceof HTMLElement) || !node.getClientRects().length) continue;
    const box = node.getBoundingClientRect();
    let clipped = false;
    for (let up = node.parentElement; up && up !== view; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { clipped = up.getBoundingClientRect().right < box.right; break; }
    }
    if (box.width && box.right > right + 1 && !clipped) found.push(`${node.className} sticks out by ${Math.round(box.right - right)} px`);
  }
  return found;
}
"""


@pytest.fixture
def lab(tmp_path, monkeypatch):
    chromium()
    monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "secret" / "logbook_secret"))
    root = tmp_path / "project"
    (root / ".logbook").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source, id=f"cell-{i}") for i, source in enumerate(CELLS)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "seeds.ipynb")
    with jupyter_lab(root, SETTINGS) as running:
        api(running, "POST", "hypotheses", {"statement": "The activations stay small", "credence": 0.7})
        api(
            running, "POST", "hypotheses/H1/predictions", {"expression": "acts.mean() < 0.5", "credence": 0.8}
        )
        yield running


def api(lab, method: str, path: str, body: dict | None = None):
    return lab.api(method, f"logbook/api/{path}", body)


SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}


def shot(page, name: str, locator: str = VIEW) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.getSelection().removeAllRanges()")
    page.locator(locator).first.screenshot(path=str(ARTIFACTS / f"compare-{name}.png"))


def run_cell(page, index: int, runs: list[int]) -> None:
    """Run cell ``index`` in place and wait until it has its new execution count."""
    runs.append(index)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    cell.locator(".jp-InputPrompt", has_text=f"[{len(runs)}]").wait_for(timeout=60_000)


def keyboard_reaches_every_control(page) -> list[str]:
    """Tab from the view's top through it; the controls the focus never reached."""
    page.evaluate(
        """(selector) => document.querySelectorAll(selector).forEach((n, i) => {
              if (n.getClientRects().length) n.dataset.lbControl = String(i); })""",
        f"{VIEW} :is({CONTROLS})",
    )
    wanted = set(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-lb-control]')].map(n => n.dataset.lbControl)"
        )
    )
    page.locator(VIEW).focus()
    reached = set()
    for _ in range(len(wanted) + 20):
        page.keyboard.press("Tab")
        here = page.evaluate(
            f"() => document.activeElement.closest('{VIEW}') ? (document.activeElement.dataset.lbControl ?? '') : null"
        )
        if here is None:
            break
        reached.add(here)
    missing = page.evaluate(
        '(ids) => ids.map(i => document.querySelector(`[data-lb-control="${i}"]`).outerHTML.slice(0, 100))',
        sorted(wanted - reached),
    )
    page.evaluate(
        "() => document.querySelectorAll('[data-lb-control]').forEach(n => delete n.dataset.lbControl)"
    )
    return missing


def check_comparison(page, old: int, new: int) -> None:
    view = page.locator(VIEW)
    view.locator(".jp-Logbook-compareTitle", has_text=f"Experiment #{old} → #{new}").wait_for()
    view.locator(".jp-Logbook-outputPair").first.wait_for()
    # The source diff marks the changed line: removed from the old, added in the new, the digit marked.
    diff = view.locator(".jp-Logbook-compareDiff")
    removed, added = diff.locator('[data-kind="del"]'), diff.locator('[data-kind="add"]')
    assert removed.count() == 1 and added.count() == 1
    assert "seed = 0" in removed.inner_text() and "seed = 1" in added.inner_text()
    assert removed.locator(".jp-Logbook-diffWord").inner_text() == "0"
    assert added.locator(".jp-Logbook-diffWord").inner_text() == "1"
    assert diff.locator('[data-kind="same"]').count() == 3
    assert "Source (+1 −1)" in view.locator(".jp-Logbook-compareSource h3").text_content()
    # The value shows old → new with its statistics and the change.
    acts = view.locator('.jp-Logbook-compareValues tr[data-name="acts"]')
    text = acts.inner_text()
    assert f"mean {MEANS[0]} → {MEANS[1]} (+1, +213%)" in text, text
    assert "torch.Tensor float32 [4, 4] cpu" in text
    assert "value 0 → 1 (+1)" in view.locator('.jp-Logbook-compareValues tr[data-name="seed"]').inner_text()
    # The verdict change is there, held → failed, the values that decided each beside it.
    verdict = view.locator('.jp-Logbook-compareVerdicts tr[data-prediction="H1.P1"]')
    assert "jp-mod-held-to-failed" in verdict.get_attribute("class")
    said = verdict.inner_text()
    assert "held → failed" in said and f"held on #{old}, failed on #{new}" in said
    assert "1 held → failed" in view.locator(".jp-Logbook-compareSummary").inner_text()
    # The outputs side by side: the mean each printed.
    pair = view.locator(".jp-Logbook-outputPair").first
    assert "changed" in pair.locator(".jp-Logbook-compareColumnHead").first.text_content()
    pair.locator(".jp-mod-new .jp-Logbook-output", has_text="tensor(1.4688)").wait_for()
    assert "tensor(0.4688)" in pair.locator(".jp-mod-old .jp-Logbook-output").inner_text()


def test_compare_two_runs_from_the_history_from_two_chosen_and_from_the_palette(lab, tmp_path):
    with browser_page(tmp_path) as page:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            compare_loop(lab, page)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "compare-failure.png"))
            raise
        assert errors == []


def compare_loop(lab, page):
    page.goto(f"{lab.url}/lab/tree/seeds.ipynb?token={lab.token}")
    open_sidebar(page)
    page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=60_000)
    runs: list[int] = []
    run_cell(page, 0, runs)
    run_cell(page, 1, runs)
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="seed = 0").wait_for()
    # The same cell with another seed: only its first line changes.
    page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type("seed = 1")
    run_cell(page, 1, runs)
    # Recorded (off the cell's critical path) and judged: the run is listed, the prediction failed.
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="seed = 1").wait_for()
    page.locator(f"{SIDEBAR} .jp-Logbook-surprise", has_text="H1.P1 acts.mean() < 0.5").wait_for()

    experiments = api(lab, "GET", "experiments")["experiments"]
    old = next(e["id"] for e in experiments if e["source"].startswith("seed = 0"))
    new = next(e["id"] for e in experiments if e["source"].startswith("seed = 1"))
    judged = api(lab, "GET", f"experiments/{new}/judgements")["judgements"]
    assert [(j["prediction_id"], j["verdict"]) for j in judged] == [("H1.P1", "failed")]

    # (i) From the cell's history in the detail of the new run: "Compare with this run" on the old one.
    page.locator(f"{SIDEBAR} .jp-Logbook-experiment", has_text="seed = 1").click()
    history = page.locator(f"#jp-logbook-experiment-{new} .jp-Logbook-history")
    history.wait_for(timeout=30_000)
    assert history.get_by_role("button", name=f"Compare experiment #{new} with this run, #{new}").count() == 0
    shot(page, "history", f"#jp-logbook-experiment-{new} .jp-Logbook-history")
    history.get_by_role("button", name=f"Compare experiment #{new} with this run, #{old}").click()
    check_comparison(page, old, new)
    assert (
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=f"Compare #{old} → #{new}").count() == 1
    )
    assert unnamed_controls(page, VIEW) == []
    assert keyboard_reaches_every_control(page) == []

    for width in (250, 400):
        set_sidebar_width(page, width)
        assert page.evaluate(OVERFLOW, VIEW) == []
        shot(page, f"{width}-light")
    assert low_contrast(page, selector=TONED) == []
    set_theme(page, "JupyterLab Dark")
    for width in (250, 400):
        set_sidebar_width(page, width)
        assert page.evaluate(OVERFLOW, VIEW) == []
        shot(page, f"{width}-dark")
    assert low_contrast(page, selector=TONED) == []
    shot(page, "sidebar-400-dark", SIDEBAR)
    set_theme(page, "JupyterLab Light")

    # Swap: the same two, the other way round; the verdict change reads failed → held.
    page.locator(VIEW).get_by_role("button", name=f"Swap old and new: compare #{new} → #{old}").click()
    page.locator(f"{VIEW} .jp-Logbook-compareTitle", has_text=f"Experiment #{new} → #{old}").wait_for()
    assert "failed → held" in page.locator(f'{VIEW} tr[data-prediction="H1.P1"]').inner_text()
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=f"Compare #{new} → #{old}").wait_for()

    # (ii) Two chosen in the sidebar, by the keyboard alone: Space on each, then the Compare button.
    set_sidebar_width(page, 250)
    rows = page.locator(f"{SIDEBAR} .jp-Logbook-experiment")
    rows.filter(has_text="seed = 1").focus()
    page.keyboard.press("Space")
    choice = page.locator(f"{SIDEBAR} .jp-Logbook-compareChoice")
    choice.get_by_text(f"#{new} chosen: choose one more").wait_for()
    rows.filter(has_text="seed = 0").focus()
    page.keyboard.press("Space")
    compare = choice.get_by_role("button", name=f"Compare experiment #{old} with #{new}")
    compare.wait_for()
    shot(page, "chosen-250-light", SIDEBAR)
    page.keyboard.press("Shift+Tab")  # from the list: Clear, then Compare
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == f"Compare #{old} → #{new}"
    page.keyboard.press("Enter")
    check_comparison(page, old, new)
    page.locator(f"{SIDEBAR} .jp-Logbook-compareChoice").get_by_role(
        "button", name="Clear the chosen experiments"
    ).click()
    choice.wait_for(state="hidden")

    # (iii) From the palette: a bad id is refused in the dialog, an id not in the logbook is a clear error.
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input")
    search.fill("Logbook: Compare Experiments")
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text="Compare Experiments…").wait_for()
    search.press("Enter")
    dialog = page.locator(".jp-Dialog")
    boxes = dialog.locator(".jp-Logbook-pairInput")
    boxes.first.wait_for()
    assert [boxes.nth(i).input_value() for i in range(2)] == [str(old), str(new)]  # the pair shown now
    boxes.nth(0).fill("seven")
    boxes.nth(1).fill(str(new))
    page.keyboard.press("Enter")
    dialog.get_by_role("alert").get_by_text('"seven" is not an experiment id').wait_for()
    shot(page, "dialog-error", ".jp-Dialog-content")
    boxes.nth(0).fill("999")
    page.keyboard.press("Enter")
    alert = page.locator(f"{VIEW} .jp-Logbook-compareError")
    alert.wait_for()
    assert alert.inner_text() == f"Cannot compare #999 with #{new}: no experiment 999 in this logbook"
    assert alert.get_attribute("role") == "alert"
    shot(page, "missing-id")
    page.locator(VIEW).get_by_role("button", name="Choose two other experiments to compare").click()
    boxes.first.wait_for()
    boxes.nth(0).fill(f"#{old}")
    boxes.nth(1).fill(str(new))
    dialog.get_by_role("button", name="Compare").click()
    check_comparison(page, old, new)

    # (iv) A reload opens the experiment's tab and the comparison again, as they were.
    page.reload()
    check_comparison(page, old, new)
    page.locator(f"#jp-logbook-experiment-{new} .jp-Logbook-history").wait_for(state="attached")  # behind
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab")
    assert tabs.filter(has_text=f"Compare #{old} → #{new}").count() == 1
    assert tabs.filter(has_text=f"#{new}").count() == 2  # its own tab and the comparison's

    # (v) JupyterLab started again on the project (the next day): the comparison is back, and goes on in its tab.
    with jupyter_lab(lab.root, SETTINGS) as again:
        page.goto(f"{again.url}/lab?token={again.token}")
        check_comparison(page, old, new)
        page.locator(VIEW).get_by_role("button", name=f"Swap old and new: compare #{new} → #{old}").click()
        page.locator(f"{VIEW} .jp-Logbook-compareTitle", has_text=f"Experiment #{new} → #{old}").wait_for()
