"""The research log as a document: Markdown (CommonMark), and HTML rendered from it.

Everything taken from notebooks (sources, outputs, statements, notes) is
escaped or fenced, so a ``<script>`` in a cell stays text in both formats.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Optional

from logbook.durations import brainstorm_seconds, humanise
from logbook.models import (
    CompetingSet,
    Experiment,
    Hypothesis,
    LogbookExport,
    Prediction,
    Surprise,
    utcnow,
)
from logbook.paths import project_folder, team_folder
from logbook.report import anchors
from logbook.report.anchors import (
    anchor,
    brainstorm_id,
    experiment_id,
    surprise_id,
    target,
)
from logbook.report.charts import Charts, balance_spec, credence_spec
from logbook.report.charts import available as charts_available
from logbook.report.coverage_section import coverage_section
from logbook.report.dashboard import (
    calibration_chart,
    credences_chart,
    mode_minutes,
    modes_chart,
    rolling_chart,
    set_chart,
    slices_chart,
    surprise_row,
    surprises_chart,
)
from logbook.report.figure_sections import (
    InlineFigures,
    experiment_figures,
    figure_positions,
    pinned,
)
from logbook.report.markdown_text import md_code, md_code_span, md_text
from logbook.report.reprs import fields, is_opaque
from logbook.report.selection import Selection, select
from logbook.report.team_section import team_section
from logbook.rules.balance import time_in_modes
from logbook.rules.calibration import calibrate, first_verdicts
from logbook.rules.redteam import red_team_section, red_team_tallies
from logbook.store.core import Store
from logbook.text import describe_observed, describe_steps, short_float
from logbook.words import MODE_NAMES, mode_name

TEXT_OUTPUT_LINES = 40


def _when(moment: Optional[datetime]) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def _duration(seconds: float) -> str:
    return humanise(seconds)


def _observed(observed: dict) -> str:
    return md_text(describe_observed(observed)) or "-"


def _decided(judgement: Any) -> str:
    """The values that decided a verdict, as code spans (``0.3 > 0.5 → False``), or what was observed."""
    if judgement.steps:
        return "; ".join(md_code_span(line) for line in describe_steps(judgement.steps))
    return f"observed {_observed(judgement.observed)}"


def _again(s: Surprise) -> str:
    """A surprise that failed again: how many runs in a row, and the last."""
    if s.runs <= 1:
        return ""
    last = f", the last {_when(s.last_at)}" if s.last_at else ""
    return f" Failed again: {s.runs} runs in a row{last}."


@dataclass
class _Log:
    """The selected records, indexed for writing the report."""

    data: LogbookExport
    selection: Selection
    experiments: dict[int, Experiment] = field(default_factory=dict)
    judged_on: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Every experiment (selected or not) by id, and the ids of those that assigned each name, in order.
    all_experiments: dict[int, Experiment] = field(default_factory=dict)
    assigned: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: The experiments shown in full (linked to a judgement, a note or a pin), with what links them.
    shown: dict[int, list[str]] = field(default_factory=dict)
    #: Pinned figures: experiment id -> {output position: caption}.
    pins: dict = field(default_factory=dict)
    #: The anchors the report holds: a link to anything else is written as plain text.
    present: set[str] = field(default_factory=set)
    title: str = "Research log"
    charts: Optional[Charts] = None
    last: Optional[datetime] = None

    def link(self, record_id: str, text: Optional[str] = None) -> str:
        """A link to ``record_id`` when the report shows it, else its name as text."""
        if anchor(record_id) in self.present:
            return anchors.link(record_id, text)
        return text if text is not None else record_id

    def experiment(self, number: Optional[int], word: str = "experiment") -> str:
        if number is None:
            return "-"
        return self.link(experiment_id(number), f"{word} {number}".strip())

    def chart(self, spec: Optional[dict], alt: str) -> list[str]:
        """An image line for ``spec`` when the report draws charts (HTML), else nothing (nothing too for no spec)."""
        if self.charts is None or spec is None:
            return []
        return [f"![{md_text(alt)}]({self.charts.add(spec)})", ""]

    def producer(self, name: str, judged_on: int) -> Optional[Experiment]:
        """The experiment that last assigned ``name`` up to experiment ``judged_on``: where the value came from."""
        ids = self.assigned.get(name, [])
        index = bisect.bisect_right(ids, judged_on)
        return self.all_experiments.get(ids[index - 1]) if index else None


def _select(
    data: LogbookExport, selection: Selection, pins: Optional[dict] = None, figures: Any = None
) -> _Log:
    """The selected records, with what links to what; ``pins`` and ``figures`` add the experiments with figures."""
    selected = select(data, selection)
    log = _Log(
        selected,
        selection,
        experiments={e.id: e for e in selected.experiments},
        all_experiments={e.id: e for e in data.experiments},
    )
    for e in sorted(data.experiments, key=lambda e: e.id):
        for name in e.names:
            log.assigned[name].append(e.id)
    for judgement in [*selected.evidence, *selected.surprises]:
        if judgement.prediction_id and judgement.experiment_id is not None:
            log.judged_on[judgement.prediction_id].append(judgement.experiment_id)
    log.pins = pins or {}
    log.shown = _linked_experiments(log, figures)
    d = selected
    log.present = {anchor(h.id) for h in d.hypotheses}
    log.present |= {anchor(p.id) for h in d.hypotheses for p in h.predictions}
    log.present |= {anchor(surprise_id(s.id)) for s in d.surprises}
    log.present |= {anchor(experiment_id(i)) for i in log.shown}
    log.present |= {anchor(brainstorm_id(b.id)) for b in _brainstorms(log)}
    return log


def _linked_experiments(log: _Log, figures: Any = None) -> dict[int, list[str]]:
    """The selected experiments a surprise, a piece of evidence, a note or a pin points to, and what points there.

    With ``every_figure`` selected, every experiment with a figure is shown too.
    """
    linked: dict[int, list[str]] = defaultdict(list)
    for s in log.data.surprises:
        if s.experiment_id is not None:
            linked[s.experiment_id].append(surprise_id(s.id))
    for e in log.data.evidence:
        if e.experiment_id is not None:
            linked[e.experiment_id].append(f"evidence for {e.hypothesis_id}")
    for n in log.data.notes:
        if n.experiment_id is not None:
            linked[n.experiment_id].append("note")
    for experiment in log.pins:
        linked[experiment].append("pinned figure")
    if log.selection.every_figure and figures is not None:
        for x in log.data.experiments:
            if figures.of(x):
                linked[x.id].append("figure")
    return {i: list(dict.fromkeys(linked[i])) for i in sorted(linked) if i in log.experiments}


def _brainstorms(log: _Log) -> list:
    if log.selection.empty_brainstorms:
        return log.data.brainstorms
    return [b for b in log.data.brainstorms if b.hypothesis_ids]


def _timing(prediction: Prediction, log: _Log) -> str:
    """Whether a prediction was written before the result that decided it.

    The result is its first verdict's. It was written before when at least
    one name it reads got that value from a cell that started after the
    prediction was written; names whose values were already known are its
    baseline (``ablated > 2 * baseline``). A name no recorded cell assigned
    counts from the cell after which it was judged.
    """
    judged_on = [i for i in log.judged_on.get(prediction.id, []) if i in log.experiments]
    if not judged_on:
        return "not yet judged"
    first = next((v.experiment_id for v in prediction.verdicts if v.experiment_id is not None), None)
    decided = first if first in log.all_experiments else min(judged_on)
    producers = [
        log.producer(name, decided) or log.all_experiments[decided] for name in prediction.names or [""]
    ]
    if any(prediction.created_at <= e.started_at for e in producers):
        return "written before the result"
    return "written after the result"


def _state(p: Prediction, log: Optional[_Log] = None) -> str:
    """A prediction's state cell: its latest verdict, how it got there, and whether it was revised."""
    runs = [("held" if v.held else "failed", v.count) for v in p.verdicts]
    if p.state.value in ("held", "failed") and runs:
        latest, count = runs[-1]
        if len(runs) == 1:
            text = latest if count == 1 else f"{latest} in all {count} runs"
        elif p.first_verdict == "failed" and latest == "held":
            failed = runs[0][1]
            text = f"held after {_count(failed, 'failed run/failed runs')}"
        else:
            text = f"{latest}, first {p.first_verdict}"
        if len(runs) > 1:
            text += " (" + " → ".join(f"{word} ×{n}" for word, n in runs) + ")"
    else:
        text = p.state.value + (f" ({md_text(p.error)})" if p.error else "")
        if runs:
            text += f", first {p.first_verdict}"
    if p.superseded_by:
        text += f"; superseded by {log.link(p.superseded_by) if log else p.superseded_by}"
    if not p.trusted:
        text += " (not trusted, not evaluated)"
    return text


