"""Checking a whole event chain in one pass: every hash recomputed, every link and date compared.

:func:`intact` answers whether a chain has no problem at all, and is quick
about it; ``logbook verify`` walks the events again to say what is wrong only
when it answers no.
"""

from __future__ import annotations

import hashlib
from json.encoder import encode_basestring
from typing import Optional, Sequence

from logbook.store.tables.events import GENESIS, event_hash


def chain_hashes(events: Sequence[tuple]) -> list[str]:
    """:func:`~logbook.store.tables.events.event_hash` of each ``(id, at, kind, subject, payload, prev_hash, hash)``.

    The canonical JSON of plain events (an integer id, text fields) is
    written out here as ``event_hash`` writes it; any other event is handed
    to ``event_hash`` itself.
    """
    sha256, string = hashlib.sha256, encode_basestring
    return [
        sha256(
            f'{prev}\n{{"at":{string(at)},"id":{event_id},"kind":{string(kind)},'
            f'"payload":{string(payload)},"subject":{string(subject)}}}'.encode()
        ).hexdigest()
        if type(event_id) is int and type(at) is type(kind) is type(subject) is type(payload) is str
        else event_hash(prev, event_id, at, kind, subject, payload)
        for event_id, at, kind, subject, payload, prev, _ in events
    ]


def intact(events: Sequence[tuple], before: Optional[tuple] = None) -> bool:
    """Whether ``events`` (as :func:`chain_hashes` takes them, oldest first) have nothing wrong.

    True when the ids run 1, 2, 3..., each event names the hash of the one
    before it (the first :data:`GENESIS`), each hash is its recomputed hash
    and no event is dated before the one before it. ``before``: the event
    just before the first of ``events``, when they are a later part of a chain.
    """
    expected_id, prev, last_at = (1, GENESIS, "") if before is None else (before[0] + 1, before[6], before[1])
    try:
        for (event_id, at, _, _, _, prev_hash, stored), recomputed in zip(events, chain_hashes(events)):
            if event_id != expected_id or prev_hash != prev or recomputed != stored or at < last_at:
                return False
            expected_id, prev, last_at = event_id + 1, stored, at
    except TypeError:  # a field of a type no event is written with: the walk says which
        return False
    return True
