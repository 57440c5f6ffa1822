"""The append-only event history: every change of belief or record, chained by hash.

Each event's hash covers its id, time, kind, subject and payload and the hash
of the event before it, so changing, removing or reordering any past event
breaks every hash after it. ``logbook verify`` checks the chain.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

from ..models import utcnow
from .base import Queries

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """The one JSON text of ``value`` that its hash is taken over."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


#: The JSON text of one string, exactly as :func:`canonical` writes it.
_string = json.encoder.encode_basestring


def event_hash(prev_hash: str, event_id: int, at: str, kind: str, subject: str, payload: str) -> str:
    """The chained hash of one event (``payload`` is its canonical JSON text).

    The hash is taken over ``prev_hash``, a newline, and the canonical JSON of
    ``{"id", "at", "kind", "subject", "payload"}``; that text is written out
    directly here (keys in sorted order) because ``logbook verify`` hashes
    every event.
    """
    if (
        type(event_id) is int
        and type(at) is str
        and type(kind) is str
        and type(subject) is str
        and type(payload) is str
    ):
        body = (
            f'{{"at":{_string(at)},"id":{event_id},"kind":{_string(kind)},'
            f'"payload":{_string(payload)},"subject":{_string(subject)}}}'
        )
    else:
        body = canonical({"id": event_id, "at": at, "kind": kind, "subject": subject, "payload": payload})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class EventQueries(Queries):
    def append_event(self, kind: str, subject: str, payload: dict[str, Any], at: str | None = None) -> str:
        """Append one event and return its hash; call inside the write transaction that makes the change."""
        last = self.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        event_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = at or utcnow().isoformat()
        text = canonical(payload)
        digest = event_hash(prev_hash, event_id, at, kind, subject, text)
        self.db.execute(
            "INSERT INTO events (id, at, kind, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [event_id, at, kind, subject, text, prev_hash, digest],
        )
        return digest

    def chain_head(self) -> dict[str, Any] | None:
        """The newest event's id and hash: publish this to prove the history up to now."""
        row = self.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return {"events": row[0], "hash": row[1]} if row else None

    def iter_events(self, subject: str | None = None) -> Iterator[dict[str, Any]]:
        """Events oldest first (of one ``subject`` when given), payloads decoded."""
        sql, params = "SELECT * FROM events", []
        if subject is not None:
            sql, params = sql + " WHERE subject = ?", [subject]
        for row in self.db.query(sql + " ORDER BY id", params):
            yield {**row, "payload": json.loads(row["payload"])}
