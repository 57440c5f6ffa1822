"""The shape of one executed cell's record, defined once.

The kernel builds it (:mod:`kernel_hooks.recorder`, its error part in
:func:`kernel_hooks.cells.error_fields`), the writer's job completes it
(:class:`kernel_hooks.jobs.ExperimentJob`), the ``experiments`` table takes
its keys as columns (:data:`EXPERIMENT_COLUMNS`), and the store reads a row
of that table back as an :class:`~logbook.models.Experiment`
(:func:`logbook.store.tables.experiments.experiment_from_row`).
"""

from __future__ import annotations

from typing import Optional, TypedDict

from typing_extensions import Required


class ErrorFields(TypedDict, total=False):
    """How a cell ended: ``ok`` (1 or 0) and, for a cell that failed, its error."""

    ok: Required[int]
    error_name: str
    error_value: str
    traceback: str


class CellRecord(ErrorFields, total=False):
    """One executed cell as the ``experiments`` table keeps it (``names`` and ``torch`` as JSON text)."""

    session: str
    author: Optional[str]
    notebook: Optional[str]
    cell_id: Optional[str]
    cell_key: Optional[str]
    source_key: Optional[str]
    execution_count: Optional[int]
    source: str
    started_at: str
    duration_ms: float
    record_ms: Optional[float]
    stdout: str
    stderr: str
    output_text: str
    names: str
    torch: Optional[str]
    mode: Optional[str]


class StoredCell(CellRecord, total=False):
    """A cell record as read back from its row, with the id the table gave it."""

    id: Required[int]


#: The columns of the ``experiments`` table a cell record fills.
EXPERIMENT_COLUMNS: tuple[str, ...] = tuple(CellRecord.__annotations__)
