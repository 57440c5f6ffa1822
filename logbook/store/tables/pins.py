"""Pins: figures the researcher chose for the report, each an output of an experiment with a caption."""

from __future__ import annotations

from logbook.errors import LogbookError, NotFound
from logbook.models import Pin
from logbook.rules.figures import figure_at
from logbook.store.tables.base import Queries, now
from logbook.text import clean_text

#: How many recent experiments ``pin`` looks back through for a figure.
PIN_LOOKBACK = 20


class PinQueries(Queries):
    def pin(self, experiment_id: int | None = None, position: int | None = None, caption: str = "") -> Pin:
        """Pin a figure: output ``position`` of ``experiment_id`` (default: the last figure recorded).

        A position inside a figure (its HTML or its image) pins the whole
        figure; pinning it again changes the caption.
        """
        caption = clean_text(caption).strip()
        with self.transaction():
            if experiment_id is None:
                experiment, figure = self._last_figure()
            else:
                experiment = self.experiment(int(experiment_id))
                figure = figure_at(experiment, None if position is None else int(position), self)
                if figure is None:
                    where = "" if position is None else f" at output {position}"
                    raise LogbookError(f"experiment {experiment.id} has no figure{where} to pin")
            at = now()
            self.db.execute(
                "INSERT INTO pins (experiment_id, position, caption, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (experiment_id, position) DO UPDATE SET caption = excluded.caption",
                [experiment.id, figure.position, caption, at],
            )
            self.append_event(
                "figure.pinned", f"E{experiment.id}", {"position": figure.position, "caption": caption}, at=at
            )
            row = self.db.execute(
                "SELECT * FROM pins WHERE experiment_id = ? AND position = ?",
                [experiment.id, figure.position],
            ).fetchone()
        return self._pin_from_row(row)

    def unpin(self, experiment_id: int, position: int) -> None:
        """Take a figure off the report; :class:`NotFound` if it is not pinned."""
        with self.transaction():
            experiment = self.experiment(int(experiment_id))
            figure = figure_at(experiment, int(position), self)
            where = figure.position if figure is not None else int(position)
            cursor = self.db.execute(
                "DELETE FROM pins WHERE experiment_id = ? AND position = ?", [experiment.id, where]
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no figure pinned at output {position} of experiment {experiment.id}")
            self.append_event("figure.unpinned", f"E{experiment.id}", {"position": where})

    def pins(self, experiment_id: int | None = None) -> list[Pin]:
        """The pinned figures, oldest first (of one experiment when given)."""
        sql, params = "SELECT * FROM pins ORDER BY id", []
        if experiment_id is not None:
            sql, params = "SELECT * FROM pins WHERE experiment_id = ? ORDER BY id", [int(experiment_id)]
        return [self._pin_from_row(row) for row in self.db.execute(sql, params).fetchall()]

    def _last_figure(self):
        rows = self.db.execute(
            "SELECT DISTINCT experiment_id FROM outputs WHERE mime != 'text/plain'"
            " ORDER BY experiment_id DESC LIMIT ?",
            [PIN_LOOKBACK],
        ).fetchall()
        for (experiment_id,) in rows:
            experiment = self.experiment(experiment_id)
            figure = figure_at(experiment, None, self)
            if figure is not None:
                return experiment, figure
        raise LogbookError("no figure to pin: display a plot or an HTML view first")

    @staticmethod
    def _pin_from_row(row) -> Pin:
        pin_id, experiment_id, position, caption, created_at = row
        return Pin(
            id=pin_id,
            experiment_id=experiment_id,
            position=position,
            caption=caption or "",
            created_at=created_at,
        )
