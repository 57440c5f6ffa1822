"""Timed brainstorms."""

from __future__ import annotations

from logbook.durations import paused_seconds
from logbook.errors import LogbookError
from logbook.models import Brainstorm, utcnow
from logbook.store.tables.base import from_row, new_id, now, one
from logbook.store.tables.part import Part


class Brainstorms(Part):
    """The ``brainstorms`` table: timed sessions of writing hypotheses; calling it lists them."""

    def start_brainstorm(self, planned_seconds: int = 300, target: int = 4) -> Brainstorm:
        """Start a brainstorm; one runs at a time, so another still running is refused."""
        with self.transaction():
            running = self.db.execute(
                "SELECT id FROM brainstorms WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if running is not None:
                raise LogbookError(f"brainstorm {running[0]} is still running: finish it first")
            bid = (
                self.db.table("brainstorms")
                .insert(
                    {
                        "started_at": now(),
                        "planned_seconds": planned_seconds,
                        "target": target,
                        "paused_seconds": 0.0,
                    }
                )
                .last_pk
            )
        return self.brainstorm(new_id(bid))

    def finish_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """End a brainstorm now (a finished one is left as it was); time paused is not counted."""
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            return current
        with self.transaction():
            now = utcnow()
            paused = paused_seconds(current, now)
            self.db.table("brainstorms").update(
                brainstorm_id, {"finished_at": now.isoformat(), "paused_at": None, "paused_seconds": paused}
            )
        return self.brainstorm(brainstorm_id)

    def discard_brainstorm(self, brainstorm_id: int) -> None:
        """Remove a finished brainstorm that wrote nothing (a notebook's brainstorm cell run again).

        Refused for one still running, or one that any hypothesis or competing set names.
        """
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is None:
            raise LogbookError(f"brainstorm {brainstorm_id} is still running: finish it first")
        with self.transaction():
            named = self.db.execute(
                "SELECT EXISTS (SELECT 1 FROM hypotheses WHERE brainstorm_id = :id)"
                " OR EXISTS (SELECT 1 FROM competing_sets WHERE brainstorm_id = :id)",
                {"id": brainstorm_id},
            ).fetchone()[0]
            if named:
                raise LogbookError(f"brainstorm {brainstorm_id} wrote hypotheses or a set: it is kept")
            self.db.execute("DELETE FROM brainstorms WHERE id = ?", [brainstorm_id])

    def pause_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """Pause a running brainstorm's clock (already paused: left as it is)."""
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            raise LogbookError(f"brainstorm {brainstorm_id} is already finished")
        if current.paused_at is None:
            with self.transaction():
                self.db.table("brainstorms").update(brainstorm_id, {"paused_at": now()})
        return self.brainstorm(brainstorm_id)

    def resume_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """Start a paused brainstorm's clock again, adding the pause to its paused time."""
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            raise LogbookError(f"brainstorm {brainstorm_id} is already finished")
        if current.paused_at is not None:
            paused = paused_seconds(current, utcnow())
            with self.transaction():
                self.db.table("brainstorms").update(
                    brainstorm_id, {"paused_at": None, "paused_seconds": paused}
                )
        return self.brainstorm(brainstorm_id)

    def current_brainstorm(self) -> Brainstorm | None:
        """The brainstorm still running, or None."""
        row = self.db.execute(
            "SELECT id FROM brainstorms WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self.brainstorm(row[0]) if row else None

    def brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """The brainstorm with this id, with the hypotheses it wrote."""
        return self._brainstorm_from_row(one(self.db, "brainstorms", brainstorm_id, "brainstorm"))

    def __call__(self) -> list[Brainstorm]:
        """Every brainstorm, oldest first."""
        return [self._brainstorm_from_row(r) for r in self.db.query("SELECT * FROM brainstorms ORDER BY id")]

    def _brainstorm_from_row(self, row: dict) -> Brainstorm:
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM hypotheses WHERE brainstorm_id = ? ORDER BY seq", [row["id"]]
            )
        ]
        return from_row(Brainstorm, row, hypothesis_ids=ids)
