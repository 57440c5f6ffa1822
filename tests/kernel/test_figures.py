"""Figures in reports: which ones appear, how each format carries them, and that a report needs no network."""

import base64
import json
import re
import zlib
from html.parser import HTMLParser

import numpy as np
import pytest

import logbook
from kernel_hooks.outputs import encode_output
from logbook.cli.main import main
from logbook.errors import LogbookError, NotFound
from logbook.models import LogbookExport
from logbook.report import figure_sections as report_figures
from logbook.report.export_target import ExportRefused
from logbook.report.exporting import export_logbook, render
from logbook.report.figure_scripts import bundle, circuitsvis_figure, shared_bundle_name
from logbook.report.markdown import html_report, markdown_report
from logbook.report.selection import Selection
from logbook.store.core import Store
from tests.support.notebooks import run_notebook
from tests.support.seed import png

cv = pytest.importorskip("circuitsvis")
plotly_graph = pytest.importorskip("plotly.graph_objects")


def attention_view():
    """A CircuitsVis view as a notebook receives it offline: 1.3 MB, its bundle inline."""
    pattern = np.tril(np.ones((2, 4, 4))) / np.arange(1, 5)[:, None]
    return cv.attention.attention_heads(tokens=["A", "B", "A", "B"], attention=pattern)


def plotly_bundle():
    figure = plotly_graph.Figure(plotly_graph.Bar(x=["L0H1", "L1H6"], y=[0.2, 0.9]))
    return {"text/plain": "Figure()", "application/vnd.plotly.v1+json": figure.to_plotly_json()}


def add(store, source, *bundles):
    """An experiment displaying ``bundles`` (MIME type -> value, as IPython publishes them)."""
    outputs = [encoded for bundle in bundles for encoded in encode_output(bundle)]
    row = {"source": source, "started_at": "2026-11-25T10:00:00+00:00", "duration_ms": 5.0, "ok": 1}
    with store.transaction():
        return store.insert_experiment(row, outputs)


def matplotlib_bundle(width=24):
    return {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": png(width)}


@pytest.fixture
def figures(store):
    """A judged experiment with a plot, a pinned CircuitsVis view, a Plotly chart nobody chose, a table."""
    store.add_hypothesis("head 1.6 is an induction head", 0.6)
    store.add_prediction("H1", "the pattern is an off-diagonal stripe", 0.8, kind="text")
    judged = add(store, "plt.imshow(pattern)", matplotlib_bundle())
    store.judge_by_hand("H1.P1", True)
    view = attention_view()
    pinned = add(
        store,
        "cv.attention.attention_patterns(...)",
        {"text/plain": "<RenderedHTML>", "text/html": view.local_src},
    )
    chart = add(store, "px.bar(scores)", plotly_bundle())
    return {
        "judged": judged,
        "pinned": pinned,
        "chart": chart,
        "pin": store.pin(pinned, caption="induction stripe"),
    }


class Page(HTMLParser):
    """Every script, style and image a page (and the documents in its frames) would fetch."""

    def __init__(self):
        super().__init__()
        self.fetches, self.frames, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "data", "poster"):
            if attrs.get(name) and tag in (
                "script",
                "img",
                "link",
                "iframe",
                "object",
                "embed",
                "video",
                "source",
            ):
                self.fetches.append(attrs[name])
        if tag == "iframe":
            self.frames.append(attrs)
            if attrs.get("srcdoc"):
                inner = Page()
                inner.feed(attrs["srcdoc"])
                self.fetches += inner.fetches
                self.text += inner.text

    def handle_data(self, data):
        self.text.append(data)


def parsed(page: str) -> Page:
    found = Page()
    found.feed(page)
    return found


def test_a_circuitsvis_view_is_kept_without_its_bundle():
    view = attention_view()
    (text, html) = encode_output({"text/plain": "<RenderedHTML>", "text/html": view.local_src})
    kept = html["data"].decode()
    assert len(view.local_src) > 1_000_000 and len(kept) < 5_000 and not html["truncated"]
    assert circuitsvis_figure(kept).name == "AttentionHeads"
    assert circuitsvis_figure(kept) == circuitsvis_figure(view.cdn_src).__class__(
        circuitsvis_figure(kept).uuid, "AttentionHeads", circuitsvis_figure(view.cdn_src).props
    )


def test_a_plotly_figure_is_kept_as_json():
    (_, chart) = encode_output(plotly_bundle())
    assert json.loads(chart["data"])["data"][0]["type"] == "bar"


