"""Competing sets in the sidebar, in JupyterLab and Chromium: the distribution bar, a change that asks who
gives way, a proposed update accepted from the inbox, a prediction due. Screenshots at 250 and 400 px,
light and dark, go to artifacts/sets-*.png."""

from __future__ import annotations

import pytest

from logbook.store.core import Store
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
    made = api(
        lab,
        "POST",
        "sets",
        {
            "question": "How does the model copy?",
            "hypothesis_ids": ["H1", "H2", "H3", "H4"],
            "something_else": 0.1,
        },
    )
    prediction = api(
        lab,
        "POST",
        "hypotheses/H2/predictions",
        {"text": "period 7 breaks it", "credence": 0.7, "likelihoods": {"H1": 0.05, "else": 0.3}},
    )
    api(
        lab,
        "POST",
        "hypotheses/H1/predictions",
        {"text": "a previous-token head shows", "credence": 0.8, "resolve_by": "2020-01-01"},
    )
    api(lab, "POST", f"predictions/{prediction['id']}/verdict", {"held": True, "observed": "loss 4.2"})
    (proposal,) = api(lab, "GET", "proposals?status=proposed")
    return made, proposal


@pytest.fixture
def page(lab, copying, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator(".jp-Logbook-setBar").first.wait_for()
        yield page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / f"sets-{name}.png"))


def test_the_set_is_one_bar_that_fits_and_the_inbox_has_the_proposal_and_the_due_prediction(
    lab, copying, page
):
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


#: Whether a control is on screen and not covered or scrolled out of its section: what is at its centre is it.
IN_VIEW = """(node) => {
  const r = node.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !!hit && (hit === node || node.contains(hit));
}"""


def wait_in_view(page, locator) -> None:
    """Wait until ``locator``'s element is in view (the form brings itself into view on the next frame)."""
    page.wait_for_function(f"(node) => ({IN_VIEW})(node)", arg=locator.element_handle())


def test_changing_a_member_asks_who_gives_way(lab, copying, page):
    made, _ = copying
    before = api(lab, "GET", f"sets/{made['id']}")
    # A laptop's window: the Hypotheses section gets little height, and scrolls.
    page.set_viewport_size({"width": 1400, "height": 720})
    set_sidebar_width(page, 250)
    page.locator('.jp-Logbook-setItem[data-member="H3"]').click()
    form = page.locator(".jp-Logbook-setForm")
    # Save is in view as the form opens, before anything scrolls to it, and the credence has the focus.
    wait_in_view(page, form.locator(".jp-mod-accept"))
    assert form.locator(".jp-Logbook-setCredence").evaluate("(n) => n === document.activeElement")
    shot(page, "give-way-250-short")
    form.locator(".jp-Logbook-setCredence").fill("0.2")
    form.locator(".jp-Logbook-giveWay").select_option("H4")
    form.locator(".jp-Logbook-setReason").fill("layer 1 alone does not fit")
    assert not [o for o in overflows(page) if "Logbook-set" in o]
    shot(page, "give-way-250")
    form.locator(".jp-mod-accept").click()
    form.wait_for(state="detached")
    now = api(lab, "GET", f"sets/{made['id']}")
    gave = before["credences"]["H4"] - now["credences"]["H4"]
    assert now["credences"]["H3"] == pytest.approx(0.2) and gave == pytest.approx(
        0.2 - before["credences"]["H3"]
    )
    assert now["credences"]["H1"] == pytest.approx(before["credences"]["H1"])
    assert now["history"][-1]["reason"].endswith("layer 1 alone does not fit")


def test_the_set_form_closes_with_escape_and_saves_with_enter(lab, copying, page):
    made, _ = copying
    set_sidebar_width(page, 250)
    item = page.locator(f'[data-set="{made["id"]}"] .jp-Logbook-setItem[data-member="else"]')
    item.click()
    form = page.locator(".jp-Logbook-setForm")
    form.locator(".jp-Logbook-setCredence").press("Escape")
    form.wait_for(state="detached")
    page.wait_for_function("() => document.activeElement?.dataset?.member === 'else'")
    item.click()
    form.locator(".jp-Logbook-setCredence").fill("0.15")
    form.locator(".jp-Logbook-setReason").fill("fewer unknowns")
    form.locator(".jp-Logbook-setReason").press("Enter")
    form.wait_for(state="detached")
    now = api(lab, "GET", f"sets/{made['id']}")
    assert now["something_else"] == pytest.approx(0.15) and now["history"][-1]["reason"].endswith(
        "fewer unknowns"
    )


def slide(page, slider, value: int) -> None:
    """Move a range input as a drag does: its value, then the input event."""
    slider.evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', { bubbles: true })); }", value
    )


