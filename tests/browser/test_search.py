"""Searching the whole logbook from the sidebar, in JupyterLab and Chromium, at 250 and 400 px, light and dark.

The explanation of a surprise is found, shown with the line that matched, and opened; the keyboard
reaches the results (arrow keys, Enter opens, Escape goes back to the box); a note written meanwhile
joins the results; a query of operators and quotes says what is wrong. Screenshots go to
artifacts/search-*.png.
"""

from __future__ import annotations

import pytest

from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar, settled
from tests.support.seed import seed
from tests.support.sidebar_checks import (
    SIDEBAR,
    low_contrast,
    overflows,
    set_sidebar_width,
    set_theme,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

EXPLANATION = "The learning-rate warmup ends at step 300:\nthe spike is the schedule, not the data"
RESULTS = f"{SIDEBAR} .jp-Logbook-searchResults"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("search") / "project"
    (root / ".logbook").mkdir(parents=True)
    path = root / ".logbook" / "logbook.db"
    seeded = seed(path)
    with Store(path) as store:
        flagged = store.surprise_flagged("loss spikes at step 300 for no reason I can see")
        store.resolve_surprise(flagged.id, "explained", explanation=EXPLANATION)
        store.add_note(
            "The warmup schedule also explains the step-300 dip in the probe accuracy", hypothesis_id="H3"
        )
        seeded["surprise"] = flagged.id
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        running.seeded = seeded
        yield running


@pytest.fixture
def page(lab, tmp_path, request):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator('[data-hypothesis="H5"]').wait_for()
        try:
            yield page
        finally:
            shot(
                page, f"last-{request.node.name.removeprefix('test_')[:40]}"
            )  # how each test left the sidebar


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.getSelection().removeAllRanges()")
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / f"search-{name}.png"))


