"""Checking the honest record: the event chain is unbroken and the records agree with it.

``logbook verify`` recomputes every event's hash from its content and the
hash before it, rebuilds the records from the events alone
(:mod:`logbook.audit.replay`) and compares them with the logbook's tables, or with
a JSON export. A published chain head proves the history up to it.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from pydantic import ValidationError

from logbook.audit import parallel
from logbook.audit.cells import RECORDED, cell_digests, cell_rows
from logbook.audit.chain import intact
from logbook.audit.replay import (
    EVIDENCE_FIELDS,
    PROPOSAL_FIELDS,
    REMARK_FIELDS,
    UNKNOWN,
    Key,
    Replay,
    cell_records,
    drift_identity,
    evidence_records,
    replay,
)
from logbook.errors import LogbookError
from logbook.models import LogbookExport
from logbook.store.cell_digest import experiment_digest
from logbook.store.core import Store
from logbook.store.seal import (
    SealError,
    key_id,
    mac,
    message,
    ssh_verify,
)
from logbook.store.tables.base import loads
from logbook.store.tables.events import GENESIS, event_hash
from logbook.text import from_json

#: Events are appended in order; two processes' clocks may disagree by this much.
CLOCK_SLACK_SECONDS = 60


@dataclass
class Verification:
    """What ``logbook verify`` found: the chain's length and head, and every problem, first first."""

    events: int = 0
    head: Optional[str] = None
    problems: list[str] = field(default_factory=list)
    backfilled: int = 0
    backfilled_at: Optional[str] = None
    #: Who sealed the head, as read: "ada (your key, checked)" or "ana (key 1f2e..., not yours to check)".
    sealed_by: list[str] = field(default_factory=list)
    #: The identity an SSH seal verified as, when one was checked.
    signed_by: Optional[str] = None
    #: Predictions your secret does not vouch for as they stand, with why: "H1.P1: names changed".
    untrusted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return self.problems[0]
        text = f"ok: {self.events} events, head {self.head or GENESIS}"
        if self.backfilled:
            text += (
                f" (the first {self.backfilled} reconstructed from an older logbook's records"
                f" on {(self.backfilled_at or '')[:10]})"
            )
        if self.sealed_by:
            text += f"; sealed by {', '.join(self.sealed_by)}"
        if self.signed_by:
            text += f"; SSH seal verified for {self.signed_by}"
        if self.untrusted:
            text += f"; {untrusted_summary(self.untrusted)}"
        return text


def untrusted_summary(untrusted: list[str], shown: int = 3) -> str:
    """``untrusted`` predictions in one line: the first few with why, and how many more."""
    n = len(untrusted)
    listed = "; ".join(untrusted[:shown]) + (f"; and {n - shown} more" if n > shown else "")
    return f"{n} prediction{'' if n == 1 else 's'} not trusted here ({listed}): review with `logbook trust`"


# -- the chain -------------------------------------------------------------


def _name(event: tuple) -> str:
    return f"event {event[0]} ({event[2]} {event[3]})"


def _read_events(store: Store) -> list[tuple]:
    """Every event as ``(id, at, kind, subject, payload, prev_hash, hash)``, oldest first."""
    return store.db.conn.execute(
        "SELECT id, at, kind, subject, payload, prev_hash, hash FROM events ORDER BY id"
    ).fetchall()


