"""The honest record in the sidebar: trusting predictions from elsewhere, revising a judged one,
and a surprise explained in words, in JupyterLab and Chromium. Screenshots at 250 px, light and dark,
go to artifacts/record-*.png."""

from __future__ import annotations

import pytest

from logbook.rules import trust
from logbook.store.core import Store
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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / f"record-{name}.png"))


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """A lab whose logbook has H1 (this machine: a prediction in words that failed, with its surprise)
    and H2 (another machine: one prediction, not trusted here)."""
    chromium()
    root = tmp_path / "project"
    (root / ".logbook").mkdir(parents=True)
    db = root / ".logbook" / "logbook.db"
    monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "here" / "logbook_secret"))
    with Store(db) as store:
        h1 = store.add_hypothesis("Layer 1 has an induction head", 0.6)
        store.add_prediction(h1.id, "the attention stripes are diagonal", 0.8, kind="text")
        store.judge_by_hand("H1.P1", held=False)
    monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "elsewhere" / "logbook_secret"))
    with Store(db) as store:
        h2 = store.add_hypothesis("The loss falls after the bump", 0.5)
        store.add_prediction(h2.id, "loss < 0.1 and step > 1000", 0.7)
    monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "here" / "logbook_secret"))
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        yield running


def expand(page, hypothesis: str) -> None:
    row = page.locator(f'[data-hypothesis="{hypothesis}"] .jp-Logbook-cardRow')
    if row.get_attribute("aria-expanded") != "true":
        row.click()
    page.locator(f'[data-hypothesis="{hypothesis}"] .jp-Logbook-cardRow[aria-expanded="true"]').wait_for()


def prediction(lab, pid: str) -> dict:
    hid = pid.split(".")[0]
    return next(p for p in lab.api("GET", f"logbook/api/hypotheses/{hid}")["predictions"] if p["id"] == pid)


def test_trust_revise_and_explain_from_the_sidebar(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        set_sidebar_width(page, 250)
        sidebar = page.locator(SIDEBAR)

        # (i) The prediction from elsewhere is announced at the top, listed in full, and trusted on request.
        block = sidebar.locator(".jp-Logbook-trust")
        block.get_by_text("1 prediction not trusted, not evaluated").wait_for()
        block.get_by_role("button", name="Review what would run").click()
        item = block.locator(".jp-Logbook-trustItem")
        assert item.count() == 1
        assert "H2.P1" in item.inner_text() and "The loss falls after the bump" in item.inner_text()
        assert "loss < 0.1 and step > 1000" in item.inner_text().replace("\n", "")
        expand(page, "H2")
        pill = sidebar.locator('[data-prediction="H2.P1"] .jp-Logbook-pill.jp-mod-untrusted')
        pill.wait_for()
        assert "kernels do not evaluate it" in pill.get_attribute("title")
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            shot(page, f"250-trust-{theme.split()[-1].lower()}")
            assert overflows(page) == []
        set_theme(page, "JupyterLab Light")
        assert prediction(lab, "H2.P1")["trusted"] is False
        block.locator("button", has_text="Trust and run these").click()
        block.wait_for(state="hidden")
        assert prediction(lab, "H2.P1")["trusted"] is True
        pill.wait_for(state="detached")

        # (ii) The failed prediction, edited from its card, comes back as H1.P2; H1.P1 shows superseded.
        expand(page, "H1")
        old = sidebar.locator('[data-prediction="H1.P1"]')
        old.locator(".jp-Logbook-pill.jp-mod-failed").wait_for()
        old.get_by_role("button", name="Edit H1.P1").click()
        field = old.locator(".jp-Logbook-editPrediction")
        field.fill("the attention stripes are diagonal past position 5")
        field.press("Enter")
        sidebar.locator('[data-prediction="H1.P2"]').get_by_text("revises H1.P1").wait_for()
        old.get_by_text("superseded by H1.P2").wait_for()
        assert old.get_by_role("button", name="Edit H1.P1").count() == 0
        assert old.locator(".jp-Logbook-pill.jp-mod-failed").count() == 1, (
            "the old verdict stays on the record"
        )
        old.scroll_into_view_if_needed()
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            shot(page, f"250-revised-{theme.split()[-1].lower()}")
            assert overflows(page) == []
        set_theme(page, "JupyterLab Light")
        api_old, api_new = prediction(lab, "H1.P1"), prediction(lab, "H1.P2")
        assert (
            api_old["superseded_by"] == "H1.P2"
            and api_old["expression"] == "the attention stripes are diagonal"
        )
        assert api_new["revises"] == "H1.P1" and api_new["expression"].endswith("past position 5")

        # (iii) The surprise, explained in words, leaves the open filter and shows under resolved.
        surprises = sidebar.locator(".jp-Logbook-surprise")
        surprises.first.click()
        triage = sidebar.locator(".jp-Logbook-triage")
        triage.get_by_role("button", name="Write an explanation of this surprise").click()
        triage.locator(".jp-Logbook-explanation").fill("the stripes start after the first period")
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            shot(page, f"250-triage-{theme.split()[-1].lower()}")
        set_theme(page, "JupyterLab Light")
        triage.get_by_role("button", name="Save the explanation and resolve").click()
        sidebar.get_by_text("All 1 surprise resolved.").wait_for()
        (resolved,) = lab.api("GET", "logbook/api/feed/surprises?status=resolved")["surprises"]
        assert resolved["resolution"] == "explained" and resolved["read"] is True
        assert resolved["explanation"] == "the stripes start after the first period"
        sidebar.get_by_role("button", name="Show resolved surprises").click()
        surprises.first.click()
        triage.locator(".jp-Logbook-resolution").wait_for()
        assert "the stripes start after the first period" in triage.inner_text()
        assert "explained" in triage.locator(".jp-Logbook-resolutionAction").inner_text()
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            shot(page, f"250-resolved-{theme.split()[-1].lower()}")
            assert overflows(page) == []
