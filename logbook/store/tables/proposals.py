"""The Bayesian updates Logbook proposes after a prediction's first verdict, and their decisions."""

from __future__ import annotations

import contextlib
import json
from typing import Mapping, Optional

from sqlite_utils import Database

from logbook.errors import AlreadyDone, LogbookError
from logbook.models import Proposal, ProposalStatus, ProposedUpdate
from logbook.rules.beliefs import ELSE, BeliefError, outcome_likelihoods, posterior, settle
from logbook.store.tables.base import from_row, loads, now, one
from logbook.store.tables.credences import Credences
from logbook.store.tables.events import Events
from logbook.store.tables.part import Part
from logbook.store.tables.predictions import Predictions
from logbook.text import clean_text

#: A proposal that moves no credence by at least this much is not made: it would be a no-op to decide.
NO_CHANGE = 0.005


def proposal_number(proposal_id: int | str) -> int:
    """``1``, ``"1"`` or ``"U1"`` as 1."""
    text = str(proposal_id).strip().upper().removeprefix("U")
    if not text.isdigit():
        raise LogbookError(f"{proposal_id!r} is not a proposal id (U1, U2, ...)")
    return int(text)


def _status(status: ProposalStatus | str) -> ProposalStatus:
    """``status`` as a proposal status; :class:`LogbookError` naming the choices when it is none."""
    try:
        return ProposalStatus(status)
    except ValueError:
        choices = ", ".join(s.value for s in ProposalStatus)
        raise LogbookError(f"unknown proposal status {status!r}; choose one of {choices}") from None


