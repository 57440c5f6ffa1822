"""Competing sets of hypotheses: rival explanations of one question.

A competing set holds rival explanations of one question; its members'
credences and its *something else* remainder always sum to 1. Every change
is one ``set.credences`` event with the whole distribution and its reason,
and one dated line in each moved member's credence history
(:mod:`logbook.store.tables.credences`).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import CompetingSet, SetChange
from logbook.rules.beliefs import ELSE, BeliefError, give_way, normalise
from logbook.store.tables.base import from_row, new_id, now, one
from logbook.store.tables.brainstorms import Brainstorms
from logbook.store.tables.credences import Credences, moved_reason
from logbook.store.tables.events import Events
from logbook.store.tables.hypotheses import Hypotheses
from logbook.store.tables.part import Part
from logbook.text import clean_text

__all__ = ["Sets", "brainstorm_nudge", "set_number"]


def set_number(set_id: int | str) -> int:
    """``3``, ``"3"`` or ``"C3"`` as 3."""
    text = str(set_id).strip().upper().removeprefix("C")
    if not text.isdigit():
        raise LogbookError(f"{set_id!r} is not a competing set id (C1, C2, ...)")
    return int(text)


def brainstorm_nudge(brainstorm: Any) -> Optional[str]:
    """ "2 of 4: one more?" for a brainstorm that ended below its target; None otherwise."""
    written = len(brainstorm.hypothesis_ids)
    if brainstorm.finished_at is None or written >= brainstorm.target:
        return None
    return f"{written} of {brainstorm.target}: one more? Probably the ones you have are not all of it."


class Sets(Part):
    """The ``competing_sets`` table: grouping hypotheses, and moving credence among them.

    ``hypotheses`` and ``brainstorms`` are read; every change of credence is
    written through ``credences``.
    """

    def __init__(
        self,
        db: Database,
        events: Events,
        hypotheses: Hypotheses,
        brainstorms: Brainstorms,
        credences: Credences,
    ) -> None:
        super().__init__(db, events)
        self.hypotheses = hypotheses
        self.brainstorms = brainstorms
        self.credences = credences

    def create_set(
        self,
        question: str,
        hypothesis_ids: Iterable[str],
        something_else: Optional[float] = None,
        brainstorm_id: Optional[int] = None,
        reason: str = "",
    ) -> CompetingSet:
        """Group hypotheses as rival explanations of ``question``; their credences are scaled to sum to 1.

        >>> store.create_set("what copies the token?", ["H1", "H2", "H3"], something_else=0.1)

        With ``something_else`` given, the members share the rest in proportion
        to the credences they held; without it, something else gets what the
        members leave, or 0.1 when they claim everything. A hypothesis is in
        one set at most.
        """
        question = clean_text(question).strip()
        if not question:
            raise LogbookError("a competing set needs a question its hypotheses answer")
        members = [
            self.hypotheses.hypothesis(h) for h in dict.fromkeys(h.strip().upper() for h in hypothesis_ids)
        ]
        for h in members:
            if h.set_id is not None:
                raise LogbookError(f"{h.id} is already in C{h.set_id}: take it out first")
        try:
            dist = normalise({h.id: h.credence for h in members}, something_else)
        except BeliefError as error:
            raise LogbookError(str(error)) from None
        with self.transaction():
            at = now()
            sid = new_id(
                self.db.table("competing_sets")
                .insert(
                    {
                        "question": question,
                        "remainder": dist[ELSE],
                        "created_at": at,
                        "brainstorm_id": brainstorm_id,
                    }
                )
                .last_pk
            )
            self.events.append_event(
                "set.created", f"C{sid}", {"question": question, "brainstorm_id": brainstorm_id}, at=at
            )
            self.credences.write_set(sid, dist, clean_text(reason).strip() or f"grouped as C{sid}", at)
        return self.competing_set(sid)

    def set_from_brainstorm(
        self, brainstorm_id: int, question: str = "", something_else: Optional[float] = None
    ) -> CompetingSet:
        """The hypotheses a brainstorm wrote (those in no set yet), as one competing set."""
        brainstorm = self.brainstorms.brainstorm(brainstorm_id)
        free = [h for h in brainstorm.hypothesis_ids if self.hypotheses.hypothesis(h).set_id is None]
        if not free:
            raise LogbookError(f"brainstorm {brainstorm_id} has no hypothesis outside a set to group")
        return self.create_set(
            question or f"brainstorm {brainstorm_id}", free, something_else, brainstorm_id=brainstorm_id
        )

    def competing_set(self, set_id: int | str) -> CompetingSet:
        """The competing set with this id (``3`` or ``"C3"``), with its members' credences and history."""
        sid = set_number(set_id)
        return self._set_from_row(one(self.db, "competing_sets", sid, "competing set"))

    def competing_sets(self) -> list[CompetingSet]:
        """Every competing set, oldest first."""
        return [self._set_from_row(r) for r in self.db.query("SELECT * FROM competing_sets ORDER BY id")]

    def _set_from_row(self, row: dict) -> CompetingSet:
        credences = {
            r["id"]: r["credence"]
            for r in self.db.query(
                "SELECT id, credence FROM hypotheses WHERE set_id = ? ORDER BY seq", [row["id"]]
            )
        }
        history_rows = self.db.query("SELECT * FROM set_history WHERE set_id = ? ORDER BY id", [row["id"]])
        nudge = None
        if row["remainder"] <= 0:
            nudge = f"C{row['id']} leaves nothing to something else: are you sure one of these is the answer?"
        return from_row(
            CompetingSet,
            row,
            credences=credences,
            something_else=row["remainder"],
            history=[from_row(SetChange, r) for r in history_rows],
            nudge=nudge,
        )

    def set_credence(
        self,
        hypothesis_id: str,
        credence: float,
        reason: str = "",
        give_way: Optional[Iterable[str]] = None,
    ) -> CompetingSet:
        """Change one member's credence; the others (``give_way``: ids and/or ``"else"``) give way.

        >>> store.set_credence("H2", 0.5, "the ablation moved it", give_way=["H1", "else"])

        By default every other member and something else give way in
        proportion to what they hold. A hypothesis in no set is refused here:
        use :meth:`update_credence`.
        """
        h = self.hypotheses.hypothesis(hypothesis_id)
        if h.set_id is None:
            raise LogbookError(f"{h.id} is in no competing set: change its credence on its own")
        giving = (
            None
            if give_way is None
            else [g.strip().upper() if g.strip().lower() != ELSE else ELSE for g in give_way]
        )
        self.credences.set_member_credence(h.set_id, h.id, credence, reason, giving)
        return self.competing_set(h.set_id)

    def set_something_else(self, set_id: int | str, credence: float, reason: str = "") -> CompetingSet:
        """Change what something else holds; the members give way in proportion."""
        sid = set_number(set_id)
        with self.transaction():
            dist, frozen = self.credences.distribution(sid)
            try:
                new = give_way(dist, ELSE, credence, None, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self.credences.write_set(sid, new, moved_reason("something else", credence, None, reason), now())
        return self.competing_set(sid)

    def add_to_set(self, set_id: int | str, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Make a hypothesis a rival in a set: it keeps its credence, and the members and something else make room."""
        sid = set_number(set_id)
        h = self.hypotheses.hypothesis(hypothesis_id)
        if h.set_id is not None:
            raise LogbookError(f"{h.id} is already in C{h.set_id}")
        with self.transaction():
            dist, frozen = self.credences.distribution(sid)
            dist[h.id] = 0.0
            try:
                new = give_way(dist, h.id, h.credence, None, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self.credences.write_set(sid, new, clean_text(reason).strip() or f"{h.id} joined C{sid}", now())
        return self.competing_set(sid)

    def remove_from_set(self, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Take a hypothesis out of its set: what it held goes to something else; it keeps its credence alone."""
        h = self.hypotheses.hypothesis(hypothesis_id)
        if h.set_id is None:
            raise LogbookError(f"{h.id} is in no competing set")
        with self.transaction():
            dist, _ = self.credences.distribution(h.set_id)
            dist[ELSE] += dist.pop(h.id)
            self.credences.write_set(
                h.set_id, dist, clean_text(reason).strip() or f"{h.id} left C{h.set_id}", now()
            )
        return self.competing_set(h.set_id)