def _count(n: int, words: str) -> str:
    one, many = words.split("/")
    return f"{n} {one if n == 1 else many}"


#: The report's top-level sections, in order: (anchor, heading).
SECTIONS = (
    ("overview", "Overview"),
    ("hypotheses", "Hypotheses"),
    ("surprises", "Surprises"),
    ("experiments", "Experiments that matter"),
    ("notes", "Notes"),
    ("brainstorms", "Brainstorms"),
    ("modes", "Balance of modes"),
    ("calibration", "Calibration"),
    ("red-team", "Red team"),
    ("hooks-left", "Results computed with hooks left attached"),
    ("coverage", "Where you have not looked"),
)
TOP_SURPRISES = 5


def _heading(level: int, anchor_id: str, text: str) -> str:
    return f"{'#' * level} {target(anchor_id)}{text}"


def _section(name: str) -> list[str]:
    return [_heading(2, name, dict(SECTIONS)[name]), ""]


def _moments(log: _Log) -> list[datetime]:
    d = log.data
    moments = [e.started_at for e in d.experiments]
    moments += [h.created_at for h in d.hypotheses] + [c.at for h in d.hypotheses for c in h.history]
    moments += [s.created_at for s in d.surprises] + [n.created_at for n in d.notes]
    moments += [b.started_at for b in d.brainstorms]
    return moments