def _walk_events(events: list[tuple], result: Verification, whole: Optional[bool] = None) -> list[tuple]:
    """Check each event's place and hash in ``events`` (as :func:`_read_events` returns them).

    ``whole``: whether the chain is already known to be intact (its hashes
    computed elsewhere); the events are walked one by one only when it is not.
    """
    result.events = len(events)
    result.head = events[-1][6] if events else None
    if intact(events) if whole is None else whole:
        return events
    problems = result.problems
    expected_id, prev, last_at = 1, GENESIS, ""
    for event in events:
        event_id, at, kind, subject, payload, prev_hash, digest = event
        if event_id != expected_id:
            missing = (
                f"event {expected_id}"
                if event_id == expected_id + 1
                else f"events {expected_id}-{event_id - 1}"
            )
            problems.append(f"{missing} is missing from the history: removed after it was written")
        elif prev_hash != prev:
            problems.append(
                f"{_name(event)} does not follow the event before it: event {event_id - 1} was changed or replaced"
            )
        if event_hash(prev_hash, event_id, at, kind, subject, payload) != digest:
            problems.append(f"{_name(event)} was changed: its hash does not match")
        elif at < last_at and _earlier(at, last_at):
            problems.append(
                f"{_name(event)} is dated {at}, before the event before it ({last_at}): it was written later than it says"
            )
        expected_id, prev, last_at = event_id + 1, digest, at
    return events


def _earlier(at: str, before: str) -> bool:
    """Whether ``at`` is more than :data:`CLOCK_SLACK_SECONDS` before ``before``."""
    try:
        return (moment(before) - moment(at)).total_seconds() > CLOCK_SLACK_SECONDS
    except TypeError:
        return True


def _replay(result: Verification, state: Replay) -> Replay:
    """Add what replaying the history found to ``result``."""
    result.problems += state.problems
    result.backfilled, result.backfilled_at = state.backfilled, state.backfilled_at
    return state


def _replayed(events: list[tuple]) -> Replay:
    """The records rebuilt from ``events`` alone."""
    backfill_end = next((e[0] for e in events if e[2] == "logbook.backfilled"), 0)
    return replay(events, backfill_end)


def _published(holds: Callable[[str], bool], published: Optional[str], result: Verification) -> None:
    """``holds(hash)``: whether the history has an event with that hash."""
    if published and not holds(published.strip().lower()):
        result.problems.append(
            f"the published chain head {published} is not in this logbook's history:"
            " the history was rewritten, or this is another logbook"
        )


# -- comparing records -----------------------------------------------------


