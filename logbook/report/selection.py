"""Which part of the logbook a report or export covers: a time range and some hypotheses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Union

from logbook.dates import Moment, time_range
from logbook.errors import NotFound
from logbook.models import LogbookExport


@dataclass
class Selection:
    """Which part of the logbook a report covers: a date range and/or some hypotheses."""

    since: Optional[datetime] = None
    until: Optional[datetime] = None
    hypothesis_ids: Optional[list[str]] = None
    #: Brainstorms that produced no hypothesis are left out unless this is set.
    empty_brainstorms: bool = False
    #: Show every figure of the period, not only those of judged, surprising and pinned experiments.
    every_figure: bool = False

    @classmethod
    def of(
        cls,
        since: Moment = None,
        until: Moment = None,
        hypotheses: Union[str, Iterable[str], None] = None,
        empty_brainstorms: bool = False,
        every_figure: bool = False,
    ) -> Optional["Selection"]:
        """The selection the Python API, the command line and the REST API ask for in words, or ``None``
        for the whole logbook. ``hypotheses`` are ids, each possibly a comma-separated list: ``["h1,H2"]``."""
        ids = parse_ids(hypotheses)
        if since is None and until is None and ids is None and not empty_brainstorms and not every_figure:
            return None
        start, end = time_range(since, until)
        return cls(start, end, ids, empty_brainstorms, every_figure)

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


def parse_ids(values: Union[str, Iterable[str], None]) -> Optional[list[str]]:
    """Hypothesis ids as typed (``"h1, H2"``, or several such), upper case; ``None`` when there are none."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    ids = [v.strip().upper() for value in values for v in value.split(",") if v.strip()]
    return ids or None