def _last_moment(log: _Log) -> datetime:
    if log.last is None:
        log.last = max(_moments(log), default=log.data.exported_at)
    return log.last


def _period(log: _Log) -> str:
    """The first and last moments the selected records carry."""
    moments = _moments(log)
    if not moments:
        return "no records"
    first, last = min(moments), max(moments)
    if last - first < timedelta(minutes=1):
        return f"{first:%Y-%m-%d}, {first:%H:%M} UTC"
    if first.date() == last.date():
        return f"{first:%Y-%m-%d}, {first:%H:%M} to {last:%H:%M} UTC"
    days = (last.date() - first.date()).days + 1
    return f"{first:%Y-%m-%d} to {last:%Y-%m-%d} ({days} days)"


def _outcomes(h: Hypothesis) -> str:
    counts: dict[str, int] = defaultdict(int)
    for p in h.predictions:
        if not p.superseded_by:
            counts[p.state.value] += 1
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"


def _section_overview(log: _Log, lines: list[str]) -> None:
    d = log.data
    lines += [
        f"# {md_text(log.title)}",
        "",
        f"Research log covering {_period(log)}. Exported {_when(d.exported_at)} UTC"
        + (
            ""
            if log.selection.describe() == "the whole logbook"
            else f" ({md_text(log.selection.describe())})"
        )
        + ".",
        "",
        "Contents: " + " · ".join(anchors.link(name, heading) for name, heading in SECTIONS) + ".",
        "",
    ]
    lines += _section("overview")
    lines += [
        ", ".join(
            _count(n, word)
            for n, word in (
                (len(d.hypotheses), "hypothesis/hypotheses"),
                (len(d.experiments), "experiment/experiments"),
                (len(d.surprises), "surprise/surprises"),
                (len(d.evidence), "piece of evidence/pieces of evidence"),
                (len(d.notes), "note/notes"),
            )
        )
        + ".",
        "",
    ]
    if d.hypotheses:
        lines += ["| hypothesis | status | credence | predictions |", "|---|---|---|---|"]
        for h in d.hypotheses:
            first = h.history[0].credence if h.history else h.credence
            moved = f" (from {first:.2f})" if abs(first - h.credence) >= 0.005 else ""
            lines.append(
                f"| {log.link(h.id)} {md_text(h.statement)} | {h.status.value} | **{h.credence:.2f}**{moved} "
                f"| {_outcomes(h)} |"
            )
        lines.append("")
    ranked = _ranked_surprises(log)
    if ranked:
        lines += [f"Most surprising results (of {len(ranked)}):", ""]
        for s in ranked[:TOP_SURPRISES]:
            lines.append(f"1. {_surprise_line(s, log)}")
        lines.append("")
    result = calibrate(first_verdicts(p for h in d.hypotheses for p in h.predictions))
    if result.judged:
        lines += [
            f"Calibration: Brier score **{result.brier:.3f}** over {_count(result.judged, 'judged prediction/judged predictions')} "
            f"(0 is perfect, 0.25 is always saying 0.5); see {anchors.link('calibration', 'Calibration')}.",
            "",
        ]
        lines += log.chart(
            calibration_chart(d.hypotheses),
            "calibration: stated credence against the fraction that came true",
        )
    tallies = red_team_tallies(d.hypotheses)
    if tallies:
        survived, failed = sum(t.survived for t in tallies), sum(t.failed for t in tallies)
        lines += [
            f"Red team: {_count(survived + failed, 'judged red-team prediction/judged red-team predictions')}, "
            f"{survived} survived and {failed} failed; see {anchors.link('red-team', 'Red team')}.",
            "",
        ]
    computed_with = sum(1 for e in d.experiments if e.torch.get("running_with"))
    if computed_with:
        lines += [
            f"Hooks left attached: {_count(computed_with, 'experiment/experiments')} computed with a "
            "TransformerLens hook an earlier cell left attached; see "
            f"{anchors.link('hooks-left', 'Results computed with hooks left attached')}.",
            "",
        ]
    lines += [_chain_line(d), ""]


