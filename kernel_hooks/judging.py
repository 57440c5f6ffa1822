"""Judging the predictions due after a cell: each under the time budget, linked to its values' source.

A prediction is due when a cell assigned one of its names, or when it has
never been evaluated. It is judged on the values in the namespace, and the
judgement links to the experiment that last assigned one of its names
(:mod:`kernel_hooks.provenance`), not to whichever cell happened to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from logbook.models import Prediction, PredictionState
from logbook.predictions import judge, surprisal_bits

from .provenance import ExperimentHandle, Provenance
from .summaries import summarize
from .watchdog import PredictionTooSlow, Watchdog


@dataclass
class TrackedPrediction:
    """A prediction the kernel watches, with what it remembers between cells."""

    prediction: Prediction
    statement: str
    evaluated: bool = False
    error_reported: bool = False
    #: The expression this kernel stopped for running past the budget (judged again once edited).
    stopped: Optional[str] = None
    #: Failed runs in a row, as far as this kernel knows: above 0, a failure is the same surprise again.
    failing: int = 0

    @property
    def too_slow(self) -> bool:
        return self.prediction.state is PredictionState.too_slow or self.stopped == self.prediction.expression


@dataclass
class Judged:
    """The outcome of one prediction, waiting to be written."""

    prediction: Prediction
    statement: str
    held: Optional[bool]
    observed: dict[str, Any] = field(default_factory=dict)
    bits: Optional[float] = None
    error: Optional[str] = None
    #: The experiment that produced the values it was judged on.
    source: Optional[ExperimentHandle] = None
    #: The values that decided it: each part of the expression and its value.
    steps: list[dict[str, str]] = field(default_factory=list)
    #: Failed runs in a row, this one included (1: a new surprise; more: it failed again).
    runs: int = 1


@dataclass
class Outcome:
    """What judging a set of predictions gave; ``interrupted`` is the one a Ctrl-C stopped."""

    judged: list[Judged] = field(default_factory=list)
    interrupted: Optional[TrackedPrediction] = None


def due(predictions: Iterable[TrackedPrediction], assigned: set[str]) -> list[TrackedPrediction]:
    """The predictions to judge after a cell that assigned ``assigned``."""
    return [
        tracked
        for tracked in predictions
        if (not tracked.evaluated or assigned.intersection(tracked.prediction.names)) and not tracked.too_slow
    ]


def judge_all(
    predictions: list[TrackedPrediction],
    namespace: dict[str, Any],
    watchdog: Watchdog,
    provenance: Provenance,
    summaries: Optional[dict[str, Any]] = None,
) -> Outcome:
    """Judge ``predictions`` in order; a KeyboardInterrupt ends the judging and is reported, not raised.

    ``summaries`` are those the cell's record already took of the names it assigned: reused, not taken again.
    """
    outcome = Outcome()
    for tracked in predictions:
        try:
            judged = _judge_one(tracked, namespace, watchdog, provenance, summaries or {})
        except PredictionTooSlow:
            tracked.evaluated = True
            tracked.stopped = tracked.prediction.expression
            continue
        except KeyboardInterrupt:
            tracked.evaluated = True
            outcome.interrupted = tracked
            return outcome
        if judged is not None:
            outcome.judged.append(judged)
    return outcome


def _judge_one(
    tracked: TrackedPrediction,
    namespace: dict[str, Any],
    watchdog: Watchdog,
    provenance: Provenance,
    summaries: dict[str, Any],
) -> Optional[Judged]:
    prediction = tracked.prediction
    if any(name not in namespace for name in prediction.names):
        return None
    verdict = watchdog.run(tracked, lambda: judge(prediction.expression, prediction.names, namespace))
    if verdict.missing:
        return None
    tracked.evaluated = True
    if verdict.error is not None:
        if tracked.error_reported:
            return None
        tracked.error_reported = True
        return Judged(prediction, tracked.statement, None, error=verdict.error)
    tracked.error_reported = False
    observed = {name: summaries.get(name) or summarize(namespace[name]) for name in prediction.names}
    bits = surprisal_bits(prediction.credence, bool(verdict.held))
    source = provenance.source_of(prediction.names)
    tracked.failing = 0 if verdict.held else tracked.failing + 1
    steps = [step.as_dict() for step in verdict.steps]
    return Judged(
        prediction,
        tracked.statement,
        verdict.held,
        observed,
        bits,
        source=source,
        steps=steps,
        runs=tracked.failing,
    )