def _differ(field: str) -> str:
    """The verb for a field's name: "credences differ", "status differs"."""
    return "differ" if field.endswith("s") and not field.endswith("status") else "differs"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def moment(value: Any) -> Any:
    """A time as a comparable ``datetime``, from stored text or an export's parsed value."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _json(value: Any) -> Any:
    return from_json(value) if isinstance(value, str) else value


def _steps(value: Any) -> list[tuple[str, str]]:
    """A judgement's steps as (text, value) pairs, from stored JSON, an export's dicts or its models."""
    return [
        (s["text"], s["value"]) if isinstance(s, dict) else (s.text, s.value) for s in (_json(value) or [])
    ]


#: How to compare fields whose stored text may be written differently in an export.
NORMAL = {
    "created_at": moment,
    "started_at": moment,
    "last_at": lambda v: None if v is None else moment(v),
    "resolve_by": lambda v: None if v is None else moment(v),
    "observed": _json,
    "last_steps": lambda v: _steps(v),
    "steps": lambda v: _steps(v),
    "credence history": lambda v: [(c, r, moment(at)) for c, r, at in v],
    "history": lambda v: [(e, c, moment(at)) for e, c, at in v],
    "verdicts": lambda v: [
        (h, n, moment(at), x, r, moment(last), lx, lr) for h, n, at, x, r, last, lx, lr in v
    ],
}


def _same(name: str, actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    normal = NORMAL.get(name)
    try:
        return normal is not None and normal(actual) == normal(expected)
    except (TypeError, ValueError):
        return False


def _compare(actual: dict[Key, dict], expected: dict[Key, dict], problems: list[str], whole: bool) -> None:
    """Every record of ``actual`` must match ``expected``; with ``whole``, every expected one must exist."""
    for key, record in actual.items():
        label, ident = key
        wanted = expected.get(key)
        if wanted is None:
            problems.append(f"{label} {ident} has no recorded history: it was added outside the logbook")
            continue
        if record == wanted:
            continue
        for name, value in wanted.items():
            if value is UNKNOWN or name not in record or _same(name, record[name], value):
                continue
            if name == "digest":
                problems.append(
                    f"{label} {ident} was changed after it was recorded: its source, times, outcome, "
                    "outputs or values no longer match the digest its history holds"
                )
                continue
            problems.append(
                f"{label} {ident}'s {name} {_differ(name)} from its recorded history"
                f" (it says {_show(record[name])}, its history {_show(value)})"
            )
    if whole:
        for label, ident in expected.keys() - actual.keys():
            problems.append(f"{label} {ident} is in the recorded history but missing from the logbook")


_JUDGEMENT = (
    "prediction_id, hypothesis_id, prediction, credence, surprisal_bits, experiment_id, observed, steps,"
    " created_at"
)
#: What a surprise adds: the runs of its failure streak.
_STREAK = "runs, last_at, last_experiment_id, last_steps"


def _judgement(
    prediction_id: object,
    hypothesis_id: object,
    prediction: object,
    credence: object,
    surprisal_bits: object,
    experiment_id: object,
    observed: object,
    steps: object,
    created_at: object,
) -> dict:
    """One judgement's fields, from a table row (stored text) or an export's record (parsed) alike."""
    return {
        "prediction_id": prediction_id,
        "hypothesis_id": hypothesis_id,
        "prediction": prediction,
        "credence": credence,
        "surprisal_bits": surprisal_bits,
        "experiment_id": experiment_id,
        "observed": observed,
        "steps": "[]" if steps is None else steps,
        "created_at": created_at,
    }


def _streak(runs: object, last_at: object, last_experiment_id: object, last_steps: object) -> dict:
    return {
        "runs": runs or 1,
        "last_at": last_at,
        "last_experiment_id": last_experiment_id,
        "last_steps": "[]" if last_steps is None else last_steps,
    }


def _drifted(row: dict) -> dict:
    """A drift surprise as :func:`replay` rebuilds it (see ``Replay.surprise_drifted``)."""
    return {
        "kind": "drift",
        "note": row["note"],
        "experiment_id": row["experiment_id"],
        "surprisal_bits": row["surprisal_bits"],
        "drift": drift_identity(row["drift"]),
        "created_at": row["created_at"],
        "status": row["status"],
    }


def _flagged(row: dict) -> dict:
    return {
        "note": row["note"],
        "hypothesis_id": row["hypothesis_id"],
        "experiment_id": row["experiment_id"],
        "created_at": row["created_at"],
        "status": row["status"],
    }


def _table_records(store: Store) -> dict[Key, dict]:
    """The logbook's tables as the records :func:`replay` describes."""
    db, records = store.db, {}
    for h in db.query("SELECT * FROM hypotheses"):
        records[("hypothesis", h["id"])] = {
            "statement": h["statement"],
            "credence": h["credence"],
            "status": h["status"],
            "created_at": h["created_at"],
            "brainstorm_id": h["brainstorm_id"],
            "follows": h.get("follows"),
            "tags": loads(h.get("tags"), []),
            "credence history": [],
        }
    for c in db.query("SELECT * FROM credence_history ORDER BY id"):
        record = records.get(("hypothesis", c["hypothesis_id"]))
        if record is not None:
            record["credence history"].append((c["credence"], c["reason"] or "", c["at"]))
    columns: tuple[str, ...] = ("hypothesis_id", "kind", "expression", "credence", "state", "error")
    columns += ("first_verdict", "revises", "superseded_by")
    for p in db.query("SELECT * FROM predictions"):
        records[("prediction", p["id"])] = {
            **{name: p[name] for name in columns},
            "created_at": p["created_at"],
            "likelihoods": loads(p.get("likelihoods"), {}),
            "base_rate": p.get("base_rate"),
            "resolve_by": p.get("resolve_by"),
            "tags": loads(p.get("tags"), []),
        }
    # A plain cursor: this table (and evidence, read apart) holds most of a long logbook's rows.
    for row in db.conn.execute(
        f"SELECT id, status, {_STREAK}, {_JUDGEMENT} FROM surprises WHERE manual = 0 AND kind = 'prediction'"
    ):
        records[("surprise", row[0])] = {**_judgement(*row[6:]), "status": row[1], **_streak(*row[2:6])}
    for s in db.query("SELECT * FROM surprises WHERE manual != 0 AND kind = 'prediction'"):
        records[("surprise", s["id"])] = _flagged(s)
    for s in db.query("SELECT * FROM surprises WHERE kind = 'drift'"):
        records[("surprise", s["id"])] = _drifted(s)
    for n in db.query("SELECT * FROM notes"):
        records[("note", n["id"])] = {
            "text": n["text"],
            "experiment_id": n["experiment_id"],
            "hypothesis_id": n["hypothesis_id"],
            "created_at": n["created_at"],
        }
    for m in db.query("SELECT * FROM modes"):
        records[("mode", m["id"])] = {"mode": m["mode"], "started_at": m["started_at"]}
    for r in db.query("SELECT * FROM remarks"):
        records[("remark", r["id"])] = {
            **{name: r[name] for name in REMARK_FIELDS},
            "created_at": r["created_at"],
        }
    records.update(_set_records(db))
    return records


