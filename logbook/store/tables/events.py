"""The append-only event history: every change of belief or record, chained by hash.

Each event's hash covers its id, time, kind, subject and payload and the hash
of the event before it, so changing, removing or reordering any past event
breaks every hash after it. ``logbook verify`` checks the chain.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import SignedHead, utcnow
from logbook.store.seal import (
    NAMESPACE,
    key_id,
    mac,
    message,
    ssh_sign,
)
from logbook.store.tables.base import STATEMENT_ROWS, current_user, insert_many
from logbook.store.transactions import immediate

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """The one JSON text of ``value`` that its hash is taken over."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


#: The JSON text of one string, exactly as :func:`canonical` writes it.
_string = json.encoder.encode_basestring


@functools.lru_cache(maxsize=len(STATEMENT_ROWS))
def _insert_events(count: int) -> str:
    """The statement that appends ``count`` events, each given all seven columns."""
    one = "(?, ?, ?, ?, ?, ?, ?)"
    return f"INSERT INTO events (id, at, kind, subject, payload, prev_hash, hash) VALUES {', '.join([one] * count)}"


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


def write_seal(db: Any, sealer: tuple, events: int, head: str) -> None:
    """Keep ``sealer``'s (secret, key id, author) seal of the head ``(events, head)``: one row per key."""
    secret, key, author = sealer
    genesis = db.execute("SELECT hash FROM events WHERE id = 1").fetchone()[0]
    db.execute(
        "INSERT INTO seals (key, author, events, hash, mac, at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET author = excluded.author, events = excluded.events,"
        " hash = excluded.hash, mac = excluded.mac, at = excluded.at",
        [key, author, events, head, mac(secret, genesis, events, head), utcnow().isoformat()],
    )


def seal_after_upgrade(db: Any) -> None:
    """Seal the head a migration appended to with this user's secret, as a transaction's own writes are sealed."""
    last = db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return
    sealer = load_sealer()
    if sealer:
        write_seal(db, sealer, last[0], last[1])


def load_sealer() -> Any:
    """This user's (secret, key id, name) to seal with, or False when there is no usable secret."""
    from logbook.rules.trust import TrustError, secret

    try:
        key = secret()
    except TrustError:
        return False
    return (key, key_id(key), current_user())


class Events:
    """The ``events`` table (the chained history) and the seals of its head, on one connection ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        #: The head this connection appended and has not sealed yet: (events, hash).
        self._unsealed: Optional[tuple[int, str]] = None
        #: This user's secret, key id and name, once read; False when there is none to be had.
        self._sealer: Any = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front; it ends by sealing the head it wrote."""
        with immediate(self.db) as db:
            yield db
            self.seal_head()

    def append_event(self, kind: str, subject: str, payload: dict[str, Any], at: str | None = None) -> str:
        """Append one event and return its hash; call inside the write transaction that makes the change."""
        return self.append_events([(kind, subject, canonical(payload))], at)[0]

    def append_events(self, events: Sequence[tuple[str, str, str]], at: str | None = None) -> list[str]:
        """Append events, each ``(kind, subject, payload)`` with its payload as canonical JSON text, in order.

        They are chained one after another, all dated ``at`` (default: now),
        and written in one statement; returns their hashes. Call inside the
        write transaction that makes the change.
        """
        if not events:
            return []
        last = self.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        event_id, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
        at = at or utcnow().isoformat()
        rows, hashes = [], []
        for kind, subject, text in events:
            event_id += 1
            digest = event_hash(prev_hash, event_id, at, kind, subject, text)
            rows.append((event_id, at, kind, subject, text, prev_hash, digest))
            hashes.append(digest)
            prev_hash = digest
        if self.db.conn.in_transaction:
            insert_many(self.db.conn.execute, _insert_events, [value for row in rows for value in row], 7)
        else:  # each statement commits on its own, as ``Database.execute`` does
            for row in rows:
                self.db.execute(_insert_events(1), row)
        self._unsealed = (event_id, prev_hash)
        return hashes

    def prepare_seal(self) -> None:
        """Read this user's secret now rather than at the first transaction that seals (a writer about to seal many)."""
        if self._sealer is None:
            self._sealer = load_sealer()

    def seal_head(self) -> None:
        """Sign the head this transaction wrote with this user's secret (:mod:`logbook.store.seal`); in the transaction.

        One row per key in ``seals``; without a usable secret nothing is sealed.
        """
        if self._unsealed is None:
            return
        if self._sealer is None:
            self._sealer = load_sealer()
        sealer = self._sealer
        if not sealer:
            self._unsealed = None
            return
        write_seal(self.db, sealer, *self._unsealed)
        self._unsealed = None

    def ssh_seal(self) -> Optional[SignedHead]:
        """The newest SSH seal whose head the history still holds, or None."""
        for row in self.db.query("SELECT * FROM ssh_seals ORDER BY id DESC"):
            held = self.db.execute("SELECT hash FROM events WHERE id = ?", [row["events"]]).fetchone()
            if held and held[0] == row["hash"]:
                return SignedHead(**{k: v for k, v in row.items() if k != "id"})
        return None

    def seal_with_ssh(self, key: Path, namespace: str = NAMESPACE) -> SignedHead:
        """Sign the head with an SSH private key (``ssh-keygen -Y sign``) and keep the signature."""
        head = self.chain_head()
        if head is None:
            raise LogbookError("the logbook has no history yet: nothing to seal")
        genesis = self.db.execute("SELECT hash FROM events WHERE id = 1").fetchone()[0]
        signature = ssh_sign(message(genesis, head["events"], head["hash"]), key, namespace)
        public = Path(f"{key}.pub")
        sealed = SignedHead(
            genesis=genesis,
            events=head["events"],
            hash=head["hash"],
            namespace=namespace,
            signature=signature,
            public_key=public.read_text().strip() if public.is_file() else None,
            at=utcnow(),
        )
        with self.transaction():
            self.db.table("ssh_seals").insert({**sealed.model_dump(), "at": sealed.at.isoformat()})
        return sealed

    def seals(self) -> list[dict[str, Any]]:
        """Every author's seal of the head: key id, author, events, hash, mac, when."""
        return list(self.db.query("SELECT * FROM seals ORDER BY at"))

    def chain_head(self) -> dict[str, Any] | None:
        """The newest event's id and hash: publish this to prove the history up to now."""
        row = self.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return {"events": row[0], "hash": row[1]} if row else None

    def event_hash(self, event_id: int) -> str | None:
        """The hash of event ``event_id``, or None when the history has no such event."""
        row = self.db.execute("SELECT hash FROM events WHERE id = ?", [event_id]).fetchone()
        return row[0] if row else None

    def iter_events(self, subject: str | None = None) -> Iterator[dict[str, Any]]:
        """Events oldest first (of one ``subject`` when given), payloads decoded."""
        sql, params = "SELECT * FROM events", []
        if subject is not None:
            sql, params = sql + " WHERE subject = ?", [subject]
        for row in self.db.query(sql + " ORDER BY id", params):
            yield {**row, "payload": json.loads(row["payload"])}
