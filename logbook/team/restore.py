"""A JSON export made a logbook file again, so that ``logbook merge`` takes it as it takes a logbook file.

The export must carry its history (``events``) and verify alone: its chain
hashes up to its head and its records agree with what the chain says. It
must also hold every record its chain describes: an export written with a
selection (``--since``, ``--hypothesis``) holds part of the record and is
refused. Its records are then written into a new logbook's tables as the
store writes them, its events copied as they are, its remarks rebuilt from
their events, and the new file is verified like any logbook: the events
replayed and compared with the tables.

What an export does not carry stays out of the file: the bytes of outputs
(each output is kept by its hash and size, as one too large to keep is),
the text of outputs that search reads, pins, the values marked as expected
to vary, settings, prediction signatures, and the authors' seals of the head
(an SSH seal the export carries is kept).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Optional

from logbook.audit.replay import Replay, replay
from logbook.audit.verify import Verification, load_export, verify_export, verify_logbook
from logbook.errors import LogbookError
from logbook.models import Judgement, LogbookExport, Step, Surprise
from logbook.store.core import Store
from logbook.store.tables.events import GENESIS
from logbook.text import to_json

Row = dict[str, Any]

#: Each kind of record the chain describes and an export holds, as a count of them reads.
_KINDS = {
    "hypothesis": ("hypothesis", "hypotheses"),
    "prediction": ("prediction", "predictions"),
    "evidence": ("evidence record", "evidence records"),
    "surprise": ("surprise", "surprises"),
    "note": ("note", "notes"),
    "mode": ("mode switch", "mode switches"),
    "experiment": ("experiment", "experiments"),
    "set": ("competing set", "competing sets"),
    "proposal": ("proposal", "proposals"),
}


class NotRestorable(LogbookError):
    """Why a JSON export cannot be made a logbook file: it does not verify, or holds part of the record."""


@contextlib.contextmanager
def restored(source: Path, folder: Path) -> Iterator[Path]:
    """The JSON export at ``source`` as a logbook file in a hidden scratch folder inside ``folder``, removed after."""
    try:
        export = load_export(source)
    except LogbookError as error:
        raise NotRestorable(str(error)) from None
    try:
        scratch = tempfile.TemporaryDirectory(prefix=f".{source.stem}.", suffix=".restoring", dir=folder)
    except OSError as error:
        raise LogbookError(f"cannot write in {folder}: {error.strerror}") from None
    with scratch as place:
        path = Path(place) / "logbook.db"
        restore_export(export, path, source.name)
        yield path


def restore_export(export: LogbookExport, path: Path, name: str = "the export") -> Verification:
    """Write the logbook ``export`` holds as a new logbook file at ``path``; returns the new file's verification.

    Raises :class:`NotRestorable` naming ``name`` when the export carries no
    history, does not verify, holds part of the record, or is not rebuilt
    as its history says.
    """
    if path.exists():
        raise LogbookError(f"{path} exists: an export is restored as a new file")
    state = _whole_record(export, name)
    with Store(path) as store:
        try:
            with store.transaction() as db:
                for table, rows in _tables(export, state):
                    _insert(db.conn, table, rows)
        except (sqlite3.Error, ValueError, IndexError) as error:
            raise NotRestorable(f"{name}'s records cannot be written as a logbook: {error}") from None
        check = verify_logbook(store)
    if not check.ok:
        raise NotRestorable(f"{name} was not rebuilt as its history says: {check.summary()}")
    return check


def _whole_record(export: LogbookExport, name: str = "the export") -> Replay:
    """What the export's own chain describes, once the export verifies and holds all of it; else :class:`NotRestorable`."""
    if not export.events:
        raise NotRestorable(
            f"{name} is a JSON export without its history (no events), so its records cannot be checked: "
            "export it again with this Logbook, or merge a snapshot made with `logbook snapshot OUT.db`"
        )
    check = verify_export(export)
    if not check.ok:
        raise NotRestorable(f"{name} does not verify: {check.summary()}")
    state = replay(_chain(export), next((e.id for e in export.events if e.kind == "logbook.backfilled"), 0))
    missing = _missing(export, state)
    if missing:
        raise NotRestorable(
            f"{name} holds part of the logbook: it leaves out {missing} that its history holds. It was exported "
            "with a selection (--since, --until or --hypothesis); export the whole logbook to merge it"
        )
    return state


def _chain(export: LogbookExport) -> list[tuple]:
    """The export's events as ``(id, at, kind, subject, payload, prev_hash, hash)``, each linked to the one before."""
    events, prev = [], GENESIS
    for e in export.events:
        events.append((e.id, e.at, e.kind, e.subject, e.payload, prev, e.hash))
        prev = e.hash
    return events


