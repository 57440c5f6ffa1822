"""How well stated credences matched outcomes: bands, frequencies and the Brier score.

Each prediction counts once, by its first verdict: a prediction that failed
and held on a later run still counts as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, Mapping

from logbook.models import Hypothesis, Prediction

BAND_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    count: int
    came_true: int
    mean_credence: float

    @property
    def frequency(self) -> float:
        return self.came_true / self.count if self.count else 0.0

    @property
    def label(self) -> str:
        return f"{self.low:.1f}-{min(self.high, 1.0):.1f}"


@dataclass(frozen=True)
class Calibration:
    bands: list[Band]
    brier: float | None
    judged: int


def calibrate(outcomes: list[tuple[float, bool]]) -> Calibration:
    """Group (credence, came true) pairs into credence bands; Brier = mean (p - outcome)^2."""
    bands = []
    for low, high in zip(BAND_EDGES, BAND_EDGES[1:]):
        inside = [(p, held) for p, held in outcomes if low <= p < high]
        if inside:
            bands.append(
                Band(
                    low=low,
                    high=high,
                    count=len(inside),
                    came_true=sum(held for _, held in inside),
                    mean_credence=sum(p for p, _ in inside) / len(inside),
                )
            )
    brier = sum((p - float(held)) ** 2 for p, held in outcomes) / len(outcomes) if outcomes else None
    return Calibration(bands=bands, brier=brier, judged=len(outcomes))


def first_verdicts(predictions: Iterable[Prediction]) -> list[tuple[float, bool]]:
    """(credence, came true) for each judged prediction, by its first verdict."""
    return [(p.credence, p.first_verdict == "held") for p in predictions if p.first_verdict is not None]


#: Fewer first verdicts than this in a slice, and its figure is flagged as too few to mean anything.
MIN_JUDGED = 10

#: The dimensions calibration can be sliced by.
DIMENSIONS = ("tag", "mode", "brainstorm", "model")


@dataclass(frozen=True)
class Slice:
    """Calibration of the first verdicts that share one value of a dimension (tag ``induction``, mode ``explore``)."""

    dimension: str
    key: str
    judged: int
    came_true: int
    brier: float
    mean_credence: float

    @property
    def warning(self) -> str | None:
        return too_few(self.judged)


def too_few(judged: int) -> str | None:
    """The warning for a figure from ``judged`` first verdicts, when they are too few to mean anything."""
    if judged < MIN_JUDGED:
        return f"only {judged} judged: too few to mean anything (want {MIN_JUDGED})"
    return None


def _judged(hypotheses: Iterable[Hypothesis]) -> Iterator[tuple[Hypothesis, Prediction]]:
    """(hypothesis, prediction) for each prediction with a first verdict."""
    return ((h, p) for h in hypotheses for p in h.predictions if p.first_verdict is not None)


def slice_keys(h: Hypothesis, p: Prediction, dimension: str, models: Mapping[int, str]) -> list[str]:
    """The values of ``dimension`` one judged prediction counts under (a prediction has many tags)."""
    if dimension == "tag":
        return sorted(set(p.tags) | set(h.tags)) or ["(untagged)"]
    if dimension == "mode":
        return [getattr(p.mode, "value", p.mode) or "(no mode)"]
    if dimension == "brainstorm":
        return [f"brainstorm {h.brainstorm_id}" if h.brainstorm_id is not None else "(no brainstorm)"]
    if dimension == "model":
        first = p.verdicts[0].experiment_id if p.verdicts else None
        return [models.get(first, "(no model)") if first is not None else "(no model)"]
    raise ValueError(f"calibration by {dimension!r}: choose one of {', '.join(DIMENSIONS)} or time")


def calibration_slices(
    hypotheses: Iterable[Hypothesis], dimension: str, models: Mapping[int, str] = {}
) -> list[Slice]:
    """Calibration per value of ``dimension`` (tag, mode, brainstorm, model), by first verdicts, most judged first."""
    groups: dict[str, list[tuple[float, bool]]] = {}
    for h, p in _judged(hypotheses):
        for key in slice_keys(h, p, dimension, models):
            groups.setdefault(key, []).append((p.credence, p.first_verdict == "held"))
    out = []
    for key, outcomes in groups.items():
        result = calibrate(outcomes)
        out.append(
            Slice(
                dimension=dimension,
                key=key,
                judged=result.judged,
                came_true=sum(held for _, held in outcomes),
                brier=result.brier or 0.0,
                mean_credence=sum(c for c, _ in outcomes) / len(outcomes),
            )
        )
    return sorted(out, key=lambda s: (-s.judged, s.key))


@dataclass(frozen=True)
class RollingPoint:
    """The Brier score of the last ``judged`` first verdicts (up to the window) as of the ``index``-th one."""

    at: datetime
    index: int
    judged: int
    brier: float


def rolling_brier(hypotheses: Iterable[Hypothesis], window: int = 10) -> list[RollingPoint]:
    """The Brier score over a rolling window of first verdicts, in the order they were given."""
    judged = sorted(
        (p.verdicts[0].at if p.verdicts else p.created_at, p.credence, p.first_verdict == "held")
        for _, p in _judged(hypotheses)
    )
    points = []
    for i, (at, _, _) in enumerate(judged):
        last = judged[max(0, i + 1 - window) : i + 1]
        brier = sum((c - float(held)) ** 2 for _, c, held in last) / len(last)
        points.append(RollingPoint(at=at, index=i + 1, judged=len(last), brier=brier))
    return points


def getting_better(points: list[RollingPoint], window: int = 10) -> str:
    """ "Are you getting better?" in one line: the first window's Brier against the last one's, with the counts."""
    if len(points) < 2 * window:
        return (
            f"{len(points)} judged: too few to tell whether you are getting better "
            f"(want {2 * window}, two windows of {window})"
        )
    first, last = points[window - 1].brier, points[-1].brier
    if abs(last - first) < 0.01:
        verdict = "about the same"
    else:
        verdict = "better" if last < first else "worse"
    return f"{verdict}: Brier {first:.3f} over your first {window} judged, {last:.3f} over your last {window}"


def model_name(torch: Mapping) -> str | None:
    """The name of the first model a cell ran (TransformerLens ``model_name``, else its variable or class)."""
    for model in torch.get("models") or []:
        if isinstance(model, dict):
            name = model.get("model_name") or model.get("variable") or model.get("class")
            if name:
                return str(name)
    return None


def first_verdict_experiments(hypotheses: Iterable[Hypothesis]) -> list[int]:
    """The experiments that gave the first verdicts: whose model a prediction is calibrated under."""
    return [
        p.verdicts[0].experiment_id
        for _, p in _judged(hypotheses)
        if p.verdicts and p.verdicts[0].experiment_id
    ]


def overall_markdown(hypotheses: Iterable[Hypothesis]) -> list[str]:
    """Calibration over every first verdict in one Markdown line: the count, how many came true, the Brier
    score, and a warning when the count is too small to mean anything."""
    outcomes = first_verdicts(p for h in hypotheses for p in h.predictions)
    if not outcomes:
        return ["**Overall**: no predictions have been judged yet.", ""]
    result = calibrate(outcomes)
    came_true = sum(held for _, held in outcomes)
    warning = f"; {too_few(result.judged)}" if too_few(result.judged) else ""
    return [
        f"**Overall**: {result.judged} judged, {came_true} came true, Brier {result.brier or 0.0:.3f} "
        f"(0 is perfect, 0.25 is always saying 0.5){warning}.",
        "",
    ]


def slices_markdown(
    hypotheses: list,
    models: Mapping[int, str],
    dimensions: Iterable[str] = (*DIMENSIONS, "time"),
    window: int = 10,
) -> list[str]:
    """Calibration by each of ``dimensions`` (and ``time``: the rolling Brier), as Markdown lines with counts and warnings."""
    lines: list[str] = []
    for dimension in dimensions:
        if dimension == "time":
            points = rolling_brier(hypotheses, window)
            lines += [
                f"**Over time** (Brier over the last {window} judged, rolling): {getting_better(points, window)}.",
                "",
            ]
            if points:
                lines += ["| judged | as of | Brier (last n) | n |", "|---|---|---|---|"]
                step = max(1, len(points) // 10)
                for point in [*points[step - 1 :: step][:-1], points[-1]]:
                    lines.append(
                        f"| {point.index} | {point.at:%Y-%m-%d %H:%M} | {point.brier:.3f} | {point.judged} |"
                    )
                lines.append("")
            continue
        rows = calibration_slices(hypotheses, dimension, models)
        lines += [f"**By {dimension}**", ""]
        if not rows:
            lines += ["No predictions have been judged yet.", ""]
            continue
        lines += [
            f"| {dimension} | judged | came true | mean credence | Brier | note |",
            "|---|---|---|---|---|---|",
        ]
        for s in rows:
            lines.append(
                f"| {s.key} | {s.judged} | {s.came_true} | {s.mean_credence:.2f} | {s.brier:.3f} | {s.warning or ''} |"
            )
        lines.append("")
    return lines