def test_a_members_card_asks_who_gives_way_and_a_free_hypothesis_does_not(lab, copying, page):
    made, _ = copying
    free = api(lab, "POST", "hypotheses", {"statement": "attention sinks do it", "credence": 0.3})
    before = api(lab, "GET", f"sets/{made['id']}")
    page.set_viewport_size({"width": 1400, "height": 720})
    set_sidebar_width(page, 250)
    card = page.locator('[data-hypothesis="H1"]')
    card.locator(".jp-Logbook-cardRow").click()
    box = card.locator(".jp-Logbook-credence")
    assert box.locator(".jp-Logbook-giveWay").is_hidden()  # asked once the slider moves
    target = round(before["credences"]["H1"] * 100) - 5  # lower, so something else can always take it
    slide(page, box.locator(".jp-Logbook-slider"), target)
    wait_in_view(page, box.get_by_role("button", name="Record the new credence in H1 and its reason"))
    choice = box.locator(".jp-Logbook-giveWay")
    assert choice.input_value() == ""  # the others, in proportion, unless one is chosen
    options = choice.locator("option").all_inner_texts()
    assert options == ["the others, in proportion", "only H2", "only H3", "only H4", "only something else"]
    choice.select_option("else")
    box.locator(".jp-Logbook-reason").fill("the previous-token head is weak")
    assert not [o for o in overflows(page) if "giveWay" in o or "credence" in o.lower()]
    shot(page, "card-give-way-250")
    set_sidebar_width(page, 400)
    shot(page, "card-give-way-400")
    box.get_by_role("button", name="Record the new credence in H1 and its reason").click()
    page.wait_for_function(
        "(want) => document.querySelector('.jp-Logbook-setBar').getAttribute('aria-label').startsWith(want)",
        arg=f"H1 {target / 100:.2f}",
    )
    now = api(lab, "GET", f"sets/{made['id']}")
    assert now["credences"]["H1"] == pytest.approx(target / 100)
    assert now["something_else"] == pytest.approx(
        before["something_else"] + before["credences"]["H1"] - target / 100
    )
    assert all(now["credences"][h] == pytest.approx(before["credences"][h]) for h in ("H2", "H3", "H4"))
    assert now["history"][-1]["reason"].endswith("the previous-token head is weak")

    other = page.locator(f'[data-hypothesis="{free["id"]}"]')
    other.locator(".jp-Logbook-cardRow").click()
    slide(page, other.locator(".jp-Logbook-slider"), 40)
    assert other.locator(".jp-Logbook-giveWay").count() == 0
    other.locator(".jp-Logbook-reason").fill("no rivals named")
    other.get_by_role("button", name=f"Record the new credence in {free['id']} and its reason").click()
    page.wait_for_function(
        f"fetch('/logbook/api/hypotheses/{free['id']}?token={lab.token}').then(r => r.json()).then(h => h.credence === 0.4)"
    )


def test_a_short_brainstorm_asks_for_one_more_and_its_hypotheses_become_rivals_in_one_click(
    lab, copying, page
):
    running = api(lab, "POST", "brainstorms", {"planned_seconds": 300, "target": 4})
    for statement in ("a bigram table", "a skip-trigram"):
        api(
            lab,
            "POST",
            "hypotheses",
            {"statement": statement, "credence": 0.3, "brainstorm_id": running["id"]},
        )
    set_sidebar_width(page, 250)
    page.get_by_role("button", name="Finish the brainstorm now").click()
    nudge = page.locator(".jp-Logbook-nudge")
    nudge.locator(".jp-Logbook-nudgeText", has_text="2 of 4: one more?").wait_for()
    entry = nudge.locator("input.jp-Logbook-brainstormEntry")
    assert entry.is_visible()
    shot(page, "nudge-250")
    entry.fill("a copy-suppression head @0.2")
    entry.press("Enter")
    nudge.locator(".jp-Logbook-nudgeText", has_text="3 of 4: one more?").wait_for()
    (past,) = [b for b in api(lab, "GET", "brainstorms") if b["id"] == running["id"]]
    assert len(past["hypothesis_ids"]) == 3
    nudge.get_by_role("button", name="No more hypotheses for this brainstorm").click()
    nudge.wait_for(state="hidden")

    item = page.locator(
        ".jp-Logbook-pastBrainstorm", has=page.locator("strong", has_text=f"Brainstorm {running['id']}:")
    )
    set_sidebar_width(page, 400)
    shot(page, "make-rivals-400")
    item.get_by_role("button", name="Make ").click()
    made = next(
        s for s in api(lab, "GET", "sets") if sorted(s["credences"]) == sorted(past["hypothesis_ids"])
    )
    page.locator(f'[data-set="{made["id"]}"] .jp-Logbook-setBar').wait_for()
    item.locator(".jp-Logbook-makeRivals").wait_for(state="detached")


def test_a_due_prediction_opens_its_card_ready_to_judge(lab, copying, page):
    due = page.locator('.jp-Logbook-due[data-prediction="H1.P1"]')
    due.wait_for()
    set_sidebar_width(page, 250)
    assert not [o for o in overflows(page) if "due" in o.lower()]
    due.get_by_role("button", name="Judge H1.P1: open its hypothesis card").click()
    page.wait_for_function(
        "() => document.activeElement?.closest('[data-prediction=\"H1.P1\"]') && document.activeElement.classList.contains('jp-Logbook-held')"
    )
    assert page.locator('[data-hypothesis="H1"]').get_attribute("class").count("jp-mod-expanded") == 1