def test_a_pin_marks_a_figure_and_is_an_event(store):
    plain = add(store, "x", {"text/plain": "1"})
    first = add(store, "plot twice", matplotlib_bundle(10), matplotlib_bundle(12))
    later = add(store, "print(2)", {"text/plain": "2"})
    pin = store.pin(caption="the second plot")
    assert (pin.experiment_id, pin.position, pin.caption) == (first, 3, "the second plot")
    assert store.pin(first, 2, "again").position == 3 and len(store.pins()) == 1
    assert store.pins()[0].caption == "again"
    assert [
        e["kind"] for e in store.db.query("SELECT kind FROM events WHERE subject = ?", [f"E{first}"])
    ] == [
        "experiment.recorded",
        "figure.pinned",
        "figure.pinned",
    ]
    with pytest.raises(LogbookError, match=f"experiment {plain} has no figure at output 0 to pin"):
        store.pin(plain, 0)
    with pytest.raises(LogbookError, match=f"experiment {later} has no figure to pin"):
        store.pin(later)
    store.unpin(first, 3)
    assert store.pins() == []
    with pytest.raises(NotFound, match="no figure pinned at output 3"):
        store.unpin(first, 3)


def test_the_python_api_pins_the_last_figure(store):
    shown = add(store, "plt.show()", matplotlib_bundle())
    pin = logbook.pin("a stripe")
    assert (pin.experiment_id, pin.position, pin.caption) == (shown, 1, "a stripe")


def test_the_html_report_shows_judged_and_pinned_figures_and_no_other(store, figures):
    page = html_report(store)
    sections = re.split(r"<h3[^>]*>", page)
    judged = next(s for s in sections if s.startswith(f"Experiment {figures['judged']}"))
    assert '<img class="logbook-static" src="data:image/png;base64,' in judged
    pinned = next(s for s in sections if s.startswith(f"Experiment {figures['pinned']}"))
    assert "<figcaption>Pinned: induction stripe</figcaption>" in pinned
    assert f"Experiment {figures['chart']}" not in page
    found = parsed(page)
    assert [frame["sandbox"] for frame in found.frames] == ["allow-scripts"]
    assert "logbook-bundle-plotly" not in page and page.count('id="logbook-bundle-circuitsvis"') == 1
    every = html_report(store, Selection(every_figure=True))
    assert f"Experiment {figures['chart']}" in every and "logbook-bundle-plotly" in every


def test_a_report_with_circuitsvis_and_plotly_figures_fetches_nothing(store, figures):
    store.pin(figures["chart"], caption="scores")
    add(store, "another view", {"text/html": attention_view().cdn_src})
    store.pin(caption="the same view, made online")
    page = html_report(store)
    found = parsed(page)
    assert len(found.frames) == 3 and {f["data-bundle"] for f in found.frames} == {"circuitsvis", "plotly"}
    assert all(f["sandbox"] == "allow-scripts" for f in found.frames)
    assert [fetch for fetch in found.fetches if re.match(r"\s*(https?:)?//", fetch)] == []
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", "".join(found.text))
    assert "unpkg.com" not in page
    assert (
        page.count('id="logbook-bundle-circuitsvis"') == 1 and page.count('id="logbook-bundle-plotly"') == 1
    )


def test_a_missing_bundle_is_said_in_place_of_the_figure(store, figures, monkeypatch):
    monkeypatch.setattr(report_figures, "bundle", lambda kind: None)
    page = html_report(store)
    assert "needs the circuitsvis package to be drawn" in page and "<iframe" not in page


def test_the_markdown_report_links_figure_files_beside_it(store, figures, logbook_db):
    root = logbook_db.parent.parent
    written = export_logbook(store, root / "report.md", "md")
    text = written.read_text()
    folder = root / "report-figures"
    links = re.findall(r"\]\((report-figures/[^)]+)\)", text)
    assert links and all((root / link).is_file() for link in links)
    assert any(link.endswith(".png") for link in links) and any(link.endswith(".html") for link in links)
    name = shared_bundle_name("circuitsvis")
    script = root / "logbook-figures" / name
    assert script.read_text() == bundle("circuitsvis") and not list(folder.glob("*.js"))
    page = next(folder.glob("*.html")).read_text()
    assert f'<script src="../logbook-figures/{name}">' in page and "https://" not in page
    assert export_logbook(store, root / "report.md", "md") == written
    script.write_text("my own script")
    with pytest.raises(ExportRefused, match=f"will not overwrite logbook-figures/{name}"):
        export_logbook(store, root / "report.md", "md")


def test_markdown_reports_share_one_copy_of_each_drawing_script(store, figures, logbook_db):
    root = logbook_db.parent.parent
    store.pin(figures["chart"], caption="scores")
    # an export from before the shared folder left its own copy, which the next export removes
    (root / "first-figures").mkdir()
    (root / "first-figures" / "plotly.min.js").write_text(bundle("plotly"))
    (root / "first-figures" / "circuitsvis.js").write_text("my own script, not a bundle")
    for report in ("first.md", "second.md", "notes/third.md"):
        (root / report).parent.mkdir(exist_ok=True)
        export_logbook(store, root / report, "md")
    scripts = sorted(p.name for p in (root / "logbook-figures").iterdir())
    assert scripts == sorted([shared_bundle_name("circuitsvis"), shared_bundle_name("plotly")])
    assert sorted(p.name for p in (root / "notes" / "logbook-figures").iterdir()) == scripts
    for folder in ("first-figures", "second-figures", "notes/third-figures"):
        pages = list((root / folder).glob("*.html"))
        assert len(pages) == 2 and not (root / folder / "plotly.min.js").exists()
    assert (root / "first-figures" / "circuitsvis.js").read_text() == "my own script, not a bundle"
    beside = sum(p.stat().st_size for p in (root / "second-figures").iterdir())
    assert beside < 100_000  # the figures alone: the 6 MB of scripts are in logbook-figures, once