def _set_records(db: Any) -> dict[Key, dict]:
    """Competing sets and proposals from their tables, in the shape :func:`replay` describes."""
    records: dict[Key, dict] = {}
    for s in db.query("SELECT * FROM competing_sets"):
        credences = {
            r["id"]: r["credence"]
            for r in db.query("SELECT id, credence FROM hypotheses WHERE set_id = ? ORDER BY seq", [s["id"]])
        }
        records[("set", s["id"])] = {
            "question": s["question"],
            "brainstorm_id": s["brainstorm_id"],
            "created_at": s["created_at"],
            "credences": {**credences, "else": s["remainder"]},
            "history": [
                (from_json(r["credences"]), r["reason"] or "", r["at"])
                for r in db.query("SELECT * FROM set_history WHERE set_id = ? ORDER BY id", [s["id"]])
            ],
        }
    for u in db.query("SELECT * FROM proposals"):
        records[("proposal", u["id"])] = {
            **{k: u[k] for k in PROPOSAL_FIELDS},
            "held": bool(u["held"]),
            "before": from_json(u["before"]),
            "likelihoods": from_json(u["likelihoods"]),
            "after": from_json(u["after"]),
            "created_at": u["created_at"],
            "status": u["status"],
            "reason": u["reason"] or "",
            "applied": from_json(u["applied"]) if u["applied"] else None,
        }
    return records


def _export_set_records(export: LogbookExport) -> dict[Key, dict]:
    records: dict[Key, dict] = {}
    for s in export.sets:
        records[("set", s.id)] = {
            "question": s.question,
            "brainstorm_id": s.brainstorm_id,
            "created_at": s.created_at,
            "credences": {**s.credences, "else": s.something_else},
            "history": [(c.credences, c.reason, c.at) for c in s.history],
        }
    for u in export.proposals:
        records[("proposal", u.id)] = {
            **{k: getattr(u, k) for k in PROPOSAL_FIELDS},
            "created_at": u.created_at,
            "status": u.status.value,
            "reason": u.reason,
            "applied": u.applied,
        }
    return records


def _evidence_rows(db: Any) -> dict[int, tuple]:
    """Every evidence record as ``(id, *EVIDENCE_FIELDS)`` by id, as :attr:`Replay.evidence` holds them."""
    fields = ", ".join("coalesce(steps, '[]')" if name == "steps" else name for name in EVIDENCE_FIELDS)
    return {row[0]: row for row in db.conn.execute(f"SELECT id, {fields} FROM evidence")}


#: The order :func:`_table_records` reads the tables in, and :func:`_compare` reports their records.
_TABLES = (
    "hypothesis",
    "prediction",
    "evidence",
    "surprise",
    "note",
    "mode",
    "experiment",
    "set",
    "proposal",
)


