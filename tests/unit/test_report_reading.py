"""A report a colleague can read: an overview first, links between records, clean text, light/dark/print styles."""

import re

import pytest

from logbook.cli.main import main
from logbook.durations import humanise
from logbook.report.html import markdown_renderer
from logbook.report.markdown import html_report, markdown_report
from logbook.report.selection import Selection
from tests.unit.test_report import fill_research, row


@pytest.fixture
def research(store):
    return fill_research(store)


def hrefs(page):
    return set(re.findall(r'href="#([^"]*)"', page))


def ids(page):
    return set(re.findall(r'\bid="([^"]*)"', page))


def overview(md):
    return md.split('<a id="overview"></a>Overview')[1].split('<a id="hypotheses"></a>')[0]


def test_the_report_opens_with_an_overview(research):
    md = markdown_report(research)
    head, rest = md.split('## <a id="overview"></a>Overview', 1)
    # Titled by the project folder, with the period covered and a table of contents.
    assert head.startswith("# project\n")
    assert re.search(r"Research log covering \d{4}-\d\d-\d\d", head)
    for name in (
        "overview",
        "hypotheses",
        "surprises",
        "experiments",
        "notes",
        "brainstorms",
        "modes",
        "calibration",
    ):
        assert f"](#{name})" in head
    summary = overview(md)
    assert "| hypothesis | status | credence | predictions |" in summary
    assert (
        "| [H1](#h1) layer 1 has induction heads" in summary
        and "| **0.20** (from 0.70) | 1 failed |" in summary
    )
    assert "| [H2](#h2) layer 0 heads are positional | active | **0.40** | 1 held |" in summary
    assert (
        "1. [S1](#s1) **3.32 bits**: [H1.P1](#h1-p1) `induction_score > 0.5` failed in [experiment 1](#e1) (open)"
        in summary
    )
    assert "Calibration: Brier score **0.485** over 2 judged predictions" in summary


def test_the_overview_draws_the_calibration_chart_in_html(research):
    page = html_report(research)
    first_section = page.split('<h2 id="hypotheses">')[0]
    assert "Brier score <strong>0.485</strong>" in first_section
    assert 'aria-label="calibration: stated credence against the fraction that came true"' in first_section


def test_the_title_can_be_set(research, logbook_db):
    assert markdown_report(research, title="Copying heads in a 2-layer model").startswith(
        "# Copying heads in a 2-layer model\n"
    )
    project = logbook_db.parent.parent
    assert main(["export", "-f", "html", "-o", "log.html", "--title", "Copying heads"]) == 0
    assert "<title>Copying heads</title>" in (project / "log.html").read_text()


def test_every_record_has_a_stable_anchor(research):
    page = html_report(research)
    assert {"h1", "h2", "h1-p1", "h2-p1", "s1", "e1", "e2", "b1"} <= ids(page)
    assert '<h3 id="h1">H1: layer 1 has induction heads' in page


def test_every_internal_link_has_its_target(research):
    page = html_report(research)
    assert len(hrefs(page)) > 10
    assert hrefs(page) <= ids(page)
    md = markdown_report(research)
    assert set(re.findall(r"\]\(#([^)]*)\)", md)) <= set(re.findall(r'<a id="([^"]*)"></a>', md))


def test_a_link_to_a_record_left_out_is_plain_text(research):
    page = html_report(research, Selection(hypothesis_ids=["H2"]))
    assert "h1" not in hrefs(page) and hrefs(page) <= ids(page)


def test_mentions_of_records_link_to_them(research):
    md = markdown_report(research)
    assert "Credence 0.90 ([H1.P1](#h1-p1)); observed induction_score = 0.05; [experiment 1](#e1)," in md
    assert "linked as surprise [S1](#s1)." in md
    assert "linked as evidence for [H2](#h2)" in md
    assert ", [experiment 2](#e2): check the period" in md
    assert "stated " in md and "in [brainstorm 1](#b1)." in md


def test_durations_read_as_a_person_would_say_them(store):
    assert [humanise(s) for s in (0.0126, 10.346, 59.0, 125, 3725, 90000)] == [
        "13 ms",
        "10.3 s",
        "59 s",
        "2 min 5 s",
        "1 h 2 min",
        "1 d 1 h",
    ]
    h = store.add_hypothesis("training is slow", 0.5)
    with store.transaction():
        e = store.insert_experiment(row("loss = 1.0", duration_ms=10346.0), [])
    store.add_note("slow cell", experiment_id=e, hypothesis_id=h.id)
    md = markdown_report(store)
    assert "took 10.3 s, ok" in md and "10346" not in md