#: Earlier runs a drift move lists in a report (the newest).
DRIFT_EARLIER_SHOWN = 5


def _drift_detail(s: Surprise, log: _Log) -> str:
    """What moved in one run: each part with its value now and in the earlier runs, and who reads it."""
    moves = s.drift.moves if s.drift else []
    readers = sorted({h for m in moves for h in m.hypotheses})
    said = ", ".join(log.link(h) for h in readers) if readers else "no hypothesis"
    names = "this name" if len({m.name for m in moves}) <= 1 else "these names"
    lines = [
        f"Unpredicted: no prediction was written about it ({said} reads {names}). "
        f"{log.experiment(s.experiment_id, 'Experiment')}, {_when(s.created_at)}."
    ]
    for move in moves:
        earlier = ", ".join(
            f"{log.experiment(e.experiment_id)}: {md_code_span(_value_text(e.value))}"
            for e in move.earlier[-DRIFT_EARLIER_SHOWN:]
        )
        bits = f" ({move.bits:.2f} bits)" if move.bits is not None else ""
        lines.append(
            f"- {md_code_span(move.label)} {md_text(move.change)}{bits}: now "
            f"{md_code_span(_value_text(move.value))}; earlier runs: {earlier or '-'}"
        )
    return "\n".join(lines)


def _value_text(value: Any) -> str:
    return short_float(value) if isinstance(value, float) else str(value)


def _ranked_surprises(log: _Log) -> list[Surprise]:
    return sorted(log.data.surprises, key=lambda s: (-(s.surprisal_bits or 0.0), s.id))


def _surprise_line(s: Surprise, log: _Log) -> str:
    """One line for a surprise: how surprising, what was predicted, where it happened, and whether it is open."""
    sid = log.link(surprise_id(s.id))
    state = "open" if s.resolution is None else s.resolution.value.replace("_", " ")
    where = f" in {log.experiment(s.experiment_id)}" if s.experiment_id is not None else ""
    if s.manual:
        return f"{sid} flagged by hand: {md_text(s.note)}{where} ({state})"
    if s.kind == "drift":
        bits = f" **{s.surprisal_bits:.2f} bits**" if s.surprisal_bits is not None else ""
        return f"{sid} drift{bits}: {md_text(s.note)}{where} ({state})"
    predicted = log.link(s.prediction_id) if s.prediction_id else log.link(s.hypothesis_id or "")
    return (
        f"{sid} **{s.surprisal_bits or 0:.2f} bits**: {predicted} {md_code_span(s.prediction or '')} "
        f"failed{where} ({state})"
    )


def _chain_line(d: LogbookExport) -> str:
    """The chain head: published, it proves later that the predictions were written when they say."""
    if d.chain_head is None:
        return "History: no events yet."
    return (
        f"History: {d.chain_head.events} events, chain head `{d.chain_head.hash}` "
        "(`logbook verify` checks the logbook against it)."
    )


def _section_brainstorms(log: _Log, lines: list[str]) -> None:
    lines += _section("brainstorms")
    shown = _brainstorms(log)
    left_out = len(log.data.brainstorms) - len(shown)
    if not shown:
        lines += ["No brainstorms with hypotheses in this range.", ""]
    statements = {h.id: h.statement for h in log.data.hypotheses}
    for b in shown:
        took = brainstorm_seconds(b) if b.finished_at else None
        took_text = _duration(took) if took is not None else "not finished"
        lines += [
            _heading(3, brainstorm_id(b.id), f"Brainstorm {b.id}, {_when(b.started_at)}"),
            "",
            f"Planned {_duration(b.planned_seconds)}, took {took_text}; "
            f"{len(b.hypothesis_ids)} of a target of {b.target} hypotheses.",
            "",
        ]
        lines += [f"- **{log.link(hid)}** {md_text(statements.get(hid, ''))}" for hid in b.hypothesis_ids]
        lines.append("")
    if left_out:
        lines += [f"{_count(left_out, 'brainstorm/brainstorms')} without hypotheses left out.", ""]


