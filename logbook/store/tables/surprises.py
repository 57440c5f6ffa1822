"""Surprises: predictions that failed, drift, and what was flagged by hand; each closed once, with a reason."""

from __future__ import annotations

from typing import Any, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import Resolution, Surprise, SurpriseStatus
from logbook.store.tables.base import current_user, from_row, new_id, now, one
from logbook.store.tables.events import Events
from logbook.store.tables.experiments import Experiments
from logbook.store.tables.part import Part
from logbook.text import clean_text
from logbook.words import SURPRISE_FILTERS


def surprise_number(surprise_id: int | str) -> int:
    """The row id of a surprise named ``3``, ``"3"`` or ``"S3"``."""
    text = str(surprise_id).strip().upper().removeprefix("S")
    if not text.isdigit():
        raise LogbookError(f"not a surprise id: {surprise_id!r} (surprises are S1, S2, ...)")
    return int(text)


class Surprises(Part):
    """The ``surprises`` table: reading, flagging, marking read and closing; calling it lists them.

    ``experiments`` names the cell a surprise flagged by hand is about.
    """

    def __init__(self, db: Database, events: Events, experiments: Experiments) -> None:
        super().__init__(db, events)
        self.experiments = experiments

    def add_manual_surprise(
        self, note: str, experiment_id: int | None = None, hypothesis_id: str | None = None
    ) -> Surprise:
        """Flag a surprise by hand with a note, on an experiment (default: the last one recorded)."""
        note = clean_text(note).strip()
        if not note:
            raise LogbookError("say what surprised you: the note is empty")
        with self.transaction():
            if experiment_id is None:
                experiment_id = self.experiments.last_experiment_id()
            at = now()
            sid = (
                self.db.table("surprises")
                .insert(
                    {
                        "hypothesis_id": hypothesis_id,
                        "experiment_id": experiment_id,
                        "created_at": at,
                        "manual": 1,
                        "note": note,
                        "observed": "{}",
                        "status": SurpriseStatus.open.value,
                    }
                )
                .last_pk
            )
            self.events.append_event(
                "surprise.flagged",
                f"S{sid}",
                {"note": note, "hypothesis_id": hypothesis_id, "experiment_id": experiment_id},
                at=at,
            )
        return self.surprise(new_id(sid))

    def surprise_flagged(self, note: str, hypothesis_id: str | None = None) -> Surprise | None:
        """The first surprise flagged by hand with exactly this note about ``hypothesis_id``, or None."""
        row = self.db.execute(
            "SELECT id FROM surprises WHERE manual = 1 AND note = ? AND hypothesis_id IS ? ORDER BY id LIMIT 1",
            [clean_text(note).strip(), hypothesis_id],
        ).fetchone()
        return self.surprise(row[0]) if row else None

    def surprise(self, surprise_id: int | str) -> Surprise:
        """The surprise with this id (``3`` or ``"S3"``)."""
        return from_row(Surprise, one(self.db, "surprises", surprise_number(surprise_id), "surprise"))

    def __call__(
        self,
        status: SurpriseStatus | str | None = None,
        limit: int | None = None,
        offset: int = 0,
        unread_first: bool = False,
        newest_first: bool = False,
    ) -> list[Surprise]:
        """Surprises, most surprising first: all of them, or those with ``status``; ``limit``/``offset`` page them.

        ``status`` is ``open``, ``explained``, ``acted_on``, ``resolved``
        (explained or acted on) or ``all``. ``unread_first`` gives the inbox's
        order: unread ones first, then the most surprising (hand-flagged ones
        have no surprisal), then the newest. ``newest_first``: the newest first.
        """
        where, filtered = self._surprise_filter(status)
        params: list[Any] = list(filtered)
        order = (
            "(status = 'open' AND NOT read) DESC, surprisal_bits DESC NULLS LAST, id DESC"
            if unread_first
            else "id DESC"
            if newest_first
            else "surprisal_bits DESC NULLS LAST, id"
        )
        sql = f"SELECT * FROM surprises{where} ORDER BY {order}"
        if limit is not None:
            sql, params = sql + " LIMIT ? OFFSET ?", [*params, limit, offset]
        return [from_row(Surprise, row) for row in self.db.query(sql, params)]

    def count_surprises(self, status: SurpriseStatus | str | None = None) -> int:
        """How many surprises have ``status`` (as :meth:`__call__` reads it)."""
        where, params = self._surprise_filter(status)
        return self.db.execute(f"SELECT count(*) FROM surprises{where}", params).fetchone()[0]

    @staticmethod
    def _surprise_filter(status: SurpriseStatus | str | None) -> tuple[str, list[str]]:
        key = status.value if isinstance(status, SurpriseStatus) else (status or "all")
        if key not in SURPRISE_FILTERS:
            raise LogbookError(
                f"unknown surprise status {key!r}; choose one of {', '.join(SURPRISE_FILTERS)}"
            )
        statuses = SURPRISE_FILTERS[key]
        if not statuses:
            return "", []
        return f" WHERE status IN ({', '.join('?' * len(statuses))})", list(statuses)

    def unread_surprises(self) -> int:
        """How many surprises are open and not yet seen: the sidebar's badge."""
        return self.db.execute(
            "SELECT count(*) FROM surprises WHERE status = 'open' AND NOT read"
        ).fetchone()[0]

    def mark_surprise_read(self, surprise_id: int | str, read: bool = True) -> Surprise:
        """Mark a surprise seen (or unseen again); only the unread badge changes."""
        current = self.surprise(surprise_id)
        if current.read != read:
            with self.transaction():
                self.db.table("surprises").update(current.id, {"read": int(read)})
                self.events.append_event("surprise.read", f"S{current.id}", {"read": read})
        return self.surprise(current.id)

    def close(
        self,
        number: int,
        action: Resolution,
        explanation: str,
        who: str,
        at: str,
        changes_belief: bool,
        credence: Optional[float],
    ) -> None:
        """Close surprise ``number`` with ``action`` and write its ``surprise.resolved`` event; in a transaction.

        ``changes_belief`` says the action changed its hypothesis' belief (to ``credence``): the event names them.
        """
        hypothesis_id = self.db.execute(
            "SELECT hypothesis_id FROM surprises WHERE id = ?", [number]
        ).fetchone()[0]
        self.db.table("surprises").update(
            number,
            {
                "status": action.status.value,
                "read": 1,
                "resolution": action.value,
                "explanation": explanation,
                "resolved_at": at,
                "resolved_by": who,
            },
        )
        self.events.append_event(
            "surprise.resolved",
            f"S{number}",
            {
                "resolution": action.value,
                "status": action.status.value,
                "explanation": explanation,
                "by": who,
                "hypothesis_id": hypothesis_id if changes_belief else None,
                "credence": credence,
            },
            at=at,
        )

    def close_refuted(
        self, hypothesis_id: str, reason: str, credence: float, at: str, keep: int | None
    ) -> None:
        """Close the open prediction surprises of a hypothesis just refuted, as refuted with its reason.

        Call inside a transaction; ``keep`` is a surprise its caller closes itself.
        """
        who = clean_text(current_user()).strip()
        for (number,) in self.db.execute(
            "SELECT id FROM surprises WHERE hypothesis_id = ? AND status = 'open' AND manual = 0"
            " AND coalesce(kind, 'prediction') = 'prediction' AND id IS NOT ? ORDER BY id",
            [hypothesis_id, keep],
        ).fetchall():
            self.close(number, Resolution.refuted, reason, who, at, True, credence)
