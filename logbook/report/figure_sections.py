"""Figures in a report: which ones it shows, and how each format carries them.

A report shows the figures of the experiments that judged a prediction, carry
a note or were flagged as surprising, the figures the researcher pinned, and, when
asked, every figure of the period. Each format carries them its own way:

- :class:`InlineFigures` (Markdown as text): images as ``data:`` URIs, rich
  HTML named but not shown;
- :class:`FileFigures` (a Markdown file): each figure a file in a
  ``*-figures/`` folder beside it, linked relatively; rich HTML as a page of
  its own, its drawing script read from ``logbook-figures/`` beside the
  report, which every report in that folder shares (one copy of each
  script, named by its content's hash);
- :class:`HtmlFigures` (one HTML file): images inline, rich HTML in a
  sandboxed ``<iframe srcdoc>`` (scripts allowed, no same-origin), the
  CircuitsVis and Plotly bundles included once, deflated in base64, and
  unpacked by the page (``DecompressionStream``) for each frame that asks.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import sqlite3
from typing import Optional

from logbook.errors import NotFound, NotKept
from logbook.models import Experiment, Output
from logbook.report.figure_scripts import (
    bundle,
    circuitsvis_figure,
    packed_bundle,
    script_text,
    shared_bundle_name,
)
from logbook.rules.figures import PLOTLY_MIME, STATIC_MIMES, Figure, figures_of
from logbook.store.core import Store

#: Images larger than this are not put inline in a Markdown text (the file formats take any size).
IMAGE_INLINE_LIMIT = 2 * 1024 * 1024
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/svg+xml": "svg",
    "text/html": "html",
    PLOTLY_MIME: "html",
}
#: Scripts that draw rich figures, by the name a figure asks for (the names earlier exports gave them).
BUNDLE_FILES = {"circuitsvis": "circuitsvis.js", "plotly": "plotly.min.js"}
#: The folder beside Markdown reports that holds each drawing script once, for all of them.
SHARED_FOLDER = "logbook-figures"
PACKAGES = {"circuitsvis": "circuitsvis", "plotly": "plotly"}
#: A rich figure's frame may reach nothing outside itself: no network, no parent, no forms, no frames
#: of its own (its sandbox also refuses top navigation and form posts; WebRTC is taken away below).
FRAME_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; form-action 'none'; base-uri 'none'; frame-src 'none'; "
    "child-src 'none'; worker-src 'none'"
)


def figure_kind(store: Store, figure: Figure) -> Optional[str]:
    """``circuitsvis``, ``plotly`` or ``html`` for a rich figure; None for an image alone."""
    if figure.output(PLOTLY_MIME) is not None:
        return "plotly"
    output = figure.output("text/html")
    if output is None:
        return None
    text = _text(store, output.sha256)
    return "circuitsvis" if text is not None and circuitsvis_figure(text) is not None else "html"


def _text(store: Store, sha256: str) -> Optional[str]:
    try:
        return store.blob(sha256).decode("utf-8", "replace")
    except (NotFound, NotKept):
        return None


def _bytes(store: Store, sha256: str) -> Optional[bytes]:
    try:
        return store.blob(sha256)
    except (NotFound, NotKept):
        return None


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _alt(figure: Figure, caption: str) -> str:
    text = caption or f"figure of experiment {figure.experiment_id}"
    return text.replace("[", "(").replace("]", ")").replace("\n", " ")


class InlineFigures:
    """Figures in a Markdown text: small images inline as ``data:`` URIs; rich HTML only named."""

    def __init__(self, store: Store):
        self.store = store
        self.shown: dict[tuple[int, int], str] = {}

    def of(self, experiment: Experiment) -> list[Figure]:
        return figures_of(experiment, self.store)

    def lines(self, figure: Figure, caption: str = "", where: str = "") -> list[str]:
        """The Markdown of one figure; a figure shown before is referred to, not repeated."""
        key = (figure.experiment_id, figure.position)
        if key in self.shown:
            return [f"*Figure at output {figure.position} shown above, {self.shown[key]}.*", ""]
        self.shown[key] = where or f"under experiment {figure.experiment_id}"
        return self.figure(figure, caption) + self.caption(caption)

    def caption(self, caption: str) -> list[str]:
        return [f"*{_md(caption)}*", ""] if caption else []

    def figure(self, figure: Figure, caption: str) -> list[str]:
        static = figure.output(*STATIC_MIMES)
        kind = figure_kind(self.store, figure)
        lines: list[str] = []
        if kind is not None:
            lines += [f"*Interactive figure ({_KIND_NAMES[kind]}): see the HTML report.*", ""]
        if static is not None:
            lines += self.image(figure, static, caption)
        return lines

    def image(self, figure: Figure, output: Output, caption: str) -> list[str]:
        data = None if output.truncated else _bytes(self.store, output.sha256)
        if data is None:
            return [
                f"*Image output not kept: too large ({output.size} bytes, sha256 {output.sha256[:12]}).*",
                "",
            ]
        if output.size > IMAGE_INLINE_LIMIT:
            return [
                f"*Image not shown inline ({output.mime}, {output.size} bytes, sha256 {output.sha256[:12]}).*",
                "",
            ]
        return [f"![{_alt(figure, caption)}]({_data_uri(output.mime, data)})", ""]


_KIND_NAMES = {"circuitsvis": "CircuitsVis", "plotly": "Plotly", "html": "HTML"}


def _md(text: str) -> str:
    from logbook.report.markdown_text import md_text

    return md_text(text)


class FileFigures(InlineFigures):
    """Figures as files in a folder beside a Markdown report, linked relatively."""

    def __init__(self, store: Store, folder: str):
        super().__init__(store)
        self.folder = folder
        self.files: dict[str, bytes] = {}

    def figure(self, figure: Figure, caption: str) -> list[str]:
        lines: list[str] = []
        kind = figure_kind(self.store, figure)
        if kind is not None:
            page = frame_document(self.store, figure, kind, page=True)
            if page is None:
                lines += [f"*Interactive figure not kept (sha256 {figure.outputs[0][1].sha256[:12]}).*", ""]
            else:
                name = f"{figure.outputs[0][1].sha256[:16]}.html"
                self.files[name] = page.encode("utf-8")
                if kind in BUNDLE_FILES:
                    code, shared = bundle(kind), shared_bundle_name(kind)
                    if code is None or shared is None:
                        lines += [_missing(kind), ""]
                    else:
                        self.files[f"{SHARED_FOLDER}/{shared}"] = code.encode("utf-8")
                lines += [f"[Interactive figure ({_KIND_NAMES[kind]})]({self.folder}/{name})", ""]
        static = figure.output(*STATIC_MIMES)
        if static is not None:
            data = _bytes(self.store, static.sha256)
            if data is None:
                lines += [f"*Image output not kept: too large ({static.size} bytes).*", ""]
            else:
                name = f"{static.sha256[:16]}.{EXTENSIONS[static.mime]}"
                self.files[name] = data
                lines += [f"![{_alt(figure, caption)}]({self.folder}/{name})", ""]
        return lines


def _missing(kind: str) -> str:
    return (
        f"*This {_KIND_NAMES[kind]} figure needs the `{PACKAGES[kind]}` package to be drawn: "
        f"install it and export again.*"
    )


class HtmlFigures(InlineFigures):
    """Figures in one HTML file: each stands in the Markdown as a placeholder that :meth:`finish` replaces."""

    def __init__(self, store: Store):
        super().__init__(store)
        self.token = f"LOGBOOKFIGURE{secrets.token_hex(8)}N"
        self.fragments: list[str] = []
        self.bundles: set[str] = set()

    def figure(self, figure: Figure, caption: str) -> list[str]:
        self.fragments.append(self.fragment(figure, caption))
        return [f"{self.token}{len(self.fragments) - 1}", ""]

    def caption(self, caption: str) -> list[str]:
        return []  # in the figure's <figcaption>

    def fragment(self, figure: Figure, caption: str) -> str:
        parts = []
        static = figure.output(*STATIC_MIMES)
        image = None
        if static is not None:
            data = _bytes(self.store, static.sha256)
            if data is not None:
                image = _data_uri(static.mime, data)
        kind = figure_kind(self.store, figure)
        if kind is not None:
            document = frame_document(self.store, figure, kind)
            if kind in BUNDLE_FILES and bundle(kind) is None:
                parts.append(f'<p class="logbook-figure-missing">{html.escape(_plain(_missing(kind)))}</p>')
            elif document is not None:
                if kind in BUNDLE_FILES:
                    self.bundles.add(kind)
                parts.append(
                    f'<iframe class="logbook-frame" sandbox="allow-scripts" data-bundle="{kind}"'
                    f' title="{html.escape(_KIND_NAMES[kind])} figure of experiment {figure.experiment_id}"'
                    f' srcdoc="{html.escape(document, quote=True)}"></iframe>'
                )
        if image is not None:
            print_only = " logbook-print-only" if parts and kind is not None else ""
            parts.append(
                f'<img class="logbook-static{print_only}" src="{image}" alt="{html.escape(_alt(figure, caption))}">'
            )
        if not parts:
            parts.append(
                f'<p class="logbook-figure-missing">Figure output not kept (experiment {figure.experiment_id}).</p>'
            )
        if caption:
            parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
        return f'<figure class="logbook-figure">{"".join(parts)}</figure>'

    def finish(self, page: str) -> str:
        """``page`` with each placeholder replaced by its figure, and the scripts the figures need, once."""
        for index, fragment in reversed(list(enumerate(self.fragments))):
            page = page.replace(f"<p>{self.token}{index}</p>", fragment)
        if not self.fragments:
            return page
        # The listener comes first: a frame may ask for its bundle before the page has loaded.
        head = f"<style>{FIGURE_STYLE}</style>\n<script>{PARENT_SCRIPT}</script>\n"
        tail = "".join(
            f'<script type="text/plain" id="logbook-bundle-{kind}" data-packed="deflate-base64">'
            f"{packed_bundle(kind) or ''}</script>\n"
            for kind in sorted(self.bundles)
        )
        return page.replace("</head>", head + "</head>", 1).replace("</body>", tail + "</body>", 1)


def _plain(text: str) -> str:
    return text.replace("*", "").replace("`", "")


FIGURE_STYLE = """
.logbook-figure { margin: .8em 0; }
.logbook-figure figcaption { font-style: italic; color: #555; margin-top: .3em; }
.logbook-frame { width: 100%; height: 420px; border: 1px solid #ddd; border-radius: 4px; background: #fff; }
.logbook-print-only { display: none; }
.logbook-figure-missing, .logbook-figure-error { color: #8a5a00; }
@media (prefers-color-scheme: dark) {
  .logbook-figure figcaption { color: #aaa; }
  .logbook-frame { border-color: #444; }
}
@media print {
  .logbook-frame { overflow: hidden; border: none; }
  .logbook-figure:has(.logbook-print-only) .logbook-frame { display: none; }
  .logbook-print-only { display: block; }
  .logbook-figure { page-break-inside: avoid; }
}
"""

#: Said under a figure where the browser cannot unpack the script that draws it.
NO_DECOMPRESSION = (
    "This browser cannot unpack the script that draws this figure (it has no DecompressionStream): "
    "open the report in a current Chrome, Edge, Firefox or Safari."
)

#: In the report: unpacks the bundle a frame asks for (once per kind), hands it over, and sizes the frame.
PARENT_SCRIPT = """
(function () {
  var unpacked = {};
  function unpack(kind) {
    if (!unpacked[kind]) {
      var node = document.getElementById("logbook-bundle-" + kind);
      if (!node) unpacked[kind] = Promise.reject(new Error("the script that draws it is not in this report"));
      else if (typeof DecompressionStream === "undefined" || typeof Blob.prototype.stream !== "function")
        unpacked[kind] = Promise.reject(new Error(NO_DECOMPRESSION));
      else unpacked[kind] = new Promise(function (done) {
        var text = atob(node.textContent.trim()), bytes = new Uint8Array(text.length);
        for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
        done(new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).text());
      });
    }
    return unpacked[kind];
  }
  function say(frame, text) {
    var note = document.createElement("p");
    note.className = "logbook-figure-error";
    note.textContent = text;
    frame.after(note);
  }
  function frameOf(source) {
    var frames = document.querySelectorAll("iframe.logbook-frame");
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === source) return frames[i];
    return null;
  }
  function handle(event) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { handle(event); });
      return;
    }
    var frame = frameOf(event.source), data = event.data;
    if (!frame || !data || typeof data !== "object") return;
    if (data.logbookWants && data.logbookWants === frame.dataset.bundle) {
      var kind = data.logbookWants, source = event.source;
      unpack(kind).then(
        function (code) { source.postMessage({ logbookBundle: kind, code: code }, "*"); },
        function (error) {
          var text = String(error && error.message || error);
          say(frame, text === NO_DECOMPRESSION ? text : "This figure could not be drawn: " + text);
        }
      );
    }
    if (typeof data.logbookError === "string") say(frame, "This figure failed to draw: " + data.logbookError);
    if (typeof data.logbookHeight === "number") {
      frame.style.height = Math.min(Math.max(data.logbookHeight + 4, 60), 1600) + "px";
    }
  }
  window.addEventListener("message", handle);
})();
""".replace("NO_DECOMPRESSION", json.dumps(NO_DECOMPRESSION))

#: In each frame: asks the report for its bundle, runs it, draws, and reports its height.
FRAME_SCRIPT = """
(function () {
  // WebRTC reaches the network past any content policy: the frame gets none of it.
  ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel", "RTCRtpSender", "RTCRtpReceiver",
   "RTCSessionDescription", "RTCIceCandidate", "RTCIceTransport", "RTCDtlsTransport", "RTCSctpTransport"]
    .forEach(function (name) {
      try { Object.defineProperty(window, name, { value: undefined, writable: false, configurable: false }); }
      catch (e) {}
    });
})();
function logbookSize() {
  var body = document.body;
  if (body) parent.postMessage({ logbookHeight: Math.ceil(Math.max(body.scrollHeight, body.getBoundingClientRect().height)) }, "*");
}
function logbookDraw(kind, draw) {
  var done = false;
  function run(code) {
    if (done) return;
    done = true;
    if (code !== null) {
      var script = document.createElement("script");
      script.textContent = code;
      document.head.appendChild(script);
    }
    draw();
    logbookSize();
    // Drawing may finish later, and an off-screen frame gets no resize callbacks: measure again.
    [100, 400, 1000, 2500, 5000].forEach(function (ms) { setTimeout(logbookSize, ms); });
  }
  if (kind === null || window[kind === "circuitsvis" ? "CircuitsVis" : "Plotly"]) { run(null); return; }
  window.addEventListener("message", function (event) {
    if (event.source === parent && event.data && event.data.logbookBundle === kind) run(event.data.code);
  });
  parent.postMessage({ logbookWants: kind }, "*");
}
window.addEventListener("load", logbookSize);
window.addEventListener("error", function (event) {
  parent.postMessage({ logbookError: String(event.message || event.error) }, "*");
});
window.addEventListener("DOMContentLoaded", function () {
  if (window.ResizeObserver) new ResizeObserver(logbookSize).observe(document.body);
});
"""


def frame_document(store: Store, figure: Figure, kind: str, page: bool = False) -> Optional[str]:
    """The HTML document that draws a rich figure: in a report's frame, its bundle comes from the
    report; as a ``page`` of its own, from the shared script folder beside the report's figures folder."""
    body = _figure_body(store, figure, kind)
    if body is None:
        return None
    bundle_tag, policy = "", FRAME_POLICY
    if page:
        policy = policy.replace("script-src", "script-src 'self' file:")
        shared = shared_bundle_name(kind) if kind in BUNDLE_FILES else None
        if shared is not None:
            bundle_tag = f'<script src="../{SHARED_FOLDER}/{shared}"></script>\n'
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        "<style>body { margin: 0; display: flow-root; font: 14px system-ui, sans-serif; background: #fff; color: #1b1b1b; }</style>\n"
        f"{bundle_tag}<script>{FRAME_SCRIPT}</script>\n</head><body>\n{body}\n</body></html>\n"
    )


