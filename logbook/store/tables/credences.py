"""Credences as they change: a hypothesis' own, its status, and a competing set's whole distribution.

Every change is a dated line in each moved hypothesis' credence history and
an event; a set's change is also one line of its ``set_history``.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import Hypothesis, HypothesisStatus
from logbook.rules.beliefs import ELSE, BeliefError, give_way, settle
from logbook.store.tables.base import now, one
from logbook.store.tables.events import Events
from logbook.store.tables.part import Part
from logbook.store.tables.surprises import Surprises
from logbook.text import clean_text

#: Statuses whose members never take credence others give up.
FROZEN = {HypothesisStatus.refuted.value, HypothesisStatus.abandoned.value}


def moved_reason(who: str, credence: float, giving: Optional[list[str]], reason: str) -> str:
    """The history's line for one member moved and the others giving way: "H2 to 0.50, H1 gave way: why"."""
    by = "the others" if giving is None else ", ".join("something else" if g == ELSE else g for g in giving)
    text = f"{who} to {credence:.2f}, {by} gave way"
    reason = clean_text(reason).strip()
    return f"{text}: {reason}" if reason else text


class Credences(Part):
    """The writes that change belief: credences, statuses, and the distribution of a competing set.

    Refuting a hypothesis closes its open prediction surprises through ``surprises``.
    """

    def __init__(self, db: Database, events: Events, surprises: Surprises) -> None:
        super().__init__(db, events)
        self.surprises = surprises

    def record_credence(self, hid: str, credence: float, reason: str, at: str) -> None:
        """Write hypothesis ``hid``'s new credence, its history line and its event; call inside a transaction."""
        self.db.table("hypotheses").update(hid, {"credence": credence})
        self.db.table("credence_history").insert(
            {"hypothesis_id": hid, "credence": credence, "reason": clean_text(reason), "at": at}
        )
        self.events.append_event(
            "hypothesis.credence", hid, {"credence": credence, "reason": clean_text(reason)}, at=at
        )

    def record_status(
        self,
        current: Hypothesis,
        status: HypothesisStatus,
        reason: str,
        credence: float | None,
        at: str,
        closing: int | None = None,
    ) -> None:
        """Write a status change by the rule of :meth:`Hypotheses.set_status`; call inside a transaction.

        ``closing`` is a surprise the caller closes itself, left to it.
        """
        if credence is None:
            credence = 0.0 if status is HypothesisStatus.refuted else current.credence
        reason = clean_text(reason).strip()
        self.db.table("hypotheses").update(current.id, {"status": status.value, "credence": credence})
        self.db.table("credence_history").insert(
            {"hypothesis_id": current.id, "credence": credence, "reason": reason or status.value, "at": at}
        )
        self.events.append_event(
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
            self.surprises.close_refuted(current.id, reason or status.value, credence, at, closing)

    def set_member_credence(
        self,
        set_id: int,
        hypothesis_id: str,
        credence: float,
        reason: str = "",
        giving: Optional[Iterable[str]] = None,
    ) -> None:
        """Change a set member's credence, in a transaction of its own; ``giving`` (ids and/or ``ELSE``) give way.

        By default every other member and something else give way in proportion to what they hold.
        """
        given = None if giving is None else list(giving)
        with self.transaction():
            dist, frozen = self.distribution(set_id)
            try:
                new = give_way(dist, hypothesis_id, credence, given, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self.write_set(set_id, new, moved_reason(hypothesis_id, credence, given, reason), now())

    def distribution(self, sid: int) -> tuple[dict[str, float], set[str]]:
        """The set's members and something else as one distribution, and its frozen (refuted) members."""
        row = one(self.db, "competing_sets", sid, "competing set")
        dist: dict[str, float] = {}
        frozen: set[str] = set()
        for r in self.db.query(
            "SELECT id, credence, status FROM hypotheses WHERE set_id = ? ORDER BY seq", [sid]
        ):
            dist[r["id"]] = r["credence"]
            if r["status"] in FROZEN:
                frozen.add(r["id"])
        dist[ELSE] = row["remainder"]
        return dist, frozen

    def write_set(self, sid: int, dist: Mapping[str, float], reason: str, at: str) -> None:
        """Write a set's whole distribution: members, something else, history lines, one event; in a transaction."""
        dist = settle(dist)
        reason = clean_text(reason).strip()
        old = {
            r["id"]: r["credence"]
            for r in self.db.query("SELECT id, credence FROM hypotheses WHERE set_id = ?", [sid])
        }
        for hid, credence in dist.items():
            if hid == ELSE:
                continue
            if hid not in old:
                self.db.execute("UPDATE hypotheses SET set_id = ? WHERE id = ?", [sid, hid])
            current = self.db.execute("SELECT credence FROM hypotheses WHERE id = ?", [hid]).fetchone()[0]
            if current != credence:
                self.db.execute("UPDATE hypotheses SET credence = ? WHERE id = ?", [credence, hid])
                self.db.table("credence_history").insert(
                    {"hypothesis_id": hid, "credence": credence, "reason": reason, "at": at}
                )
        for hid in old.keys() - dist.keys():
            self.db.execute("UPDATE hypotheses SET set_id = NULL WHERE id = ?", [hid])
        self.db.execute("UPDATE competing_sets SET remainder = ? WHERE id = ?", [dist[ELSE], sid])
        text = json.dumps(dist)
        self.db.table("set_history").insert({"set_id": sid, "credences": text, "reason": reason, "at": at})
        self.events.append_event(
            "set.credences", f"C{sid}", {"credences": dict(dist), "reason": reason}, at=at
        )

    def _set_after_status(self, current: Hypothesis, credence: float, reason: str, at: str) -> None:
        """After a member's status changed its credence (refuting records 0), the others give way; in a transaction."""
        if current.set_id is None or credence == current.credence:
            return
        dist, frozen = self.distribution(current.set_id)
        dist[current.id] = current.credence  # as it was, so the others take what it gave up
        new = give_way(dist, current.id, credence, None, frozen)
        self.write_set(current.set_id, new, f"{current.id} {reason}".strip(), at)
