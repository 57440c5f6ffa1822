"""What the server's routes read from the logbook beyond a record: coverage, calibration, surprise lookups.

Plain functions of a :class:`Store`, so the server holds no SQL and a Python caller gets the same answers.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Mapping, Optional

from logbook.errors import LogbookError
from logbook.models import Surprise
from logbook.replies import (
    Calibration,
    CalibrationOverTime,
    CalibrationSlice,
    CalibrationSlices,
    RollingPoint,
)
from logbook.rules.calibration import (
    calibration_slices,
    first_verdict_experiments,
    getting_better,
    rolling_brier,
)
from logbook.rules.coverage import ModelCoverage, logbook_coverage
from logbook.store.core import Store

#: What a surprise lookup may narrow by, and the column each is.
LOOKUP_FIELDS = ("prediction_id", "hypothesis_id", "prediction", "note", "experiment_id")
#: The most surprises one lookup answers.
LOOKUP_LIMIT = 20


def surprises_matching(store: Store, fields: Mapping[str, Optional[Any]]) -> list[Surprise]:
    """The surprises (any status) whose ``fields`` equal the values given, newest first, at most 20.

    A field given as None is not looked at; at least one must be given.
    """
    given = {name: fields[name] for name in LOOKUP_FIELDS if fields.get(name) is not None}
    if not given:
        raise LogbookError("say which surprise: give prediction_id, prediction or note")
    where = " AND ".join(f"{name} = ?" for name in given)
    rows = store.db.execute(
        f"SELECT id FROM surprises WHERE {where} ORDER BY id DESC LIMIT {LOOKUP_LIMIT}", list(given.values())
    ).fetchall()
    return [store.surprise(row[0]) for row in rows]


def experiment_coverage(store: Store, experiment_id: int) -> list[ModelCoverage]:
    """Where the notebook has looked in the models experiment ``experiment_id`` ran (a 404 if there is none)."""
    store.experiment(experiment_id)
    return logbook_coverage(store.db, experiment_id)


def calibration(store: Store, by: str, window: int = 10) -> Calibration:
    """Calibration sliced ``by`` tag, mode, brainstorm or model; or ``by`` time, the rolling Brier score."""
    hypotheses = store.hypotheses()
    if by == "time":
        points = rolling_brier(hypotheses, window)
        return CalibrationOverTime(
            by="time",
            points=[RollingPoint(**{**asdict(p), "at": p.at.isoformat()}) for p in points],
            summary=getting_better(points, window),
        )
    models = store.experiment_models(first_verdict_experiments(hypotheses))
    try:
        rows = calibration_slices(hypotheses, by, models)
    except ValueError as error:
        raise LogbookError(str(error)) from None
    return CalibrationSlices(by=by, slices=[CalibrationSlice(**asdict(s), warning=s.warning) for s in rows])
