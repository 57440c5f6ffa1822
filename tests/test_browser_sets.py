"""Competing sets in the sidebar, in JupyterLab and Chromium: the distribution bar, a change that asks who
gives way, a proposed update accepted from the inbox, a prediction due. Screenshots at 250 and 400 px,
light and dark, go to artifacts/sets-*.png."""

from __future__ import annotations

import pytest

from logbook.store import Store

from .browser import ARTIFACTS, chromium
from .lab_server import browser_page, jupyter_lab, open_sidebar
from .sidebar_checks import SIDEBAR, overflows, set_sidebar_width, set_theme, unnamed_controls

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("sets") / "project"
    (root / ".logbook").mkdir(parents=True)
    with Store(root / ".logbook" / "logbook.db") as store:
        for statement, credence in [
            ("an induction circuit copies the token", 0.5),
            ("the model copies by position", 0.2),
            ("layer 1 alone copies", 0.1),
            ("layer 0 and 1 share the copying", 0.1),
        ]:
            store.add_hypothesis(statement, credence)
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        yield running


def api(lab, method: str, path: str, body: dict | None = None):
    return lab.api(method, f"logbook/api/{path}", body)


@pytest.fixture(scope="module")
def copying(lab):
    made = api(lab, "POST", "sets", {"question": "How does the model copy?", "hypothesis_ids": ["H1", "H2", "H3", "H4"], "something_else": 0.1})
    prediction = api(
        lab,
        "POST",
        "hypotheses/H2/predictions",
        {"text": "period 7 breaks it", "credence": 0.7, "likelihoods": {"H1": 0.05, "else": 0.3}},
    )
    api(lab, "POST", "hypotheses/H1/predictions", {"text": "a previous-token head shows", "credence": 0.8, "resolve_by": "2020-01-01"})
    api(lab, "POST", f"predictions/{prediction['id']}/verdict", {"held": True, "observed": "loss 4.2"})
    (proposal,) = api(lab, "GET", "proposals?status=proposed")
    return made, proposal


@pytest.fixture
def page(lab, copying, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator(".jp-Logbook-setBar").wait_for()
        yield page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / f"sets-{name}.png"))


def test_the_set_is_one_bar_that_fits_and_the_inbox_has_the_proposal_and_the_due_prediction(lab, copying, page):
    made, proposal = copying
    page.locator(".jp-Logbook-proposal").wait_for()
    bar = page.locator(f'[data-set="{made["id"]}"] .jp-Logbook-setBar')
    label = bar.get_attribute("aria-label")
    assert label == "H1 0.50, H2 0.20, H3 0.10, H4 0.10, something else 0.10"
    parts = bar.locator(".jp-Logbook-setPart")
    assert parts.count() == 5
    widths = [parts.nth(i).bounding_box()["width"] for i in range(5)]
    assert abs(widths[0] / sum(widths) - 0.5) < 0.03
    line = page.locator(f'[data-proposal="{proposal["id"]}"] .jp-Logbook-proposalText').inner_text()
    assert line.startswith("H2 0.20 → ") and "likelihood ratio" in line
    assert "H1.P1" in page.locator(".jp-Logbook-due").inner_text()
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            assert not [o for o in overflows(page) if "Logbook-set" in o or "Logbook-proposal" in o]
            assert not unnamed_controls(page)
            shot(page, f"{width}-{'dark' if 'Dark' in theme else 'light'}")
    set_theme(page, "JupyterLab Light")


def test_accepting_the_proposal_with_a_reason_moves_the_bar(lab, copying, page):
    made, proposal = copying
    row = page.locator(f'[data-proposal="{proposal["id"]}"]')
    row.wait_for()
    row.locator(".jp-Logbook-proposalAccept").click()
    row.locator(".jp-Logbook-proposalReason").fill("period 7 breaks it")
    shot(page, "accept-form-400")
    row.locator(".jp-Logbook-proposalForm .jp-mod-accept").click()
    row.wait_for(state="detached")
    after = round(proposal["after"]["H2"], 2)
    page.wait_for_function(
        "(want) => document.querySelector('.jp-Logbook-setBar').getAttribute('aria-label').includes(want)",
        arg=f"H2 {after:.2f}",
    )
    (decided,) = api(lab, "GET", "proposals?status=accepted")
    assert decided["reason"] == "period 7 breaks it"


def test_changing_a_member_asks_who_gives_way(lab, copying, page):
    made, _ = copying
    before = api(lab, "GET", f"sets/{made['id']}")
    set_sidebar_width(page, 250)
    page.locator('.jp-Logbook-setItem[data-member="H3"]').click()
    form = page.locator(".jp-Logbook-setForm")
    form.locator(".jp-Logbook-setCredence").fill("0.2")
    form.locator(".jp-Logbook-giveWay").select_option("H4")
    form.locator(".jp-Logbook-setReason").fill("layer 1 alone does not fit")
    assert not [o for o in overflows(page) if "Logbook-set" in o]
    shot(page, "give-way-250")
    form.locator(".jp-mod-accept").click()
    form.wait_for(state="detached")
    now = api(lab, "GET", f"sets/{made['id']}")
    gave = before["credences"]["H4"] - now["credences"]["H4"]
    assert now["credences"]["H3"] == pytest.approx(0.2) and gave == pytest.approx(0.2 - before["credences"]["H3"])
    assert now["credences"]["H1"] == pytest.approx(before["credences"]["H1"])
    assert now["history"][-1]["reason"].endswith("layer 1 alone does not fit")