def _output_text(store: Store, figure: Figure, mime: str) -> Optional[str]:
    output = figure.output(mime)
    return _text(store, output.sha256) if output is not None else None


def _figure_body(store: Store, figure: Figure, kind: str) -> Optional[str]:
    if kind == "plotly":
        text = _output_text(store, figure, PLOTLY_MIME)
        if text is None:
            return None
        try:
            spec = json.loads(text)
        except ValueError:
            return None
        data = script_text(json.dumps(spec.get("data", []))).replace("<!--", "<\\!--")
        layout = script_text(json.dumps(spec.get("layout", {}))).replace("<!--", "<\\!--")
        return (
            '<div id="plot"></div>\n<script>logbookDraw("plotly", function () {'
            f' Plotly.newPlot("plot", {data}, {layout}, {{ displaylogo: false, responsive: true }}); }});</script>'
        )
    text = _output_text(store, figure, "text/html")
    if text is None:
        return None
    if kind == "circuitsvis":
        cv = circuitsvis_figure(text)
        if cv is None:
            return None
        props = script_text(cv.props).replace("<!--", "<\\!--")
        return (
            f'<div id="{html.escape(cv.uuid)}" style="margin: 15px 0;"></div>\n'
            f'<script>logbookDraw("circuitsvis", function () {{'
            f' CircuitsVis.render("{cv.uuid}", CircuitsVis.{cv.name}, {props}); }});</script>'
        )
    return text


def pinned(store: Store) -> dict[int, dict[int, str]]:
    """The pinned figures: experiment id -> output position -> caption (none in a logbook without pins)."""
    found: dict[int, dict[int, str]] = {}
    try:
        pins = store.pins()
    except sqlite3.OperationalError:  # an older logbook opened read-only has no pins table
        return found
    for pin in pins:
        found.setdefault(pin.experiment_id, {})[pin.position] = pin.caption
    return found


def experiment_figures(
    figures: InlineFigures, experiment: Experiment, pins: dict[int, str], every: bool, where: str = ""
) -> list[str]:
    """The Markdown of an experiment's figures: every one when ``every``, else the pinned ones."""
    lines: list[str] = []
    for figure in figures.of(experiment):
        if every or figure.position in pins:
            caption = pins.get(figure.position, "")
            label = f"Pinned: {caption}" if figure.position in pins and caption else caption
            lines += figures.lines(figure, label, where or f"under experiment {experiment.id}")
    return lines


def figure_positions(figures: InlineFigures, experiment: Experiment) -> set[int]:
    """The output positions that belong to figures, whose plain text a report leaves out."""
    return {position for figure in figures.of(experiment) for position in figure.span}