def search(page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Search the logbook")
    box.fill(words)
    page.locator(f"{SIDEBAR} .jp-Logbook-searchStatus:not([hidden])").wait_for()


def focused_hit(page) -> str | None:
    return page.evaluate("document.activeElement?.dataset?.searchHit ?? null")


def test_an_explanation_is_found_and_its_surprise_opens(lab, page):
    set_sidebar_width(page, 250)
    search(page, "warmup schedule")
    surprise = page.locator(f'{RESULTS} [data-search-kind="surprise"] .jp-Logbook-searchHit')
    surprise.wait_for()
    # The explanation's first line with a word of the search, the word marked, and what the surprise was.
    assert (
        surprise.locator(".jp-Logbook-searchText").inner_text()
        == "The learning-rate warmup ends at step 300:"
    )
    assert surprise.locator("mark").all_inner_texts() == ["warmup"]
    assert surprise.locator(".jp-Logbook-searchWhere").inner_text() == "explanation"
    assert "flagged by hand · explained" in surprise.locator(".jp-Logbook-searchAbout").inner_text()
    groups = page.locator(f"{RESULTS} .jp-Logbook-searchHeading").all_inner_texts()
    assert [g.split(" · ")[0].upper() for g in groups] == ["SURPRISES", "NOTES"]
    assert page.locator(f"{SIDEBAR} .jp-Logbook-searchStatus").inner_text() == "2 found"

    for theme in ("light", "dark"):
        if theme == "dark":
            set_theme(page, "JupyterLab Dark")
        for width in (250, 400):
            set_sidebar_width(page, width)
            assert not overflows(page), overflows(page)
            hits = f"{RESULTS} .jp-Logbook-searchId, {RESULTS} .jp-Logbook-searchText, {RESULTS} mark"
            assert not low_contrast(page, selector=hits), low_contrast(page, selector=hits)
            shot(page, f"{width}-{theme}")
    assert not unnamed_controls(page, RESULTS), unnamed_controls(page, RESULTS)
    set_theme(page, "JupyterLab Light")
    set_sidebar_width(page, 250)

    surprise.click()
    triage = page.locator(f"{SIDEBAR} .jp-Logbook-triage")
    triage.wait_for()
    assert "warmup ends at step 300" in triage.inner_text()
    shot(page, "opened-surprise")


def test_the_keyboard_reaches_and_opens_the_results(lab, page):
    settled(page)
    box = page.get_by_role("searchbox", name="Search the logbook")
    box.click()
    page.keyboard.type("induction")
    page.locator(f'{RESULTS} [data-search-kind="experiment"] .jp-Logbook-searchHit').wait_for()
    order = page.locator(f"{RESULTS} [data-search-hit]").evaluate_all(
        "ns => ns.map(n => n.dataset.searchHit)"
    )
    # Grouped by kind, best first: H5 says "induction" in fewer words than H2.
    assert order == ["hypothesis:H5", "hypothesis:H2", "prediction:H2.P1", "experiment:#1"]
    # The experiments list follows the search: once it has redrawn, the sidebar is settled.
    page.locator('[data-logbook-section="experiments"]', has_text="found").wait_for()
    box.focus()  # the sidebar may have moved the focus while its sections redrew
    page.keyboard.press("ArrowDown")
    assert focused_hit(page) == order[0]
    page.keyboard.press("ArrowDown")
    assert focused_hit(page) == order[1]
    page.keyboard.press("End")
    assert focused_hit(page) == order[-1]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Search the logbook"
    # Tab moves through the results too; Enter opens the focused one (a hypothesis: its card, focused).
    page.keyboard.press("Tab")
    assert focused_hit(page) == order[0]
    page.keyboard.press("Enter")
    hypothesis = order[0].split(":")[1]
    page.locator(f'[data-hypothesis="{hypothesis}"] .jp-Logbook-cardBody').wait_for()
    page.wait_for_function(f"document.activeElement.closest('[data-hypothesis=\"{hypothesis}\"]') !== null")
    # Escape in the results goes back to the box; Escape in the box clears the search.
    page.locator(f"{RESULTS} [data-search-hit]").first.focus()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Search the logbook"
    page.keyboard.press("Escape")
    page.locator(RESULTS).wait_for(state="hidden")
    assert box.input_value() == ""


def test_an_experiment_opens_at_its_line_and_the_list_shows_every_match(lab, page):
    search(page, "attention_stripes")
    hit = page.locator(f'{RESULTS} [data-search-kind="experiment"] .jp-Logbook-searchHit').first
    hit.wait_for()
    assert hit.locator(".jp-Logbook-searchWhere").inner_text() == "L6"
    assert hit.locator("mark").inner_text() == "attention_stripes"
    # The experiments section lists every matching experiment, newest first.
    page.locator('[data-logbook-section="experiments"]', has_text="1 found").wait_for()
    hit.press("Enter")
    page.locator('[id^="jp-logbook-experiment-"] .jp-Logbook-sourceLine.jp-mod-match').first.wait_for()


def test_a_note_written_later_joins_the_results_and_bad_syntax_is_explained(lab, page):
    search(page, "palindromes")
    page.locator(f"{SIDEBAR} .jp-Logbook-searchStatus", has_text="Nothing in the logbook matches").wait_for()
    lab.api("POST", "logbook/api/notes", {"text": "the copying fails on palindromes", "hypothesis_id": "H1"})
    note = page.locator(f'{RESULTS} [data-search-kind="note"] .jp-Logbook-searchHit')
    note.wait_for(timeout=15_000)
    assert note.locator("mark").inner_text() == "palindromes"
    note.click()
    page.locator('[data-hypothesis="H1"] .jp-Logbook-cardBody').wait_for()

    search(page, '"(( * ^:)')
    status = page.locator(f"{SIDEBAR} .jp-Logbook-searchStatus")
    status.filter(has_text="nothing to search for").wait_for()
    assert "a search matches words and numbers, not punctuation" in status.inner_text()
    search(page, 'warmup* "schedule')  # operators and quotes are plain characters: no error
    page.locator(f'{RESULTS} [data-search-kind="note"]').wait_for()