def _credence_chart(h: Hypothesis, log: _Log) -> list[str]:
    verdicts = [(v.at, v.held, p.id) for p in h.predictions for v in p.verdicts]
    history = [(c.at, c.credence, c.reason) for c in h.history] or [(h.created_at, h.credence, "")]
    if len(history) == 1 and not verdicts:
        return []
    # The chart ends at the hypothesis' own last event, so it stays the same (and cached) until that changes.
    until = max([*(at for at, _, _ in history), *(at for at, _, _ in verdicts)])
    if until == history[0][0]:
        until = _last_moment(log)
    return log.chart(credence_spec(history, verdicts, until, h.id), f"credence of {h.id} over time")


def _section_hypotheses(log: _Log, lines: list[str]) -> None:
    lines += _section("hypotheses")
    if not log.data.hypotheses:
        lines += ["No hypotheses in this range.", ""]
    elif len(log.data.hypotheses) > 1:
        lines += log.chart(credences_chart(log.data.hypotheses), "credence over time of every hypothesis")
    evidence_by = defaultdict(list)
    for e in log.data.evidence:
        evidence_by[e.hypothesis_id].append(e)
    for h in log.data.hypotheses:
        origin = (
            f" in {log.link(brainstorm_id(h.brainstorm_id), f'brainstorm {h.brainstorm_id}')}"
            if h.brainstorm_id
            else ""
        )
        if h.follows:
            origin += f", following up {log.link(h.follows)}"
        lines += [
            _heading(3, h.id, f"{h.id}: {md_text(h.statement)}"),
            "",
            f"Status **{h.status.value}**, credence **{h.credence:.2f}**, stated {_when(h.created_at)}{origin}.",
            "",
        ]
        lines += _credence_chart(h, log)
        if len(h.history) > 1:
            lines += ["| when | credence | reason |", "|---|---|---|"]
            lines += [f"| {_when(c.at)} | {c.credence:.2f} | {md_text(c.reason) or '-'} |" for c in h.history]
            lines.append("")
        else:
            lines += ["The credence has not changed since it was stated.", ""]
        if h.predictions:
            lines += ["| prediction | credence | state | timing | judged in |", "|---|---|---|---|---|"]
            for p in h.predictions:
                revises = f" (revises {log.link(p.revises)})" if p.revises else ""
                judged = ", ".join(
                    dict.fromkeys(
                        log.link(experiment_id(v.experiment_id))
                        for v in p.verdicts
                        if v.experiment_id is not None
                    )
                )
                lines.append(
                    f"| {p.id} {md_code_span(p.expression, in_table=True)}{revises} | {p.credence:.2f} "
                    f"| {_state(p, log)} | {_timing(p, log)} | {target(p.id)}{judged or '-'} |"
                )
            lines.append("")
        if evidence_by[h.id]:
            lines += ["Evidence:", ""]
            for e in evidence_by[h.id]:
                lines.append(
                    f"- {_when(e.created_at)}: {md_code_span(e.prediction or '')} held in "
                    f"{log.experiment(e.experiment_id)}; {_decided(e)}"
                )
            lines.append("")


def _section_surprises(log: _Log, lines: list[str], figures: InlineFigures) -> None:
    lines += _section("surprises")
    if not log.data.surprises:
        lines += ["No surprises in this range.", ""]
        return
    lines += log.chart(surprises_chart([surprise_row(s) for s in log.data.surprises]), "surprises over time")
    for rank, s in enumerate(_ranked_surprises(log), 1):
        sid = surprise_id(s.id)
        if s.manual:
            title = f"{rank}. {sid}, flagged by hand: {md_text(s.note)}"
            detail = f"Flagged {_when(s.created_at)}, on {log.experiment(s.experiment_id)}."
        elif s.kind == "drift":
            bits = f"{s.surprisal_bits:.2f} bits: " if s.surprisal_bits is not None else ""
            title = f"{rank}. {sid}, drift, {bits}{md_text(s.note)}"
            detail = _drift_detail(s, log)
        else:
            title = (
                f"{rank}. {sid}, {s.surprisal_bits:.2f} bits: {log.link(s.hypothesis_id or '')} predicted "
                f"{md_code_span(s.prediction or '')}"
            )
            prediction = f" ({log.link(s.prediction_id)})" if s.prediction_id else ""
            detail = (
                f"Credence {s.credence:.2f}{prediction}; {_decided(s)}; "
                f"{log.experiment(s.experiment_id)}, {_when(s.created_at)}.{_again(s)}"
            )
        body = [detail, "", _resolution(s), ""]
        experiment = log.experiments.get(s.experiment_id) if s.experiment_id is not None else None
        if experiment is not None:
            body += [md_code(experiment.source, "python"), ""]
            body += experiment_figures(figures, experiment, {}, every=True, where=f"under surprise {rank}")
        if s.resolution is None:
            lines += [_heading(3, sid, title), "", *body]
        else:
            # Resolved: folded away, its summary in plain text (raw HTML takes no Markdown).
            summary = re.sub(r"\\(.)", r"\1", re.sub(r"\[([^\]]*)\]\(#[a-z0-9-]+\)", r"\1", title))
            summary = (
                html.escape(summary.replace("`", ""))
                + f" ({html.escape(s.resolution.value.replace('_', ' '))})"
            )
            lines += [
                f'<details id="{anchor(sid)}">',
                f"<summary>{summary}</summary>",
                "",
                *body,
                "</details>",
                "",
            ]


