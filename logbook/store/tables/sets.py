"""Competing sets of hypotheses, the Bayesian updates Logbook proposes after a verdict, tags and deadlines.

A competing set holds rival explanations of one question; its members'
credences and its *something else* remainder always sum to 1. Every change
is one ``set.credences`` event with the whole distribution and its reason,
and one dated line in each moved member's credence history.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional

from logbook.errors import AlreadyDone, LogbookError, NotFound
from logbook.models import (
    CompetingSet,
    Hypothesis,
    HypothesisStatus,
    Prediction,
    Proposal,
    ProposalStatus,
    SetChange,
    utcnow,
)
from logbook.rules.beliefs import (
    ELSE,
    BeliefError,
    give_way,
    normalise,
    outcome_likelihoods,
    posterior,
    settle,
)
from logbook.store.tables.base import Queries, loads, now
from logbook.text import clean_text

#: Statuses whose members never take credence others give up.
FROZEN = {HypothesisStatus.refuted.value, HypothesisStatus.abandoned.value}


def set_number(set_id: int | str) -> int:
    """``3``, ``"3"`` or ``"C3"`` as 3."""
    text = str(set_id).strip().upper().removeprefix("C")
    if not text.isdigit():
        raise LogbookError(f"{set_id!r} is not a competing set id (C1, C2, ...)")
    return int(text)


def proposal_number(proposal_id: int | str) -> int:
    text = str(proposal_id).strip().upper().removeprefix("U")
    if not text.isdigit():
        raise LogbookError(f"{proposal_id!r} is not a proposal id (U1, U2, ...)")
    return int(text)


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    return sorted({clean_text(t).strip().lower() for t in tags if clean_text(t).strip()})


#: A proposal that moves no credence by at least this much is not made: it would be a no-op to decide.
NO_CHANGE = 0.005


class SetQueries(Queries):
    # -- sets ------------------------------------------------------------

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
        members = [self.hypothesis(h) for h in dict.fromkeys(h.strip().upper() for h in hypothesis_ids)]
        for h in members:
            if h.set_id is not None:
                raise LogbookError(f"{h.id} is already in C{h.set_id}: take it out first")
        try:
            dist = normalise({h.id: h.credence for h in members}, something_else)
        except BeliefError as error:
            raise LogbookError(str(error)) from None
        with self.transaction():
            at = now()
            sid = (
                self.db["competing_sets"]
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
            self.append_event(
                "set.created", f"C{sid}", {"question": question, "brainstorm_id": brainstorm_id}, at=at
            )
            self._write_set(sid, dist, clean_text(reason).strip() or f"grouped as C{sid}", at)
        return self.competing_set(sid)

    def set_from_brainstorm(
        self, brainstorm_id: int, question: str = "", something_else: Optional[float] = None
    ) -> CompetingSet:
        """The hypotheses a brainstorm wrote (those in no set yet), as one competing set."""
        brainstorm = self.brainstorm(brainstorm_id)
        free = [h for h in brainstorm.hypothesis_ids if self.hypothesis(h).set_id is None]
        if not free:
            raise LogbookError(f"brainstorm {brainstorm_id} has no hypothesis outside a set to group")
        return self.create_set(
            question or f"brainstorm {brainstorm_id}", free, something_else, brainstorm_id=brainstorm_id
        )

    def competing_set(self, set_id: int | str) -> CompetingSet:
        sid = set_number(set_id)
        return self._set_from_row(self._one("competing_sets", sid, "competing set"))

    def competing_sets(self) -> list[CompetingSet]:
        return [self._set_from_row(r) for r in self.db.query("SELECT * FROM competing_sets ORDER BY id")]

    def _set_from_row(self, row: dict) -> CompetingSet:
        credences = {
            r["id"]: r["credence"]
            for r in self.db.query(
                "SELECT id, credence FROM hypotheses WHERE set_id = ? ORDER BY seq", [row["id"]]
            )
        }
        history = [
            SetChange(credences=json.loads(r["credences"]), reason=r["reason"] or "", at=r["at"])
            for r in self.db.query("SELECT * FROM set_history WHERE set_id = ? ORDER BY id", [row["id"]])
        ]
        nudge = None
        if row["remainder"] <= 0:
            nudge = f"C{row['id']} leaves nothing to something else: are you sure one of these is the answer?"
        return CompetingSet(
            id=row["id"],
            question=row["question"],
            credences=credences,
            something_else=row["remainder"],
            created_at=row["created_at"],
            brainstorm_id=row["brainstorm_id"],
            history=history,
            nudge=nudge,
        )

    def _distribution(self, sid: int) -> tuple[dict[str, float], set[str]]:
        """The set's members and something else as one distribution, and its frozen (refuted) members."""
        row = self._one("competing_sets", sid, "competing set")
        dist, frozen = {}, set()
        for r in self.db.query(
            "SELECT id, credence, status FROM hypotheses WHERE set_id = ? ORDER BY seq", [sid]
        ):
            dist[r["id"]] = r["credence"]
            if r["status"] in FROZEN:
                frozen.add(r["id"])
        dist[ELSE] = row["remainder"]
        return dist, frozen

    def _write_set(self, sid: int, dist: Mapping[str, float], reason: str, at: str) -> None:
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
                self.db["credence_history"].insert(
                    {"hypothesis_id": hid, "credence": credence, "reason": reason, "at": at}
                )
        for hid in old.keys() - dist.keys():
            self.db.execute("UPDATE hypotheses SET set_id = NULL WHERE id = ?", [hid])
        self.db.execute("UPDATE competing_sets SET remainder = ? WHERE id = ?", [dist[ELSE], sid])
        text = json.dumps(dist)
        self.db["set_history"].insert({"set_id": sid, "credences": text, "reason": reason, "at": at})
        self.append_event("set.credences", f"C{sid}", {"credences": dict(dist), "reason": reason}, at=at)

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
        h = self.hypothesis(hypothesis_id)
        if h.set_id is None:
            raise LogbookError(f"{h.id} is in no competing set: change its credence on its own")
        giving = (
            None
            if give_way is None
            else [g.strip().upper() if g.strip().lower() != ELSE else ELSE for g in give_way]
        )
        with self.transaction():
            dist, frozen = self._distribution(h.set_id)
            try:
                new = _give_way(dist, h.id, credence, giving, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self._write_set(h.set_id, new, _moved(h.id, credence, giving, reason), now())
        return self.competing_set(h.set_id)

    def set_something_else(self, set_id: int | str, credence: float, reason: str = "") -> CompetingSet:
        """Change what something else holds; the members give way in proportion."""
        sid = set_number(set_id)
        with self.transaction():
            dist, frozen = self._distribution(sid)
            try:
                new = _give_way(dist, ELSE, credence, None, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self._write_set(sid, new, _moved("something else", credence, None, reason), now())
        return self.competing_set(sid)

    def add_to_set(self, set_id: int | str, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Make a hypothesis a rival in a set: it keeps its credence, and the members and something else make room."""
        sid = set_number(set_id)
        h = self.hypothesis(hypothesis_id)
        if h.set_id is not None:
            raise LogbookError(f"{h.id} is already in C{h.set_id}")
        with self.transaction():
            dist, frozen = self._distribution(sid)
            dist[h.id] = 0.0
            try:
                new = _give_way(dist, h.id, h.credence, None, frozen)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self._write_set(sid, new, clean_text(reason).strip() or f"{h.id} joined C{sid}", now())
        return self.competing_set(sid)

    def remove_from_set(self, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Take a hypothesis out of its set: what it held goes to something else; it keeps its credence alone."""
        h = self.hypothesis(hypothesis_id)
        if h.set_id is None:
            raise LogbookError(f"{h.id} is in no competing set")
        with self.transaction():
            dist, _ = self._distribution(h.set_id)
            dist[ELSE] += dist.pop(h.id)
            self._write_set(h.set_id, dist, clean_text(reason).strip() or f"{h.id} left C{h.set_id}", now())
        return self.competing_set(h.set_id)

    def _set_after_status(self, current: Hypothesis, credence: float, reason: str, at: str) -> None:
        """After a member's status changed its credence (refuting records 0), the others give way; in a transaction."""
        if current.set_id is None or credence == current.credence:
            return
        dist, frozen = self._distribution(current.set_id)
        dist[current.id] = current.credence  # as it was, so the others take what it gave up
        new = _give_way(dist, current.id, credence, None, frozen)
        self._write_set(current.set_id, new, f"{current.id} {reason}".strip(), at)

    # -- tags ------------------------------------------------------------

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
            row = self._one(table, rid, label)
            old = loads(row.get("tags"), [])
            now_tags = clean_tags(tags) if replace else clean_tags([*old, *clean_tags(tags)])
            if now_tags != old:
                self._write_tags(table, rid, now_tags)
        return now_tags

    def _write_tags(self, table: str, record_id: str, tags: list[str]) -> None:
        """Write a record's tags and their event; call inside a transaction."""
        self.db.execute(f"UPDATE {table} SET tags = ? WHERE id = ?", [json.dumps(tags), record_id])
        kind = "prediction.tagged" if table == "predictions" else "hypothesis.tagged"
        self.append_event(kind, record_id, {"tags": tags})

    def experiment_models(self, experiment_ids: Iterable[int]) -> dict[int, str]:
        """The model each experiment ran, by id (see :func:`logbook.rules.calibration.model_name`); experiments without one are left out."""
        from logbook.rules.calibration import model_name

        out = {}
        for eid in set(experiment_ids):
            row = self.db.execute("SELECT torch FROM experiments WHERE id = ?", [eid]).fetchone()
            name = model_name(loads(row[0], {})) if row else None
            if name:
                out[eid] = name
        return out

    # -- deadlines ---------------------------------------------------------

    def count_due(self, at: Optional[datetime] = None) -> int:
        """How many pending predictions in force are past their resolve-by date."""
        return self.db.execute(
            "SELECT count(*) FROM predictions WHERE resolve_by IS NOT NULL AND resolve_by < ?"
            " AND state = 'pending' AND superseded_by IS NULL",
            [(at or utcnow()).isoformat()],
        ).fetchone()[0]

    def due_predictions(self, at: Optional[datetime] = None) -> list[Prediction]:
        """Pending predictions in force whose resolve-by date has passed: the inbox shows them as due."""
        when = (at or utcnow()).isoformat()
        return self._load_predictions(
            "resolve_by IS NOT NULL AND resolve_by < ? AND state = 'pending' AND superseded_by IS NULL",
            [when],
        )

    # -- proposals -------------------------------------------------------

    def propose_after_verdict(self, prediction_id: str) -> Optional[int]:
        """Propose the Bayesian update a prediction's first verdict calls for, once; call inside a transaction.

        Returns the proposal's number, or None when there is nothing to propose
        (no verdict yet, proposed already, a lone hypothesis whose prediction
        states no base rate, an outcome every member ruled out, or one equally
        likely under every rival, which would move no credence).
        """
        row = self.db.execute(
            "SELECT hypothesis_id, credence, first_verdict, likelihoods, base_rate FROM predictions WHERE id = ?",
            [prediction_id],
        ).fetchone()
        if row is None or row[2] is None:
            return None
        if self.db.execute("SELECT 1 FROM proposals WHERE prediction_id = ?", [prediction_id]).fetchone():
            return None
        hid, credence, first, stated, base_rate = row[0], row[1], row[2], loads(row[3], {}), row[4]
        held = first == "held"
        set_id = self.db.execute("SELECT set_id FROM hypotheses WHERE id = ?", [hid]).fetchone()[0]
        if set_id is not None:
            before, _ = self._distribution(set_id)
            stated = {k: v for k, v in stated.items() if k in before}
        else:
            if base_rate is None:
                return None  # a lone hypothesis is proposed an update only against a base rate you stated
            own = self.db.execute("SELECT credence FROM hypotheses WHERE id = ?", [hid]).fetchone()[0]
            before = {hid: own, ELSE: round(1.0 - own, 12)}
            stated = {ELSE: 0.5 if base_rate is None else base_rate}
        likelihoods = outcome_likelihoods(before, hid, credence, held, stated)
        try:
            result = posterior(before, likelihoods, hid)
        except BeliefError:
            return None
        if all(abs(result.after.get(k, 0.0) - v) < NO_CHANGE for k, v in before.items()):
            return None  # the outcome was as likely under every rival: it moves nothing, so nothing to decide
        at = now()
        record = {
            "prediction_id": prediction_id,
            "set_id": set_id,
            "hypothesis_id": hid,
            "held": held,
            "before": before,
            "likelihoods": likelihoods,
            "after": result.after,
            "ratio": result.ratio,
        }
        number = self.db.execute(
            "INSERT INTO proposals (prediction_id, set_id, hypothesis_id, held, before, likelihoods, after,"
            " ratio, created_at, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', '')",
            [
                prediction_id,
                set_id,
                hid,
                int(held),
                json.dumps(before),
                json.dumps(likelihoods),
                json.dumps(result.after),
                result.ratio,
                at,
            ],
        ).lastrowid
        self.append_event("proposal.made", f"U{number}", record, at=at)
        return number

    def propose_update(self, prediction_id: str) -> Optional[Proposal]:
        """The proposal a judged prediction calls for (made now if it was not yet); None when there is none."""
        pid = self.prediction(prediction_id).id
        with self.transaction():
            self.propose_after_verdict(pid)
        row = self.db.execute("SELECT id FROM proposals WHERE prediction_id = ?", [pid]).fetchone()
        return self.proposal(row[0]) if row else None

    def proposal(self, proposal_id: int | str) -> Proposal:
        return _proposal_from_row(self._one("proposals", proposal_number(proposal_id), "proposal"))

    def proposals(self, status: Optional[str] = None) -> list[Proposal]:
        where, params = ("status = ?", [ProposalStatus(status).value]) if status else ("1", [])
        return [
            _proposal_from_row(r)
            for r in self.db.query(f"SELECT * FROM proposals WHERE {where} ORDER BY id", params)
        ]

    def decide_proposal(
        self,
        proposal_id: int | str,
        decision: ProposalStatus | str,
        reason: str = "",
        credences: Optional[Mapping[str, float]] = None,
    ) -> Proposal:
        """Accept, edit (``credences`` instead of the proposed ones) or reject a proposal, with a reason.

        >>> store.decide_proposal("U1", "accepted", "the ablation is clean")

        Accepted or edited, the credences are written (for a set, members that
        left since are passed over and the rest renormalised); either way the
        decision is kept, once.
        """
        decision = ProposalStatus(decision)
        if decision is ProposalStatus.proposed:
            raise LogbookError("decide a proposal as accepted, edited or rejected")
        current = self.proposal(proposal_id)
        if current.status is not ProposalStatus.proposed:
            raise AlreadyDone(f"U{current.id} was already {current.status.value}; nothing changed")
        if decision is ProposalStatus.edited and not credences:
            raise LogbookError("an edited proposal needs the credences you chose instead")
        reason = clean_text(reason).strip()
        wanted = dict(current.after)
        if decision is ProposalStatus.edited:
            wanted.update(
                {(ELSE if k.lower() == ELSE else k.upper()): float(v) for k, v in credences.items()}
            )
        applied = None
        with self.transaction():
            at = now()
            why = f"U{current.id} {decision.value}" + (f": {reason}" if reason else "")
            if decision is not ProposalStatus.rejected:
                applied = self._apply(current, wanted, why, at)
            self.db.execute(
                "UPDATE proposals SET status = ?, reason = ?, applied = ?, decided_at = ? WHERE id = ?",
                [
                    decision.value,
                    reason,
                    json.dumps(applied) if applied is not None else None,
                    at,
                    current.id,
                ],
            )
            self.append_event(
                "proposal.decided",
                f"U{current.id}",
                {"status": decision.value, "reason": reason, "applied": applied},
                at=at,
            )
        return self.proposal(current.id)

    def _apply(self, proposal: Proposal, wanted: dict[str, float], reason: str, at: str) -> dict[str, float]:
        if proposal.set_id is not None:
            dist, _ = self._distribution(proposal.set_id)
            unknown = [k for k in wanted if k not in dist]
            if unknown and any(k not in proposal.before for k in unknown):
                raise LogbookError(f"{', '.join(unknown)} not in C{proposal.set_id}")
            new = {k: wanted.get(k, v) for k, v in dist.items()}
            try:
                new = settle(new)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self._write_set(proposal.set_id, new, reason, at)
            return new
        hid = proposal.hypothesis_id
        credence = wanted.get(hid)
        if credence is None or not 0.0 <= credence <= 1.0:
            raise LogbookError(f"a credence between 0 and 1 for {hid}")
        self._record_credence(hid, credence, reason, at)
        return {hid: credence}


def brainstorm_nudge(brainstorm: Any) -> Optional[str]:
    """ "2 of 4: one more?" for a brainstorm that ended below its target; None otherwise."""
    written = len(brainstorm.hypothesis_ids)
    if brainstorm.finished_at is None or written >= brainstorm.target:
        return None
    return f"{written} of {brainstorm.target}: one more? Probably the ones you have are not all of it."


def _give_way(dist, member, value, giving, frozen) -> dict[str, float]:
    return give_way(dist, member, value, giving, frozen)


def _moved(who: str, credence: float, giving: Optional[list[str]], reason: str) -> str:
    by = "the others" if giving is None else ", ".join("something else" if g == ELSE else g for g in giving)
    text = f"{who} to {credence:.2f}, {by} gave way"
    reason = clean_text(reason).strip()
    return f"{text}: {reason}" if reason else text


def _proposal_from_row(row: dict) -> Proposal:
    return Proposal(
        id=row["id"],
        prediction_id=row["prediction_id"],
        set_id=row["set_id"],
        hypothesis_id=row["hypothesis_id"],
        held=bool(row["held"]),
        before=json.loads(row["before"]),
        likelihoods=json.loads(row["likelihoods"]),
        after=json.loads(row["after"]),
        ratio=row["ratio"],
        created_at=row["created_at"],
        status=row["status"],
        reason=row["reason"] or "",
        applied=loads(row["applied"], None),
        decided_at=row["decided_at"],
    )


__all__ = ["SetQueries", "NotFound", "clean_tags", "set_number", "proposal_number"]
