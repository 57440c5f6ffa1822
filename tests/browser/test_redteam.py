"""The red-team card and the coverage map, in JupyterLab and Chromium, at 250 and 400 px, light and dark.

Screenshots go to artifacts/redteam-*.png and artifacts/coverage-*.png.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.seed import seed
from tests.support.sidebar_checks import (
    SIDEBAR,
    overflows,
    set_sidebar_width,
    set_theme,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

CARD = '[data-hypothesis="H4"] .jp-Logbook-redTeam'


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("redteam") / "project"
    (root / ".logbook").mkdir(parents=True)
    seed(root / ".logbook" / "logbook.db")
    left = [{"hook_point": "blocks.0.attn.hook_z", "function": "ablate_head(head=1)", "direction": "fwd"}]
    model = {"class": "HookedTransformer", "n_layers": 2, "n_heads": 8, "identity": {"name": "attn-only-2l"}}
    with Store(root / ".logbook" / "logbook.db") as store, store.transaction():
        row = {
            "started_at": "2026-01-01T00:00:00+00:00",
            "duration_ms": 3.0,
            "ok": 0,
            "notebook": "analysis.ipynb",
        }
        source = (
            "model.add_hook('blocks.0.attn.hook_z', ablate)\nmodel.run_with_hooks(bad)\nmodel.reset_hooks()"
        )
        leaving = store.insert_experiment(
            {**row, "source": source, "torch": json.dumps({"models": [model], "hooks_left": left})}, []
        )
        named = {
            **model,
            "variable": "model",
            "identity": {"name": "attn-only-2l", "fingerprint": "weights:ab12cd34ef56"},
        }
        running = [{**left[0], "left_by": {"cell": 3, "experiment": leaving}, "model": "model"}]
        store.insert_experiment(
            {
                **row,
                "ok": 1,
                "source": "later = model(tokens)",
                "torch": json.dumps({"models": [named], "running_with": running}),
            },
            [],
        )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1", id="cell-0")]
    nbformat.write(notebook, root / "analysis.ipynb")
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        yield running


@pytest.fixture
def page(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator(CARD).wait_for()
        yield page


def shot(page, name: str, selector: str = "") -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = page.locator(selector).first if selector else page
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_the_red_team_card_is_one_line_that_opens_to_its_templates(lab, page):
    card = page.locator(CARD)
    opener = card.locator(".jp-Logbook-redTeamOpen")
    assert opener.text_content() == "Going well (credence 0.90). Try to break it ▸"
    assert card.locator(".jp-Logbook-template").count() == 0
    set_sidebar_width(page, 250)
    assert card.bounding_box()["height"] <= 40, "one line, two at most when narrow"
    assert page.locator(".jp-Logbook-redTeam").count() == 1  # H1-H3 are below 0.8, H5 is supported
    opener.click()
    labels = card.locator(".jp-Logbook-template").all_text_contents()
    assert labels == [
        "off-distribution",
        "ablate / patch",
        "random baseline",
        "another seed",
        "larger model",
        "another metric",
    ]
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            assert overflows(page) == []
            assert unnamed_controls(page, CARD) == []
            shot(page, f"redteam-card-{width}-{theme.split()[-1].lower()}", SIDEBAR)
    set_theme(page, "JupyterLab Light")
    opener.click()
    card.locator(".jp-Logbook-template").first.wait_for(state="detached")


def test_a_hidden_red_team_card_stays_hidden_after_a_reload(lab, page):
    page.locator(CARD).get_by_role("button", name="Hide the red-team card of H4").click()
    page.locator(CARD).wait_for(state="detached")
    page.reload()
    open_sidebar(page)
    page.locator('[data-hypothesis="H4"] .jp-Logbook-cardRow').wait_for()
    assert page.locator(CARD).count() == 0
    page.evaluate("localStorage.removeItem('jupyterlab-logbook:red-team-hidden')")


def test_starting_a_template_switches_to_red_team_and_pre_fills_the_prediction(lab, page):
    set_sidebar_width(page, 250)
    page.locator(CARD).locator(".jp-Logbook-redTeamOpen").click()
    page.locator(CARD).get_by_role("button", name="Red-team H4, ablate / patch", exact=False).click()
    field = page.locator('[data-hypothesis="H4"] .jp-Logbook-predictionText')
    field.wait_for()
    assert field.input_value() == "not (ablated_x > 10)"
    assert field.evaluate("n => n.tagName") == "TEXTAREA" and field.bounding_box()["height"] >= 30
    page.locator('.jp-Logbook-modeButton[aria-pressed="true"]', has_text="red-team").wait_for()
    page.locator('[data-hypothesis="H4"] .jp-Logbook-verdict.jp-mod-ok').wait_for()
    shot(page, "redteam-form-250", SIDEBAR)
    page.locator('[data-hypothesis="H4"] .jp-Logbook-newPrediction').get_by_role(
        "button", name="Add the prediction to H4"
    ).click()
    page.locator('[data-hypothesis="H4"] .jp-Logbook-prediction', has_text="ablated_x").wait_for()
    hypothesis = lab.api("GET", "logbook/api/hypotheses/H4")
    (red,) = [p for p in hypothesis["predictions"] if "ablated_x" in p["expression"]]
    assert (red["mode"], red["expression"]) == ("red-team", "not (ablated_x > 10)")
    page.locator(CARD, has_text="Red team so far: 0 survived, 0 failed, 1 pending").wait_for()


def test_the_experiment_detail_shows_where_the_notebook_has_not_looked(lab, page):
    page.locator(".jp-Logbook-experiment .jp-Logbook-expSource", has_text="import torch").first.click()
    coverage = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-coverage")
    coverage.wait_for()
    assert coverage.get_attribute("data-model") == "attn-only-2l"
    text = coverage.text_content()
    assert "Coverage of attn-only-2l, all experiments so far" in text
    # layer 1 was hooked; layer 0 was only in a cache that no cell read
    assert "8 of 16 heads never looked at (8 cached, never read)" in text
    assert (
        "Coverage of this model, all experiments so far"
        in page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-coveragePart h3").text_content()
    )
    heads = coverage.locator('table[aria-label="Heads of attn-only-2l"]')
    assert heads.locator("td").count() == 16 and heads.locator("td.jp-mod-here").count() == 16
    assert heads.locator("td.jp-mod-cached").all_text_contents() == ["c"] * 8
    assert heads.locator("td.jp-mod-touched").count() == 8
    assert heads.bounding_box()["width"] <= 240
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        shot(
            page,
            f"coverage-{theme.split()[-1].lower()}",
            ".jp-Logbook-detailArea:visible .jp-Logbook-coveragePart",
        )
    set_theme(page, "JupyterLab Light")


def test_a_hook_left_attached_is_shown_in_the_experiment_detail(lab, page):
    page.locator(".jp-Logbook-experiment .jp-Logbook-expSource", has_text="model.add_hook").first.click()
    left = page.locator(
        ".jp-Logbook-detailArea:visible .jp-Logbook-detailPart", has_text="Hooks left attached"
    )
    left.wait_for()
    assert "blocks.0.attn.hook_z" in left.text_content() and "ablate_head(head=1)" in left.text_content()
    shot(page, "hooks-left-detail", ".jp-Logbook-detailArea:visible .jp-Logbook-detail")


def test_a_result_computed_with_a_hook_left_attached_is_marked_in_the_experiment_detail(lab, page):
    page.locator(
        ".jp-Logbook-experiment .jp-Logbook-expSource", has_text="later = model(tokens)"
    ).first.click()
    detail = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-detail")
    mark = detail.locator("h2 .jp-Logbook-pill", has_text="hook left attached")
    mark.wait_for()
    part = detail.locator(".jp-Logbook-detailPart", has_text="Computed with hooks left attached")
    text = part.text_content()
    assert "blocks.0.attn.hook_z" in text and "ablate_head(head=1)" in text and "cell [3]" in text
    assert "Remove it with model.reset_hooks()" in text
    weights = detail.locator(
        ".jp-Logbook-coverage[data-model='model (attn-only-2l)'] .jp-Logbook-coverageWeights"
    )
    weights.wait_for()
    assert weights.text_content() == "Weights ab12cd34 throughout."
    shot(page, "hooks-left-marked", ".jp-Logbook-detailArea:visible .jp-Logbook-detail")
    part.get_by_role("button", name="which left the hook attached").click()
    detail.locator(".jp-Logbook-detailPart", has_text="Hooks left attached").wait_for()
    assert "model.add_hook" in detail.locator(".jp-Logbook-source").text_content()