def _all_table_records(
    records: dict[Key, dict], evidence: dict[int, tuple], cells: dict[int, str]
) -> dict[Key, dict]:
    """The table records with the evidence and experiments among them, each kind in its table's place."""
    merged = {**records, **evidence_records(evidence), **cell_records(cells)}
    return dict(sorted(merged.items(), key=lambda item: _place(item[0][0])))


def _place(label: str) -> int:
    return _TABLES.index(label) if label in _TABLES else len(_TABLES)


def _export_records(export: LogbookExport) -> dict[Key, dict]:
    """An export's records in the shape :func:`replay` describes."""
    records: dict[Key, dict] = {}
    for h in export.hypotheses:
        records[("hypothesis", h.id)] = {
            "statement": h.statement,
            "credence": h.credence,
            "status": h.status.value,
            "created_at": h.created_at,
            "brainstorm_id": h.brainstorm_id,
            "follows": h.follows,
            "tags": h.tags,
            "credence history": [(c.credence, c.reason, c.at) for c in h.history],
        }
        for p in h.predictions:
            records[("prediction", p.id)] = {
                "hypothesis_id": p.hypothesis_id,
                "kind": p.kind.value,
                "expression": p.expression,
                "credence": p.credence,
                "created_at": p.created_at,
                "state": p.state.value,
                "error": p.error,
                "first_verdict": p.first_verdict,
                "revises": p.revises,
                "superseded_by": p.superseded_by,
                "likelihoods": p.likelihoods,
                "base_rate": p.base_rate,
                "resolve_by": p.resolve_by,
                "tags": p.tags,
                "history": [(v.expression, v.credence, v.at) for v in p.history],
                "verdicts": [
                    [
                        v.held,
                        v.count,
                        v.at,
                        v.experiment_id,
                        v.record,
                        v.last_at,
                        v.last_experiment_id,
                        v.last_record,
                    ]
                    for v in p.verdicts
                ],
            }
    for e in export.evidence:
        records[("evidence", e.id)] = _judgement(
            *(getattr(e, name.strip()) for name in _JUDGEMENT.split(","))
        )
    for s in export.surprises:
        if s.kind == "drift":
            records[("surprise", s.id)] = _drifted({**s.model_dump(), "status": s.status.value})
        elif s.manual:
            records[("surprise", s.id)] = _flagged(s.model_dump())
        else:
            fields = (getattr(s, name.strip()) for name in _JUDGEMENT.split(","))
            streak = (s.runs, s.last_at, s.last_experiment_id, s.last_steps)
            records[("surprise", s.id)] = {**_judgement(*fields), "status": s.status, **_streak(*streak)}
    for n in export.notes:
        records[("note", n.id)] = {
            "text": n.text,
            "experiment_id": n.experiment_id,
            "hypothesis_id": n.hypothesis_id,
            "created_at": n.created_at,
        }
    for m in export.modes:
        records[("mode", m.id)] = {"mode": m.mode.value, "started_at": m.started_at}
    for x in export.experiments:
        records[("experiment", x.id)] = {"digest": experiment_digest(x)}
    records.update(_export_set_records(export))
    return records


