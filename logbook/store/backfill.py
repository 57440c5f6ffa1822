"""The first events of a logbook written before the event history existed.

Its hypotheses, credence changes, predictions, judgements, surprises, notes
and modes are written as events in the order of their own times, so that
``logbook verify`` can check the logbook from then on. What the old records
do not date (a surprise marked read, a prediction edited after its verdict)
is written last, at the time of the upgrade, and a final
``logbook.backfilled`` event says how many events were reconstructed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from sqlite_utils import Database

from logbook.store.tables.events import GENESIS, canonical, event_hash

#: Sorts undated records after every dated one.
_LATE = datetime.max.replace(tzinfo=timezone.utc)


def _moment(text: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return _LATE
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _rows(db: Database, sql: str) -> list[dict]:
    return list(db.query(sql))


def _hypothesis_events(db: Database, upgraded_at: str) -> tuple[list[tuple], list[tuple]]:
    dated: list[tuple] = []
    late: list[tuple] = []
    history: dict[str, list[dict]] = {}
    for row in _rows(db, "SELECT * FROM credence_history ORDER BY id"):
        history.setdefault(row["hypothesis_id"], []).append(row)
    for h in _rows(db, "SELECT * FROM hypotheses ORDER BY seq"):
        changes = history.get(h["id"], [])
        stated_credence = changes[0]["credence"] if changes else h["credence"]
        payload = {
            "statement": h["statement"],
            "credence": stated_credence,
            "brainstorm_id": h["brainstorm_id"],
        }
        dated.append((h["created_at"], "hypothesis.stated", h["id"], payload))
        later = changes[1:]
        credence = stated_credence
        status_row = later[-1] if later and h["status"] != "active" else None
        for change in later:
            credence = change["credence"]
            reason = change["reason"] or ""
            if change is status_row:
                payload = {
                    "status": h["status"],
                    "credence": credence,
                    "reason": "" if reason == h["status"] else reason,
                }
                dated.append((change["at"], "hypothesis.status", h["id"], payload))
            else:
                dated.append(
                    (change["at"], "hypothesis.credence", h["id"], {"credence": credence, "reason": reason})
                )
        if h["status"] != "active" and status_row is None:
            late.append(
                (
                    upgraded_at,
                    "hypothesis.status",
                    h["id"],
                    {"status": h["status"], "credence": h["credence"], "reason": ""},
                )
            )
        elif credence != h["credence"]:
            late.append(
                (upgraded_at, "hypothesis.credence", h["id"], {"credence": h["credence"], "reason": ""})
            )
    return dated, late


def _prediction_events(db: Database, upgraded_at: str) -> tuple[list[tuple], list[tuple]]:
    dated: list[tuple] = []
    late: list[tuple] = []
    judged: dict[str, list[dict]] = {}
    for table, held in (("evidence", True), ("surprises", False)):
        manual = " AND manual = 0" if table == "surprises" else ""
        for row in _rows(db, f"SELECT * FROM {table} WHERE prediction_id IS NOT NULL{manual} ORDER BY id"):
            judged.setdefault(row["prediction_id"], []).append({**row, "held": held, "table": table})
    for p in _rows(db, "SELECT * FROM predictions ORDER BY hypothesis_id, seq"):
        payload = {
            "hypothesis_id": p["hypothesis_id"],
            "kind": p["kind"],
            "expression": p["expression"],
            "credence": p["credence"],
        }
        dated.append((p["created_at"], "prediction.written", p["id"], payload))
        verdicts = sorted(judged.pop(p["id"], []), key=lambda j: (_moment(j["created_at"]), j["id"]))
        dated += [_judged_event(j) for j in verdicts]
        if p["state"] == "error":
            dated.append(
                (p["evaluated_at"] or upgraded_at, "prediction.error", p["id"], {"error": p["error"] or ""})
            )
        elif p["state"] == "pending" and verdicts:
            # Edited after its verdict, as older versions allowed: its text now is what it was judged as.
            edit = {"expression": p["expression"], "credence": p["credence"]}
            late.append((upgraded_at, "prediction.edited", p["id"], edit))
    for orphans in judged.values():
        dated += [_judged_event(j) for j in orphans]
    return dated, late


def _judged_event(j: dict) -> tuple:
    payload = {
        "held": j["held"],
        "record": f"{j['table']}/{j['id']}",
        "expression": j["prediction"],
        "credence": j["credence"],
        "surprisal_bits": j["surprisal_bits"],
        "experiment_id": j["experiment_id"],
        "observed": j["observed"],
    }
    return (j["created_at"], "prediction.judged", j["prediction_id"], payload)


def _journal_events(db: Database, upgraded_at: str) -> tuple[list[tuple], list[tuple]]:
    dated: list[tuple] = []
    late: list[tuple] = []
    for s in _rows(db, "SELECT * FROM surprises ORDER BY id"):
        if s["manual"]:
            payload = {
                "note": s["note"],
                "hypothesis_id": s["hypothesis_id"],
                "experiment_id": s["experiment_id"],
            }
            dated.append((s["created_at"], "surprise.flagged", f"S{s['id']}", payload))
        if s["status"] != "unread":
            late.append((upgraded_at, "surprise.status", f"S{s['id']}", {"status": s["status"]}))
    for n in _rows(db, "SELECT * FROM notes ORDER BY id"):
        payload = {
            "text": n["text"],
            "experiment_id": n["experiment_id"],
            "hypothesis_id": n["hypothesis_id"],
        }
        dated.append((n["created_at"], "note.written", f"N{n['id']}", payload))
    for m in _rows(db, "SELECT * FROM modes ORDER BY id"):
        dated.append((m["started_at"], "mode.switched", f"M{m['id']}", {"mode": m["mode"]}))
    return dated, late


def backfill_events(db: Database) -> int:
    """Write an old logbook's records as its first events; returns how many (0 when it has events)."""
    if db.execute("SELECT count(*) FROM events").fetchone()[0]:
        return 0
    upgraded_at = datetime.now(timezone.utc).isoformat()
    dated: list[tuple] = []
    late: list[tuple] = []
    for part in (_hypothesis_events, _prediction_events, _journal_events):
        more_dated, more_late = part(db, upgraded_at)
        dated += more_dated
        late += more_late
    # A stable sort: records of one time keep the order hypothesis, prediction, judgement, journal.
    events = sorted(dated, key=lambda e: _moment(e[0])) + late
    if not events:
        return 0
    events.append((upgraded_at, "logbook.backfilled", "logbook", {"events": len(events)}))
    append_chained(db, ((at or upgraded_at, kind, subject, payload) for at, kind, subject, payload in events))
    return len(events)


