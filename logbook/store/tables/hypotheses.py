"""Hypotheses and their dated credence history."""

from __future__ import annotations

from collections import defaultdict

from logbook.errors import AlreadyDone, LogbookError
from logbook.models import (
    CredenceChange,
    Hypothesis,
    HypothesisStatus,
    Resolution,
)
from logbook.rules.redteam import going_well_reason
from logbook.store.tables.base import (
    Queries,
    loads,
    now,
    validated,
)
from logbook.store.tables.judgements import current_user
from logbook.store.tables.sets import clean_tags
from logbook.text import clean_text


class HypothesisQueries(Queries):
    def add_hypothesis(
        self,
        statement: str,
        credence: float = 0.5,
        brainstorm_id: int | None = None,
        tags: list[str] | str | None = None,
    ) -> Hypothesis:
        statement = clean_text(statement).strip()
        # Validate before touching the database.
        validated(Hypothesis, id="H0", statement=statement, credence=credence)
        with self.transaction():
            hid = self._state_hypothesis(statement, credence, brainstorm_id, None, now())
            if clean_tags(tags):
                self._write_tags("hypotheses", hid, clean_tags(tags))
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
        current = self.surprise(surprise_id)
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
            self._close_surprise(
                current.id, Resolution.followed_up, f"{hid}: {statement}", who, at, False, None
            )
        return self.hypothesis(hid)

    def _state_hypothesis(
        self, statement: str, credence: float, brainstorm_id: int | None, follows: str | None, at: str
    ) -> str:
        """Write a new hypothesis, its first credence line and its event; call inside a transaction."""
        seq = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM hypotheses").fetchone()[0]
        hid = f"H{seq}"
        self.db["hypotheses"].insert(
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
        self.db["credence_history"].insert(
            {"hypothesis_id": hid, "credence": credence, "reason": "stated", "at": at}
        )
        payload = {"statement": statement, "credence": credence, "brainstorm_id": brainstorm_id}
        if follows:
            payload["follows"] = follows
        self.append_event("hypothesis.stated", hid, payload, at=at)
        return hid

    def hypothesis_stating(self, statement: str) -> Hypothesis | None:
        """The first hypothesis whose statement is exactly ``statement`` (as it would be stored), or None."""
        row = self.db.execute(
            "SELECT id FROM hypotheses WHERE statement = ? ORDER BY seq LIMIT 1",
            [clean_text(statement).strip()],
        ).fetchone()
        return self.hypothesis(row[0]) if row else None

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        hid = hypothesis_id.strip().upper()
        row = self._one("hypotheses", hid, "hypothesis")
        return self._hypothesis_from_row(row, self._load_predictions("hypothesis_id = ?", [hid]))

    def hypotheses(self, status: HypothesisStatus | str | None = None) -> list[Hypothesis]:
        where, params = "1", []
        if status:
            where, params = "status = ?", [HypothesisStatus(status).value]
        predictions: dict[str, list] = defaultdict(list)
        for prediction in self._load_predictions(
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
        history = [
            CredenceChange(credence=r["credence"], reason=r["reason"] or "", at=r["at"]) for r in history_rows
        ]
        hypothesis = Hypothesis(
            id=row["id"],
            statement=row["statement"],
            credence=row["credence"],
            status=row["status"],
            created_at=row["created_at"],
            brainstorm_id=row["brainstorm_id"],
            follows=row.get("follows"),
            set_id=row.get("set_id"),
            tags=loads(row.get("tags"), []),
            history=history,
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
            self.set_credence(hid, credence, reason)
            return self.hypothesis(hid)
        with self.transaction():
            self._record_credence(hid, credence, reason, now())
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
            self._record_status(current, status, reason, credence, now())
        return self.hypothesis(current.id)

    def _record_credence(self, hid: str, credence: float, reason: str, at: str) -> None:
        """Write a new credence and its history line; call inside a transaction."""
        self.db["hypotheses"].update(hid, {"credence": credence})
        self.db["credence_history"].insert(
            {"hypothesis_id": hid, "credence": credence, "reason": clean_text(reason), "at": at}
        )
        self.append_event(
            "hypothesis.credence", hid, {"credence": credence, "reason": clean_text(reason)}, at=at
        )

    def _record_status(
        self,
        current: Hypothesis,
        status: HypothesisStatus,
        reason: str,
        credence: float | None,
        at: str,
        closing: int | None = None,
    ) -> None:
        """Write a status change by the rule of :meth:`set_status`; call inside a transaction.

        ``closing`` is a surprise the caller closes itself, left to it.
        """
        if credence is None:
            credence = 0.0 if status is HypothesisStatus.refuted else current.credence
        reason = clean_text(reason).strip()
        self.db["hypotheses"].update(current.id, {"status": status.value, "credence": credence})
        self.db["credence_history"].insert(
            {"hypothesis_id": current.id, "credence": credence, "reason": reason or status.value, "at": at}
        )
        self.append_event(
            "hypothesis.status",
            current.id,
            {
                "status": status.value,
                "credence": credence,
                "previous_credence": current.credence,
                "reason": reason,
            },
            at=at,
        )
        self._set_after_status(current, credence, reason or status.value, at)
        if status is HypothesisStatus.refuted:
            self._close_refuted_surprises(current.id, reason or status.value, credence, at, closing)