def _export_consistency(export: LogbookExport, problems: list[str]) -> None:
    """What an export must satisfy on its own: verdicts, versions and judgements agree."""
    if export.chain_head is None:
        problems.append("the export carries no chain head: it was written before the history existed")
    predictions = {p.id: p for h in export.hypotheses for p in h.predictions}
    for p in predictions.values():
        verdicts = p.verdicts
        first = ("held" if verdicts[0].held else "failed") if verdicts else None
        if p.first_verdict != first:
            problems.append(
                f"prediction {p.id}'s first_verdict differs from its verdicts ({p.first_verdict}, {first})"
            )
        if p.state.value in ("held", "failed") and (
            not verdicts or verdicts[-1].held != (p.state.value == "held")
        ):
            problems.append(f"prediction {p.id}'s state differs from its last verdict")
        if any(v.at < p.created_at for v in verdicts):
            problems.append(
                f"prediction {p.id} has a verdict from before it was written: its created_at was changed"
            )
        if p.history and (p.history[-1].expression, p.history[-1].credence) != (p.expression, p.credence):
            problems.append(f"prediction {p.id}'s expression or credence differs from its history")
        if p.history and p.history[0].at != p.created_at:
            problems.append(f"prediction {p.id}'s created_at differs from its history")
        for other, field_name, back in (
            (p.superseded_by, "revises", p.id),
            (p.revises, "superseded_by", p.id),
        ):
            if other in predictions and getattr(predictions[other], field_name) != back:
                problems.append(f"predictions {p.id} and {other} disagree about which revises which")
    judgements = [
        *((e, True) for e in export.evidence),
        *((s, False) for s in export.surprises if not s.manual and s.kind == "prediction"),
    ]
    for judgement, held in judgements:
        judged = predictions.get(judgement.prediction_id or "")
        if judged is not None and not any(
            v.held == held and v.at <= judgement.created_at <= v.last_at for v in judged.verdicts
        ):
            label = "evidence" if held else "surprise"
            problems.append(f"{label} {judgement.id} is missing from prediction {judged.id}'s verdicts")


# -- the entry points ------------------------------------------------------


def _check(
    store: Store, published: Optional[str], require_seal: bool = False
) -> tuple[Verification, list[tuple]]:
    """The whole check in this process: what it finds, and the events it read."""
    result = Verification()
    with store.snapshot():
        events = _read_events(store)
        rows, outputs = cell_rows(store.db.conn)
        actual, evidence = _table_records(store), _evidence_rows(store.db)
        seals = store.seals()
    _walk_events(events, result)
    cells = cell_digests(rows, outputs)
    del rows, outputs
    _sealed(lambda n: events[n - 1][6], len(events), seals, result, require_seal)
    state = _replay(result, _replayed(events))
    _published(lambda digest: any(e[6] == digest for e in events), published, result)
    if cells == state.cells and evidence == state.evidence:  # all match their history: compare the rest
        _compare(actual, state.records, result.problems, whole=True)
    else:
        _compare(
            _all_table_records(actual, evidence, cells), state.all_records(), result.problems, whole=True
        )
    return result, events


#: The columns of an event the replay reads (the chain's links and hashes are the worker's to check).
_REPLAYED = "id, at, kind, subject, payload"


def _check_spread(store: Store, published: Optional[str], require_seal: bool) -> Optional[Verification]:
    """The check with a worker beside this process (:mod:`logbook.audit.parallel`), when all is well.

    None when a worker cannot be forked here, or anything at all is wrong:
    the whole check in one process (:func:`_check`) then says what.
    """
    conn = store.db.conn
    # Not beside uncommitted writes (the worker would not see them), nor beside threads that may hold locks.
    if conn.in_transaction or not parallel.can_fork():
        return None
    with store.snapshot():
        total = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]  # a gap fails the chain
        if total < parallel.PARALLEL_FROM:
            return None
        last_cell = conn.execute("SELECT coalesce(max(id), 0) FROM experiments").fetchone()[0]
        split = parallel.worker_share(total)
        worker = parallel.ChainStart(store.path, split, total, last_cell, store.file.guest)
        try:
            return _beside(worker, store, split, total, published, require_seal)
        finally:
            worker.close()


def _beside(
    worker: parallel.ChainStart,
    store: Store,
    split: int,
    total: int,
    published: Optional[str],
    require_seal: bool,
) -> Optional[Verification]:
    """This process's part of :func:`_check_spread`, in its snapshot: events ``split`` to ``total``, and the records."""
    conn = store.db.conn
    rest = conn.execute(
        "SELECT id, at, kind, subject, payload, prev_hash, hash FROM events WHERE id >= ? ORDER BY id",
        [split],
    ).fetchall()
    if not rest or rest[0][0] != split or not intact(rest[1:], rest[0]):
        return None
    start = conn.execute(
        f"SELECT {_REPLAYED} FROM events WHERE id < ? AND kind != ? ORDER BY id", [split, RECORDED]
    ).fetchall()
    actual, evidence = _table_records(store), _evidence_rows(store.db)
    seals = store.seals()
    hashes = _hashes_of(conn, {1, *(row["events"] for row in seals)})
    holds = published is not None and _holds(conn, published.strip().lower(), total)
    result = Verification(events=total, head=rest[-1][6])
    state = _replay(result, _replayed(start + [e for e in rest if e[2] != RECORDED]))
    del start, rest
    if evidence != state.evidence or not worker.intact():
        return None
    _sealed(hashes.get, total, seals, result, require_seal)
    _published(lambda digest: holds, published, result)
    _compare(actual, state.records, result.problems, whole=True)
    return None if result.problems else result


