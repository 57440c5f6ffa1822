"""A cell's history: its runs side by side, the drift surprises they raised, and the names expected to vary."""

from __future__ import annotations

import difflib
from typing import Any, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError, NotFound
from logbook.models import (
    CellHistory,
    CellRun,
    DriftMove,
    ExpectedEnvelope,
    FlippedVerdict,
    HistoryStep,
    Output,
    OutputChange,
    Surprise,
    SurpriseStatus,
    ValueChange,
)
from logbook.store.tables.base import from_row, loads, new_id, now
from logbook.store.tables.events import Events
from logbook.store.tables.judgements import Judgements
from logbook.store.tables.part import Part
from logbook.store.tables.surprises import Surprises
from logbook.text import clean_text, to_json

#: Runs a history lists at most (the newest).
MAX_HISTORY_RUNS = 200
#: Moves a drift surprise's note names before "and N more".
NOTE_MOVES = 3


def drift_note(moves: list[dict[str, Any]]) -> str:
    """One line for a run's drift: its first moves, most surprising first, and how many more."""
    shown = "; ".join(f"{m['name']}{m.get('part', '')} {m['change']}" for m in moves[:NOTE_MOVES])
    more = len(moves) - NOTE_MOVES
    return shown + (f"; and {more} more" if more > 0 else "")


def envelope_of(move: DriftMove) -> Optional[float]:
    """How far a move went from the mean of its earlier values; None for a change of kind."""
    earlier = [
        e.value for e in move.earlier if isinstance(e.value, (int, float)) and not isinstance(e.value, bool)
    ]
    if not earlier or not isinstance(move.value, (int, float)) or isinstance(move.value, bool):
        return None
    return abs(move.value - sum(earlier) / len(earlier))


