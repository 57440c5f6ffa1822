"""The research log as a document: Markdown (CommonMark), and HTML rendered from it.

Everything taken from notebooks (sources, outputs, statements, notes) is
escaped or fenced, so a ``<script>`` in a cell stays text in both formats.
"""

from __future__ import annotations

import base64
import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional

from .balance import time_in_modes
from .calibration import calibrate, first_verdicts
from .charts import calibration_chart, credence_chart
from .dates import time_range
from .errors import NotFound
from .models import Experiment, LogbookExport, Prediction, Surprise, utcnow
from .store import Store
from .text import describe_observed

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>&~])")
TEXT_OUTPUT_LINES = 40
IMAGE_INLINE_LIMIT = 2 * 1024 * 1024


@dataclass
class Selection:
    """Which part of the logbook a report covers: a date range and/or some hypotheses."""

    since: Optional[datetime] = None
    until: Optional[datetime] = None
    hypothesis_ids: Optional[list[str]] = None

    def __post_init__(self) -> None:
        # Dates, ISO strings and naive times are read here, once, for every caller.
        self.since, self.until = time_range(self.since, self.until)

    def in_range(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (self.until is None or moment <= self.until)

    def wants(self, hypothesis_id: Optional[str]) -> bool:
        if self.hypothesis_ids is None:
            return True
        return hypothesis_id is not None and hypothesis_id.upper() in self.hypothesis_ids

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"from {self.since:%Y-%m-%d %H:%M}")
        if self.until:
            parts.append(f"until {self.until:%Y-%m-%d %H:%M}")
        if self.hypothesis_ids is not None:
            parts.append("hypotheses " + ", ".join(self.hypothesis_ids))
        return "; ".join(parts) or "the whole logbook"