def _missing(export: LogbookExport, state: Replay) -> str:
    """The records the chain describes that the export leaves out, counted in words ("2 notes, 1 experiment"); "" for none."""
    held: dict[str, set[Any]] = {
        "hypothesis": {h.id for h in export.hypotheses},
        "prediction": {p.id for h in export.hypotheses for p in h.predictions},
        "evidence": {e.id for e in export.evidence},
        "surprise": {s.id for s in export.surprises},
        "note": {n.id for n in export.notes},
        "mode": {m.id for m in export.modes},
        "experiment": {x.id for x in export.experiments},
        "set": {s.id for s in export.sets},
        "proposal": {u.id for u in export.proposals},
    }
    described: dict[str, set[Any]] = defaultdict(set)
    for label, ident in state.all_records():
        described[label].add(ident)
    brainstorms = {b.id for b in export.brainstorms}
    named = {h.brainstorm_id for h in export.hypotheses} | {s.brainstorm_id for s in export.sets}
    counts = {label: len(described[label] - held[label]) for label in _KINDS}
    counts["brainstorm"] = len(named - brainstorms - {None})
    words = {**_KINDS, "brainstorm": ("brainstorm", "brainstorms")}
    return ", ".join(f"{n} {words[label][n != 1]}" for label, n in counts.items() if n)


# -- the tables, as the store writes them ---------------------------------------------------------


