"""The demo's HTML report in Chromium with no network: its CircuitsVis figure draws, and nothing fails."""

from __future__ import annotations

import re

import pytest

from tests.kernel.test_demo import demo  # noqa: F401  (the demo, run once for this module)
from tests.support.browser import ARTIFACTS, CHROMIUM_FLAGS, chromium

pytest.importorskip("playwright")
pytest.importorskip("circuitsvis")
pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.transformer_lens]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_demo_report_draws_its_circuitsvis_figure_offline(demo, scheme):  # noqa: F811
    from playwright.sync_api import sync_playwright

    folder, _ = demo
    report = folder / "copying-heads-log.html"
    attempted, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=[flag for flag in CHROMIUM_FLAGS if flag != "--headless"],
            headless=True,
        )
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900}, color_scheme=scheme)
            context.set_offline(True)
            context.route(
                re.compile(r"^(https?|wss?)://"),
                lambda route: (attempted.append(route.request.url), route.abort()),
            )
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.goto(report.as_uri())
            frame = page.frame_locator('iframe[data-bundle="circuitsvis"]').first
            root = frame.locator('div[id^="circuits-vis-"]')
            root.locator("*").first.wait_for(timeout=30_000)
            assert root.evaluate("node => node.querySelectorAll('*').length") > 20
            heads = frame.locator("text=L1H0")
            assert heads.count() >= 1
            iframe = page.locator('iframe[data-bundle="circuitsvis"]').first
            page.wait_for_function(
                "frame => frame.getBoundingClientRect().height > 200", arg=iframe.element_handle()
            )
            assert page.locator(".logbook-figure-error").count() == 0
            assert (
                page.locator("figcaption", has_text="Pinned: Attention patterns, fixed period 10").count()
                == 1
            )
            ARTIFACTS.mkdir(exist_ok=True)
            page.set_viewport_size({"width": 1100, "height": 1500})
            iframe.evaluate("frame => frame.scrollIntoView({block: 'start'})")
            # A frame scrolled into view paints on its next animation frames: wait for two of them.
            root.evaluate(
                "node => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
            )
            page.screenshot(path=str(ARTIFACTS / f"demo-report-figures-{scheme}.png"), full_page=False)
            page.screenshot(path=str(ARTIFACTS / f"demo-report-full-{scheme}.png"), full_page=True)
        finally:
            browser.close()
    assert attempted == [] and errors == []


def test_a_markdown_reports_circuitsvis_page_draws_offline_beside_it(demo, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from logbook.report.exporting import export_logbook

    folder, store = demo
    export_logbook(store, folder / "report.md", "md", root=folder)
    (page_file,) = (folder / "report-figures").glob("*.html")
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"], headless=True
        )
        try:
            context = browser.new_context()
            context.set_offline(True)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_file.as_uri())
            page.locator('div[id^="circuits-vis-"] *').first.wait_for(timeout=30_000)
        finally:
            browser.close()
    assert errors == []
