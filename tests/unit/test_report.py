"""Markdown and HTML research logs: structure, counts, selection and escaping."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from logbook.cli.main import main
from logbook.report.markdown import html_report, markdown_report
from logbook.report.markdown_text import md_code, md_code_span, md_text
from logbook.report.selection import Selection

SCRIPT = "<script>alert('x')</script>"


BASE = datetime.now(timezone.utc)


def row(source, minutes=0, **extra):
    started = BASE + timedelta(minutes=minutes)
    return {"source": source, "started_at": started.isoformat(), "duration_ms": 5.0, "ok": 1, **extra}


@pytest.fixture
def research(store):
    """Two hypotheses, a surprise, evidence, a note with hostile text, and a brainstorm."""
    return fill_research(store)


def fill_research(store):
    brainstorm = store.start_brainstorm(planned_seconds=300, target=4)
    h1 = store.add_hypothesis(f"layer 1 has induction heads {SCRIPT}", 0.7, brainstorm_id=brainstorm.id)
    h2 = store.add_hypothesis("layer 0 heads are positional", 0.4, brainstorm_id=brainstorm.id)
    store.finish_brainstorm(brainstorm.id)
    p1 = store.add_prediction(h1.id, "induction_score > 0.5", 0.9)
    p2 = store.add_prediction(h2.id, "positional_score > 0.5", 0.6)
    with store.transaction():
        e1 = store.insert_experiment(row(f"induction_score = 0.05  # {SCRIPT}", minutes=60), [])
        e2 = store.insert_experiment(
            row("positional_score = 0.93", minutes=61),
            [{"mime": "text/plain", "data": SCRIPT.encode(), "size": len(SCRIPT), "truncated": False}],
        )
        store.insert_experiment(row("unrelated = 1", minutes=62), [])
        store.add_judgement(
            held=False,
            prediction=p1,
            observed={"induction_score": {"type": "float", "value": 0.05}},
            surprisal_bits=3.32,
            experiment_id=e1,
        )
        store.add_judgement(
            held=True,
            prediction=p2,
            observed={"positional_score": {"type": "float", "value": 0.93}},
            surprisal_bits=0.74,
            experiment_id=e2,
        )
    store.update_credence(h1.id, 0.2, "no induction in layer 1 with a fixed period")
    store.add_note(f"check the period {SCRIPT}", experiment_id=e2)
    store.set_mode("red-team")
    return store


def sections(markdown):
    return re.findall(r'^## <a id="[a-z-]+"></a>(.+)$', markdown, flags=re.M)


def test_markdown_has_every_section_in_order(research):
    md = markdown_report(research)
    assert sections(md) == [
        "Overview",
        "Hypotheses",
        "Surprises",
        "Experiments that matter",
        "Notes",
        "Brainstorms",
        "Balance of modes",
        "Calibration",
        "Red team",
        "Results computed with hooks left attached",
        "Where you have not looked",
    ]
    assert "2 hypotheses, 3 experiments, 1 surprise, 1 piece of evidence, 1 note." in md


def test_brainstorms_list_their_hypotheses_and_timing(research):
    md = markdown_report(research)
    assert "of a target of 4 hypotheses" in md and "2 of a target" in md
    assert "- **[H1](#h1)** layer 1 has induction heads" in md


def test_hypotheses_show_history_predictions_timing_and_evidence(research):
    md = markdown_report(research)
    assert "| 0.20 | no induction in layer 1 with a fixed period |" in md
    assert (
        '| H1.P1 `induction_score > 0.5` | 0.90 | failed | written before the result | <a id="h1-p1"></a>[E1](#e1) |'
        in md
    )
    assert "`positional_score > 0.5` held in [experiment 2](#e2)" in md


def test_surprises_are_ranked_with_observed_values_and_code(research):
    md = markdown_report(research)
    assert '### <a id="s1"></a>1. S1, 3.32 bits: [H1](#h1) predicted `induction_score > 0.5`' in md
    assert "observed induction_score = 0.05" in md


def test_only_linked_experiments_are_shown(research):
    md = markdown_report(research)
    experiments = md.split("Experiments that matter\n")[1].split('<a id="notes">')[0]
    assert (
        '### <a id="e1"></a>Experiment 1' in experiments and '### <a id="e2"></a>Experiment 2' in experiments
    )
    assert "unrelated = 1" not in experiments


def test_calibration_table_and_brier_score(research):
    md = markdown_report(research)
    # (0.9 - 0)^2 and (0.6 - 1)^2, averaged
    assert "2 judged predictions; Brier score **0.485**" in md
    assert "| 0.9-1.0 | 1 | 0 | 0.00 | 0.90 |" in md and "| 0.6-0.7 | 1 | 1 | 1.00 | 0.60 |" in md


def test_text_from_notebooks_never_becomes_html(research):
    page = html_report(research)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    md = markdown_report(research)
    outside_code = re.sub(r"```.*?```", "", md, flags=re.S)
    assert "<script>" not in outside_code


def test_html_is_one_self_contained_file(research):
    page = html_report(research)
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "@media print" in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    # Charts are drawn inline: the credence of H1 and H2 and of both together, calibration, the surprises, the
    # balance of modes and the modes over time, calibration by tag, mode, brainstorm and model, and over time.
    assert page.count("<svg") == 12 and "data:image/svg" not in page


def test_selection_by_hypothesis(research):
    md = markdown_report(research, Selection(hypothesis_ids=["H2"]))
    assert '### <a id="h2"></a>H2:' in md and '<a id="h1">' not in md
    assert "No surprises in this range." in md


def test_selection_by_date_range(research):
    md = markdown_report(
        research,
        Selection(
            since=BASE + timedelta(minutes=60, seconds=30), until=BASE + timedelta(minutes=61, seconds=30)
        ),
    )
    assert "1 experiment," in md
    assert "0 surprises" in md


def test_fences_and_code_spans_survive_backticks():
    assert md_code("a ``` b").startswith("````")
    assert md_code_span("x ` y") == "``x ` y``"
    assert md_code_span("a | b", in_table=True) == "`a \\| b`"


def test_cli_writes_markdown_and_html(research, logbook_db):
    project = logbook_db.parent.parent
    assert main(["export", "--format", "md", "-o", str(project / "log.md"), "--hypothesis", "H1"]) == 0
    assert '### <a id="h1"></a>H1:' in (project / "log.md").read_text()
    assert main(["export", "--format", "html", "-o", "log.html", "--since", "2020-01-01"]) == 0
    assert '<h2 id="calibration">Calibration</h2>' in (project / "log.html").read_text()


def judge_again(store, prediction_id, held, minutes):
    with store.transaction():
        experiment = store.insert_experiment(row("induction_score = 0.7", minutes=minutes), [])
        store.add_judgement(
            held=held,
            prediction=store.prediction(prediction_id),
            observed={"induction_score": {"type": "float", "value": 0.7}},
            surprisal_bits=0.2,
            experiment_id=experiment,
        )


def test_a_prediction_that_held_only_after_failing_says_so_and_counts_its_first_verdict(research):
    judge_again(research, "H1.P1", held=False, minutes=63)
    judge_again(research, "H1.P1", held=True, minutes=64)
    md = markdown_report(research)
    assert "| 0.90 | held after 2 failed runs (failed ×2 → held ×1) |" in md
    # Calibration counts H1.P1 as failed, its first verdict: unchanged from before the re-runs.
    assert "2 judged predictions; Brier score **0.485**" in md
    assert "Each prediction counts once, by its first verdict" in md


def test_a_revised_prediction_is_listed_beside_the_one_it_supersedes(research):
    research.update_prediction("H1.P1", expression="induction_score > 0.01")
    md = markdown_report(research)
    assert (
        "| H1.P1 `induction_score > 0.5` | 0.90 | failed; superseded by [H1.P2](#h1-p2) | written before the result |"
        in md
    )
    assert (
        "| H1.P2 `induction_score > 0.01` (revises [H1.P1](#h1-p1)) | 0.90 | pending | not yet judged |" in md
    )


def test_a_prediction_judged_on_a_value_computed_before_it_was_written_is_written_after(store):
    h = store.add_hypothesis("ablating head 1.4 hurts", 0.5)
    with store.transaction():
        store.insert_experiment(
            row("ablated = 0.1", minutes=-5, names='{"ablated": {"type": "float", "value": 0.1}}'), []
        )
    late = store.add_prediction(h.id, "ablated < 0.2", 0.9)
    with store.transaction():
        later = store.insert_experiment(row("print('next cell')", minutes=5), [])
        store.add_judgement(held=True, prediction=late, observed={}, surprisal_bits=0.1, experiment_id=later)
    assert "| H1.P1 `ablated < 0.2` | 0.90 | held | written after the result |" in markdown_report(store)


def test_the_report_carries_the_chain_head(research):
    head = research.chain_head()
    assert f"History: {head['events']} events, chain head `{head['hash']}`" in markdown_report(research)


def test_a_prediction_reading_a_known_baseline_is_written_before_when_the_value_it_waits_for_comes_after(
    store,
):
    h = store.add_hypothesis("head 1.4 does the period-7 copying", 0.5)
    with store.transaction():
        store.insert_experiment(
            row("varied = 0.4", minutes=-600, names='{"varied": {"type": "float", "value": 0.4}}'), []
        )
    relative = store.add_prediction(h.id, "ablated > 2 * varied", 0.8)
    with store.transaction():
        ablation = store.insert_experiment(
            row("ablated = 1.3", minutes=600, names='{"ablated": {"type": "float", "value": 1.3}}'), []
        )
        store.add_judgement(
            held=True, prediction=relative, observed={}, surprisal_bits=0.3, experiment_id=ablation
        )
    assert "| H1.P1 `ablated > 2 * varied` | 0.80 | held | written before the result |" in markdown_report(
        store
    )


def test_the_first_verdict_decides_the_timing_of_a_prediction_judged_again(store):
    h = store.add_hypothesis("the score is low", 0.5)
    with store.transaction():
        known = store.insert_experiment(
            row("score = 0.3", minutes=-600, names='{"score": {"type": "float", "value": 0.3}}'), []
        )
    late = store.add_prediction(h.id, "score < 0.5", 0.8)
    with store.transaction():  # judged at once on the value it was written after, then on a re-run
        store.add_judgement(held=True, prediction=late, observed={}, surprisal_bits=0.3, experiment_id=known)
        rerun = store.insert_experiment(
            row("score = 0.2", minutes=600, names='{"score": {"type": "float", "value": 0.2}}'), []
        )
        store.add_judgement(held=True, prediction=late, observed={}, surprisal_bits=0.3, experiment_id=rerun)
    assert (
        "| H1.P1 `score < 0.5` | 0.80 | held in all 2 runs | written after the result |"
        in markdown_report(store)
    )


def test_report_text_escapes_only_what_markdown_would_read_as_syntax():
    plain = "eyes-project: previous-token heads, induction_score_L1 (50%) + 2 = 3! #4 {x}"
    assert md_text(plain) == plain
    assert md_text("a *bold* `code` [link](x) <b> a|b &amp; ~~gone~~") == (
        "a \\*bold\\* \\`code\\` \\[link\\](x) \\<b\\> a\\|b \\&amp; \\~\\~gone\\~\\~"
    )
    assert (
        md_text("_init_ and __dunder__ but snake_case") == "\\_init\\_ and \\_\\_dunder\\_\\_ but snake_case"
    )
    assert md_text(r"C:\path") == r"C:\\path"
    starts = ["# title", "- item", "+ item", "> quote", "12. item", "3) item"]
    assert [md_text(s) for s in starts] == [
        "\\# title",
        "\\- item",
        "\\+ item",
        "\\> quote",
        "12\\. item",
        "3\\) item",
    ]
    assert md_text("  spread\nover   lines ") == "spread over lines"


def test_a_selection_in_words_is_none_for_the_whole_logbook_and_reads_ids_and_dates():
    from logbook.report.selection import Selection

    assert Selection.of() is None and Selection.of(hypotheses=[" , "]) is None
    chosen = Selection.of(since="2026-11-25", hypotheses=["h1, H2", "h3"])
    assert chosen is not None and chosen.hypothesis_ids == ["H1", "H2", "H3"]
    assert chosen.since is not None and chosen.since.isoformat().startswith("2026-11-25T00:00")
    assert Selection.of(every_figure=True) == Selection(every_figure=True)
    assert Selection.of(hypotheses="h2,h5").hypothesis_ids == ["H2", "H5"]  # one string, as a researcher types it
