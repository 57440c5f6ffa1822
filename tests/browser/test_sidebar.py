"""The sidebar as a research cockpit, in JupyterLab and Chromium, at 250 and 400 px, light and dark.

Each test shows one problem of the old sidebar is gone. Screenshots go to
artifacts/sidebar-*.png. The tests share one JupyterLab over a seeded
logbook; the ones that change it come last.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar, settled
from tests.support.seed import LONG_EXPRESSION, seed
from tests.support.sidebar_checks import (
    SIDEBAR,
    cut_placeholders,
    low_contrast,
    overflows,
    set_sidebar_width,
    set_theme,
    tab_through_sidebar,
    unnamed_controls,
)

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    folder = tmp_path_factory.mktemp("sidebar")
    root = folder / "project"
    (root / ".logbook").mkdir(parents=True)
    seeded = seed(root / ".logbook" / "logbook.db")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1", id="cell-0"),
        nbformat.v4.new_code_cell("y = 2", id="cell-1"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "analysis.ipynb")
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        running.seeded = seeded
        yield running


@pytest.fixture
def page(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        for loaded in ('[data-hypothesis="H5"]', ".jp-Logbook-experiment", ".jp-Logbook-pastBrainstorm"):
            page.locator(loaded).first.wait_for()
        yield page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sidebar-{name}.png"))


def api(lab, method: str, path: str, body: dict | None = None):
    return lab.api(method, f"logbook/api/{path}", body)


def expand(page, hypothesis: str) -> None:
    row = page.locator(f'[data-hypothesis="{hypothesis}"] .jp-Logbook-cardRow')
    if row.get_attribute("aria-expanded") != "true":
        row.click()
    page.locator(f'[data-hypothesis="{hypothesis}"] .jp-Logbook-cardBody').wait_for()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_cards_are_two_lines_at_most_with_their_credence_and_the_inbox_comes_first(page):
    set_sidebar_width(page, 250)
    shot(page, "250-collapsed")
    rows = page.locator(".jp-Logbook-cardRow")
    assert rows.count() == 5
    for i in range(5):
        assert rows.nth(i).bounding_box()["height"] <= 42, rows.nth(i).text_content()
    statement = page.locator('[data-hypothesis="H1"] .jp-Logbook-statement')
    assert statement.text_content().startswith("Layer 0 head 1 is a previous-token head")
    # At 250 px the statement takes two lines and shows more than a word or two; the credence is a number.
    assert statement.bounding_box()["height"] > 25 and statement.bounding_box()["width"] > 100
    assert page.locator('[data-hypothesis="H1"] .jp-Logbook-credenceNumber').text_content() == "0.40"
    assert (
        page.locator('[data-hypothesis="H1"] .jp-Logbook-sparkline').bounding_box() is None
    )  # room for words
    set_sidebar_width(page, 400)
    assert page.locator('[data-hypothesis="H1"] .jp-Logbook-sparkline').bounding_box() is not None
    set_sidebar_width(page, 250)
    assert "Layer 0 head 1" in page.locator('[data-hypothesis="H1"] .jp-Logbook-cardRow').get_attribute(
        "title"
    )
    # The surprise inbox is above the hypotheses, and on screen with five of them.
    inbox = box(page, ".jp-Logbook-surpriseList [data-surprise]")
    assert inbox["y"] < box(page, '[data-hypothesis="H1"]')["y"]
    assert inbox["y"] + inbox["height"] < page.viewport_size["height"]
    # Counts on the collapsed line: H2's prediction held, H4's failed, H3's waits.
    assert page.locator('[data-hypothesis="H2"] .jp-Logbook-tally').text_content() == "✓1"
    assert page.locator('[data-hypothesis="H4"] .jp-Logbook-tally').text_content() == "✗1"
    assert page.locator('[data-hypothesis="H3"] .jp-Logbook-tally').text_content() == "…1"
    assert (
        page.locator('[data-hypothesis="H1"] .jp-Logbook-sparkline polyline')
        .get_attribute("points")
        .count(",")
        == 3
    )


def test_predictions_wrap_between_tokens_and_verdicts_get_their_own_line(page):
    set_sidebar_width(page, 250)
    expand(page, "H3")
    expand(page, "H2")
    words = page.locator('[data-prediction="H3.P1"]')
    card = words.bounding_box()
    text = words.locator(".jp-Logbook-words").bounding_box()
    assert text["width"] > 0.8 * card["width"], "the words keep the card's width"
    for name in ("held", "failed"):
        b = words.locator(f".jp-Logbook-{name}").bounding_box()
        assert b["y"] >= text["y"] + text["height"] - 1, "the verdict buttons sit below the text"
        assert b["x"] + b["width"] <= card["x"] + card["width"], f"the {name} button is not cut off"
    expression = page.locator('[data-prediction="H2.P1"] .jp-Logbook-expression')
    assert expression.text_content() == LONG_EXPRESSION
    lines = page.evaluate(
        """(node) => {
          const range = document.createRange();
          const words = [];
          for (const text of [...node.childNodes].filter(n => n.nodeType === 3)) {
            range.setStart(text, 0);
            range.setEnd(text, text.textContent.trimEnd().length);
            words.push([text.textContent, [...range.getClientRects()].length]);
          }
          return words;
        }""",
        expression.element_handle(),
    )
    assert all(rects == 1 for piece, rects in lines if piece.strip()), str(
        lines
    )  # no token is split over two lines
    assert expression.bounding_box()["height"] > 30, "the expression wraps"
    assert page.locator('[data-prediction="H2.P1"]').get_by_text("H2.P1").count() == 1
    shot(page, "250-predictions")


def test_fits_reads_and_names_everything_at_250_and_400_px_light_and_dark(page):
    found = {}
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        for width in (250, 400):
            set_sidebar_width(page, width)
            for hypothesis in ("H1", "H2", "H3", "H4", "H5"):
                expand(page, hypothesis)
            if not page.locator('[data-hypothesis="H1"] .jp-Logbook-newPrediction').count():
                page.get_by_role("button", name="Add a prediction to H1").click()
            if not page.locator(".jp-Logbook-triageForm").count():
                page.locator('.jp-Logbook-surpriseList [data-surprise="1"]').click()
                page.locator(".jp-Logbook-triage").get_by_role(
                    "button", name="Update your credence in H4"
                ).click()
            page.locator(".jp-Logbook-triageForm").wait_for()
            tag = f"{width}-{'dark' if 'Dark' in theme else 'light'}"
            shot(page, tag)
            page.locator(".jp-Logbook-hypotheses").evaluate("n => n.scrollTop = n.scrollHeight")
            shot(page, f"{tag}-scrolled")
            found[tag] = {
                "overflow": overflows(page),
                "placeholders": cut_placeholders(page),
                "contrast": low_contrast(page),
                "unnamed": unnamed_controls(page) + unnamed_controls(page, ".jp-Logbook-statusItem"),
            }
            pills = page.evaluate(
                "() => [...document.querySelectorAll('#jp-logbook-sidebar .jp-Logbook-pill')].map(p => p.textContent)"
            )
            assert {"held", "failed", "pending", "active", "supported"} <= set(pills)
    set_theme(page, "JupyterLab Light")
    assert {tag: f for tag, f in found.items() if any(f.values())} == {}


def test_keyboard_reaches_sections_cards_and_surprises_with_visible_focus(page):
    settled(page)
    set_sidebar_width(page, 300)
    page.evaluate(
        """() => { window.__replaced = [];
          new MutationObserver(ms => ms.forEach(m => m.removedNodes.forEach(n => n.nodeType === 1 && n.matches('.jp-Logbook-hypothesis')
            && window.__replaced.push(n.dataset.hypothesis)))).observe(document.body, { subtree: true, childList: true }); }"""
    )
    seen = tab_through_sidebar(page)
    assert page.evaluate("window.__replaced") == [], "no card is redrawn while nothing changed"
    classes = " ".join(s["cls"] for s in seen)
    assert classes.count("lm-AccordionPanel-title") == 5
    assert (
        "jp-Logbook-cardRow" in classes
        and "jp-Logbook-surprise" in classes
        and "jp-Logbook-experiment" in classes
    )
    assert [s for s in seen if not s["visible"]] == []
    # Enter opens a card; the arrow keys move through the inbox.
    page.locator('[data-hypothesis="H2"] .jp-Logbook-cardRow').focus()
    page.keyboard.press("Enter")
    page.locator('[data-hypothesis="H2"] .jp-Logbook-cardBody').wait_for()
    second = page.locator('.jp-Logbook-surpriseList [data-index="1"]').get_attribute("data-surprise")
    page.locator('.jp-Logbook-surpriseList [data-index="0"]').focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.surprise") == second
    page.keyboard.press("Enter")
    page.locator(".jp-Logbook-triage", has_text=f"Surprise #{second}").wait_for()


def test_one_change_fetches_only_the_section_it_changed(page):
    calls = []

    def record(request) -> None:
        if "/logbook/api/" in request.url:
            path = re.sub(
                r"[?&]\d{10,}$", "", request.url.split("/logbook/api/")[1]
            )  # Jupyter's cache buster
            calls.append((request.method, path))

    page.on("request", record)
    # The page's one-off requests of idle time (the figure scripts' index) are over before changes are counted.
    page.wait_for_function(
        "['ready', 'none', 'failed'].includes(document.documentElement.dataset.logbookFigureScripts)",
        timeout=120_000,
    )

    def fetched_after(action, done) -> list[str]:
        calls.clear()
        action()
        done()
        # The model asks the feed again only once it has fetched what changed: that request closes the change.
        while not any(method == "GET" and path.startswith("feed?") for method, path in calls):
            page.wait_for_timeout(20)
        return [path for method, path in calls if method == "GET" and not path.startswith("feed?")]

    gets = fetched_after(
        lambda: page.locator(".jp-Logbook-modeButton", has_text="confirm").click(),
        lambda: page.locator(".jp-Logbook-modeButton.jp-mod-active", has_text="confirm").wait_for(),
    )
    assert gets == ["mode"]
    expand(page, "H5")
    slider = page.locator('[data-hypothesis="H5"] input[type=range]')
    slider.evaluate("s => { s.value = '35'; s.dispatchEvent(new Event('input', { bubbles: true })); }")
    gets = fetched_after(
        lambda: page.get_by_role("button", name="Record the new credence in H5 and its reason").click(),
        lambda: page.locator(
            '[data-hypothesis="H5"] .jp-Logbook-cardRow[aria-label*="Credence 0.35"]'
        ).wait_for(),
    )
    assert len(gets) == 1 and gets[0].startswith("feed/hypotheses?since=e"), gets


def test_experiment_detail_and_search_show_what_was_recorded(lab, page):
    set_sidebar_width(page, 300)
    page.get_by_role("searchbox", name="Search the logbook").fill("induction")
    match = page.locator(".jp-Logbook-experiment .jp-Logbook-expSource", has_text="attention_stripes")
    match.wait_for()
    assert match.text_content().startswith("L6 induction_score = attention_stripes")
    assert match.locator(".jp-Logbook-mark").first.text_content() == "induction"
    # The search's own result for the cell opens the same view (with the results open, the list may sit
    # below the window's edge).
    page.locator('.jp-Logbook-searchResults [data-search-hit="experiment:#1"]').press("Enter")
    detail = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-detail")
    detail.locator(".jp-Logbook-output img").wait_for()
    assert detail.locator(".jp-Logbook-sourceLine.jp-mod-match").count() == 2
    assert detail.locator(".jp-Logbook-pre", has_text="induction heads found: 1").count() == 1
    assert detail.locator("img").evaluate("img => img.complete && img.naturalWidth") == 24
    frame = detail.locator("iframe.jp-Logbook-outputFrame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    page.frame_locator("iframe.jp-Logbook-outputFrame").get_by_text("parent blocked").wait_for()
    page.frame_locator("iframe.jp-Logbook-outputFrame").get_by_text("L1H0").wait_for()
    assert page.evaluate("document.body.dataset.pwned") is None
    text = detail.text_content()
    for expected in (
        "torch.Tensor float32 [2, 4] cpu",
        "min 0.01, max 0.91, mean 0.23, norm 1.02, nan 0",
        "Model: HookedTransformer",
        "attn-only-2l",
        "blocks.1.attn.hook_pattern",
        "ablate_head",
        "cache 1: 3 keys",
        "HookedTransformer × 2",
        "tensor([0.9100, 0.0100])",
    ):
        assert expected in text, expected
    judged = detail.locator("table[aria-label='Predictions judged here'] tr")
    assert "H4.P1" in judged.nth(1).text_content() and "failed" in judged.nth(1).text_content()
    assert "3.32 bits" in judged.nth(1).text_content()
    assert "H2.P1" in judged.nth(2).text_content() and "held" in judged.nth(2).text_content()
    shot(page, "detail")

    # A figure is pinned to the report from here, and unpinned again.
    image = detail.locator(".jp-Logbook-output", has=page.locator("img"))
    image.get_by_role("button", name="Pin this figure to the report").click()
    image.get_by_role("button", name="Pinned to the report: click to unpin").wait_for()
    experiment = lab.seeded["experiment"]
    assert [p["position"] for p in api(lab, "GET", f"experiments/{experiment}/pins")] == [0]
    image.get_by_role("button", name="Pinned to the report: click to unpin").click()
    image.get_by_role("button", name="Pin this figure to the report").wait_for()
    assert api(lab, "GET", f"experiments/{experiment}/pins") == []

    detail.get_by_role("button", name="Open the cell").click()
    page.locator(".jp-Notebook .jp-Cell.jp-mod-active .jp-InputArea", has_text="y = 2").wait_for()

    # The next experiment opens in a tab of its own, beside the first; a failed one shows its error
    # without colour codes. Opening the first again shows its tab, and opens no other.
    page.get_by_role("searchbox", name="Search the logbook").fill("")
    page.locator(".jp-Logbook-experiment", has_text="#2").click()
    page.locator(".jp-Logbook-detailArea:visible", has_text="Error: ValueError").wait_for()
    assert page.locator(".jp-Logbook-detailArea").count() == 2
    traceback = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-traceback").text_content()
    assert "ValueError: period must be positive" in traceback and "\x1b" not in traceback
    assert (
        "warning: negative period"
        in page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-stderr").text_content()
    )
    row = page.locator(".jp-Logbook-experiment").filter(
        has=page.locator(".jp-Logbook-expId", has_text=re.compile(rf"^#{experiment}$"))
    )
    row.click()
    page.locator(f"#jp-logbook-experiment-{experiment}:visible").wait_for()
    assert page.locator(".jp-Logbook-detailArea").count() == 2


def test_status_bar_clock_brainstorm_and_past_brainstorms(lab, page):
    set_sidebar_width(page, 250)
    with Store(lab.root / ".logbook" / "logbook.db") as store:
        flagged = store.add_manual_surprise("the clock test flags this").id
    status = page.locator(".jp-Logbook-statusItem")
    surprises = status.locator(".jp-Logbook-statusSurprises")
    surprises.wait_for()
    assert "unread surprise" in surprises.get_attribute("title")
    page.locator('[data-logbook-section="surprises"]').click()  # collapse the inbox
    page.locator("#jp-logbook-surprises").wait_for(state="hidden")
    surprises.click()
    page.locator("#jp-logbook-surprises").wait_for(state="visible")
    page.wait_for_function("document.activeElement.closest('#jp-logbook-surprises') !== null")

    page.get_by_role("button", name="Start 5:00 brainstorm").click()
    clock = status.locator(".jp-Logbook-statusClock")
    clock.wait_for()
    assert "jp-StatusBar-TextItem" in clock.get_attribute("class")
    other = page.locator(".jp-StatusBar-Widget .jp-StatusBar-TextItem:not(.jp-Logbook-statusItem *)").first
    centre = lambda b: b["y"] + b["height"] / 2  # noqa: E731
    assert abs(centre(clock.bounding_box()) - centre(other.bounding_box())) <= 1

    # One entry box; a credence typed with the hypothesis, or set right after.
    entries = page.locator(
        f"{SIDEBAR} input.jp-Logbook-brainstormEntry:visible, {SIDEBAR} input.jp-Logbook-newHypothesis:visible"
    )
    assert entries.count() == 1
    assert cut_placeholders(page) == []
    page.wait_for_function("document.activeElement.classList.contains('jp-Logbook-brainstormEntry')")
    page.keyboard.type("Layer 1 does induction @0.6")
    assert page.locator(".jp-Logbook-hint").text_content() == "credence 0.60"
    page.keyboard.press("Enter")
    page.locator(".jp-Logbook-counter", has_text="1 / 4").wait_for()
    created = next(h for h in api(lab, "GET", "hypotheses") if h["statement"] == "Layer 1 does induction")
    assert created["credence"] == 0.6
    written = page.get_by_role("textbox", name=f"credence in {created['id']}")
    written.fill("0.25")
    written.press("Enter")
    page.keyboard.press("Tab")
    page.wait_for_function(
        f"fetch('/logbook/api/hypotheses/{created['id']}?token={lab.token}').then(r => r.json()).then(h => h.credence === 0.25)"
    )

    page.get_by_role("button", name="Pause the clock").click()
    page.locator(".jp-Logbook-statusClock", has_text="paused").wait_for()
    page.locator(".jp-Logbook-clock", has_text="paused").wait_for()
    assert "paused" in clock.get_attribute("title")
    shot(page, "250-brainstorm-paused")
    page.get_by_role("button", name="Resume the clock").click()
    page.get_by_role("button", name="Finish the brainstorm now").click()
    past = page.locator(".jp-Logbook-pastBrainstorm", has_text="1 of 4 hypotheses in").first
    past.wait_for()
    past.locator("summary").click()
    assert "Layer 1 does induction" in past.text_content()
    clock.wait_for(state="hidden")
    api(
        lab, "PATCH", f"surprises/{flagged}", {"action": "explained", "explanation": "seen in the brainstorm"}
    )


def test_surprise_triage(lab, page):
    set_sidebar_width(page, 250)
    api(lab, "POST", "predictions/H3.P1/verdict", {"held": False})
    api(lab, "POST", "hypotheses/H1/predictions", {"text": "the head is not needed", "credence": 0.6})
    api(lab, "POST", "predictions/H1.P1/verdict", {"held": False})
    api(
        lab, "POST", "hypotheses/H1/predictions", {"text": "the head's output is read later", "credence": 0.6}
    )
    api(lab, "POST", "predictions/H1.P2/verdict", {"held": False})
    h3 = page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="H3.P1")
    h3.wait_for()
    page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="H1.P1").wait_for()
    page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="H1.P2").wait_for()
    badge = page.locator(f"{SIDEBAR} .jp-Logbook-badge")
    # All three new surprises counted: the badge shows the server's unread count before one is read.
    unread = sum(1 for s in api(lab, "GET", "surprises?status=open") if not s["read"])
    badge.filter(has_text=f"⚡ {unread}").wait_for()
    before = unread
    triage = page.locator(".jp-Logbook-triage")

    # Opening an unread surprise marks it read; refuting asks for the reason.
    h3.click()
    triage.filter(has_text=f"Surprise #{h3.get_attribute('data-surprise')}").wait_for()
    badge.filter(has_text=f"⚡ {before - 1}").wait_for()
    triage.get_by_role("button", name="Refute H3").first.click()
    refute = triage.get_by_role("button", name="Refute H3 with this reason")
    assert refute.is_disabled()
    triage.get_by_role("textbox", name="Reason").fill("copying survives a shifted period")
    refute.click()
    h3.wait_for(state="detached")
    assert api(lab, "GET", "hypotheses/H3")["status"] == "refuted"

    # Update credence, with a reason, confirmed.
    page.locator('.jp-Logbook-surpriseList [data-surprise="1"]').click()
    triage.filter(has_text="Surprise #1").wait_for()
    triage.get_by_role("button", name="Update your credence in H4").click()
    triage.get_by_role("textbox", name="New credence in H4").fill("0.3")
    confirm = triage.get_by_role("button", name="Confirm the new credence in H4")
    assert confirm.is_disabled()
    triage.get_by_role("textbox", name="Reason").fill("x was 1")
    assert confirm.text_content() == "Confirm 0.90 → 0.30"
    confirm.click()
    page.locator('.jp-Logbook-surpriseList [data-surprise="1"]').wait_for(state="detached")
    assert api(lab, "GET", "hypotheses/H4")["credence"] == 0.3

    # A follow-up hypothesis pre-filled from the surprise: it names the surprise, which closes as followed up.
    page.locator('.jp-Logbook-surpriseList [data-surprise="2"]').click()
    triage.filter(has_text="Surprise #2").wait_for()
    triage.get_by_role("button", name="Start a follow-up hypothesis").click()
    follow = triage.get_by_role("textbox", name="Follow-up hypothesis")
    assert follow.input_value().startswith("loss spikes at step 300")
    follow.fill("The loss spike comes from a bad batch @0.4")
    follow.press("Enter")
    page.locator(".jp-Logbook-statement", has_text="The loss spike comes from a bad batch").wait_for()
    page.locator('.jp-Logbook-surpriseList [data-surprise="2"]').wait_for(state="detached")
    resolved = api(lab, "GET", "surprises?status=resolved")
    assert any(s["id"] == 2 and s["resolution"] == "followed_up" for s in resolved)
    (followed,) = [h for h in api(lab, "GET", "hypotheses") if h["follows"] == "S2"]
    assert followed["statement"] == "The loss spike comes from a bad batch" and followed["credence"] == 0.4

    # An explanation resolves one.
    h1 = page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="H1.P1")
    h1.click()
    triage.filter(has_text=f"Surprise #{h1.get_attribute('data-surprise')}").wait_for()
    triage.get_by_role("button", name="Write an explanation").click()
    triage.get_by_role("textbox", name="Explanation").fill("a corrupted shard")
    triage.get_by_role("button", name="Save the explanation and resolve").click()
    h1.wait_for(state="detached")
    resolved = api(lab, "GET", "surprises?status=resolved")
    assert any(s["prediction_id"] == "H1.P1" and s["explanation"] == "a corrupted shard" for s in resolved)

    # Dismiss closes it without a change of belief.
    h1 = page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="H1.P2")
    h1.click()
    triage.filter(has_text=f"Surprise #{h1.get_attribute('data-surprise')}").wait_for()
    triage.get_by_role("button", name="Dismiss this surprise").click()
    page.locator(".jp-Logbook-surpriseList [data-surprise]").first.wait_for(state="detached")
    badge.wait_for(state="hidden")
    assert page.locator(".jp-Logbook-statusSurprises").is_hidden()

    # Resolved surprises come back with the filter.
    page.get_by_role("button", name="Show resolved surprises").click()
    for resolved in ("1", "2"):
        page.locator(f'.jp-Logbook-surpriseList [data-surprise="{resolved}"]').wait_for()
    page.get_by_role("button", name="Show open surprises").click()
    # Nothing open, but much was surprising: the inbox says all are resolved, and shows them on a click.
    everything = len(api(lab, "GET", "surprises?status=resolved"))
    page.get_by_text(f"All {everything} surprises resolved.").wait_for()
    shot(page, "250-triage")
    page.get_by_role("button", name="Show the resolved surprises").click()
    page.locator('.jp-Logbook-surpriseList [data-surprise="1"]').wait_for()
    assert page.get_by_role("button", name="Show resolved surprises").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Show open surprises").click()


def test_a_new_surprise_is_scrolled_into_view_of_an_inbox_with_room_for_four(lab, page):
    set_sidebar_width(page, 250)
    db = lab.root / ".logbook" / "logbook.db"
    with Store(db) as store, store.transaction():
        first = store.db.execute("SELECT coalesce(max(id), 0) + 1 FROM surprises").fetchone()[0]
        for n in range(8):
            store.db.execute(
                "INSERT INTO surprises (hypothesis_id, prediction_id, prediction, observed, credence,"
                " surprisal_bits, created_at, manual, note, status) VALUES"
                " ('H1', 'H1.P1', 'x > 1', '{}', 0.9, ?, '2026-11-25T10:00:00+00:00', 0, '', 'open')",
                [1 + n / 10],
            )
    inbox = page.locator(".jp-Logbook-surpriseList")
    page.locator(f'.jp-Logbook-surpriseList [data-surprise="{first + 7}"]').wait_for()
    assert inbox.bounding_box()["height"] >= 4 * 50, "four unread rows fit without scrolling"
    with Store(db) as store:
        flagged = store.add_manual_surprise("a new odd result, flagged by hand").id
    row = page.locator(f'.jp-Logbook-surpriseList [data-surprise="{flagged}"]')
    row.wait_for()  # hand-flagged, so after the eight with a surprisal: scrolled into view
    page.wait_for_function(
        """(id) => {
          const list = document.querySelector('.jp-Logbook-surpriseList').getBoundingClientRect();
          const row = document.querySelector(`.jp-Logbook-surpriseList [data-surprise="${id}"]`);
          const r = row && row.getBoundingClientRect();
          return r && r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
        }""",
        arg=flagged,
    )
    assert overflows(page) == []
    shot(page, "250-new-surprise")
    with Store(db) as store, store.transaction():
        store.db.execute("UPDATE surprises SET status = 'explained' WHERE id >= ?", [first])


def test_twenty_thousand_surprises_are_drawn_a_window_at_a_time(lab, page):
    set_sidebar_width(page, 250)
    with Store(lab.root / ".logbook" / "logbook.db") as store, store.transaction():
        for n in range(20_000):
            store.db.execute(
                "INSERT INTO surprises (hypothesis_id, prediction_id, prediction, observed, credence,"
                " surprisal_bits, created_at, manual, note, status) VALUES"
                " ('H1', 'H1.P1', 'x > 1', '{}', 0.9, ?, '2026-11-25T10:00:00+00:00', 0, '', 'open')",
                [n / 1000],
            )
    page.locator('[data-logbook-section="surprises"]', has_text="20,000 unread").wait_for()
    assert page.locator(".jp-Logbook-surpriseList [data-surprise]").count() < 60
    page.locator(".jp-Logbook-surpriseList").evaluate("n => n.scrollTop = n.scrollHeight")
    page.locator(".jp-Logbook-surpriseList [data-surprise]", has_text="0.00 bits").first.wait_for()
    assert page.locator(".jp-Logbook-badge").text_content() == "⚡ 20,000"
