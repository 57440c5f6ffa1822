"""The research dashboard in JupyterLab and Chromium: opened from the palette and from the sidebar's header,
every chart drawn as SVG with marks by the bundled vega-embed, nothing fetched from outside 127.0.0.1, a new
cell redrawing only its chart, the keyboard reaching every control. Screenshots at 250 and 400 px sidebar
widths, light and dark, go to artifacts/dashboard-*.png."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from logbook.store.core import Store
from tests.server.test_dashboard import EXPECTED, experiment, research_logbook
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

DASHBOARD = "#jp-logbook-dashboard"
CARDS = f"{DASHBOARD} .jp-Logbook-dashCard"

#: Every card has its SVG, and every SVG has marks: the dashboard is drawn.
ALL_DRAWN = f"""
() => {{
  const cards = [...document.querySelectorAll('{CARDS}')];
  return cards.length > 0 && cards.every(card => card.querySelector('svg [role="graphics-symbol"], svg .mark-rect path, svg .mark-line path'));
}}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("dashboard") / "project"
    (root / ".logbook").mkdir(parents=True)
    with Store(root / ".logbook" / "logbook.db") as store:
        research_logbook(store)
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    with jupyter_lab(root, settings) as running:
        yield running


@pytest.fixture
def page(lab, tmp_path):
    with browser_page(tmp_path) as page:
        page.errors = []
        page.requests = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("request", lambda request: page.requests.append(request.url))
        page.goto(f"{lab.url}/lab?reset&token={lab.token}")
        open_sidebar(page)
        yield page


def outside(lab, urls: list[str]) -> list[str]:
    """Requests to anywhere but the lab on 127.0.0.1 (data: and blob: URLs stay in the page)."""
    return [
        url
        for url in urls
        if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname != "127.0.0.1"
    ]


def wait_drawn(page) -> None:
    page.locator(CARDS).first.wait_for()
    page.wait_for_function(ALL_DRAWN)


def draws(page) -> dict[str, int]:
    return page.evaluate(
        f"() => Object.fromEntries([...document.querySelectorAll('{CARDS}')].map(c => [c.dataset.chart, Number(c.dataset.draws)]))"
    )


def test_opened_from_the_palette_every_chart_is_an_svg_with_marks(lab, page):
    search = page.locator(".lm-CommandPalette-input")
    for _ in range(3):  # a key pressed while JupyterLab is still settling can go to no one: press it again
        page.keyboard.press("Control+Shift+C")
        try:
            search.wait_for(state="visible", timeout=5000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            continue
    search.fill("Logbook: Open Dashboard")
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text="Open Dashboard").wait_for()
    search.press("Enter")
    wait_drawn(page)
    assert [card.get_attribute("data-chart") for card in page.locator(CARDS).all()] == [
        "credences",
        "set-C1",
        *[c for c in EXPECTED if c not in ("credences", "set-C1")],
    ]
    for card in page.locator(CARDS).all():
        marks = card.locator('svg [role="graphics-symbol"]').count()
        assert marks > 0, f"{card.get_attribute('data-chart')} has no marks"
    # Counts and small-sample warnings are on the cards; marks carry their hover titles.
    calibration = page.locator(f'{CARDS}[data-chart="calibration-mode"]')
    assert "too few to mean anything" in calibration.locator(".jp-Logbook-dashWarning").inner_text()
    assert calibration.locator("svg title").first.text_content()
    assert "3 experiments" in page.locator(f"{DASHBOARD} .jp-Logbook-dashStatus").inner_text()
    assert page.errors == []
    assert outside(lab, page.requests) == []


def test_vega_is_loaded_in_idle_time_before_the_dashboard_is_opened(lab, page):
    page.wait_for_function("() => document.documentElement.dataset.logbookVega === 'ready'")
    assert page.locator(DASHBOARD).count() == 0  # loaded with no dashboard open
    before = len(page.requests)
    page.get_by_role("button", name="Open the research dashboard").click()
    wait_drawn(page)
    # The first dashboard opened fetched no code: vega came before, in idle time.
    assert [url for url in page.requests[before:] if urlparse(url).path.endswith(".js")] == []
    assert page.errors == []


