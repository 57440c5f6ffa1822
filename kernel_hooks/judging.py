"""Judging the predictions due after a cell: each under the time budget, linked to its values' source.

A prediction is due when a cell assigned one of its names, or when it has
never been evaluated. It is judged on the values in the namespace, and the
judgement links to the experiment that last assigned one of its names
(:mod:`kernel_hooks.provenance`), not to whichever cell happened to run.

Judging is crash-only: before each prediction is evaluated, the cells
finished so far and a ``judging`` row naming the prediction and this kernel
are committed (:class:`Ahead`); the row goes when judging ends. A prediction
that reads only plain numbers, strings and booleans cannot hang and skips
this (:func:`only_plain`). A kernel
that dies or is restarted mid-judgement (in C code the budget cannot stop)
leaves the row, and the next kernel to load the logbook marks that
prediction too slow instead of running it (:func:`stop_stale`).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from kernel_hooks.provenance import ExperimentHandle, Provenance
from kernel_hooks.summaries import summarize
from kernel_hooks.watchdog import PredictionTooSlow, Watchdog
from logbook.models import Prediction, PredictionState
from logbook.rules.predictions import judge, surprisal_bits
from logbook.store.core import Store


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


#: Seconds past its budget after which a judgement in progress is stale whether or not its kernel lives.
STALE_AFTER_S = 30.0
#: Seconds a flush before a judgement waits for the writer (a busy or stalled disk does not hold judging).
AHEAD_TIMEOUT_S = 5.0


class Ahead:
    """Writes each judgement ahead: the cells before it and a row naming it, on disk before it runs.

    >>> ahead = Ahead(writer, session="3f2a…", budget=1.0)
    >>> ahead.before(tracked)   # commits the queued cells and the judging row, then returns
    >>> ahead.done()            # after the verdicts are queued: written with them, without waiting for the cell
    """

    def __init__(self, writer: Any, session: str, budget: float):
        self.writer, self.session, self.budget = writer, session, budget
        self.pid, self.host = os.getpid(), socket.gethostname()
        self._marked = False

    def before(self, tracked: TrackedPrediction) -> None:
        if self.writer.failed or self.writer.stalled:
            return  # nothing can be written ahead; judging goes on as before
        prediction_id, session, pid, host, budget = (
            tracked.prediction.id,
            self.session,
            self.pid,
            self.host,
            self.budget,
        )

        def mark(store: Store) -> None:
            store.judging_ahead(prediction_id, session, pid, host, budget)

        self.writer.submit(mark)
        self._marked = True
        self.writer.flush(AHEAD_TIMEOUT_S)

    def done(self) -> None:
        if not self._marked:
            return
        self._marked = False
        session = self.session

        def clear(store: Store) -> None:
            store.judging_done(session)

        self.writer.submit(clear, urgent=True)


#: Values a prediction cannot get stuck on: its bounds cover all it can do with them (no code of yours runs).
PLAIN_TYPES = frozenset({int, float, bool, str, type(None)})


def only_plain(names: Iterable[str], namespace: dict[str, Any]) -> bool:
    """Whether every name a prediction reads holds a value judging cannot get stuck on.

    Plain numbers, strings, booleans and None; torch tensors and numpy arrays
    and scalars, whose every operation a prediction may run is bounded before
    it runs (:mod:`logbook.rules.prediction_bounds`) and so ends; and lists, tuples,
    sets and dicts of those. Judging such a prediction runs no code of yours,
    so it cannot hang and is not written ahead: only a prediction that reads
    something else (your own objects, a check you marked) pays for the write.
    """
    return all(_cannot_hang(namespace.get(name)) for name in names)


#: Elements of a container looked at to decide it holds only values judging cannot get stuck on.
CONTAINER_LOOK = 64


def _cannot_hang(value: Any, depth: int = 0) -> bool:
    kind = type(value)
    if kind in PLAIN_TYPES:
        return True
    module = kind.__module__ or ""
    if module.startswith("torch") and kind.__name__ in ("Tensor", "Parameter"):
        return True
    if module.startswith("numpy") and (kind.__name__ == "ndarray" or hasattr(value, "dtype")):
        return getattr(getattr(value, "dtype", None), "kind", "O") != "O"
    if kind in (list, tuple, set, frozenset) and depth == 0 and len(value) <= CONTAINER_LOOK:
        return all(_cannot_hang(item, 1) for item in value)
    if kind is dict and depth == 0 and len(value) <= CONTAINER_LOOK:
        return all(type(k) in PLAIN_TYPES and _cannot_hang(v, 1) for k, v in value.items())
    return False


def _alive(pid: int) -> bool:
    """Whether process ``pid`` on this machine still runs (a zombie does not)."""
    if os.name == "nt":
        return True  # no safe probe: time alone decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def stale(row: dict, host: str, now: datetime, alive: Callable[[int], bool] = _alive) -> bool:
    """Whether a judging row is left by a kernel that stopped: its process is gone, or it is far past its budget."""
    try:
        started = datetime.fromisoformat(row["started_at"])
    except (TypeError, ValueError):
        return True
    if (now - started).total_seconds() > float(row["budget_s"]) + STALE_AFTER_S:
        return True
    return row["host"] == host and row["pid"] is not None and not alive(int(row["pid"]))


def stop_stale(store: Store, host: Optional[str] = None, now: Optional[datetime] = None) -> list[str]:
    """Mark too slow each prediction whose judgement a stopped kernel left; one line for the user each.

    A prediction so marked is not judged again by any kernel until its expression is edited.
    """
    host = host or socket.gethostname()
    now = now or datetime.now(timezone.utc)
    left = [row for row in store.judging() if stale(row, host, now)]
    if not left:
        return []
    lines = []
    with store.transaction():
        for row in left:
            if not store.judging_stopped(row):
                continue
            prediction = store.prediction(row["prediction_id"])
            lines.append(
                f"prediction {prediction.id} ({prediction.expression}) was being judged when its kernel "
                f"stopped (started {row['started_at'][:19].replace('T', ' ')} UTC, process {row['pid']}); "
                "it is marked too slow and no kernel judges it again until you edit it"
            )
    return lines


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
    ahead: Optional[Ahead] = None,
) -> Outcome:
    """Judge ``predictions`` in order; a KeyboardInterrupt ends the judging and is reported, not raised.

    ``summaries`` are those the cell's record already took of the names it assigned: reused, not taken again.
    ``ahead`` writes each judgement ahead of running it; the caller ends it
    (``ahead.done()``) once it has handed the judgements to the writer, so
    the verdicts and the end of judging are written together.
    """
    outcome = Outcome()
    for tracked in predictions:
        try:
            judged = _judge_one(tracked, namespace, watchdog, provenance, summaries or {}, ahead)
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
    ahead: Optional[Ahead] = None,
) -> Optional[Judged]:
    prediction = tracked.prediction
    if any(name not in namespace for name in prediction.names):
        return None
    if ahead is not None and not only_plain(prediction.names, namespace):
        ahead.before(tracked)
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
