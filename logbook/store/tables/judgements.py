"""Judgements: each verdict on a prediction kept as evidence or a surprise, and surprises resolved."""

from __future__ import annotations

from typing import Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import (
    CredenceChange,
    Evidence,
    HypothesisStatus,
    Prediction,
    PredictionKind,
    Resolution,
    Surprise,
    SurpriseStatus,
)
from logbook.rules.predictions import surprisal_bits
from logbook.store.tables.base import current_user, from_row, now, validated
from logbook.store.tables.credences import Credences
from logbook.store.tables.events import Events
from logbook.store.tables.experiments import Experiments
from logbook.store.tables.hypotheses import Hypotheses
from logbook.store.tables.part import Part
from logbook.store.tables.predictions import Predictions
from logbook.store.tables.proposals import Proposals
from logbook.store.tables.surprises import SURPRISE_FILTERS, Surprises
from logbook.text import clean_text, to_json

__all__ = ["SURPRISE_FILTERS", "Judgements", "current_user"]


class Judgements(Part):
    """The verdicts on predictions (the ``evidence`` table and the surprises they open) and resolving surprises.

    A verdict by hand asks ``proposals`` for the update it calls for;
    resolving a surprise that changes belief writes it through ``credences``.
    """

    def __init__(
        self,
        db: Database,
        events: Events,
        predictions: Predictions,
        experiments: Experiments,
        surprises: Surprises,
        hypotheses: Hypotheses,
        credences: Credences,
        proposals: Proposals,
    ) -> None:
        super().__init__(db, events)
        self.predictions = predictions
        self.experiments = experiments
        self.surprises = surprises
        self.hypotheses = hypotheses
        self.credences = credences
        self.proposals = proposals

    def add_judgement(
        self,
        *,
        held: bool,
        prediction: Prediction,
        observed: dict,
        surprisal_bits: float,
        experiment_id: int | None,
        steps: list[dict[str, str]] | None = None,
    ) -> Optional[int]:
        """Store a judged prediction: evidence if it held, a surprise if not; call inside a transaction.

        Every verdict is kept; the first one is also kept as the prediction's
        ``first_verdict``. A failure that follows a failure of the same
        prediction is the same surprise failing again: it adds a run to that
        surprise (open or closed as it is) rather than opening another, so a
        re-run cell adds to the history, not to the inbox; a failure after a
        verdict that held opens a new one. ``steps`` are the values that
        decided it. A prediction superseded since the kernel last looked is no
        longer judged (returns None). Returns the evidence or surprise id.
        """
        at = now()
        verdict = "held" if held else "failed"
        steps_json = to_json(steps or [])
        streak = None if held else self._failure_streak(prediction.id)
        # The verdict is kept only on a prediction still in force (one read fewer than asking first).
        revised = self.db.execute(
            "UPDATE predictions SET state = ?, evaluated_at = ?, error = NULL,"
            " first_verdict = coalesce(first_verdict, ?) WHERE id = ? AND superseded_by IS NULL",
            [verdict, at, verdict, prediction.id],
        ).rowcount == 0 and self.predictions.superseded_by(prediction.id)
        if revised:
            return None
        payload = {
            "held": held,
            "expression": prediction.expression,
            "credence": prediction.credence,
            "surprisal_bits": surprisal_bits,
            "experiment_id": experiment_id,
            "observed": to_json(observed),
            "steps": steps_json,
        }
        if streak is not None:
            self.db.execute(
                "UPDATE surprises SET runs = runs + 1, last_at = ?, last_experiment_id = ?, last_steps = ?"
                " WHERE id = ?",
                [at, experiment_id, steps_json, streak],
            )
            self.events.append_event(
                "prediction.judged",
                prediction.id,
                {**payload, "record": f"surprises/{streak}", "again": True},
                at=at,
            )
            return streak
        row = {
            "hypothesis_id": prediction.hypothesis_id,
            "prediction_id": prediction.id,
            "prediction": prediction.expression,
            "observed": payload["observed"],
            "steps": steps_json,
            "credence": prediction.credence,
            "surprisal_bits": surprisal_bits,
            "experiment_id": experiment_id,
            "created_at": at,
        }
        if not held:
            row["status"] = SurpriseStatus.open.value
        table = "evidence" if held else "surprises"
        # Plain SQL: this runs for every judged prediction after every cell.
        record_id = self.db.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        ).lastrowid
        self.events.append_event(
            "prediction.judged", prediction.id, {**payload, "record": f"{table}/{record_id}"}, at=at
        )
        return record_id

    def _failure_streak(self, prediction_id: str) -> Optional[int]:
        """The surprise of the prediction's latest verdict, when that verdict was a failure; else None."""
        row = self.db.execute(
            "SELECT id, coalesce(last_at, created_at) FROM surprises"
            " WHERE prediction_id = ? AND manual = 0 ORDER BY id DESC LIMIT 1",
            [prediction_id],
        ).fetchone()
        if row is None:
            return None
        held_since = self.db.execute(
            "SELECT 1 FROM evidence WHERE prediction_id = ? AND created_at >= ? LIMIT 1",
            [prediction_id, row[1]],
        ).fetchone()
        return None if held_since else row[0]

    def judge_by_hand(
        self, prediction_id: str, held: bool, experiment_id: int | None = None, observed: str = ""
    ) -> Surprise | Evidence:
        """Record your verdict on a prediction written in words, on the experiment it judges.

        >>> store.judge_by_hand("H1.P2", held=False, experiment_id=12, observed="head 1.4 copies anyway")

        ``experiment_id`` is the cell whose result you judged (default: the
        last one recorded); ``observed`` says in words what you saw, kept as
        a string value named ``observed``. An unknown experiment is refused.
        """
        prediction = self.predictions.prediction(prediction_id)
        if prediction.kind is not PredictionKind.text:
            raise LogbookError(f"{prediction.id} is an expression: it is judged after each cell, not by hand")
        if prediction.superseded_by:
            raise LogbookError(
                f"{prediction.id} was revised as {prediction.superseded_by}; judge {prediction.superseded_by}"
            )
        if (
            experiment_id is not None
            and not self.db.execute("SELECT 1 FROM experiments WHERE id = ?", [experiment_id]).fetchone()
        ):
            raise LogbookError(
                f"no experiment {experiment_id} in this logbook: judge {prediction.id} on a cell that ran"
            )
        seen = clean_text(observed).strip()
        with self.transaction():
            record_id = self.add_judgement(
                held=held,
                prediction=prediction,
                observed={"observed": {"type": "str", "len": len(seen), "value": seen}} if seen else {},
                surprisal_bits=surprisal_bits(prediction.credence, held),
                experiment_id=self.experiments.last_experiment_id()
                if experiment_id is None
                else experiment_id,
            )
            self.proposals.propose_after_verdict(prediction.id)
        if record_id is None:
            raise LogbookError(f"{prediction.id} was revised meanwhile; judge its new version")
        if held:
            return next(e for e in self.evidence() if e.id == record_id)
        return self.surprises.surprise(record_id)

    def resolve_surprise(
        self,
        surprise_id: int | str,
        action: Resolution | str,
        explanation: str = "",
        credence: Optional[float] = None,
        reason: str = "",
        by: Optional[str] = None,
    ) -> Surprise:
        """Close a surprise with one action, recording when, by whom and why, in one transaction.

        >>> store.resolve_surprise(3, "refuted", reason="patching shows position, not content")

        ``refuted`` refutes the surprise's hypothesis: it needs a ``reason``,
        and records ``credence`` (0 when not given) in the hypothesis'
        history. ``credence_updated`` needs the new ``credence`` and a
        ``reason``. ``explained`` and ``dismissed`` change no belief.
        ``explanation`` is kept on the surprise (the reason when not given);
        ``by`` defaults to the user running this process. A surprise is
        closed once: the same action again changes nothing (a re-run cell), a
        different one is refused. Refuting an already refuted hypothesis
        closes the surprise without another credence line.
        """
        try:
            action = Resolution(action)
        except ValueError:
            choices = ", ".join(r.value for r in Resolution if r is not Resolution.followed_up)
            raise LogbookError(f"unknown action {action!r}; choose one of {choices}") from None
        current = self.surprises.surprise(surprise_id)
        if action is Resolution.followed_up and current.resolution is not action:
            raise LogbookError(f"S{current.id} is followed up by stating a hypothesis: use follow_up")
        sid = f"S{current.id}"
        if current.resolution is action:
            return current
        if current.resolution is not None:
            raise LogbookError(
                f"{sid} was already resolved ({current.resolution.value}"
                f"{' by ' + current.resolved_by if current.resolved_by else ''}); "
                f"a surprise is resolved once, so it cannot also be {action.value}"
            )
        explanation = clean_text(explanation or reason).strip()
        reason = clean_text(reason).strip()
        changes_belief = action.status is SurpriseStatus.acted_on
        if changes_belief:
            if current.hypothesis_id is None:
                raise LogbookError(
                    f"{sid} is not about a hypothesis: there is nothing to refute or update; "
                    "mark it explained or dismissed"
                )
            if not reason:
                raise LogbookError(f"say why: {action.value.replace('_', ' ')} needs a reason")
            if action is Resolution.credence_updated and credence is None:
                raise LogbookError("give the new credence (0-1) for credence_updated")
            if credence is not None:
                validated(CredenceChange, credence=credence, reason=reason)
        elif credence is not None:
            raise LogbookError(f"{action.value} changes no credence; use credence_updated or refuted")
        who = clean_text(current_user() if by is None else by).strip()
        with self.transaction():
            at = now()
            # A belief changes only for a surprise about a hypothesis, checked above.
            if action is Resolution.refuted and current.hypothesis_id is not None:
                hypothesis = self.hypotheses.hypothesis(current.hypothesis_id)
                if hypothesis.status is not HypothesisStatus.refuted:
                    self.credences.record_status(
                        hypothesis, HypothesisStatus.refuted, reason, credence, at, closing=current.id
                    )
            elif action is Resolution.credence_updated and current.hypothesis_id and credence is not None:
                self.credences.record_credence(current.hypothesis_id, credence, reason, at)
            self.surprises.close(current.id, action, explanation, who, at, changes_belief, credence)
        return self.surprises.surprise(current.id)

    def evidence(self) -> list[Evidence]:
        """Every verdict that held, oldest first."""
        return [from_row(Evidence, row) for row in self.db.query("SELECT * FROM evidence ORDER BY id")]