def _time(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.isoformat()


def _json_list(values: list[Any]) -> Optional[str]:
    """A list column (tags, likelihoods) as the store writes it: JSON text, NULL when never set."""
    return json.dumps(values) if values else None


def _steps(steps: list[Step]) -> str:
    return to_json([step.model_dump() for step in steps])


def _number(record_id: str, prefix: str) -> int:
    """The sequence number ending an id: 3 of ``H3`` (prefix ``H``) or of ``H1.P3`` (prefix ``.P``)."""
    return int(record_id.rsplit(prefix, 1)[1])


def _judgement(j: Judgement) -> Row:
    """What evidence and a surprise from a verdict share (see ``Judgements.add_judgement``)."""
    return {
        "id": j.id,
        "hypothesis_id": j.hypothesis_id,
        "prediction_id": j.prediction_id,
        "prediction": j.prediction,
        "observed": to_json(j.observed),
        "credence": j.credence,
        "surprisal_bits": j.surprisal_bits,
        "experiment_id": j.experiment_id,
        "created_at": _time(j.created_at),
    }


def _surprise(s: Surprise) -> Row:
    from_verdict = not s.manual and s.kind == "prediction"
    return {
        **_judgement(s),
        "steps": _steps(s.steps) if from_verdict else None,
        "manual": int(s.manual),
        "note": s.note,
        "kind": s.kind,
        "drift": None if s.drift is None else to_json(s.drift.model_dump(mode="json")),
        "status": s.status.value,
        "read": int(s.read),
        "resolution": None if s.resolution is None else s.resolution.value,
        "explanation": s.explanation if s.resolution is not None else None,
        "resolved_at": _time(s.resolved_at),
        "resolved_by": s.resolved_by,
        "runs": s.runs,
        "last_at": _time(s.last_at),
        "last_experiment_id": s.last_experiment_id,
        "last_steps": _steps(s.last_steps) if s.last_steps else None,
    }


def _experiments(export: LogbookExport) -> Iterator[tuple[str, list[Row]]]:
    """Experiments, and their outputs known by hash and size (an export carries no output's bytes)."""
    rows: list[Row] = []
    outputs: list[Row] = []
    blobs: dict[str, Row] = {}
    for x in export.experiments:
        rows.append(
            {
                "id": x.id,
                "session": x.session,
                "author": x.author,
                "notebook": x.notebook,
                "cell_id": x.cell_id,
                "cell_key": x.cell_key,
                "execution_count": x.execution_count,
                "source": x.source,
                "started_at": _time(x.started_at),
                "duration_ms": x.duration_ms,
                "record_ms": x.record_ms,
                "ok": int(x.ok),
                "error_name": x.error.name if x.error else None,
                "error_value": x.error.value if x.error else None,
                "traceback": x.error.traceback if x.error else None,
                "stdout": x.stdout,
                "stderr": x.stderr,
                "names": to_json(x.names) if x.names else "{}",
                "torch": to_json(x.torch) if x.torch else None,
                "mode": x.mode.value if x.mode else None,
            }
        )
        for position, o in enumerate(x.outputs):
            blobs.setdefault(o.sha256, {"sha256": o.sha256, "data": None, "size": o.size})
            outputs.append(
                {
                    "experiment_id": x.id,
                    "position": position,
                    "mime": o.mime,
                    "sha256": o.sha256,
                    "size": o.size,
                    "truncated": int(o.truncated),
                }
            )
    yield "experiments", rows
    yield "blobs", list(blobs.values())
    yield "outputs", outputs


def _beliefs(export: LogbookExport) -> Iterator[tuple[str, list[Row]]]:
    """Brainstorms, hypotheses with their credence history, and predictions (their verdicts and versions are
    read from the judgements and the events)."""
    yield (
        "brainstorms",
        [
            {
                "id": b.id,
                "started_at": _time(b.started_at),
                "planned_seconds": b.planned_seconds,
                "target": b.target,
                "finished_at": _time(b.finished_at),
                "paused_at": _time(b.paused_at),
                "paused_seconds": b.paused_seconds,
            }
            for b in export.brainstorms
        ],
    )
    yield (
        "hypotheses",
        [
            {
                "id": h.id,
                "seq": _number(h.id, "H"),
                "statement": h.statement,
                "credence": h.credence,
                "status": h.status.value,
                "created_at": _time(h.created_at),
                "brainstorm_id": h.brainstorm_id,
                "follows": h.follows,
                "set_id": h.set_id,
                "tags": _json_list(h.tags),
            }
            for h in export.hypotheses
        ],
    )
    yield (
        "credence_history",
        [
            {"hypothesis_id": h.id, "credence": c.credence, "reason": c.reason, "at": _time(c.at)}
            for h in export.hypotheses
            for c in h.history
        ],
    )
    yield (
        "predictions",
        [
            {
                "id": p.id,
                "hypothesis_id": p.hypothesis_id,
                "seq": _number(p.id, ".P"),
                "kind": p.kind.value,
                "expression": p.expression,
                "names": json.dumps(p.names),
                "credence": p.credence,
                "created_at": _time(p.created_at),
                "state": p.state.value,
                "error": p.error,
                "evaluated_at": _time(p.evaluated_at),
                "first_verdict": p.first_verdict,
                "revises": p.revises,
                "superseded_by": p.superseded_by,
                "mode": p.mode.value if p.mode else None,
                "likelihoods": json.dumps(p.likelihoods) if p.likelihoods else None,
                "base_rate": p.base_rate,
                "resolve_by": _time(p.resolve_by),
                "tags": _json_list(p.tags),
            }
            for h in export.hypotheses
            for p in h.predictions
        ],
    )


def _sets(export: LogbookExport) -> Iterator[tuple[str, list[Row]]]:
    """Competing sets with their history, and the updates proposed after verdicts."""
    yield (
        "competing_sets",
        [
            {
                "id": s.id,
                "question": s.question,
                "remainder": s.something_else,
                "created_at": _time(s.created_at),
                "brainstorm_id": s.brainstorm_id,
            }
            for s in export.sets
        ],
    )
    yield (
        "set_history",
        [
            {"set_id": s.id, "credences": json.dumps(c.credences), "reason": c.reason, "at": _time(c.at)}
            for s in export.sets
            for c in s.history
        ],
    )
    yield (
        "proposals",
        [
            {
                "id": u.id,
                "prediction_id": u.prediction_id,
                "set_id": u.set_id,
                "hypothesis_id": u.hypothesis_id,
                "held": int(u.held),
                "before": json.dumps(u.before),
                "likelihoods": json.dumps(u.likelihoods),
                "after": json.dumps(u.after),
                "ratio": u.ratio,
                "created_at": _time(u.created_at),
                "status": u.status.value,
                "reason": u.reason,
                "applied": None if u.applied is None else json.dumps(u.applied),
                "decided_at": _time(u.decided_at),
            }
            for u in export.proposals
        ],
    )


def _tables(export: LogbookExport, state: Replay) -> Iterator[tuple[str, list[Row]]]:
    """Every table's rows, in an order that writes each record after those it names."""
    yield from _beliefs(export)
    yield from _experiments(export)
    yield "evidence", [{**_judgement(e), "steps": _steps(e.steps)} for e in export.evidence]
    yield "surprises", [_surprise(s) for s in export.surprises]
    yield (
        "notes",
        [
            {
                "id": n.id,
                "text": n.text,
                "experiment_id": n.experiment_id,
                "hypothesis_id": n.hypothesis_id,
                "created_at": _time(n.created_at),
            }
            for n in export.notes
        ],
    )
    yield (
        "modes",
        [{"id": m.id, "mode": m.mode.value, "started_at": _time(m.started_at)} for m in export.modes],
    )
    yield from _sets(export)
    # An export holds no remarks; each one's event holds all of it.
    yield (
        "remarks",
        [{"id": ident, **fields} for (label, ident), fields in state.records.items() if label == "remark"],
    )
    yield (
        "events",
        [
            dict(zip(("id", "at", "kind", "subject", "payload", "prev_hash", "hash"), event))
            for event in _chain(export)
        ],
    )
    seal = export.seal
    if seal is not None:
        yield "ssh_seals", [{**seal.model_dump(exclude={"at"}), "at": _time(seal.at)}]


def _insert(conn: sqlite3.Connection, table: str, rows: list[Row]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
        [[row[c] for c in columns] for row in rows],
    )