def test_the_html_report_carries_each_bundle_deflated_once(store, figures):
    store.pin(figures["chart"], caption="scores")
    page = html_report(store)
    for kind in ("plotly", "circuitsvis"):
        (packed,) = re.findall(
            rf'<script type="text/plain" id="logbook-bundle-{kind}" data-packed="deflate-base64">([^<]*)</script>',
            page,
        )
        assert zlib.decompress(base64.b64decode(packed)).decode() == bundle(kind)
    assert len(page.encode()) < 3_000_000 and "DecompressionStream" in page


def test_the_markdown_text_stays_readable_without_a_folder(store, figures):
    text = markdown_report(store)
    assert (
        "![figure of experiment" in text
        and "*Interactive figure (CircuitsVis): see the HTML report.*" in text
    )
    assert "<iframe" not in text and "CircuitsVis.render" not in text


def test_a_json_export_keeps_its_schema_and_writes_figures_by_hash(store, figures, logbook_db):
    root = logbook_db.parent.parent
    written = export_logbook(store, root / "log.json", "json", with_figures=True)
    data = LogbookExport.model_validate_json(written.read_text())
    hashes = {o.sha256 for e in data.experiments for o in e.outputs if o.mime != "text/plain"}
    names = {path.name.split(".")[0] for path in (root / "log-figures").iterdir()}
    assert hashes == names
    assert json.loads(render(store, "json")).keys() == json.loads(written.read_text()).keys()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>'


@pytest.mark.kernel
def test_a_kernel_records_svg_and_plotly_figures_and_pins_them_by_magic(logbook_db):
    cells = [
        f"from IPython.display import SVG, display\ndisplay(SVG({SVG!r}))",
        "display({'application/vnd.plotly.v1+json': {'data': [{'type': 'bar', 'y': [1, 2]}], 'layout': {}},"
        " 'text/html': '<div>chart</div>'}, raw=True)",
        "import logbook\nlogbook.hypothesis('the bars grow')",
        "%pin the bars",
        "logbook.pin('the square', experiment=1)",
    ]
    notebook = run_notebook(cells, logbook_db.parent.parent)
    assert "pinned the figure at output 0 of experiment 2" in notebook.cells[4].outputs[0]["text"]
    with Store(logbook_db) as store:
        svg, chart = store.experiment(1), store.experiment(2)
        assert [o.mime for o in svg.outputs] == ["text/plain", "image/svg+xml"]
        assert [o.mime for o in chart.outputs] == ["text/html", "application/vnd.plotly.v1+json"]
        assert [(p.experiment_id, p.position, p.caption) for p in store.pins()] == [
            (2, 0, "the bars"),
            (1, 1, "the square"),
        ]
        page = html_report(store)
    assert "data:image/svg+xml;base64," in page and 'data-bundle="plotly"' in page
    assert "<figcaption>Pinned: the bars</figcaption>" in page


def test_a_surprise_shows_its_figure_and_the_experiment_refers_to_it(store):
    add(store, "plt.imshow(pattern)", matplotlib_bundle())
    store.add_manual_surprise("the stripe is one token late")
    text = markdown_report(store)
    surprises, experiments = text.split("Experiments that matter\n")
    assert surprises.count("![figure of experiment 1](data:image/png;base64,") == 1
    assert "*Figure at output 1 shown above, under surprise 1.*" in experiments


def test_in_print_a_figure_with_a_static_image_shows_the_image(store):
    chart = plotly_bundle() | {"image/png": png()}
    add(store, "fig.show()", chart)
    store.pin(caption="scores")
    page = html_report(store)
    (figure,) = re.findall(r'<figure class="logbook-figure">.*?</figure>', page, flags=re.S)
    assert "<iframe" in figure and '<img class="logbook-static logbook-print-only"' in figure
    printed = page[page.index("@media print") :]
    assert ".logbook-figure:has(.logbook-print-only) .logbook-frame { display: none; }" in printed
    assert ".logbook-print-only { display: block; }" in printed


def test_the_command_line_writes_figures_beside_a_json_export_only(store, figures, logbook_db, capsys):
    root = logbook_db.parent.parent
    assert main(["export", "--format", "md", "--with-figures", "-o", str(root / "log.md")]) == 2
    assert "--with-figures is for --format json" in capsys.readouterr().err
    assert main(["export", "--format", "json", "--with-figures", "-o", str(root / "log.json")]) == 0
    assert len(list((root / "log-figures").iterdir())) == 3
    assert main(["export", "--format", "html", "--every-figure", "-o", str(root / "all.html")]) == 0
    assert 'data-bundle="plotly"' in (root / "all.html").read_text()