_ACTIONS = {
    "refuted": "Acted on: the hypothesis was refuted",
    "credence_updated": "Acted on: the credence was updated",
    "explained": "Explained",
    "dismissed": "Dismissed",
    "followed_up": "Acted on: followed up with a new hypothesis",
}


def _resolution(s: Surprise) -> str:
    """Which action closed a surprise, by whom and when, and why; or that it is still open."""
    if s.resolution is None:
        return "Open: no action taken yet."
    by = f" by {md_text(s.resolved_by)}" if s.resolved_by else ""
    why = f": {md_text(s.explanation)}" if s.explanation else ""
    # An explanation that ends a sentence itself takes no second full stop.
    return f"{_ACTIONS[s.resolution.value]}{by}, {_when(s.resolved_at)}{why}" + (
        "" if why.rstrip().endswith((".", "!", "?")) else "."
    )


def _section_notes(log: _Log, lines: list[str]) -> None:
    lines += _section("notes")
    if not log.data.notes:
        lines += ["No notes in this range.", ""]
        return
    for n in log.data.notes:
        about = f" ({log.link(n.hypothesis_id)})" if n.hypothesis_id else ""
        linked = f", {log.experiment(n.experiment_id)}" if n.experiment_id is not None else ""
        lines.append(f"- {_when(n.created_at)}{about}{linked}: {md_text(n.text)}")
    lines.append("")


def _linked_as(reasons: list[str], log: _Log) -> str:
    words = []
    for reason in reasons:
        if reason.startswith("S"):
            words.append(f"surprise {log.link(reason)}")
        elif reason.startswith("evidence for "):
            words.append(f"evidence for {log.link(reason.removeprefix('evidence for '))}")
        else:
            words.append(reason)
    return ", ".join(words)


def _section_experiments(log: _Log, store: Store, lines: list[str], figures: InlineFigures) -> None:
    lines += _section("experiments")
    if not log.shown:
        lines += ["No experiments are linked to a hypothesis, a surprise or a note.", ""]
        return
    for number, reasons in log.shown.items():
        e = log.experiments[number]
        where = f" in {md_code_span(e.notebook)}" if e.notebook else ""
        status = "ok" if e.ok else f"error {md_text(e.error.name if e.error else '')}"
        lines += [
            _heading(3, experiment_id(e.id), f"Experiment {e.id}{where}"),
            "",
            f"{_when(e.started_at)}, took {_duration(e.duration_ms / 1000)}, {status}, "
            f"mode {e.mode.value if e.mode else '-'}; linked as {_linked_as(reasons, log)}.",
            "",
            md_code(e.source, "python"),
            "",
        ]
        # Judged, surprising and noted experiments show every figure; others only those pinned.
        every = any(not reason.startswith(("pinned", "figure")) for reason in reasons)
        lines += _outputs(e, store, figure_positions(figures, e))
        lines += experiment_figures(figures, e, log.pins.get(e.id, {}), every or log.selection.every_figure)
        if e.error:
            lines += [md_code(f"{e.error.name}: {e.error.value}"), ""]


def _outputs(e: Experiment, store: Store, in_figures: set[int]) -> list[str]:
    lines: list[str] = []
    if e.stdout.strip():
        lines += [md_code(_clip(e.stdout)), ""]
    for position, output in enumerate(e.outputs):
        if output.mime == "text/plain" and position not in in_figures:
            lines += _text_output(store.blob(output.sha256).decode("utf-8", "replace"))
    return lines


