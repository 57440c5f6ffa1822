"""An HTML report carries its drawing scripts deflated: in Chromium with no network it unpacks them and
draws its Plotly and CircuitsVis figures, with no error and no request beyond file://; a browser without
DecompressionStream says so under each figure. A Markdown report's figure pages draw from the scripts
shared in logbook-figures/ beside it."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from kernel_hooks.outputs import encode_output
from logbook.report.exporting import export_logbook
from logbook.report.figure_sections import NO_DECOMPRESSION
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM_FLAGS,
    LOADED_MACHINE_TIMEOUT_MS,
    chromium,
)

pytest.importorskip("playwright")
circuitsvis = pytest.importorskip("circuitsvis")
go = pytest.importorskip("plotly.graph_objects")
pytestmark = pytest.mark.browser


def pin_figures(store) -> None:
    """A CircuitsVis view and a Plotly chart, as a notebook records them, both pinned."""
    pattern = [[[1.0 / (k + 1) if j <= k else 0.0 for j in range(8)] for k in range(8)] for _ in range(2)]
    view = circuitsvis.attention.attention_heads(tokens=[f"t{i}" for i in range(8)], attention=pattern)
    chart = go.Figure(go.Bar(x=[f"L1H{h}" for h in range(8)], y=[h / 8 for h in range(8)]))
    bundles = [
        ({"text/plain": "<RenderedHTML>", "text/html": view.local_src}, "attention of two heads"),
        ({"text/plain": "Figure()", "application/vnd.plotly.v1+json": chart.to_plotly_json()}, "head scores"),
    ]
    for bundle, caption in bundles:
        row = {
            "source": "show()",
            "started_at": datetime.now(timezone.utc).isoformat(),
            "duration_ms": 1.0,
            "ok": 1,
        }
        with store.transaction():
            experiment = store.insert_experiment(row, encode_output(bundle))
        store.pin(experiment, caption=caption)


def open_offline(playwright, scheme: str = "light", without_decompression: bool = False):
    """A page in an offline Chromium that records every request, page error and console error."""
    browser = playwright.chromium.launch(
        executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"], headless=True
    )
    context = browser.new_context(viewport={"width": 1100, "height": 1400}, color_scheme=scheme)
    context.set_offline(True)
    context.set_default_timeout(LOADED_MACHINE_TIMEOUT_MS)
    if without_decompression:
        context.add_init_script("delete window.DecompressionStream;")
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return browser, page, requests, errors


def beyond_this_machine(requests: list[str]) -> list[str]:
    return [
        url for url in requests if not re.match(r"^(file://|https?://127\.0\.0\.1[:/]|data:|about:)", url)
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_report_unpacks_its_scripts_and_draws_both_figures_offline(store, logbook_db, scheme):
    from playwright.sync_api import sync_playwright

    pin_figures(store)
    report = logbook_db.parent.parent / "report.html"
    export_logbook(store, report, "html")
    assert report.stat().st_size < 3_000_000
    with sync_playwright() as playwright:
        browser, page, requests, errors = open_offline(playwright, scheme)
        try:
            page.goto(report.as_uri())
            plotly = page.frame_locator('iframe[data-bundle="plotly"]')
            plotly.locator("svg.main-svg").first.wait_for()
            assert plotly.locator("g.point, path.point, .bars path").count() >= 8
            cv = page.frame_locator('iframe[data-bundle="circuitsvis"]').locator('div[id^="circuits-vis-"]')
            cv.locator("*").first.wait_for()
            assert cv.evaluate("node => node.querySelectorAll('*').length") > 20
            for kind in ("plotly", "circuitsvis"):
                page.wait_for_function(
                    "frame => frame.getBoundingClientRect().height > 200",
                    arg=page.locator(f'iframe[data-bundle="{kind}"]').element_handle(),
                )
            assert page.locator(".logbook-figure-error").count() == 0
            ARTIFACTS.mkdir(exist_ok=True)
            for kind, figure in (("circuitsvis", cv), ("plotly", plotly.locator("svg.main-svg").first)):
                page.locator(f'iframe[data-bundle="{kind}"]').scroll_into_view_if_needed()
                # a frame scrolled into view paints on its next animation frames: wait for two of them
                figure.evaluate(
                    "node => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
                )
                page.screenshot(path=str(ARTIFACTS / f"report-packed-{kind}-{scheme}.png"))
        finally:
            browser.close()
    assert errors == []
    assert requests and beyond_this_machine(requests) == []


def test_a_browser_without_decompression_says_so_under_each_figure(store, logbook_db):
    from playwright.sync_api import sync_playwright

    pin_figures(store)
    report = logbook_db.parent.parent / "report.html"
    export_logbook(store, report, "html")
    with sync_playwright() as playwright:
        browser, page, requests, errors = open_offline(playwright, without_decompression=True)
        try:
            page.goto(report.as_uri())
            notes = page.locator(".logbook-figure-error")
            page.wait_for_function("() => document.querySelectorAll('.logbook-figure-error').length === 2")
            assert notes.all_text_contents() == [NO_DECOMPRESSION, NO_DECOMPRESSION]
            # each note stands right under its figure's frame
            assert page.locator("iframe.logbook-frame + p.logbook-figure-error").count() == 2
            page.screenshot(
                path=str(ARTIFACTS / "report-packed-figures-no-decompression.png"), full_page=True
            )
        finally:
            browser.close()
    assert errors == [] and beyond_this_machine(requests) == []


def test_a_markdown_reports_figure_pages_draw_from_the_shared_scripts(store, logbook_db):
    from playwright.sync_api import sync_playwright

    pin_figures(store)
    root = logbook_db.parent.parent
    (root / "notes").mkdir()
    export_logbook(store, root / "notes" / "report.md", "md")
    pages = sorted(
        (root / "notes" / "report-figures").glob("*.html"),
        key=lambda p: 'logbookDraw("plotly"' in p.read_text(),
    )
    assert len(pages) == 2 and not list((root / "notes" / "report-figures").glob("*.js"))
    with sync_playwright() as playwright:
        browser, page, requests, errors = open_offline(playwright)
        try:
            for figure_page in pages:
                page.goto(figure_page.as_uri())
                page.locator('svg.main-svg, div[id^="circuits-vis-"] *').first.wait_for()
            assert page.locator("svg.main-svg").count() >= 1  # the last page drawn is Plotly's
        finally:
            browser.close()
    assert errors == [] and beyond_this_machine(requests) == []
    assert any("/notes/logbook-figures/plotly-" in url for url in requests)
