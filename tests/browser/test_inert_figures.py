"""A recorded HTML figure in an exported report reaches nothing: no fetch, no form post, no top
navigation, no WebRTC, not even through a frame of its own. Checked in Chromium against servers on
127.0.0.1 that count what reaches them."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from kernel_hooks.outputs import encode_output
from logbook.report.exporting import export_logbook
from tests.support.browser import CHROMIUM_FLAGS, chromium

pytest.importorskip("playwright")
pytestmark = pytest.mark.browser

HOSTILE = """
<div id="figure">a figure</div>
<script>
const tried = [];
function attempt(name, run) { try { run(); tried.push(name + ": ran"); } catch (e) { tried.push(name + ": " + e.name); } }
attempt("fetch", () => fetch("http://127.0.0.1:HTTP_PORT/fetch").catch(() => {}));
attempt("image", () => { new Image().src = "http://127.0.0.1:HTTP_PORT/image"; });
attempt("webrtc", () => {
  const pc = new RTCPeerConnection({iceServers: [{urls: "stun:127.0.0.1:UDP_PORT"}]});
  pc.createDataChannel("x"); pc.createOffer().then(o => pc.setLocalDescription(o));
});
attempt("webrtc through a frame", () => {
  const frame = document.createElement("iframe"); document.body.appendChild(frame);
  const Peer = frame.contentWindow.RTCPeerConnection;
  const pc = new Peer({iceServers: [{urls: "stun:127.0.0.1:UDP_PORT"}]});
  pc.createDataChannel("x"); pc.createOffer().then(o => pc.setLocalDescription(o));
});
attempt("form", () => {
  const form = document.createElement("form"); form.method = "POST";
  form.action = "http://127.0.0.1:HTTP_PORT/form"; document.body.appendChild(form); form.submit();
});
attempt("top", () => { top.location = "http://127.0.0.1:HTTP_PORT/top"; });
parent.postMessage({ logbookHostile: tried }, "*");
</script>
"""


class Counted(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        Counted.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_a_recorded_html_figure_reaches_nothing_from_an_exported_report(store, logbook_db):
    from playwright.sync_api import sync_playwright

    Counted.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0)
    html = HOSTILE.replace("HTTP_PORT", str(server.server_address[1])).replace(
        "UDP_PORT", str(udp.getsockname()[1])
    )
    outputs = encode_output({"text/plain": "<HTML>", "text/html": html})
    row = {
        "source": "display(HTML(page))",
        "started_at": "2026-11-25T10:00:00+00:00",
        "duration_ms": 5.0,
        "ok": 1,
    }
    with store.transaction():
        experiment = store.insert_experiment(row, outputs)
    store.pin(experiment, caption="someone else's figure")
    report = logbook_db.parent.parent / "report.html"
    export_logbook(store, report, "html", root=logbook_db.parent.parent)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium(),
                args=[f for f in CHROMIUM_FLAGS if f != "--headless"],
                headless=True,
            )
            try:
                page = browser.new_page()
                page.goto(report.as_uri())
                tried = page.evaluate(
                    """() => new Promise(done => {
                        window.addEventListener("message", e => e.data && e.data.logbookHostile && done(e.data.logbookHostile));
                        document.querySelectorAll("iframe.logbook-frame").forEach(f => f.srcdoc = f.srcdoc);
                    })"""
                )
                # Anything the figure set going has had its chance once a round trip through the page's
                # own server has come back after it: ask that server, and wait for its answer.
                page.evaluate(
                    "port => new Promise(done => { const i = new Image(); i.onload = i.onerror = done;"
                    " i.src = 'http://127.0.0.1:' + port + '/page-after'; })",
                    server.server_address[1],
                )
                assert page.url == report.as_uri()  # no top navigation
            finally:
                browser.close()
    finally:
        server.shutdown()
    assert "webrtc: TypeError" in tried  # the frame has no WebRTC at all
    assert any(t.startswith("webrtc through a frame: ") and not t.endswith(": ran") for t in tried)
    assert "top: SecurityError" in tried
    assert [hit for hit in Counted.hits if hit != "/page-after"] == []
    with pytest.raises(BlockingIOError):
        udp.recv(2048)
    udp.close()