def _text_output(text: str) -> list[str]:
    """A text output as a fenced block; an object's repr as a table of its fields, or left out if opaque."""
    if is_opaque(text):
        return []
    parsed = fields(text)
    if parsed is None:
        return [md_code(_clip(text)), ""]
    name, values = parsed
    rows = [
        f"| {md_text(key)} | {md_code_span(value[:300], in_table=True) if value else '-'} |"
        for key, value in values
    ]
    return [f"{md_text(name)}:", "", "| field | value |", "|---|---|", *rows, ""]


def _clip(text: str) -> str:
    kept = text.splitlines()
    if len(kept) <= TEXT_OUTPUT_LINES:
        return text
    return "\n".join(kept[:TEXT_OUTPUT_LINES] + [f"[... {len(kept) - TEXT_OUTPUT_LINES} more lines]"])


def _section_modes(log: _Log, lines: list[str]) -> None:
    lines += _section("modes")
    counts: dict[str, int] = defaultdict(int)
    compute: dict[str, float] = defaultdict(float)
    for e in log.data.experiments:
        mode = mode_name(e.mode)
        counts[mode] += 1
        compute[mode] += e.duration_ms / 1000
    last = max((e.started_at for e in log.data.experiments), default=utcnow())
    wall = time_in_modes(log.data.modes, until=last)
    if not counts:
        lines += ["No experiments in this range.", ""]
        return
    total = sum(counts.values())
    modes = [m for m in MODE_NAMES if counts.get(m) or wall.get(m)]
    lines += log.chart(
        balance_spec([(m, counts.get(m, 0), _duration(compute.get(m, 0.0))) for m in modes]),
        "experiments per research mode",
    )
    minutes = mode_minutes((e.started_at, e.mode.value if e.mode else None) for e in log.data.experiments)
    lines += log.chart(modes_chart(minutes), "experiments per research mode over time")
    lines += ["| mode | experiments | share | run time | time in mode |", "|---|---|---|---|---|"]
    for mode in modes:
        lines.append(
            f"| {mode} | {counts.get(mode, 0)} | {100 * counts.get(mode, 0) / total:.0f}% | "
            f"{_duration(compute.get(mode, 0.0))} | {_duration(wall.get(mode, 0.0)) if mode != 'none' else '-'} |"
        )
    lines.append("")


def _section_calibration(log: _Log, lines: list[str]) -> None:
    lines += _section("calibration")
    result = calibrate(first_verdicts(p for h in log.data.hypotheses for p in h.predictions))
    if not result.judged:
        lines += ["No predictions have been judged yet.", ""]
        return
    lines += [
        f"{result.judged} judged predictions; Brier score **{result.brier:.3f}** "
        "(0 is perfect, 0.25 is always saying 0.5). Each prediction counts once, by its first verdict; "
        "a revised prediction counts as a new one. The chart is in the "
        f"{anchors.link('overview', 'overview')}.",
        "",
        "| credence band | predictions | came true | frequency | mean credence |",
        "|---|---|---|---|---|",
    ]
    for band in result.bands:
        lines.append(
            f"| {band.label} | {band.count} | {band.came_true} | {band.frequency:.2f} | {band.mean_credence:.2f} |"
        )
    lines.append("")
    _calibration_slices(log, lines)


def _calibration_slices(log: _Log, lines: list[str]) -> None:
    """Calibration by tag, mode, brainstorm, model and over time, and each competing set's distribution as it moved."""
    from logbook.rules.calibration import DIMENSIONS, model_name, slices_markdown

    models = {e.id: name for e in log.data.experiments if (name := model_name(e.torch or {}))}
    for dimension in DIMENSIONS:
        spec, _ = slices_chart(log.data.hypotheses, dimension, models)
        lines += log.chart(spec, f"calibration by {dimension}")
    spec, _ = rolling_chart(log.data.hypotheses)
    lines += log.chart(spec, "Brier score over the last 10 judged, rolling")
    lines += slices_markdown(log.data.hypotheses, models)
    for s in log.data.sets:
        # Every member the set ever had: one that left keeps its column for the rows it was in.
        ever = [k for change in s.history for k in change.credences if k != "else"]
        members = [*dict.fromkeys([*ever, *s.credences]), "else"]
        lines += [f"**C{s.id}: {md_text(s.question)}** (a competing set: the credences sum to 1)", ""]
        chart = _set_chart(s, log)
        if chart:
            lines += chart
            continue
        lines += ["| when | " + " | ".join(members) + " | why |", "|---" * (len(members) + 2) + "|"]
        for change in s.history:
            cells = " | ".join(
                f"{change.credences[m]:.2f}" if m in change.credences else "–" for m in members
            )
            lines.append(f"| {change.at:%Y-%m-%d %H:%M} | {cells} | {md_text(change.reason)} |")
        lines.append("")


