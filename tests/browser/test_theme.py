"""The sidebar in JupyterLab's dark theme, with hostile text from a notebook in it."""

from __future__ import annotations

import pytest

from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=1</script>'


def luminance(css_color: str) -> float:
    parts = [float(p) for p in css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")[:3]]
    r, g, b = (p / 255 for p in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_theme_and_hostile_text_stay_readable_and_inert(tmp_path):
    chromium()
    root = tmp_path / "project"
    root.mkdir()
    settings = {
        "@jupyterlab/apputils-extension/themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    }
    with jupyter_lab(root, settings) as lab:
        lab.api("POST", "logbook/api/hypotheses", {"statement": HOSTILE, "credence": 0.6})
        lab.api(
            "POST",
            "logbook/api/hypotheses/H1/predictions",
            {"expression": "len(x) > len('<b>x</b>')", "credence": 0.7},
        )
        lab.api("POST", "logbook/api/mode", {"mode": "explore"})
        with browser_page(tmp_path) as page:
            page.goto(f"{lab.url}/lab?token={lab.token}")
            open_sidebar(page)
            statement = page.locator("#jp-logbook-sidebar .jp-Logbook-statement").first
            statement.wait_for()
            page.wait_for_function(
                "document.body.dataset.jpThemeLight === 'false'"
            )  # the theme loads on its own
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "lab-dark-theme.png"))
            assert statement.text_content() == HOSTILE
            assert page.locator("#jp-logbook-sidebar img").count() == 0
            assert page.evaluate("document.body.dataset.pwned") is None
            background = page.evaluate(
                "getComputedStyle(document.querySelector('#jp-logbook-sidebar')).backgroundColor"
            )
            text = page.evaluate("getComputedStyle(document.querySelector('#jp-logbook-sidebar')).color")
            assert luminance(background) < 0.3 and luminance(text) > 0.6

            # The keyboard shortcut starts the brainstorm timer and puts the cursor in its entry box.
            page.locator(".jp-LabShell").first.click()
            page.keyboard.press("Control+Alt+b")
            page.locator("#jp-logbook-sidebar .jp-Logbook-clock").wait_for()
            page.wait_for_function("document.activeElement?.classList.contains('jp-Logbook-brainstormEntry')")
            assert lab.api("GET", "logbook/api/brainstorms/current")["brainstorm"]["planned_seconds"] == 300


def test_a_damaged_logbook_shows_a_clear_error_and_lab_keeps_working(tmp_path):
    chromium()
    root = tmp_path / "project"
    (root / ".logbook").mkdir(parents=True)
    (root / ".logbook" / "logbook.db").write_bytes(b"not a database " * 100)
    with jupyter_lab(root, {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}) as lab:
        with browser_page(tmp_path) as page:
            page.goto(f"{lab.url}/lab?token={lab.token}")
            open_sidebar(page)
            error = page.locator("#jp-logbook-sidebar .jp-Logbook-error", has_text="is damaged")
            error.wait_for()
            page.screenshot(path=str(ARTIFACTS / "lab-damaged-logbook.png"))
            assert "A copy is kept at" in error.text_content()
            page.locator(".jp-LauncherCard").first.wait_for()
        assert list((root / ".logbook").glob("logbook.db.damaged-*"))
