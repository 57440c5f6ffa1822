"""The Team section of a team project, in JupyterLab and Chromium: every author attributed, a teammate's new
surprise arriving through the change feed, the author filter, and a damaged teammate's file shown as such.

Screenshots go to artifacts/team-*.png (250 and 400 px, light and dark).
"""

from __future__ import annotations

import re
import time

import pytest

from logbook.store.core import Store
from logbook.team.authors import author_file_name, current_author
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar
from tests.support.sidebar_checks import (
    SIDEBAR,
    overflows,
    set_sidebar_width,
    set_theme,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

TEAM = "#jp-logbook-team"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("team") / "project"
    authors = root / ".logbook" / "authors"
    authors.mkdir(parents=True)
    with Store(authors / author_file_name(current_author())) as store:
        store.add_hypothesis("head 0.1 copies the previous token", 0.6)
    with jupyter_lab(root, {}) as lab:
        yield lab


@pytest.fixture
def page(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator(f"{TEAM} .jp-Logbook-teamAuthor").first.wait_for()
        yield page


def as_teammate(monkeypatch, tmp_path, name: str) -> None:
    monkeypatch.setenv("LOGNAME", name)
    monkeypatch.setenv("USER", name)
    monkeypatch.setenv("LOGBOOK_SECRET_FILE", str(tmp_path / f"{name}-secret"))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_teammates_surprise_arrives_attributed_and_the_filter_keeps_one_author(
    lab, page, monkeypatch, tmp_path
):
    me = current_author()
    page.locator(f'{TEAM} [data-team-hypothesis="H1"]').wait_for()  # one author: plain ids
    with monkeypatch.context() as bob:
        as_teammate(bob, tmp_path, "bob")
        with Store(lab.root / ".logbook" / "authors" / "bob.db") as store:
            store.add_hypothesis("head 1.4 is an induction head", 0.7)
            started = time.perf_counter()
            store.add_manual_surprise("the induction score halves on repeated tokens")
    arrived = page.locator(f'{TEAM} [data-team-surprise="S1·bob"]')
    arrived.wait_for()
    print(f"bob's surprise in ana's sidebar after {(time.perf_counter() - started) * 1000:.0f} ms")
    assert "the induction score halves on repeated tokens" in arrived.text_content()
    rows = page.locator(f"{TEAM} [data-team-hypothesis]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.teamHypothesis)") == [f"H1·{me}", "H1·bob"]
    authors = page.locator(f"{TEAM} .jp-Logbook-teamAuthor").all_text_contents()
    assert authors == [f"{me} (you) · 1 hypothesis · 0 open", "bob · 1 hypothesis · 1 open"]
    assert "Team · 2 authors · 1 open" in page.locator(SIDEBAR).text_content()

    page.locator(f"{TEAM} select.jp-Logbook-teamFilter").select_option("bob")
    page.locator(f'{TEAM} [data-team-hypothesis="H1·{me}"]').wait_for(state="detached")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.teamHypothesis)") == ["H1·bob"]
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            assert overflows(page) == [], (theme, width)
            shot(page, f"team-{width}-{theme.split()[-1].lower()}")
    assert unnamed_controls(page, TEAM) == []
    set_theme(page, "JupyterLab Light")
    page.locator(f"{TEAM} select.jp-Logbook-teamFilter").select_option("")
    page.locator(f'{TEAM} [data-team-hypothesis="H1·{me}"]').wait_for()


def test_a_damaged_teammates_file_is_shown_with_its_author_and_your_record_goes_on(lab, page):
    carol = lab.root / ".logbook" / "authors" / "carol.db"
    carol.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    set_sidebar_width(page, 250)
    try:
        line = page.locator(f'{TEAM} .jp-Logbook-teamAuthor[data-author="carol"]')
        line.wait_for()
        assert line.text_content() == "carol · damaged: not read"
        assert "damaged" in line.get_attribute("title") and "jp-mod-problem" in line.get_attribute("class")
        lab.api("POST", "logbook/api/hypotheses", {"statement": "recorded beside a damaged teammate"})
        page.locator(f"{SIDEBAR} .jp-Logbook-hypotheses", has_text="recorded beside a damaged").wait_for()
        assert carol.read_bytes() == b"SQLite format 3\x00" + b"\x07" * 4000
        shot(page, "team-damaged-250")
    finally:
        carol.unlink()


def test_a_comment_and_a_challenge_on_a_teammates_hypothesis_from_the_sidebar(
    lab, page, monkeypatch, tmp_path
):
    me = current_author()
    bob = lab.root / ".logbook" / "authors" / "bob.db"
    if not bob.exists():
        with monkeypatch.context() as as_bob:
            as_teammate(as_bob, tmp_path, "bob")
            with Store(bob) as store:
                store.add_hypothesis("head 1.4 is an induction head", 0.7)
    set_sidebar_width(page, 250)
    row = page.locator(f'{TEAM} [data-team-hypothesis="H1·bob"]')
    row.click()
    field = page.locator(f"{TEAM} .jp-Logbook-teamInput")
    field.wait_for()
    page.wait_for_function("document.activeElement?.classList.contains('jp-Logbook-teamInput')")
    page.keyboard.type("the score was taken on layer 0, not 1")
    page.keyboard.press("Enter")
    comment = page.locator(f"{TEAM} .jp-Logbook-teamRemark", has_text="the score was taken on layer 0")
    comment.wait_for()
    assert comment.text_content() == f"R1·{me} comment: the score was taken on layer 0, not 1"

    row.focus()
    page.keyboard.press("Enter")  # the keyboard opens the form too
    page.locator(f"{TEAM} select.jp-Logbook-teamKind").select_option("challenge")
    field.fill("import os")
    page.keyboard.press("Enter")
    problem = page.locator(f"{TEAM} .jp-Logbook-teamForm .jp-Logbook-error")
    problem.wait_for(state="visible")
    assert problem.text_content(), "a refused prediction says why, beside the field"
    field.fill("induction_score < 0.2")
    page.keyboard.press("Enter")
    challenge = page.locator(f"{TEAM} .jp-Logbook-teamRemark.jp-mod-challenge")
    challenge.wait_for()
    made = re.fullmatch(
        rf"R2·{me} challenge: induction_score < 0\.2 \((H\d+)\.P1·{me}\)", challenge.text_content()
    )
    assert made, challenge.text_content()
    page.locator(
        f"{SIDEBAR} .jp-Logbook-hypotheses", has_text="H1·bob: head 1.4 is an induction head"
    ).wait_for()
    copy = page.locator(f'{TEAM} [data-team-hypothesis="{made.group(1)}·{me}"] .jp-Logbook-teamAnswers')
    copy.wait_for()
    assert copy.text_content() == "→ H1·bob", "linked both ways"
    assert overflows(page) == []
    assert unnamed_controls(page, TEAM) == []
    shot(page, "team-remarks-250")


def bobs_research(lab, monkeypatch, tmp_path) -> None:
    """bob's file holds a hypothesis with a prediction, a surprise and two cells (one failed)."""
    bob = lab.root / ".logbook" / "authors" / "bob.db"
    with monkeypatch.context() as as_bob:
        as_teammate(as_bob, tmp_path, "bob")
        with Store(bob) as store:
            if not store.count("hypotheses"):
                store.add_hypothesis("head 1.4 is an induction head", 0.7)
            if not store.hypothesis("H1").predictions:
                store.add_prediction("H1", "induction_score > 0.5", 0.8)
            if not store.count("experiments"):
                with store.transaction():
                    for source, ok in (
                        ("scores = probe(model)", 1),
                        ("# the ablation\nablate(model, 1, 4)", 0),
                    ):
                        row = {
                            "source": source,
                            "started_at": "2026-12-04T03:00:00+00:00",
                            "duration_ms": 2.0,
                        }
                        store.insert_experiment(
                            {**row, "ok": ok, "notebook": str(lab.root / "probe.ipynb")}, []
                        )
            if not store.count("surprises"):
                store.add_manual_surprise("the induction score halves on repeated tokens")


def test_a_teammates_predictions_and_latest_cells_show_and_search_finds_their_records(
    lab, page, monkeypatch, tmp_path
):
    bobs_research(lab, monkeypatch, tmp_path)
    prediction = page.locator(f'{TEAM} [data-team-prediction="H1.P1·bob"]')
    prediction.wait_for()
    assert prediction.text_content() == "H1.P1·bob pending 0.80: induction_score > 0.5"
    failed = page.locator(f'{TEAM} [data-team-experiment="E2·bob"]')
    assert failed.text_content() == "E2·bob failed · probe.ipynb: ablate(model, 1, 4)"
    assert "jp-mod-failed" in failed.get_attribute("class")
    box = page.get_by_role("searchbox", name="Search the logbook")
    box.fill("induction")
    theirs = page.locator('[data-search-teammate="bob"]')
    theirs.wait_for()
    ids = theirs.locator("[data-teammate-hit]").evaluate_all("hs => hs.map(h => h.dataset.teammateHit)")
    assert "H1·bob" in ids and "H1.P1·bob" in ids, ids
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            assert overflows(page) == [], (theme, width)
            shot(page, f"team-search-{width}-{theme.split()[-1].lower()}")
            viewport = page.viewport_size
            page.set_viewport_size(
                {"width": viewport["width"], "height": 2000}
            )  # the whole accordion in view
            name = f"team-records-{width}-{theme.split()[-1].lower()}.png"
            page.locator(TEAM).screenshot(path=str(ARTIFACTS / name))
            page.set_viewport_size(viewport)
    set_theme(page, "JupyterLab Light")
    # A click on a teammate's hit shows it in the Team section, focused, where Enter opens the remark form.
    theirs.locator('[data-teammate-hit="H1.P1·bob"]').click()
    page.wait_for_function("document.activeElement?.dataset?.teamHypothesis === 'H1·bob'")
    assert page.locator(f"{TEAM} select.jp-Logbook-teamFilter").input_value() == "bob"
    page.keyboard.press("Enter")
    page.locator(f"{TEAM} .jp-Logbook-teamInput").wait_for()
    page.keyboard.press("Escape")
    box.fill("")


def test_the_dashboard_charts_the_team_and_opens_a_teammates_dashboard(lab, page, monkeypatch, tmp_path):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    bobs_research(lab, monkeypatch, tmp_path)
    page.get_by_role("button", name="Open the research dashboard").click()
    dashboard = "#jp-logbook-dashboard"
    team_card = page.locator(f'{dashboard} .jp-Logbook-dashCard[data-chart="team-surprises"]')
    team_card.locator('svg [role="graphics-symbol"]').first.wait_for()
    assert "bob: 1 hypotheses, 2 experiments, 1 open surprises" in team_card.text_content()
    set_theme(page, "JupyterLab Dark")
    page.wait_for_function(
        f"document.querySelector('{dashboard} .jp-Logbook-dashboard').dataset.pending === '0'"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-team-dark.png"))
    set_theme(page, "JupyterLab Light")
    whose = page.get_by_role("combobox", name="Whose dashboard")
    whose.select_option("bob")
    status = page.locator(f"{dashboard} .jp-Logbook-dashStatus")
    status.filter(has_text="bob's logbook (read only)").wait_for()
    assert "2 experiments" in status.text_content()
    page.locator(f'{dashboard} .jp-Logbook-dashCard[data-chart="team-surprises"]').wait_for(state="detached")
    page.wait_for_function(
        f"document.querySelector('{dashboard} .jp-Logbook-dashboard').dataset.pending === '0'"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-teammate-light.png"))
    whose.select_option("")
    page.locator(f'{dashboard} .jp-Logbook-dashCard[data-chart="team-surprises"]').wait_for()
    assert errors == []