def backfill_tag_events(db: Database) -> int:
    """Chain the tags of an older logbook's hypotheses and predictions, written with no event; returns how many.

    Like :func:`logbook.store.cell_digest.backfill_cell_events`, each event is dated
    now and says ``"backfilled": true``.
    """
    import json

    at = datetime.now(timezone.utc).isoformat()
    events = []
    for table, kind in (("hypotheses", "hypothesis.tagged"), ("predictions", "prediction.tagged")):
        for record_id, text in db.execute(
            f"SELECT id, tags FROM {table} WHERE tags IS NOT NULL ORDER BY rowid"
        ):
            try:
                tags = json.loads(text)
            except ValueError:
                continue
            if tags:
                events.append((at, kind, record_id, {"tags": tags, "backfilled": True}))
    return append_chained(db, events)


def append_chained(db: Database, events: Iterable[tuple[str, str, str, dict]]) -> int:
    """Append ``(at, kind, subject, payload)`` events after the history's head, each chained to the one before."""
    last = db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    event_id, prev = (last[0], last[1]) if last else (0, GENESIS)
    count = 0
    for at, kind, subject, payload in events:
        event_id += 1
        text = canonical(payload)
        digest = event_hash(prev, event_id, at, kind, subject, text)
        db.execute(
            "INSERT INTO events (id, at, kind, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [event_id, at, kind, subject, text, prev, digest],
        )
        prev, count = digest, count + 1
    return count
