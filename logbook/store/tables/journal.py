"""Notes and research modes."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import (
    Mode,
    Note,
    ResearchMode,
    utcnow,
)
from logbook.rules.balance import time_in_modes
from logbook.store.tables.base import from_row, new_id, now, one
from logbook.store.tables.events import Events
from logbook.store.tables.experiments import Experiments
from logbook.store.tables.hypotheses import Hypotheses
from logbook.store.tables.part import Part
from logbook.text import clean_text


class Journal(Part):
    """The ``notes`` and ``modes`` tables: what the researcher wrote down, and the research mode they were in.

    A note may be on a hypothesis (read through ``hypotheses``) or an experiment (``experiments``).
    """

    def __init__(
        self, db: Database, events: Events, hypotheses: Hypotheses, experiments: Experiments
    ) -> None:
        super().__init__(db, events)
        self.hypotheses = hypotheses
        self.experiments = experiments

    def add_note(self, text: str, experiment_id: int | None = None, hypothesis_id: str | None = None) -> Note:
        """Write a note, on a hypothesis and/or an experiment when given."""
        text = clean_text(text).strip()
        if not text:
            raise LogbookError("the note is empty")
        if hypothesis_id is not None:
            hypothesis_id = self.hypotheses.hypothesis(hypothesis_id).id
        if experiment_id is not None:
            one(self.db, "experiments", experiment_id, "experiment")
        with self.transaction():
            at = now()
            nid = new_id(
                self.db.table("notes")
                .insert(
                    {
                        "text": text,
                        "experiment_id": experiment_id,
                        "hypothesis_id": hypothesis_id,
                        "created_at": at,
                    }
                )
                .last_pk
            )
            self.events.append_event(
                "note.written",
                f"N{nid}",
                {"text": text, "experiment_id": experiment_id, "hypothesis_id": hypothesis_id},
                at=at,
            )
        return from_row(Note, self.db.table("notes").get(nid))

    def note_saying(self, text: str, hypothesis_id: str | None = None) -> Note | None:
        """The first note with exactly this text about ``hypothesis_id`` (None: about none), or None."""
        row = self.db.execute(
            "SELECT id FROM notes WHERE text = ? AND hypothesis_id IS ? ORDER BY id LIMIT 1",
            [
                clean_text(text).strip(),
                self.hypotheses.hypothesis(hypothesis_id).id if hypothesis_id else None,
            ],
        ).fetchone()
        return from_row(Note, self.db.table("notes").get(row[0])) if row else None

    def notes(self, experiment_id: int | None = None) -> list[Note]:
        """Every note, oldest first; only those on experiment ``experiment_id`` when given."""
        if experiment_id is None:
            return [from_row(Note, row) for row in self.db.query("SELECT * FROM notes ORDER BY id")]
        query = "SELECT * FROM notes WHERE experiment_id = ? ORDER BY id"
        return [from_row(Note, row) for row in self.db.query(query, [int(experiment_id)])]

    def set_mode(self, mode: ResearchMode | str, started_at: datetime | None = None) -> Mode:
        """Switch research mode, from now or from ``started_at`` (the start of the cell that switched).

        >>> store.set_mode("red-team")
        """
        try:
            mode = ResearchMode(mode)
        except ValueError:
            choices = ", ".join(m.value for m in ResearchMode)
            raise LogbookError(f"unknown mode {mode!r}; choose one of {choices}") from None
        with self.transaction():
            at = now()
            start = started_at.isoformat() if started_at is not None else at
            # A switch never starts before the one it follows, so the modes stay in order.
            last = self.db.execute("SELECT max(started_at) FROM modes").fetchone()[0]
            start = max(start, last) if last else start
            mid = new_id(self.db.table("modes").insert({"mode": mode.value, "started_at": start}).last_pk)
            payload = (
                {"mode": mode.value} if started_at is None else {"mode": mode.value, "started_at": start}
            )
            self.events.append_event("mode.switched", f"M{mid}", payload, at=at)
        return Mode(id=mid, mode=mode, started_at=self.db.table("modes").get(mid)["started_at"])

    def current_mode(self) -> ResearchMode | None:
        """The research mode switched to last, or None before the first switch."""
        row = self.db.execute("SELECT mode FROM modes ORDER BY id DESC LIMIT 1").fetchone()
        return ResearchMode(row[0]) if row else None

    def modes(self) -> list[Mode]:
        """Every switch of research mode, oldest first."""
        return [from_row(Mode, row) for row in self.db.query("SELECT * FROM modes ORDER BY id")]

    def mode_balance(self) -> list[dict]:
        """Experiments, run time and time spent in each research mode."""
        balance = {
            row["mode"] or "none": {
                "mode": row["mode"] or "none",
                "experiments": row["n"],
                "run_seconds": row["run"] / 1000,
            }
            for row in self.db.query(
                "SELECT mode, count(*) AS n, coalesce(sum(duration_ms), 0) AS run FROM experiments GROUP BY mode"
            )
        }
        for mode, seconds in time_in_modes(self.modes(), utcnow()).items():
            entry = balance.setdefault(mode, {"mode": mode, "experiments": 0, "run_seconds": 0.0})
            entry["mode_seconds"] = seconds
        return list(balance.values())