def md_text(text: str) -> str:
    """``text`` as literal inline Markdown: special characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str, language: str = "") -> str:
    """A fenced code block that no backtick run inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def md_code_span(text: str, in_table: bool = False) -> str:
    """Inline code for ``text``, delimited so no backtick inside can end it early."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    if in_table:
        text = text.replace("|", "\\|")
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _when(moment: Optional[datetime]) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _observed(observed: dict) -> str:
    return md_text(describe_observed(observed)) or "-"


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

    def producer(self, name: str, judged_on: int) -> Optional[Experiment]:
        """The experiment that last assigned ``name`` up to experiment ``judged_on``: where the value came from."""
        ids = self.assigned.get(name, [])
        index = bisect.bisect_right(ids, judged_on)
        return self.all_experiments.get(ids[index - 1]) if index else None


def select(data: LogbookExport, selection: Selection) -> LogbookExport:
    """The records of ``data`` that ``selection`` covers; an unknown hypothesis id is :class:`NotFound`."""
    if selection.hypothesis_ids is not None:
        known = {h.id for h in data.hypotheses}
        missing = [hid for hid in selection.hypothesis_ids if hid not in known]
        if missing:
            noun = "hypothesis" if len(missing) == 1 else "hypotheses"
            raise NotFound(f"no {noun} {', '.join(missing)} in this logbook")
    data = data.model_copy(deep=False)
    data.hypotheses = [
        h
        for h in data.hypotheses
        if selection.wants(h.id)
        and (
            selection.hypothesis_ids is not None
            or selection.in_range(h.created_at)
            or any(selection.in_range(c.at) for c in h.history)
        )
    ]
    kept = {h.id for h in data.hypotheses}
    data.surprises = [
        s
        for s in data.surprises
        if selection.in_range(s.created_at)
        and (
            s.hypothesis_id in kept or ((s.manual or s.kind == "drift") and selection.hypothesis_ids is None)
        )
    ]
    data.evidence = [e for e in data.evidence if e.hypothesis_id in kept and selection.in_range(e.created_at)]
    data.notes = [
        n
        for n in data.notes
        if selection.in_range(n.created_at)
        and (
            selection.wants(n.hypothesis_id) or (n.hypothesis_id is None and selection.hypothesis_ids is None)
        )
    ]
    data.experiments = [e for e in data.experiments if selection.in_range(e.started_at)]
    data.brainstorms = [
        b
        for b in data.brainstorms
        if selection.in_range(b.started_at)
        and (selection.hypothesis_ids is None or kept.intersection(b.hypothesis_ids))
    ]
    return data


def _select(data: LogbookExport, selection: Selection) -> _Log:
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
    return log


def _timing(prediction: Prediction, log: _Log) -> str:
    """Whether a prediction was written before the results it was judged on.

    A result is written before when the prediction existed before the cell
    that produced each value it was judged on started; a value produced by an
    earlier cell than the one after which it was judged counts from that cell.
    """
    judged_on = [i for i in log.judged_on.get(prediction.id, []) if i in log.experiments]
    if not judged_on:
        return "not yet judged"
    producers = [
        log.producer(name, i) or log.experiments[i] for i in judged_on for name in prediction.names or [""]
    ]
    if all(prediction.created_at <= e.started_at for e in producers):
        return "written before the result"
    return "written after the result"


def _state(p: Prediction) -> str:
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
        text += f"; superseded by {p.superseded_by}"
    if not p.trusted:
        text += " (not trusted, not evaluated)"
    return text


def _count(n: int, words: str) -> str:
    one, many = words.split("/")
    return f"{n} {one if n == 1 else many}"


def _section_summary(log: _Log, lines: list[str]) -> None:
    d = log.data
    lines += [
        "# Research log",
        "",
        f"Exported {_when(d.exported_at)} UTC, covering {md_text(log.selection.describe())}.",
        "",
        _chain_line(d),
        "",
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


def _chain_line(d: LogbookExport) -> str:
    """The chain head: published, it proves later that the predictions were written when they say."""
    if d.chain_head is None:
        return "History: no events yet."
    return (
        f"History: {d.chain_head.events} events, chain head `{d.chain_head.hash}` "
        "(`logbook verify` checks the logbook against it)."
    )


def _section_brainstorms(log: _Log, lines: list[str]) -> None:
    lines += ["## Brainstorms", ""]
    if not log.data.brainstorms:
        lines += ["No brainstorms in this range.", ""]
        return
    statements = {h.id: h.statement for h in log.data.hypotheses}
    for b in log.data.brainstorms:
        took = (b.finished_at - b.started_at).total_seconds() - b.paused_seconds if b.finished_at else None
        took_text = _duration(took) if took is not None else "not finished"
        lines += [
            f"### Brainstorm {b.id}, {_when(b.started_at)}",
            "",
            f"Planned {_duration(b.planned_seconds)}, took {took_text}; "
            f"{len(b.hypothesis_ids)} of a target of {b.target} hypotheses.",
            "",
        ]
        lines += [f"- **{hid}** {md_text(statements.get(hid, ''))}" for hid in b.hypothesis_ids]
        lines.append("")


def _section_hypotheses(log: _Log, lines: list[str]) -> None:
    lines += ["## Hypotheses", ""]
    if not log.data.hypotheses:
        lines += ["No hypotheses in this range.", ""]
    evidence_by = defaultdict(list)
    for e in log.data.evidence:
        evidence_by[e.hypothesis_id].append(e)
    for h in log.data.hypotheses:
        lines += [
            f"### {h.id}: {md_text(h.statement)}",
            "",
            f"Status **{h.status.value}**, credence **{h.credence:.2f}**, stated {_when(h.created_at)}.",
            "",
        ]
        chart = credence_chart([(c.at, c.credence) for c in h.history])
        if chart:
            lines += [f"![credence history of {h.id}]({chart})", ""]
        lines += ["| when | credence | reason |", "|---|---|---|"]
        lines += [f"| {_when(c.at)} | {c.credence:.2f} | {md_text(c.reason) or '-'} |" for c in h.history]
        lines.append("")
        if h.predictions:
            lines += ["| prediction | credence | state | timing |", "|---|---|---|---|"]
            for p in h.predictions:
                revises = f" (revises {p.revises})" if p.revises else ""
                lines.append(
                    f"| {p.id} {md_code_span(p.expression, in_table=True)}{revises} | {p.credence:.2f} "
                    f"| {_state(p)} | {_timing(p, log)} |"
                )
            lines.append("")
        if evidence_by[h.id]:
            lines += ["Evidence:", ""]
            for e in evidence_by[h.id]:
                lines.append(
                    f"- {_when(e.created_at)}: {md_code_span(e.prediction or '')} held in experiment "
                    f"{e.experiment_id}; observed {_observed(e.observed)}"
                )
            lines.append("")


def _section_surprises(log: _Log, lines: list[str]) -> None:
    lines += ["## Surprises", ""]
    if not log.data.surprises:
        lines += ["No surprises in this range.", ""]
        return
    ranked = sorted(log.data.surprises, key=lambda s: (-(s.surprisal_bits or 0.0), s.id))
    for rank, s in enumerate(ranked, 1):
        if s.manual:
            title = f"### {rank}. Flagged by hand: {md_text(s.note)}"
            detail = f"Flagged {_when(s.created_at)}, on experiment {s.experiment_id}."
        elif s.kind == "drift":
            bits = f"{s.surprisal_bits:.2f} bits: " if s.surprisal_bits is not None else ""
            title = f"### {rank}. Drift, {bits}{md_text(s.note)}"
            earlier = ", ".join(
                f"{e.experiment_id}={md_text(str(e.value))}" for e in (s.drift.earlier if s.drift else [])
            )
            readers = ", ".join(s.drift.hypotheses) if s.drift and s.drift.hypotheses else "no hypothesis"
            detail = (
                f"Unpredicted: no prediction was written about it ({readers} reads this name). "
                f"Experiment {s.experiment_id}, {_when(s.created_at)}; earlier runs (experiment=value): {earlier or '-'}."
            )
        else:
            title = f"### {rank}. {s.surprisal_bits:.2f} bits: {s.hypothesis_id} predicted {md_code_span(s.prediction or '')}"
            detail = (
                f"Credence {s.credence:.2f}; observed {_observed(s.observed)}; "
                f"experiment {s.experiment_id}, {_when(s.created_at)}."
            )
        lines += [title, "", detail, "", _resolution(s), ""]
        experiment = log.experiments.get(s.experiment_id) if s.experiment_id is not None else None
        if experiment is not None:
            lines += [md_code(experiment.source, "python"), ""]


_ACTIONS = {
    "refuted": "Acted on: the hypothesis was refuted",
    "credence_updated": "Acted on: the credence was updated",
    "explained": "Explained",
    "dismissed": "Dismissed",
}


def _resolution(s: Surprise) -> str:
    """Which action closed a surprise, by whom and when, and why; or that it is still open."""
    if s.resolution is None:
        return "Open: no action taken yet."
    by = f" by {md_text(s.resolved_by)}" if s.resolved_by else ""
    why = f": {md_text(s.explanation)}" if s.explanation else ""
    return f"{_ACTIONS[s.resolution.value]}{by}, {_when(s.resolved_at)}{why}."


def _section_notes(log: _Log, lines: list[str]) -> None:
    lines += ["## Notes", ""]
    if not log.data.notes:
        lines += ["No notes in this range.", ""]
        return
    for n in log.data.notes:
        about = f" ({n.hypothesis_id})" if n.hypothesis_id else ""
        linked = f", experiment {n.experiment_id}" if n.experiment_id is not None else ""
        lines.append(f"- {_when(n.created_at)}{about}{linked}: {md_text(n.text)}")
    lines.append("")


def _section_experiments(log: _Log, store: Store, lines: list[str]) -> None:
    lines += ["## Experiments that matter", ""]
    linked: dict[int, list[str]] = defaultdict(list)
    for s in log.data.surprises:
        if s.experiment_id is not None:
            linked[s.experiment_id].append(
                "surprise"
                if s.manual
                else "drift"
                if s.kind == "drift"
                else f"surprise for {s.hypothesis_id}"
            )
    for e in log.data.evidence:
        if e.experiment_id is not None:
            linked[e.experiment_id].append(f"evidence for {e.hypothesis_id}")
    for n in log.data.notes:
        if n.experiment_id is not None:
            linked[n.experiment_id].append("note")
    shown = [i for i in sorted(linked) if i in log.experiments]
    if not shown:
        lines += ["No experiments are linked to a hypothesis, a surprise or a note.", ""]
        return
    for experiment_id in shown:
        e = log.experiments[experiment_id]
        where = f" in {md_text(e.notebook)}" if e.notebook else ""
        status = "ok" if e.ok else f"error {md_text(e.error.name if e.error else '')}"
        lines += [
            f"### Experiment {e.id}{where}",
            "",
            f"{_when(e.started_at)}, {e.duration_ms:.0f} ms, {status}, mode {e.mode.value if e.mode else '-'}; "
            f"linked as {md_text(', '.join(dict.fromkeys(linked[experiment_id])))}.",
            "",
            md_code(e.source, "python"),
            "",
        ]
        lines += _outputs(e, store)
        if e.error:
            lines += [md_code(f"{e.error.name}: {e.error.value}"), ""]


def _outputs(e: Experiment, store: Store) -> list[str]:
    lines: list[str] = []
    if e.stdout.strip():
        lines += [md_code(_clip(e.stdout)), ""]
    for output in e.outputs:
        if output.mime == "image/png" and output.truncated:
            lines += [
                f"*Image output not kept: too large ({output.size} bytes, sha256 {output.sha256[:12]}).*",
                "",
            ]
        elif output.mime == "image/png" and output.size <= IMAGE_INLINE_LIMIT:
            data = base64.b64encode(store.blob(output.sha256)).decode("ascii")
            lines += [f"![output of experiment {e.id}](data:image/png;base64,{data})", ""]
        elif output.mime == "text/plain":
            text = store.blob(output.sha256).decode("utf-8", "replace")
            lines += [md_code(_clip(text)), ""]
    return lines


def _clip(text: str) -> str:
    kept = text.splitlines()
    if len(kept) <= TEXT_OUTPUT_LINES:
        return text
    return "\n".join(kept[:TEXT_OUTPUT_LINES] + [f"[... {len(kept) - TEXT_OUTPUT_LINES} more lines]"])


def _section_modes(log: _Log, lines: list[str]) -> None:
    lines += ["## Balance of modes", ""]
    counts: dict[str, int] = defaultdict(int)
    compute: dict[str, float] = defaultdict(float)
    for e in log.data.experiments:
        mode = e.mode.value if e.mode else "none"
        counts[mode] += 1
        compute[mode] += e.duration_ms / 1000
    last = max((e.started_at for e in log.data.experiments), default=utcnow())
    wall = time_in_modes(log.data.modes, until=last)
    if not counts:
        lines += ["No experiments in this range.", ""]
        return
    total = sum(counts.values())
    lines += ["| mode | experiments | share | run time | time in mode |", "|---|---|---|---|---|"]
    for mode in ("confirm", "red-team", "explore", "none"):
        if counts.get(mode) or wall.get(mode):
            lines.append(
                f"| {mode} | {counts.get(mode, 0)} | {100 * counts.get(mode, 0) / total:.0f}% | "
                f"{_duration(compute.get(mode, 0.0))} | {_duration(wall.get(mode, 0.0)) if mode != 'none' else '-'} |"
            )
    lines.append("")


def _section_calibration(log: _Log, lines: list[str]) -> None:
    lines += ["## Calibration", ""]
    result = calibrate(first_verdicts(p for h in log.data.hypotheses for p in h.predictions))
    if not result.judged:
        lines += ["No predictions have been judged yet.", ""]
        return
    lines += [
        f"{result.judged} judged predictions; Brier score **{result.brier:.3f}** "
        "(0 is perfect, 0.25 is always saying 0.5). Each prediction counts once, by its first verdict; "
        "a revised prediction counts as a new one.",
        "",
        "| credence band | predictions | came true | frequency | mean credence |",
        "|---|---|---|---|---|",
    ]
    for band in result.bands:
        lines.append(
            f"| {band.label} | {band.count} | {band.came_true} | {band.frequency:.2f} | {band.mean_credence:.2f} |"
        )
    chart = calibration_chart([(b.mean_credence, b.frequency, b.count) for b in result.bands])
    lines += ["", f"![calibration chart]({chart})", ""]


def markdown_report(store: Store, selection: Optional[Selection] = None) -> str:
    """The research log as CommonMark."""
    log = _select(store.export(), selection or Selection())
    lines: list[str] = []
    _section_summary(log, lines)
    _section_brainstorms(log, lines)
    _section_hypotheses(log, lines)
    _section_surprises(log, lines)
    _section_notes(log, lines)
    _section_experiments(log, store, lines)
    _section_modes(log, lines)
    _section_calibration(log, lines)
    return "\n".join(lines).rstrip() + "\n"


def html_report(store: Store, selection: Optional[Selection] = None) -> str:
    """The Markdown report rendered to one self-contained HTML file."""
    from .html import render_html

    return render_html(markdown_report(store, selection), title="Research log")


def parse_ids(values: Optional[Iterable[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    ids = [v.strip().upper() for value in values for v in value.split(",") if v.strip()]
    return ids or None