class Proposals(Part):
    """The ``proposals`` table: proposed updates, each decided once; calling it lists them.

    A decided proposal writes its credences through ``credences``; ``predictions`` names what was judged.
    """

    def __init__(self, db: Database, events: Events, predictions: Predictions, credences: Credences) -> None:
        super().__init__(db, events)
        self.predictions = predictions
        self.credences = credences

    def propose_after_verdict(self, prediction_id: str) -> Optional[int]:
        """Propose the Bayesian update a prediction's first verdict calls for, once; call inside a transaction.

        Returns the proposal's number, or None when there is nothing to propose
        (no verdict yet, proposed already, a lone hypothesis whose prediction
        states no base rate, an outcome every member ruled out, or one equally
        likely under every rival, which would move no credence).
        """
        # One read for all it needs: this runs after every verdict of every cell.
        row = self.db.execute(
            "SELECT p.hypothesis_id, p.credence, p.first_verdict, p.likelihoods, p.base_rate, h.set_id,"
            " h.credence, EXISTS (SELECT 1 FROM proposals WHERE prediction_id = p.id)"
            " FROM predictions p JOIN hypotheses h ON h.id = p.hypothesis_id WHERE p.id = ?",
            [prediction_id],
        ).fetchone()
        if row is None or row[2] is None or row[7]:
            return None
        hid, first, set_id = row[0], row[2], row[5]
        held = first == "held"
        if set_id is None and row[4] is None:
            return None  # a lone hypothesis is proposed an update only against a base rate you stated
        before = self._credences_now(hid, set_id, row[6])
        likelihoods = self._likelihoods(before, hid, row[1], held, loads(row[3], {}), row[4], set_id)
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
        self.events.append_event("proposal.made", f"U{number}", record, at=at)
        return number

    def _credences_now(
        self, hid: str, set_id: Optional[int], own: Optional[float] = None
    ) -> dict[str, float]:
        """What an update of ``hid`` starts from now: its set's credences, or its own and something else's."""
        if set_id is not None:
            return self.credences.distribution(set_id)[0]
        if own is None:
            own = self.db.execute("SELECT credence FROM hypotheses WHERE id = ?", [hid]).fetchone()[0]
        return {hid: own, ELSE: round(1.0 - own, 12)}

    @staticmethod
    def _likelihoods(
        before: Mapping[str, float],
        hid: str,
        credence: float,
        held: bool,
        stated: Mapping[str, float],
        base_rate: Optional[float],
        set_id: Optional[int],
    ) -> dict[str, float]:
        """P(the outcome seen | each member of ``before``), from what the prediction states."""
        if set_id is not None:
            stated = {k: v for k, v in stated.items() if k in before}
        else:
            stated = {ELSE: 0.5 if base_rate is None else base_rate}
        return outcome_likelihoods(before, hid, credence, held, stated)

    def update_now(self, proposal: Proposal) -> Optional[ProposedUpdate]:
        """``proposal``'s evidence applied to the credences as they are now; None while they are the ones it saw.

        Raises :class:`LogbookError` when Bayes' rule cannot apply it to them
        (every member now gives the outcome probability 0).
        """
        hid = proposal.hypothesis_id
        if hid is None:
            return None
        before = self._credences_now(hid, proposal.set_id)
        if before.keys() == proposal.before.keys() and all(
            abs(v - proposal.before[k]) < 1e-9 for k, v in before.items()
        ):
            return None
        row = self.db.execute(
            "SELECT credence, likelihoods, base_rate FROM predictions WHERE id = ?", [proposal.prediction_id]
        ).fetchone()
        likelihoods = self._likelihoods(
            before, hid, row[0], proposal.held, loads(row[1], {}), row[2], proposal.set_id
        )
        try:
            result = posterior(before, likelihoods, hid)
        except BeliefError as error:
            raise LogbookError(
                f"U{proposal.id} cannot apply to the credences as they are now ({error}): edit or reject it"
            ) from None
        return ProposedUpdate(before=before, after=result.after, ratio=result.ratio)

    def propose_update(self, prediction_id: str) -> Optional[Proposal]:
        """The proposal a judged prediction calls for (made now if it was not yet); None when there is none."""
        pid = self.predictions.prediction(prediction_id).id
        with self.transaction():
            self.propose_after_verdict(pid)
        row = self.db.execute("SELECT id FROM proposals WHERE prediction_id = ?", [pid]).fetchone()
        return self.proposal(row[0]) if row else None

    def proposal(self, proposal_id: int | str) -> Proposal:
        """The proposal with this id (``1`` or ``"U1"``)."""
        return from_row(Proposal, one(self.db, "proposals", proposal_number(proposal_id), "proposal"))

    def __call__(self, status: Optional[str] = None, now: bool = False) -> list[Proposal]:
        """Every proposal, oldest first (those with ``status`` when given; an unknown status is refused).

        ``now``: each open one whose credences moved since it was made carries :meth:`update_now`.
        """
        where, params = ("status = ?", [_status(status).value]) if status else ("1", [])
        listed = [
            from_row(Proposal, r)
            for r in self.db.query(f"SELECT * FROM proposals WHERE {where} ORDER BY id", params)
        ]
        for proposal in listed if now else ():
            if proposal.status is ProposalStatus.proposed:
                with contextlib.suppress(
                    LogbookError
                ):  # shown as made; deciding it says why it cannot be accepted
                    proposal.now = self.update_now(proposal)
        return listed

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
        decision is kept, once. Accepted after the credences moved since the
        proposal was made, its evidence is applied to them as they are now
        (:meth:`update_now`), never its old result written over them.
        """
        decision = _status(decision)
        if decision is ProposalStatus.proposed:
            raise LogbookError("decide a proposal as accepted, edited or rejected")
        current = self.proposal(proposal_id)
        if current.status is not ProposalStatus.proposed:
            raise AlreadyDone(f"U{current.id} was already {current.status.value}; nothing changed")
        if decision is ProposalStatus.edited and not credences:
            raise LogbookError("an edited proposal needs the credences you chose instead")
        reason = clean_text(reason).strip()
        wanted = dict(current.after)
        if decision is ProposalStatus.accepted:
            moved = self.update_now(current)
            if moved is not None:
                wanted = dict(moved.after)
        if decision is ProposalStatus.edited:
            wanted.update(
                {(ELSE if k.lower() == ELSE else k.upper()): float(v) for k, v in (credences or {}).items()}
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
            self.events.append_event(
                "proposal.decided",
                f"U{current.id}",
                {"status": decision.value, "reason": reason, "applied": applied},
                at=at,
            )
        return self.proposal(current.id)

    def _apply(self, proposal: Proposal, wanted: dict[str, float], reason: str, at: str) -> dict[str, float]:
        if proposal.set_id is not None:
            dist, _ = self.credences.distribution(proposal.set_id)
            unknown = [k for k in wanted if k not in dist]
            if unknown and any(k not in proposal.before for k in unknown):
                raise LogbookError(f"{', '.join(unknown)} not in C{proposal.set_id}")
            new = {k: wanted.get(k, v) for k, v in dist.items()}
            try:
                new = settle(new)
            except BeliefError as error:
                raise LogbookError(str(error)) from None
            self.credences.write_set(proposal.set_id, new, reason, at)
            return new
        hid = proposal.hypothesis_id
        credence = wanted.get(hid) if hid is not None else None
        if hid is None or credence is None or not 0.0 <= credence <= 1.0:
            raise LogbookError(f"a credence between 0 and 1 for {hid}")
        self.credences.record_credence(hid, credence, reason, at)
        return {hid: credence}
