"""What the writer thread writes for each cell: its experiment first, then its judgements.

A cell's experiment is submitted before any prediction is evaluated, so an
interrupted or failing judgement never loses the cell; its judgements follow
as a separate job that links each one to the experiment that produced its
values (whose id the writer filled in when it ran the earlier job).
"""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any, Optional

from kernel_hooks.drift import CellHistory, Drift
from kernel_hooks.judging import Judged
from kernel_hooks.outputs import encode_output
from kernel_hooks.provenance import ExperimentHandle
from logbook.store.cell_record import CellRecord
from logbook.store.core import Store
from logbook.text import to_json

#: Characters of a cell's text outputs kept for full-text search.
SEARCH_TEXT_CAP = 64 * 1024


class ExperimentJob:
    """Writes one cell's experiment and its outputs, and tells the handle its id.

    Jobs of this kind that follow one another in a batch are written
    together (:meth:`run_together`): their rows go in as one statement. A
    job may carry the fold of its cell's history (:class:`FoldJob`), done
    once the experiment is written.
    """

    def __init__(
        self,
        row: CellRecord,
        outputs: list[dict[str, Any]],
        names: dict[str, Any],
        torch_activity: dict[str, Any],
        handle: ExperimentHandle,
        started_at: Optional[datetime] = None,
    ):
        self.row, self.outputs, self.names = row, outputs, names
        self.torch_activity, self.handle = torch_activity, handle
        #: When the cell started, written out here rather than in the kernel's time (``row`` may give it as text).
        self.started_at = started_at
        self.fold: Optional[FoldJob] = None

    def __call__(self, store: Store) -> None:
        self.run_together(store, [self])

    @staticmethod
    def run_together(store: Store, jobs: list["ExperimentJob"]) -> None:
        """Write the experiments of ``jobs`` in order, in one go, then fold their cells' histories."""
        ids = store.experiments.insert_experiments([job.record() for job in jobs])
        for job, experiment_id in zip(jobs, ids):
            job.handle.id = experiment_id
        for job in jobs:
            if job.fold is not None:
                try:
                    job.fold(store)
                except Exception as error:  # noqa: BLE001 - the cell is written; its drift baseline lags
                    store.record_error("FoldJob", f"{type(error).__name__}: {error}", traceback.format_exc())

    def record(self) -> tuple[CellRecord, list[dict[str, Any]]]:
        """The row and encoded outputs this job writes (the row completed with what the writer adds)."""
        outputs = (
            [encoded for output in self.outputs for encoded in encode_output(output)] if self.outputs else []
        )
        search_text = (
            "\n".join(
                o["data"].decode("utf-8", "replace")
                for o in outputs
                if o["mime"] == "text/plain" and o["data"] is not None
            )[:SEARCH_TEXT_CAP]
            if outputs
            else ""
        )
        row: CellRecord = {
            **self.row,
            "names": to_json(self.names),
            "torch": to_json(self.torch_activity) if self.torch_activity else None,
            "output_text": search_text,
            "record_ms": self.handle.claim_record_ms(),
        }
        if self.started_at is not None:
            row["started_at"] = self.started_at.isoformat()
        return row, outputs


class JudgementsJob:
    """Writes the judgements that followed a cell, and how long recording it took."""

    def __init__(
        self,
        judged: list[Judged],
        handle: Optional[ExperimentHandle] = None,
        record_ms: Optional[float] = None,
        interrupted: Optional[tuple[str, str]] = None,
    ):
        self.judged, self.handle, self.record_ms, self.interrupted = judged, handle, record_ms, interrupted

    def __call__(self, store: Store) -> None:
        for item in self.judged:
            if item.error is not None:
                store.predictions.set_prediction_error(item.prediction.id, item.error)
                continue
            store.judgements.add_judgement(
                held=bool(item.held),
                prediction=item.prediction,
                observed=item.observed,
                surprisal_bits=item.bits or 0.0,
                experiment_id=item.source.id if item.source is not None else None,
                steps=item.steps,
            )
            store.proposals.propose_after_verdict(item.prediction.id)
        if self.record_ms is not None and self.handle is not None and self.handle.id is not None:
            store.experiments.set_record_ms(self.handle.id, self.record_ms)
        if self.interrupted is not None:
            store.record_error("judging", *self.interrupted)


def _experiment_id(ref: Any) -> Optional[int]:
    return ref.id if isinstance(ref, ExperimentHandle) else ref


def drift_record(drift: Drift, cell_key: str) -> dict:
    """A drift as its surprise keeps it (:class:`logbook.models.DriftDetails`), earlier runs by experiment id."""
    return {
        "name": drift.name,
        "part": drift.part,
        "change": drift.change,
        "value": drift.value,
        "earlier": [{"experiment_id": _experiment_id(ref), "value": value} for ref, value in drift.earlier],
        "hypotheses": drift.hypotheses,
        "cell_key": cell_key,
        "bits": drift.bits,
        "label": drift.label,
    }


class FoldJob:
    """Folds a cell's run into the kernel's cell history (no writing): this thread's time, not the kernel's."""

    def __init__(self, history: CellHistory, cell_key: str, source_key: str):
        self.history, self.cell_key, self.source_key = history, cell_key, source_key

    def __call__(self, store: Store) -> None:
        self.history.fold(self.cell_key, self.source_key)


class DriftJob:
    """Writes what moved in one run of a cell as one drift surprise of its experiment."""

    def __init__(self, drifts: list[Drift], handle: ExperimentHandle, cell_key: str):
        self.drifts, self.handle, self.cell_key = drifts, handle, cell_key

    def __call__(self, store: Store) -> None:
        moves = [drift_record(drift, self.cell_key) for drift in self.drifts]
        bits = max((d.bits for d in self.drifts if d.bits is not None), default=None)
        store.history.add_drift(self.handle.id, {**moves[0], "moves": moves}, bits)


def too_slow_job(prediction_id: str, budget_s: float) -> Any:
    """A job marking a prediction too slow to evaluate."""

    def mark(store: Store) -> None:
        store.predictions.set_prediction_too_slow(prediction_id, budget_s)

    return mark
