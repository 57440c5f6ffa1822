"""Tags: labels on hypotheses and predictions that slice calibration."""

from __future__ import annotations

import json
from typing import Iterable

from logbook.store.tables.base import loads, one
from logbook.store.tables.part import Part
from logbook.text import clean_text


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tags as kept: trimmed, lower case, sorted, once each (a string is split at commas)."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    return sorted({clean_text(t).strip().lower() for t in tags if clean_text(t).strip()})


class Tags(Part):
    """The ``tags`` column of hypotheses and predictions, each change an event."""

    def tag(self, record_id: str, tags: Iterable[str] | str, replace: bool = False) -> list[str]:
        """Add tags to a hypothesis (``H1``) or a prediction (``H1.P2``), or ``replace`` them; returns its tags.

        >>> store.tag("H1.P2", "quick, layer1")
        ['layer1', 'quick']

        Each change is a ``hypothesis.tagged`` or ``prediction.tagged`` event
        with the tags after it: tags slice calibration, so ``logbook verify``
        checks them.
        """
        rid = record_id.strip().upper()
        table, label = ("predictions", "prediction") if "." in rid else ("hypotheses", "hypothesis")
        with self.transaction():
            row = one(self.db, table, rid, label)
            old = loads(row.get("tags"), [])
            now_tags = clean_tags(tags) if replace else clean_tags([*old, *clean_tags(tags)])
            if now_tags != old:
                self.write(table, rid, now_tags)
        return now_tags

    def write(self, table: str, record_id: str, tags: list[str]) -> None:
        """Write a record's tags (``table`` is ``hypotheses`` or ``predictions``) and their event; in a transaction."""
        self.db.execute(f"UPDATE {table} SET tags = ? WHERE id = ?", [json.dumps(tags), record_id])
        kind = "prediction.tagged" if table == "predictions" else "hypothesis.tagged"
        self.events.append_event(kind, record_id, {"tags": tags})
