"""Hypotheses and their dated credence history."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlite_utils import Database

from logbook.errors import AlreadyDone, LogbookError
from logbook.models import (
    CredenceChange,
    Hypothesis,
    HypothesisStatus,
    Resolution,
)
from logbook.rules.redteam import going_well_reason
from logbook.store.tables.base import current_user, from_row, now, one, validated
from logbook.store.tables.credences import Credences
from logbook.store.tables.events import Events
from logbook.store.tables.part import Part
from logbook.store.tables.predictions import Predictions
from logbook.store.tables.surprises import Surprises
from logbook.store.tables.tags import Tags, clean_tags
from logbook.text import clean_text


class Hypotheses(Part):
    """The ``hypotheses`` table, each read with its credence history and predictions; calling it lists them.

    Following up a surprise closes it through ``surprises``; credences and
    statuses are written through ``credences``, tags through ``tags``.
    """

    def __init__(
        self,
        db: Database,
        events: Events,
        predictions: Predictions,
        surprises: Surprises,
        credences: Credences,
        tags: Tags,
    ) -> None:
        super().__init__(db, events)
        self.predictions = predictions
        self.surprises = surprises
        self.credences = credences
        self.tags = tags

    def add_hypothesis(
        self,
        statement: str,
        credence: float = 0.5,
        brainstorm_id: int | None = None,
        tags: list[str] | str | None = None,
    ) -> Hypothesis:
        """State a hypothesis with its credence (and the brainstorm that wrote it, its tags)."""
        statement = clean_text(statement).strip()
        # Validate before touching the database.
        validated(Hypothesis, id="H0", statement=statement, credence=credence)
        with self.transaction():
            hid = self._state_hypothesis(statement, credence, brainstorm_id, None, now())
            if clean_tags(tags):
                self.tags.write("hypotheses", hid, clean_tags(tags))
        return self.hypothesis(hid)

    def follow_up(
        self,
        surprise_id: int | str,
        statement: str,
        credence: float = 0.5,
        brainstorm_id: int | None = None,
        by: str | None = None,
    ) -> Hypothesis:
        """State a hypothesis that follows up a surprise, and close the surprise as ``followed_up``, at once.

        >>> store.follow_up("S3", "the spike comes from one bad batch", credence=0.4)

        The new hypothesis' ``follows`` names the surprise; the surprise is
        acted on, its explanation the new hypothesis. A surprise is closed
        once: following it up again with the same statement (a re-run cell)
        returns the hypothesis already stated, anything else is refused.
        """
        statement = clean_text(statement).strip()
        validated(Hypothesis, id="H0", statement=statement, credence=credence)
        current = self.surprises.surprise(surprise_id)
        sid = f"S{current.id}"
        if current.resolution is Resolution.followed_up:
            row = self.db.execute(
                "SELECT id FROM hypotheses WHERE follows = ? AND statement = ? ORDER BY seq LIMIT 1",
                [sid, statement],
            ).fetchone()
            if row:
                return self.hypothesis(row[0])
        if current.resolution is not None:
            by_whom = f" by {current.resolved_by}" if current.resolved_by else ""
            raise LogbookError(
                f"{sid} was already resolved ({current.resolution.value.replace('_', ' ')}{by_whom}); "
                "a surprise is resolved once, so it cannot also be followed up: state the hypothesis on its own"
            )
        who = clean_text(current_user() if by is None else by).strip()
        with self.transaction():
            at = now()
            hid = self._state_hypothesis(statement, credence, brainstorm_id, sid, at)
            self.surprises.close(
                current.id, Resolution.followed_up, f"{hid}: {statement}", who, at, False, None
            )
        return self.hypothesis(hid)

    def _state_hypothesis(
        self, statement: str, credence: float, brainstorm_id: int | None, follows: str | None, at: str
    ) -> str:
        """Write a new hypothesis, its first credence line and its event; call inside a transaction."""
        seq = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM hypotheses").fetchone()[0]
        hid = f"H{seq}"
        self.db.table("hypotheses").insert(
            {
                "id": hid,
                "seq": seq,
                "statement": statement,
                "credence": credence,
                "status": HypothesisStatus.active.value,
                "created_at": at,
                "brainstorm_id": brainstorm_id,
                "follows": follows,
            }
        )
        self.db.table("credence_history").insert(
            {"hypothesis_id": hid, "credence": credence, "reason": "stated", "at": at}
        )
        payload = {"statement": statement, "credence": credence, "brainstorm_id": brainstorm_id}
        if follows:
            payload["follows"] = follows
        self.events.append_event("hypothesis.stated", hid, payload, at=at)
        return hid

    def hypothesis_stating(self, statement: str) -> Hypothesis | None:
        """The first hypothesis whose statement is exactly ``statement`` (as it would be stored), or None."""
        row = self.db.execute(
            "SELECT id FROM hypotheses WHERE statement = ? ORDER BY seq LIMIT 1",
            [clean_text(statement).strip()],
        ).fetchone()
        return self.hypothesis(row[0]) if row else None

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        """The hypothesis with this id (``H1``, or ``h1``), with its history and predictions."""
        hid = hypothesis_id.strip().upper()
        row = one(self.db, "hypotheses", hid, "hypothesis")
        return self._hypothesis_from_row(row, self.predictions.matching("hypothesis_id = ?", [hid]))

    def __call__(self, status: HypothesisStatus | str | None = None) -> list[Hypothesis]:
        """Every hypothesis (those with ``status`` when given), in the order they were stated."""
        where, params = "1", list[Any]()
        if status:
            where, params = "status = ?", [HypothesisStatus(status).value]
        predictions: dict[str, list] = defaultdict(list)
        for prediction in self.predictions.matching(
            f"hypothesis_id IN (SELECT id FROM hypotheses WHERE {where})", params
        ):
            predictions[prediction.hypothesis_id].append(prediction)
        histories: dict[str, list] = defaultdict(list)  # one query for every history, not one per hypothesis
        for r in self.db.query(
            "SELECT hypothesis_id, credence, reason, at FROM credence_history"
            f" WHERE hypothesis_id IN (SELECT id FROM hypotheses WHERE {where}) ORDER BY id",
            params,
        ):
            histories[r["hypothesis_id"]].append(r)
        return [
            self._hypothesis_from_row(row, predictions[row["id"]], histories[row["id"]])
            for row in self.db.query(f"SELECT * FROM hypotheses WHERE {where} ORDER BY seq", params)
        ]

    def _hypothesis_from_row(
        self, row: dict, predictions: list, history_rows: list | None = None
    ) -> Hypothesis:
        if history_rows is None:
            history_rows = list(
                self.db.query(
                    "SELECT * FROM credence_history WHERE hypothesis_id = ? ORDER BY id", [row["id"]]
                )
            )
        hypothesis = from_row(
            Hypothesis,
            row,
            history=[from_row(CredenceChange, r) for r in history_rows],
            predictions=predictions,
        )
        hypothesis.going_well = going_well_reason(hypothesis)
        return hypothesis

    def update_credence(self, hypothesis_id: str, credence: float, reason: str = "") -> Hypothesis:
        """Change a hypothesis' credence; in a competing set the others give way in proportion (see ``set_credence``)."""
        validated(CredenceChange, credence=credence, reason=reason)
        current = self.hypothesis(hypothesis_id)
        hid = current.id
        if current.set_id is not None:
            self.credences.set_member_credence(current.set_id, hid, credence, reason)
            return self.hypothesis(hid)
        with self.transaction():
            self.credences.record_credence(hid, credence, reason, now())
        return self.hypothesis(hid)

    def set_status(
        self,
        hypothesis_id: str,
        status: HypothesisStatus | str,
        reason: str = "",
        credence: float | None = None,
    ) -> Hypothesis:
        """Change a hypothesis' status; one rule for credence, whatever the status.

        The status change is one dated line in the credence history, with its
        reason (the status' name when none is given) and the credence after
        it: ``credence`` when given; otherwise refuting records 0 and every
        other status keeps the credence as it was. Nothing changes silently:
        the line shows the credence, and the event keeps the one before.

        Refuting closes the hypothesis' open prediction surprises as refuted,
        with the same reason. A hypothesis is refuted once: refuting it again
        raises :class:`AlreadyDone` and records nothing.
        """
        try:
            status = HypothesisStatus(status)
        except ValueError:
            choices = ", ".join(s.value for s in HypothesisStatus)
            raise LogbookError(f"unknown status {status!r}; choose one of {choices}") from None
        if credence is not None:
            validated(CredenceChange, credence=credence, reason=reason)
        current = self.hypothesis(hypothesis_id)
        if status is HypothesisStatus.refuted and current.status is HypothesisStatus.refuted:
            raise AlreadyDone(f"{current.id} is already refuted; nothing changed")
        with self.transaction():
            self.credences.record_status(current, status, reason, credence, now())
        return self.hypothesis(current.id)
