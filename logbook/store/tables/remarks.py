"""Remarks on a teammate's records: comments, challenges and follow-ups, kept in the writer's own logbook."""

from __future__ import annotations

import re
from typing import Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import Remark
from logbook.rules.predictions import parse_expression
from logbook.store.tables.base import current_user, from_row, new_id, now
from logbook.store.tables.events import Events
from logbook.store.tables.hypotheses import Hypotheses
from logbook.store.tables.part import Part
from logbook.store.tables.predictions import Predictions
from logbook.text import clean_text

#: A teammate's hypothesis (H3) or surprise (S2).
_RECORD = re.compile(r"^(H\d+|S\d+)$")
KINDS = ("comment", "challenge", "follow-up")


class Remarks(Part):
    """The ``remarks`` table: what this author wrote about a teammate's hypothesis or surprise.

    A challenge is a prediction of the writer's own under their copy of the
    teammate's hypothesis (made once, on the first challenge), so their own
    kernels judge it; a follow-up is a new hypothesis of the writer's. Each
    remark names the teammate's record and the writer's own record it made.
    """

    def __init__(
        self, db: Database, events: Events, hypotheses: Hypotheses, predictions: Predictions
    ) -> None:
        super().__init__(db, events)
        self.hypotheses = hypotheses
        self.predictions = predictions

    def add_remark(
        self,
        kind: str,
        about_author: str,
        about_id: str,
        text: str = "",
        hypothesis_id: Optional[str] = None,
        prediction_id: Optional[str] = None,
    ) -> Remark:
        """Keep one remark (its own records already written), in the chained history."""
        if kind not in KINDS:
            raise LogbookError(f"unknown remark {kind!r}; choose {', '.join(KINDS)}")
        about_author, about_id, text = (
            about_author.strip(),
            about_id.strip().upper(),
            clean_text(text).strip(),
        )
        if not about_author:
            raise LogbookError("say whose record this is about: H3·bob")
        if not _RECORD.match(about_id):
            raise LogbookError(f"{about_id!r} is no hypothesis or surprise: name one as H3·bob or S2·bob")
        if kind == "comment" and not text:
            raise LogbookError("the comment is empty")
        row = {
            "kind": kind,
            "about_author": about_author,
            "about_id": about_id,
            "text": text,
            "hypothesis_id": hypothesis_id,
            "prediction_id": prediction_id,
            "author": current_user() or None,
        }
        with self.transaction():
            at = now()
            rid = new_id(self.db.table("remarks").insert({**row, "created_at": at}).last_pk)
            self.events.append_event("remark.written", f"R{rid}", row, at=at)
        return from_row(Remark, self.db.table("remarks").get(rid))

    def challenge(
        self, about_author: str, about_id: str, statement: str, expression: str, credence: float
    ) -> Remark:
        """A red-team prediction of this author's against a teammate's hypothesis ``about_id``.

        The prediction lives under this author's copy of that hypothesis (stated
        once, "H3·bob: <statement>"), so this author's kernels judge it.
        """
        if not about_id.strip().upper().startswith("H"):
            raise LogbookError("a challenge is a prediction against a hypothesis: name one as H3·bob")
        # A prediction that cannot be written leaves nothing behind: checked before the copy is stated.
        parse_expression(expression)
        if not 0.0 <= credence <= 1.0:
            raise LogbookError(f"credence must be between 0 and 1, got {credence}")
        copy = self._copy_of(about_author, about_id.strip().upper())
        if copy is None:
            copy = self.hypotheses.add_hypothesis(
                f"{about_id.strip().upper()}·{about_author}: {statement}", 0.5
            ).id
        prediction = self.predictions.add_prediction(copy, expression, credence)
        return self.add_remark("challenge", about_author, about_id, "", copy, prediction.id)

    def _copy_of(self, about_author: str, about_id: str) -> Optional[str]:
        row = self.db.execute(
            "SELECT hypothesis_id FROM remarks WHERE kind = 'challenge' AND about_author = ? AND about_id = ?"
            " ORDER BY id LIMIT 1",
            [about_author, about_id],
        ).fetchone()
        return row[0] if row else None

    def __call__(self, about_author: Optional[str] = None) -> list[Remark]:
        """Every remark, oldest first; only those about ``about_author``'s records when given."""
        where, params = ("WHERE about_author = ?", [about_author]) if about_author else ("", [])
        return [
            from_row(Remark, r) for r in self.db.query(f"SELECT * FROM remarks {where} ORDER BY id", params)
        ]