class History(Part):
    """A cell's runs: their drift surprises, the values expected to vary, and each run beside the one before.

    Expecting a drift closes its surprise through ``judgements``; ``surprises`` reads it.
    """

    def __init__(self, db: Database, events: Events, surprises: Surprises, judgements: Judgements) -> None:
        super().__init__(db, events)
        self.surprises = surprises
        self.judgements = judgements

    # -- drift surprises ------------------------------------------------------

    def add_drift(self, experiment_id: Optional[int], drift: dict[str, Any], bits: Optional[float]) -> int:
        """Store one run's drift as one surprise; call inside a transaction.

        ``drift`` is a :class:`DriftDetails` as a dict: its ``moves``, most
        surprising first, with the first move's fields beside them (a dict
        without ``moves`` is one move). ``bits`` is the most surprising move's.
        """
        moves = drift.get("moves") or [drift]
        drift = {**moves[0], "moves": moves}
        at = now()
        note = drift_note(moves)
        row = {
            "kind": "drift",
            "experiment_id": experiment_id,
            "observed": to_json(
                {f"{m['name']}{m.get('part', '')}": {"value": m.get("value")} for m in moves}
            ),
            "surprisal_bits": bits,
            "note": note,
            "drift": to_json(drift),
            "status": SurpriseStatus.open.value,
            "created_at": at,
        }
        sid = new_id(
            self.db.execute(
                f"INSERT INTO surprises ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            ).lastrowid
        )
        self.events.append_event(
            "surprise.drifted",
            f"S{sid}",
            {"note": note, "experiment_id": experiment_id, "surprisal_bits": bits, "drift": row["drift"]},
            at=at,
        )
        return sid

    def expect_drift(self, surprise_id: int | str, by: Optional[str] = None) -> Surprise:
        """Close a drift surprise as expected: each part that moved gets an envelope of normal change.

        The envelope is how far each part moved from the mean of its earlier
        runs: moves within ten times it stay quiet in that cell, larger ones
        are drift again (``kernel_hooks.drift.ENVELOPE_FACTOR``). A change of
        kind (shape, dtype, NaN, raising) is expected as it is.
        """
        current = self.surprises.surprise(surprise_id)
        if current.kind != "drift" or current.drift is None:
            raise LogbookError(f"S{current.id} is not drift: close it with an action instead")
        moves = current.drift.moves
        if current.drift.cell_key:
            for move in moves:
                self.expect_value(current.drift.cell_key, move.label, envelope_of(move))
        if current.resolution is None:
            labels = ", ".join(m.label for m in moves[:3]) + (
                f" and {len(moves) - 3} more" if len(moves) > 3 else ""
            )
            return self.judgements.resolve_surprise(
                current.id,
                "explained",
                explanation=f"{labels}: changes of this size are expected here",
                by=by,
            )
        return current

    # -- values expected to vary ------------------------------------------------

    def expect_value(self, cell_key: str, name: str, envelope: Optional[float] = None) -> None:
        """Mark a value (``x``) or part (``scores[1, 3]``) of cell ``cell_key`` as expected to vary.

        With ``envelope``, changes up to ten times it are normal there and
        larger ones are flagged; without, it is not flagged there at all. Marking
        it again keeps the larger envelope.
        """
        cell_key, name = clean_text(cell_key).strip(), clean_text(name).strip()
        if not cell_key or not name:
            raise LogbookError("say which cell and which name are expected to vary")
        if envelope is not None and (not isinstance(envelope, (int, float)) or not envelope >= 0):
            raise LogbookError(f"an envelope is a size of change, 0 or more, not {envelope!r}")
        with self.transaction():
            known = self.db.execute(
                "SELECT envelope FROM expected_values WHERE cell_key = ? AND name = ?", [cell_key, name]
            ).fetchone()
            if known is not None and (known[0] is None or (envelope is not None and envelope <= known[0])):
                return
            self.db.execute(
                "INSERT INTO expected_values (cell_key, name, created_at, envelope) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (cell_key, name) DO UPDATE SET envelope = excluded.envelope",
                [cell_key, name, now(), envelope],
            )
            self.events.append_event("cell.expected", cell_key, {"name": name, "envelope": envelope})

    def unexpect_value(self, cell_key: str, name: str) -> bool:
        """Undo :meth:`expect_value`: the value is watched in that cell again. False when it was not expected."""
        with self.transaction():
            removed = self.db.execute(
                "DELETE FROM expected_values WHERE cell_key = ? AND name = ?", [cell_key, name]
            ).rowcount
            if removed:
                self.events.append_event("cell.unexpected", cell_key, {"name": name})
        return bool(removed)

    def expected_values(self) -> dict[str, set[str]]:
        """The values (and parts) expected to vary, per cell key."""
        return {key: set(labels) for key, labels in self.expected_envelopes().items()}

    def expected_envelopes(self) -> dict[str, dict[str, Optional[float]]]:
        """Per cell key, each value or part expected to vary with the change marked normal (None: any)."""
        found: dict[str, dict[str, Optional[float]]] = {}
        for cell_key, name, envelope in self.db.execute(
            "SELECT cell_key, name, envelope FROM expected_values"
        ):
            found.setdefault(cell_key, {})[name] = envelope
        return found

    # -- earlier runs, for a kernel ---------------------------------------------

    def earlier_runs(self, notebook: Optional[str], limit: int = 1000) -> list[tuple]:
        """The newest ``limit`` runs of ``notebook``'s cells, oldest first: (id, cell_key, source_key, error_name, names)."""
        rows = self.db.execute(
            "SELECT id, cell_key, source_key, CASE WHEN ok THEN NULL ELSE coalesce(error_name, 'error') END,"
            " names FROM experiments WHERE notebook IS ? AND cell_key IS NOT NULL ORDER BY id DESC LIMIT ?",
            [notebook, limit],
        ).fetchall()
        return [
            (i, cell, source, error, loads(names, {})) for i, cell, source, error, names in reversed(rows)
        ]

    # -- a cell's history -------------------------------------------------------

    def cell_history(self, experiment_id: int) -> CellHistory:
        """Every run of the cell that ran as ``experiment_id``, oldest first, and what changed between them."""
        row = self.db.execute(
            "SELECT cell_key, notebook, cell_id FROM experiments WHERE id = ?", [experiment_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"no experiment {experiment_id}")
        cell_key, notebook, cell_id = row
        if cell_key is None:
            rows = self.db.query("SELECT * FROM experiments WHERE id = ?", [experiment_id])
        else:
            rows = self.db.query(
                "SELECT * FROM (SELECT * FROM experiments WHERE cell_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                [cell_key, MAX_HISTORY_RUNS],
            )
        runs = list(rows)
        ids = [r["id"] for r in runs]
        marks = ", ".join("?" * len(ids))
        drift_counts = dict(
            self.db.execute(
                f"SELECT experiment_id, count(*) FROM surprises WHERE kind = 'drift' AND experiment_id IN ({marks})"
                " GROUP BY experiment_id",
                ids,
            ).fetchall()
        )
        outputs: dict[int, list[Output]] = {i: [] for i in ids}
        for o in self.db.query(
            f"SELECT * FROM outputs WHERE experiment_id IN ({marks}) ORDER BY experiment_id, position", ids
        ):
            outputs[o["experiment_id"]].append(from_row(Output, o))
        verdicts = self._verdicts_by_experiment(ids, marks)
        envelopes = self.expected_envelopes().get(cell_key or "", {})
        history = CellHistory(
            cell_key=cell_key or f"experiment {experiment_id}",
            notebook=notebook,
            cell_id=cell_id,
            expected=sorted(envelopes),
            expected_envelopes=[ExpectedEnvelope(label=k, envelope=v) for k, v in sorted(envelopes.items())],
            runs=[
                from_row(CellRun, r, experiment_id=r["id"], drift=drift_counts.get(r["id"], 0)) for r in runs
            ],
        )
        for before, after in zip(runs, runs[1:]):
            history.steps.append(_step(before, after, outputs, verdicts))
        return history

    def _verdicts_by_experiment(self, ids: list[int], marks: str) -> dict[int, dict[str, tuple]]:
        found: dict[int, dict[str, tuple]] = {}
        for experiment_id, prediction_id, hypothesis_id, expression, held in self.db.execute(
            "SELECT experiment_id, prediction_id, hypothesis_id, prediction, 1 FROM evidence"
            f" WHERE experiment_id IN ({marks}) UNION ALL"
            " SELECT experiment_id, prediction_id, hypothesis_id, prediction, 0 FROM surprises"
            f" WHERE experiment_id IN ({marks}) AND kind = 'prediction' AND manual = 0",
            [*ids, *ids],
        ):
            found.setdefault(experiment_id, {})[prediction_id] = (hypothesis_id, expression, bool(held))
        return found


def _step(before: dict, after: dict, outputs: dict[int, list[Output]], verdicts: dict) -> HistoryStep:
    old_source, new_source = before["source"] or "", after["source"] or ""
    diff = ""
    if old_source != new_source:
        diff = "\n".join(
            difflib.unified_diff(
                old_source.splitlines(),
                new_source.splitlines(),
                fromfile=f"experiment {before['id']}",
                tofile=f"experiment {after['id']}",
                lineterm="",
            )
        )
    old_names, new_names = loads(before["names"], {}), loads(after["names"], {})
    values = [
        ValueChange(name=name, old=old_names.get(name), new=new_names.get(name))
        for name in dict.fromkeys([*old_names, *new_names])
        if old_names.get(name) != new_names.get(name)
    ]
    old_out, new_out = outputs[before["id"]], outputs[after["id"]]
    changed = [
        OutputChange(
            position=i,
            old=old_out[i] if i < len(old_out) else None,
            new=new_out[i] if i < len(new_out) else None,
        )
        for i in range(max(len(old_out), len(new_out)))
        if (old_out[i].sha256 if i < len(old_out) else None)
        != (new_out[i].sha256 if i < len(new_out) else None)
    ]
    old_verdicts, new_verdicts = verdicts.get(before["id"], {}), verdicts.get(after["id"], {})
    flipped = [
        FlippedVerdict(
            prediction_id=pid,
            hypothesis_id=new[0],
            expression=new[1],
            old="held" if old_verdicts[pid][2] else "failed",
            new="held" if new[2] else "failed",
        )
        for pid, new in new_verdicts.items()
        if pid in old_verdicts and old_verdicts[pid][2] != new[2]
    ]
    return HistoryStep(
        previous_id=before["id"],
        experiment_id=after["id"],
        same_source=before["source_key"] is not None and before["source_key"] == after["source_key"],
        source_diff=diff,
        values=values,
        outputs=changed,
        flipped=flipped,
    )
