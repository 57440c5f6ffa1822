"""Which experiment produced each value: the record that decides what a judgement links to.

The kernel's thread creates an :class:`ExperimentHandle` for each cell it
records and notes it against every name the cell assigned; the writer fills
in the database id when it inserts the experiment. The writer runs jobs in
order, so a judgement job submitted later reads the id of any handle it holds.
"""

from __future__ import annotations

import threading
from typing import Iterable, Optional


class ExperimentHandle:
    """One recorded cell's experiment: a number in this kernel, and its database id once written."""

    __slots__ = ("number", "id", "record_ms", "_claimed")
    #: Orders the writer's claim and the kernel's note of the recording time (one lock for all handles).
    _lock = threading.Lock()

    def __init__(self, number: int):
        self.number = number
        self.id: Optional[int] = None
        self.record_ms: Optional[float] = None
        self._claimed = False

    def claim_record_ms(self) -> Optional[float]:
        """(Writer) The recording time, if the kernel has measured it yet; later times come by update."""
        with self._lock:
            self._claimed = True
            return self.record_ms

    def set_record_ms(self, record_ms: float) -> bool:
        """(Kernel) Note the recording time; True when the experiment was already written without it."""
        with self._lock:
            self.record_ms = record_ms
            return self._claimed


class Provenance:
    """For each user name, the experiment that last assigned it.

    >>> handle = provenance.new_experiment(["score"])
    >>> provenance.source_of(["score", "threshold"]) is handle
    True
    """

    def __init__(self) -> None:
        self.assigned_by: dict[str, ExperimentHandle] = {}
        self._count = 0

    def new_experiment(self, assigned: Iterable[str]) -> ExperimentHandle:
        """A handle for the cell being recorded, noted as the source of the names it ``assigned``."""
        self._count += 1
        handle = ExperimentHandle(self._count)
        for name in assigned:
            self.assigned_by[name] = handle
        return handle

    def source_of(self, names: Iterable[str]) -> Optional[ExperimentHandle]:
        """The latest experiment that assigned one of ``names``; None when no recorded cell did."""
        sources = [self.assigned_by[name] for name in names if name in self.assigned_by]
        return max(sources, key=lambda handle: handle.number) if sources else None
