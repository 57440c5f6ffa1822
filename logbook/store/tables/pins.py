"""Pins: figures the researcher chose for the report, each an output of an experiment with a caption."""

from __future__ import annotations

from sqlite_utils import Database

from logbook.errors import LogbookError, NotFound
from logbook.models import Experiment, Pin
from logbook.rules.figures import Figure, figure_at
from logbook.store.tables.base import from_row, now
from logbook.store.tables.events import Events
from logbook.store.tables.experiments import Experiments
from logbook.store.tables.part import Part
from logbook.text import clean_text

#: How many recent experiments ``pin`` looks back through for a figure.
PIN_LOOKBACK = 20


class Pins(Part):
    """The ``pins`` table: figures chosen for the report, read from ``experiments``; calling it lists them."""

    def __init__(self, db: Database, events: Events, experiments: Experiments) -> None:
        super().__init__(db, events)
        self.experiments = experiments

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
                experiment = self.experiments.experiment(int(experiment_id))
                found = figure_at(experiment, None if position is None else int(position), self.experiments)
                if found is None:
                    where = "" if position is None else f" at output {position}"
                    raise LogbookError(f"experiment {experiment.id} has no figure{where} to pin")
                figure = found
            at = now()
            self.db.execute(
                "INSERT INTO pins (experiment_id, position, caption, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (experiment_id, position) DO UPDATE SET caption = excluded.caption",
                [experiment.id, figure.position, caption, at],
            )
            self.events.append_event(
                "figure.pinned", f"E{experiment.id}", {"position": figure.position, "caption": caption}, at=at
            )
            row = next(
                self.db.query(
                    "SELECT * FROM pins WHERE experiment_id = ? AND position = ?",
                    [experiment.id, figure.position],
                )
            )
        return from_row(Pin, row)

    def unpin(self, experiment_id: int, position: int) -> None:
        """Take a figure off the report; :class:`NotFound` if it is not pinned."""
        with self.transaction():
            experiment = self.experiments.experiment(int(experiment_id))
            figure = figure_at(experiment, int(position), self.experiments)
            where = figure.position if figure is not None else int(position)
            cursor = self.db.execute(
                "DELETE FROM pins WHERE experiment_id = ? AND position = ?", [experiment.id, where]
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no figure pinned at output {position} of experiment {experiment.id}")
            self.events.append_event("figure.unpinned", f"E{experiment.id}", {"position": where})

    def __call__(self, experiment_id: int | None = None) -> list[Pin]:
        """The pinned figures, oldest first (of one experiment when given)."""
        sql, params = "SELECT * FROM pins ORDER BY id", list[int]()
        if experiment_id is not None:
            sql, params = "SELECT * FROM pins WHERE experiment_id = ? ORDER BY id", [int(experiment_id)]
        return [from_row(Pin, row) for row in self.db.query(sql, params)]

    def _last_figure(self) -> tuple[Experiment, Figure]:
        rows = self.db.execute(
            "SELECT DISTINCT experiment_id FROM outputs WHERE mime != 'text/plain'"
            " ORDER BY experiment_id DESC LIMIT ?",
            [PIN_LOOKBACK],
        ).fetchall()
        for (experiment_id,) in rows:
            experiment = self.experiments.experiment(experiment_id)
            figure = figure_at(experiment, None, self.experiments)
            if figure is not None:
                return experiment, figure
        raise LogbookError("no figure to pin: display a plot or an HTML view first")