def _set_chart(s: CompetingSet, log: _Log) -> list[str]:
    """A competing set's distribution as it moved, as a stacked area (HTML); nothing where charts are not drawn."""
    return log.chart(set_chart(s, _last_moment(log)), f"distribution of C{s.id} over time")


def _section_hooks_left(log: _Log, lines: list[str]) -> None:
    """The experiments whose model ran with a TransformerLens hook an earlier cell left attached."""
    lines += _section("hooks-left")
    affected = [e for e in log.data.experiments if e.torch.get("running_with")]
    if not affected:
        lines += ["No result was computed with a hook left attached.", ""]
        return
    lines += [
        f"{_count(len(affected), 'experiment/experiments')} ran a model while a TransformerLens hook that an "
        "earlier cell left attached (an error before `reset_hooks`, or a forgotten one) was still on it: "
        "their results include what the hook does. `model.reset_hooks()` removes such hooks.",
        "",
        "| experiment | cell | hook point | function | left by |",
        "|---|---|---|---|---|",
    ]
    for e in affected:
        count = f"[{e.execution_count}] " if e.execution_count is not None else ""
        cell = f"{count}{md_code_span(e.source.strip().splitlines()[0][:60] if e.source.strip() else '', in_table=True)}"
        for hook in e.torch["running_with"]:
            left_by = hook.get("left_by") or {}
            by = f"cell [{left_by['cell']}]" if left_by.get("cell") is not None else "an earlier cell"
            if isinstance(left_by.get("experiment"), int):
                by += f" ({log.experiment(left_by['experiment'])})"
            lines.append(
                f"| {log.experiment(e.id)} | {cell} | {md_code_span(str(hook.get('hook_point', '')), in_table=True)} "
                f"| {md_code_span(str(hook.get('function', '')), in_table=True)} | {by} |"
            )
    lines.append("")


def project_title(store: Store) -> str:
    """The report's default title: the name of the project folder."""
    return project_folder(store.path).name or "Research log"


def markdown_report(
    store: Store,
    selection: Optional[Selection] = None,
    title: Optional[str] = None,
    charts: Optional[Charts] = None,
    figures: Optional[InlineFigures] = None,
) -> str:
    """The research log as CommonMark, titled ``title`` (default: the project folder's name).

    With ``charts``, each chart is an image whose source is a ``chart:N``
    reference into it (the HTML report draws them); without, the tables alone
    carry the numbers, so the Markdown reads as plain text. ``figures`` says
    how figures are carried (inline by default).
    """
    figures = figures if figures is not None else InlineFigures(store)
    log = _select(store.export(), selection or Selection(), pinned(store), figures)
    log.title = title or project_title(store)
    log.charts = charts
    lines: list[str] = []
    _section_overview(log, lines)
    _section_hypotheses(log, lines)
    _section_surprises(log, lines, figures)
    _section_experiments(log, store, lines, figures)
    _section_notes(log, lines)
    _section_brainstorms(log, lines)
    _section_modes(log, lines)
    _section_calibration(log, lines)
    lines += _section("red-team")
    red_team_section(log.data.hypotheses, lines, link=log.link)
    _section_hooks_left(log, lines)
    lines += _section("coverage")
    coverage_section(log.data.experiments, lines, chart=log.chart)
    lines += team_section(store.path)
    return "\n".join(lines).rstrip() + "\n"


def chart_cache(store: Store) -> Optional[Path]:
    """Where rendered charts are kept between exports: beside the logbook file."""
    folder = team_folder(store.path)
    if folder is not None:  # a team project's authors share the one cache
        return folder.parent / "cache" / "charts"
    return store.path.parent / "cache" / "charts" if store.path.parent.name == ".logbook" else None


def html_report(store: Store, selection: Optional[Selection] = None, title: Optional[str] = None) -> str:
    """The Markdown report rendered to one self-contained HTML file, its charts drawn inline."""
    from logbook.report.figure_sections import HtmlFigures
    from logbook.report.html import render_html

    title = title or project_title(store)
    figures = HtmlFigures(store)
    if not charts_available():  # the tables carry the same numbers
        markdown = markdown_report(store, selection, title, figures=figures)
        return figures.finish(render_html(markdown, title=title))
    with Charts(cache=chart_cache(store)) as charts:
        charts.warm()
        markdown = markdown_report(store, selection, title, charts, figures)
        return figures.finish(render_html(markdown, title=title, charts=charts))