def test_opened_from_the_sidebar_header(lab, page):
    set_sidebar_width(page, 250)
    header_button = page.get_by_role("button", name="Open the research dashboard")
    header_button.click()
    wait_drawn(page)
    assert page.locator(CARDS).count() == len(EXPECTED)
    assert not [o for o in overflows(page) if "titleRow" in o or "dashButton" in o]
    assert page.errors == [] and outside(lab, page.requests) == []


def test_a_new_cell_redraws_its_chart_and_no_other(lab, page):
    page.get_by_role("button", name="Open the research dashboard").click()
    wait_drawn(page)
    before = draws(page)
    assert set(before.values()) == {1}
    with Store(lab.root / ".logbook" / "logbook.db") as store:
        experiment(store, 8, "red-team")
    page.wait_for_function(
        f"() => document.querySelector('{CARDS}[data-chart=\"modes\"]').dataset.draws === '2'"
    )
    page.wait_for_function(
        f"() => document.querySelector('{DASHBOARD} .jp-Logbook-dashStatus').textContent.includes('4 experiments')"
    )
    after = draws(page)
    assert {chart for chart in after if after[chart] != before[chart]} == {"modes"}
    modes = page.locator(f'{CARDS}[data-chart="modes"]')
    assert "red-team 1" in modes.locator(".jp-Logbook-dashNote").inner_text()
    assert page.errors == []


def test_the_keyboard_reaches_every_control(lab, page):
    page.get_by_role("button", name="Open the research dashboard").click()
    wait_drawn(page)
    page.locator(
        f"{DASHBOARD} .jp-Logbook-dashNav button:visible"
    ).first.focus()  # Team: shown in a team project
    reached = []
    for _ in range(60):
        here = page.evaluate(
            "() => { const n = document.activeElement; return n.closest('#jp-logbook-dashboard') ?"
            " (n.dataset.chart || n.dataset.group || n.textContent.trim().slice(0, 30)) : null; }"
        )
        if here is None:
            break
        reached.append(here)
        page.keyboard.press("Tab")
    assert reached[:6] == ["beliefs", "sets", "calibration", "surprises", "modes", "coverage"]
    assert "Refresh" in reached
    assert set(EXPECTED) <= set(reached)  # every card, with its title, note and warning as its name
    assert any(r.startswith("The count behind each row") for r in reached)
    assert not unnamed_controls(page, DASHBOARD)
    # A section button takes the focus to its section.
    page.get_by_role("button", name="Go to Calibration").press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "jp-logbook-dash-calibration"


def test_light_and_dark_at_250_and_400_px(lab, page):
    page.get_by_role("button", name="Open the research dashboard").click()
    wait_drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        # Axis labels are drawn in the card's own text colour: readable in either theme.
        colours = page.evaluate(
            f"""() => {{
              const card = document.querySelector('{CARDS}[data-chart="calibration"]');
              const label = card.querySelector('svg .role-axis-label text');
              return [getComputedStyle(label).fill, getComputedStyle(card).color];
            }}"""
        )
        assert colours[0] == colours[1]
        for width in (250, 400):
            set_sidebar_width(page, width)
            page.wait_for_timeout(300)  # the dashboard waits 150 ms for the resize to end before redrawing
            page.wait_for_function(
                f"document.querySelector('{DASHBOARD} .jp-Logbook-dashboard').dataset.pending === '0'"
            )
            page.wait_for_function(ALL_DRAWN)
            assert not [o for o in overflows(page) if "titleRow" in o or "dashButton" in o]
            name = f"dashboard-{width}-{'dark' if 'Dark' in theme else 'light'}.png"
            page.screenshot(path=str(ARTIFACTS / name))
    page.locator(SIDEBAR).screenshot(path=str(ARTIFACTS / "dashboard-sidebar-button-400-dark.png"))
    set_theme(page, "JupyterLab Light")
    page.set_viewport_size({"width": 1400, "height": 2400})  # every chart in one picture
    page.wait_for_timeout(300)
    page.wait_for_function(
        f"document.querySelector('{DASHBOARD} .jp-Logbook-dashboard').dataset.pending === '0'"
    )
    page.screenshot(path=str(ARTIFACTS / "dashboard-all-400-light.png"))
    assert page.errors == [] and outside(lab, page.requests) == []
