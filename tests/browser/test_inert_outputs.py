"""An HTML output from elsewhere is inert in the experiment view until you trust it; yours runs in a frame
that reaches nothing. Checked in JupyterLab in Chromium against a server on 127.0.0.1 counting requests."""

from __future__ import annotations

import http.server
import threading

import pytest

from kernel_hooks.outputs import encode_output
from logbook.store.core import Store
from tests.support.browser import ARTIFACTS, chromium
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

FIGURE = """
<p id="what">attention of <b>head 1.0</b></p>
<img src="http://127.0.0.1:PORT/image">
<script>
const tried = { webrtc: typeof RTCPeerConnection };
fetch("http://127.0.0.1:PORT/fetch").then(() => tried.fetch = "reached", () => tried.fetch = "blocked")
  .finally(() => parent.postMessage({ logbookFigure: tried }, "*"));
</script>
"""


PLOT = {
    "data": [{"type": "bar", "x": ["L0H0", "L0H1"], "y": [0.2, 0.9]}],
    "layout": {"title": {"text": "scores"}},
}


class Counted(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        Counted.hits.append(self.path)
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium()
    root = tmp_path_factory.mktemp("inert") / "project"
    (root / ".logbook").mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    figure = FIGURE.replace("PORT", str(server.server_address[1]))
    with Store(root / ".logbook" / "logbook.db") as store, store.transaction():
        for author, source in (("a-colleague", "show(colleague_view)"), (None, "show(my_view)")):
            store.insert_experiment(
                {
                    "source": source,
                    "started_at": "2026-11-25T10:00:00+00:00",
                    "duration_ms": 5.0,
                    "ok": 1,
                    "author": author,
                },
                encode_output({"text/plain": "<HTML>", "text/html": figure}),
            )
        # A colleague's Plotly figure: its JSON would run plotly.js, so it waits for trust too.
        store.insert_experiment(
            {
                "source": "fig.show()  # colleague_plot",
                "started_at": "2026-11-25T10:00:00+00:00",
                "duration_ms": 5.0,
                "ok": 1,
                "author": "a-colleague",
            },
            encode_output({"text/plain": "Figure()", "application/vnd.plotly.v1+json": PLOT}),
        )
    settings = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
    try:
        with jupyter_lab(root, settings) as running:
            yield running
    finally:
        server.shutdown()


def open_experiment(page, source: str):
    page.locator(".jp-Logbook-experiment", has_text=source).first.click()
    detail = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-detail")
    detail.locator(".jp-Logbook-output", has_text="text/html").wait_for()
    return detail


def test_a_colleagues_html_output_is_inert_until_trusted_and_then_reaches_nothing(lab, tmp_path):
    Counted.hits = []
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        detail = open_experiment(page, "show(colleague_view)")
        notice = detail.locator(".jp-Logbook-inertNotice")
        assert "recorded by a-colleague, not by you" in notice.text_content()
        assert detail.locator(".jp-Logbook-inertHtml b").text_content() == "head 1.0"  # shown, as static HTML
        assert detail.locator("iframe, script, img").count() == 0  # nothing runs, nothing is fetched
        ARTIFACTS.mkdir(exist_ok=True)
        detail.screenshot(path=str(ARTIFACTS / "inert-output.png"))

        page.evaluate(
            "() => { window.logbookFigure = new Promise(done => window.addEventListener('message',"
            " e => e.data && e.data.logbookFigure && done(e.data.logbookFigure))); }"
        )
        page.get_by_role(
            "button", name="Run this figure's scripts in a sandboxed frame that reaches nothing"
        ).click()
        frame = detail.locator("iframe.jp-Logbook-outputFrame")
        assert frame.get_attribute("sandbox") == "allow-scripts"
        tried = page.evaluate("() => window.logbookFigure")
        assert tried == {"webrtc": "undefined", "fetch": "blocked"}
        page.frame_locator("iframe.jp-Logbook-outputFrame").locator("#what").wait_for()
    assert Counted.hits == []


def test_your_own_html_output_runs_at_once_and_reaches_nothing(lab, tmp_path):
    Counted.hits = []
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.evaluate(
            "() => { window.logbookFigure = new Promise(done => window.addEventListener('message',"
            " e => e.data && e.data.logbookFigure && done(e.data.logbookFigure))); }"
        )
        detail = open_experiment(page, "show(my_view)")
        assert detail.locator(".jp-Logbook-inertNotice").count() == 0
        assert page.evaluate("() => window.logbookFigure") == {"webrtc": "undefined", "fetch": "blocked"}
    assert Counted.hits == []


def test_a_colleagues_plotly_figure_waits_for_trust_then_draws_offline(lab, tmp_path):
    pytest.importorskip("plotly")
    with browser_page(tmp_path) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator(".jp-Logbook-experiment", has_text="colleague_plot").first.click()
        detail = page.locator(".jp-Logbook-detailArea:visible .jp-Logbook-detail")
        notice = detail.locator(".jp-Logbook-inertNotice")
        notice.wait_for()
        assert notice.text_content().startswith(
            "Plotly figure, 1 trace: bar · “scores”, shown without running"
        )
        assert "recorded by a-colleague, not by you" in notice.text_content()
        assert detail.locator("iframe").count() == 0
        notice.get_by_role(
            "button", name="Run this figure's scripts in a sandboxed frame that reaches nothing"
        ).click()
        frame = detail.locator("iframe[data-figure='plotly']")
        frame.wait_for()
        assert frame.get_attribute("sandbox") == "allow-scripts"
        page.frame_locator(".jp-Logbook-detailArea:visible iframe[data-figure='plotly']").locator(
            "svg.main-svg"
        ).first.wait_for()
    assert Counted.hits == []