def test_resolved_surprises_are_folded_away(research):
    research.resolve_surprise(1, "explained", explanation="the period was fixed")
    md = markdown_report(research)
    assert (
        '<details id="s1">\n<summary>1. S1, 3.32 bits: H1 predicted induction_score &gt; 0.5 (explained)</summary>'
        in md
    )
    page = html_report(research)
    assert '<details id="s1">' in page and "</details>" in page
    assert "Explained by" in page.split('<details id="s1">')[1].split("</details>")[0]


def test_empty_brainstorms_are_left_out_unless_asked(research):
    empty = research.start_brainstorm(planned_seconds=60, target=3)
    research.finish_brainstorm(empty.id)
    md = markdown_report(research)
    assert f'<a id="b{empty.id}">' not in md and "1 brainstorm without hypotheses left out." in md
    asked = markdown_report(research, Selection(empty_brainstorms=True))
    assert f'### <a id="b{empty.id}"></a>Brainstorm {empty.id}' in asked


def test_object_reprs_read_as_tables_or_are_left_out(store):
    h = store.add_hypothesis("the repr is readable", 0.5)
    reprs = [
        "<Figure size 640x480 with 1 Axes>",
        "Hypothesis(id='H1', statement='heads copy', credence=0.7, status=<HypothesisStatus.active: 'active'>)",
    ]
    with store.transaction():
        outputs = [
            {"mime": "text/plain", "data": r.encode(), "size": len(r), "truncated": False} for r in reprs
        ]
        e = store.insert_experiment(row("show()"), outputs)
    store.add_note("look", experiment_id=e, hypothesis_id=h.id)
    md = markdown_report(store)
    assert "Figure size" not in md and "Hypothesis(" not in md
    assert "| statement | `heads copy` |" in md and "| status | `active` |" in md


def test_notebook_paths_are_relative_to_the_project(store):
    project = store.path.parent.parent
    h = store.add_hypothesis("paths are short", 0.5)
    with store.transaction():
        e = store.insert_experiment(row("x = 1", notebook=str(project / "nb" / "probe.ipynb")), [])
    store.add_note("here", experiment_id=e, hypothesis_id=h.id)
    page = html_report(store)
    assert "nb/probe.ipynb" in page and str(project) not in page


def test_the_page_has_dark_and_print_styles(research):
    page = html_report(research)
    style = page.split("<style>")[1].split("</style>")[0]
    assert '<meta name="color-scheme" content="light dark">' in page
    dark = style.split("@media screen and (prefers-color-scheme: dark)")[1]
    assert "--bg:" in dark and "--fg:" in dark
    printed = style.split("@media print")[1]
    assert re.search(r"h2 \{ break-before: page;", printed)
    assert "iframe { overflow: hidden;" in printed
    # Charts take the page's colour, so they read on a dark page too.
    assert 'fill="currentColor"' in page


def test_markdown_stays_plain_text(research):
    md = markdown_report(research)
    assert "<svg" not in md and "data:image/svg" not in md and "chart:" not in md


@pytest.mark.parametrize(
    "raw",
    [
        "<b>bold</b>",
        '<a id="x" onclick="y"></a>',
        "<details open><summary>x</summary>",
        "<img src=x onerror=y>",
    ],
)
def test_only_the_reports_own_html_passes(raw):
    page = markdown_renderer().render(f"{raw}\n\ntext {raw}\n")
    assert raw not in page and "&lt;" in page


def test_a_new_experiment_redraws_only_the_charts_it_changes(research):
    html_report(research)
    cache = research.path.parent / "cache" / "charts"
    before = set(cache.glob("*.svg"))
    assert len(before) == 12
    with research.transaction():
        research.insert_experiment(row("unrelated = 2", minutes=90), [])
    html_report(research)
    # The balance of modes and the modes over time count one more experiment; the credence, calibration and
    # surprise charts stay as they were.
    assert len(set(cache.glob("*.svg")) - before) == 2


def test_a_period_under_a_minute_reads_as_its_date_and_one_time(store):
    h = store.add_hypothesis("layer 1 copies", 0.6)
    store.add_prediction(h.id, "copy_score > 0.5", 0.8)
    at = store.hypothesis(h.id).created_at
    head = markdown_report(store).split("\n")[2]
    assert head.startswith(f"Research log covering {at:%Y-%m-%d}, {at:%H:%M} UTC. Exported ")