def _hashes_of(conn: Any, ids: set[int]) -> dict[int, str]:
    """The hash of each event in ``ids`` the history holds."""
    marks = ", ".join("?" * len(ids))
    return dict(conn.execute(f"SELECT id, hash FROM events WHERE id IN ({marks})", sorted(ids)).fetchall())


def _holds(conn: Any, digest: str, last: int) -> bool:
    """Whether an event up to ``last`` has the hash ``digest``."""
    return (
        conn.execute("SELECT 1 FROM events WHERE hash = ? AND id <= ?", [digest, last]).fetchone() is not None
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: verifying makes millions of acyclic objects it would scan again and again.

    Resume it only once they are gone, or its next pass scans them all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def verify_logbook(
    store: Store, published: Optional[str] = None, require_seal: bool = False, workers: int = 1
) -> Verification:
    """Check the chain of ``store``'s events, its seals, and that its records agree with them.

    ``published`` is a chain head published earlier: the history must still
    hold it. ``require_seal``: the head must be sealed with this user's secret.
    ``workers``: more than one lets a worker process check the chain's start
    and every cell beside this one (:mod:`logbook.audit.parallel`; forked only
    where this process runs a single thread, as the command line does).
    """
    with _collector_paused():
        spread = _check_spread(store, published, require_seal) if workers > 1 else None
        result = spread or _check(store, published, require_seal)[0]
    result.untrusted = [f"{r.prediction.id}: {', '.join(r.reasons)}" for r in store.trust_review()]
    return result


def _sealed(
    hash_of: Callable[[int], Optional[str]],
    total: int,
    seals: list[dict],
    result: Verification,
    require_seal: bool,
) -> None:
    """Check each author's seal of the head (:mod:`logbook.store.seal`): yours by its MAC, every one by the chain.

    ``hash_of(n)``: the hash of event ``n`` of the ``total`` the history holds.
    """
    problems = result.problems
    if not total:
        return
    genesis = hash_of(1) or GENESIS
    mine = _my_key()
    newest = 0
    for row in seals:
        who = row["author"] or "someone"
        held = 0 < row["events"] <= total and hash_of(row["events"]) == row["hash"]
        if not held:
            problems.append(
                f"the history was rewritten after {who} sealed it: event {row['events']} with hash "
                f"{row['hash'][:16]}... is no longer in it"
            )
            continue
        if mine is not None and row["key"] == mine[1]:
            if not hmac.compare_digest(mac(mine[0], genesis, row["events"], row["hash"]), row["mac"]):
                problems.append(
                    f"the seal under your key does not verify: the seal of {who} was forged or edited"
                )
                continue
            result.sealed_by.append(f"{who} (your key, checked) at event {row['events']}")
        else:
            result.sealed_by.append(f"{who} (key {row['key']}, not yours to check) at event {row['events']}")
        newest = max(newest, row["events"])
    if seals and newest < total and not problems:
        problems.append(
            f"events {newest + 1}-{total} were added after the last seal: written without Logbook"
        )
    if require_seal and (
        mine is None or not any(r["key"] == mine[1] and r["events"] == total for r in seals)
    ):
        problems.append("the head is not sealed with your key: this history was not last written by you here")


def _my_key() -> Optional[tuple[bytes, str]]:
    """This user's secret and its public key id, or None when there is none."""
    from logbook.rules.trust import TrustError, secret

    try:
        key = secret()
    except TrustError:
        return None
    return key, key_id(key)


def verify_export(
    export: LogbookExport,
    store: Optional[Store] = None,
    published: Optional[str] = None,
    allowed_signers: Optional[Path] = None,
    identity: Optional[str] = None,
) -> Verification:
    """Check an export on its own, and against ``store``'s history up to the export's chain head when given.

    An export that carries its chain (``events``) is checked alone: the chain
    must hash up to its head and its records must agree with what the chain
    says; with ``allowed_signers``, its SSH seal must verify (see
    :mod:`logbook.store.seal`).
    """
    result = Verification()
    head = export.chain_head
    if head is not None:
        result.events, result.head = head.events, head.hash
    if published and head is not None and head.hash != published.strip().lower():
        result.problems.append(f"the export's chain head {head.hash} is not the published one {published}")
    _export_consistency(export, result.problems)
    if export.events:
        _own_chain(export, result, allowed_signers, identity)
    elif allowed_signers is not None:
        result.problems.append("the export carries no chain, so its SSH seal cannot be checked alone")
    if store is None or head is None:
        return result
    logbook, events = _check(store, None)
    events = events[: head.events]
    if len(events) < head.events or events[-1][6] != head.hash:
        result.problems.append(
            f"the export's chain head (event {head.events}, {head.hash}) is not in this logbook's history"
        )
    state = replay(events, next((e[0] for e in events if e[2] == "logbook.backfilled"), 0))
    mismatches: list[str] = []
    _compare(_export_records(export), state.all_records(), mismatches, whole=False)
    result.problems += [p.replace("its recorded history", "the logbook's history") for p in mismatches]
    result.problems += [f"in the logbook: {problem}" for problem in logbook.problems]
    return result


def _own_chain(
    export: LogbookExport, result: Verification, allowed_signers: Optional[Path], identity: Optional[str]
) -> None:
    """Check the chain an export carries, its records against it, and its SSH seal."""
    events = []
    prev = GENESIS
    for e in export.events:
        events.append((e.id, e.at, e.kind, e.subject, e.payload, prev, e.hash))
        prev = e.hash
    chain = Verification()
    _walk_events(events, chain)
    result.problems += [f"in the export's chain: {p}" for p in chain.problems]
    head = export.chain_head
    if head is None or chain.events != head.events or chain.head != head.hash:
        result.problems.append("the export's chain does not end at its chain head: events were added or cut")
    state = replay(events, next((e[0] for e in events if e[2] == "logbook.backfilled"), 0))
    mismatches: list[str] = []
    _compare(_export_records(export), state.all_records(), mismatches, whole=False)
    result.problems += [p.replace("its recorded history", "the export's own chain") for p in mismatches]
    seal = export.seal
    if seal is None:
        if allowed_signers is not None:
            result.problems.append("the export carries no SSH seal: run `logbook seal` before exporting")
        return
    held = 0 < seal.events <= len(events) and events[seal.events - 1][6] == seal.hash
    if seal.genesis != events[0][6] or not held:
        result.problems.append("the export's SSH seal is for another history than the one it carries")
        return
    if seal.events < len(events):
        result.sealed_by.append(f"SSH seal covers events 1-{seal.events} of {len(events)}")
    if allowed_signers is None:
        result.sealed_by.append("an SSH seal, not checked: give --allowed-signers to check it")
        return
    try:
        result.signed_by = ssh_verify(
            message(seal.genesis, seal.events, seal.hash),
            seal.signature,
            allowed_signers,
            seal.namespace,
            identity,
        )
    except SealError as error:
        result.problems.append(str(error))


def load_export(path: Path) -> LogbookExport:
    """Read a JSON export written by ``logbook export``."""
    try:
        return LogbookExport.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise LogbookError(f"cannot read {path}: {error.strerror}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LogbookError(f"{path} is not a logbook export: {where}: {first['msg']}") from None
