"""Judgements: surprises and evidence, and each prediction's history of verdicts."""

from __future__ import annotations

import getpass
from collections import defaultdict
from typing import Any, Optional

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
    Verdict,
)
from logbook.rules.predictions import surprisal_bits
from logbook.store.tables.base import (
    Queries,
    loads,
    now,
    validated,
)
from logbook.text import clean_text, to_json
from logbook.words import SURPRISE_FILTERS

def current_user() -> str:
    """The name of the user running this process, or "" when the system cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


class JudgementQueries(Queries):
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
        if self._superseded(prediction.id):
            return None
        at = now()
        verdict = "held" if held else "failed"
        steps_json = to_json(steps or [])
        streak = None if held else self._failure_streak(prediction.id)
        self.db.execute(
            "UPDATE predictions SET state = ?, evaluated_at = ?, error = NULL,"
            " first_verdict = coalesce(first_verdict, ?) WHERE id = ?",
            [verdict, at, verdict, prediction.id],
        )
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
            self.append_event(
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
        self.append_event(
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
        prediction = self.prediction(prediction_id)
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
                experiment_id=self.last_experiment_id() if experiment_id is None else experiment_id,
            )
            self.propose_after_verdict(prediction.id)
        if record_id is None:
            raise LogbookError(f"{prediction.id} was revised meanwhile; judge its new version")
        if held:
            return next(e for e in self.evidence() if e.id == record_id)
        return self.surprise(record_id)

    def add_manual_surprise(
        self, note: str, experiment_id: int | None = None, hypothesis_id: str | None = None
    ) -> Surprise:
        note = clean_text(note).strip()
        if not note:
            raise LogbookError("say what surprised you: the note is empty")
        with self.transaction():
            if experiment_id is None:
                experiment_id = self.last_experiment_id()
            at = now()
            sid = (
                self.db["surprises"]
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
            self.append_event(
                "surprise.flagged",
                f"S{sid}",
                {"note": note, "hypothesis_id": hypothesis_id, "experiment_id": experiment_id},
                at=at,
            )
        return self.surprise(sid)

    def surprise_flagged(self, note: str, hypothesis_id: str | None = None) -> Surprise | None:
        """The first surprise flagged by hand with exactly this note about ``hypothesis_id``, or None."""
        row = self.db.execute(
            "SELECT id FROM surprises WHERE manual = 1 AND note = ? AND hypothesis_id IS ? ORDER BY id LIMIT 1",
            [clean_text(note).strip(), hypothesis_id],
        ).fetchone()
        return self.surprise(row[0]) if row else None

    def surprise(self, surprise_id: int | str) -> Surprise:
        """The surprise with this id (``3`` or ``"S3"``)."""
        return self._surprise_from_row(self._one("surprises", surprise_number(surprise_id), "surprise"))

    def surprises(
        self,
        status: SurpriseStatus | str | None = None,
        limit: int | None = None,
        offset: int = 0,
        unread_first: bool = False,
    ) -> list[Surprise]:
        """Surprises, most surprising first: all of them, or those with ``status``; ``limit``/``offset`` page them.

        ``status`` is ``open``, ``explained``, ``acted_on``, ``resolved``
        (explained or acted on) or ``all``. ``unread_first`` gives the inbox's
        order: unread ones first, then the most surprising (hand-flagged ones
        have no surprisal), then the newest.
        """
        where, params = self._surprise_filter(status)
        order = (
            "(status = 'open' AND NOT read) DESC, surprisal_bits DESC NULLS LAST, id DESC"
            if unread_first
            else "surprisal_bits DESC NULLS LAST, id"
        )
        sql = f"SELECT * FROM surprises{where} ORDER BY {order}"
        if limit is not None:
            sql, params = sql + " LIMIT ? OFFSET ?", [*params, limit, offset]
        return [self._surprise_from_row(row) for row in self.db.query(sql, params)]

    def count_surprises(self, status: SurpriseStatus | str | None = None) -> int:
        """How many surprises have ``status`` (as :meth:`surprises` reads it)."""
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

    @staticmethod
    def _surprise_from_row(row: dict) -> Surprise:
        return Surprise(
            **_judgement_fields(row),
            manual=bool(row["manual"]),
            note=row["note"] or "",
            status=row["status"],
            read=bool(row["read"]),
            resolution=row["resolution"],
            explanation=row["explanation"] or "",
            resolved_at=row["resolved_at"],
            resolved_by=row["resolved_by"],
            kind=row.get("kind") or "prediction",
            drift=loads(row.get("drift"), None),
            runs=row.get("runs") or 1,
            last_at=row.get("last_at"),
            last_experiment_id=row.get("last_experiment_id"),
            last_steps=loads(row.get("last_steps"), []),
        )

    def mark_surprise_read(self, surprise_id: int | str, read: bool = True) -> Surprise:
        """Mark a surprise seen (or unseen again); only the unread badge changes."""
        current = self.surprise(surprise_id)
        if current.read != read:
            with self.transaction():
                self.db["surprises"].update(current.id, {"read": int(read)})
                self.append_event("surprise.read", f"S{current.id}", {"read": read})
        return self.surprise(current.id)

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
        current = self.surprise(surprise_id)
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
            if action is Resolution.refuted:
                hypothesis = self.hypothesis(current.hypothesis_id)
                if hypothesis.status is not HypothesisStatus.refuted:
                    self._record_status(
                        hypothesis, HypothesisStatus.refuted, reason, credence, at, closing=current.id
                    )
            elif action is Resolution.credence_updated:
                self._record_credence(current.hypothesis_id, credence, reason, at)
            self._close_surprise(current.id, action, explanation, who, at, changes_belief, credence)
        return self.surprise(current.id)

    def _close_surprise(
        self,
        number: int,
        action: Resolution,
        explanation: str,
        who: str,
        at: str,
        changes_belief: bool,
        credence: Optional[float],
    ) -> None:
        """Write a surprise's closing and its ``surprise.resolved`` event; call inside a transaction."""
        hypothesis_id = self.db.execute(
            "SELECT hypothesis_id FROM surprises WHERE id = ?", [number]
        ).fetchone()[0]
        self.db["surprises"].update(
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
        self.append_event(
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

    def _close_refuted_surprises(
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
            self._close_surprise(number, Resolution.refuted, reason, who, at, True, credence)

    def evidence(self) -> list[Evidence]:
        return [
            Evidence(**_judgement_fields(row)) for row in self.db.query("SELECT * FROM evidence ORDER BY id")
        ]

    def _verdicts_of(self, chosen: str, params: list[Any]) -> dict[str, list[Verdict]]:
        """The verdicts of the predictions whose ids ``chosen`` (a SELECT) returns, as runs, in one query."""
        runs: dict[str, list[list]] = defaultdict(list)
        for (
            prediction_id,
            record_id,
            at,
            experiment_id,
            held,
            kept,
            count,
            last_at,
            last_experiment,
        ) in self.db.conn.execute(
            "SELECT prediction_id, id, created_at, experiment_id, 1, 'evidence', 1, created_at, experiment_id"
            f" FROM evidence WHERE prediction_id IN ({chosen})"
            " UNION ALL SELECT prediction_id, id, created_at, experiment_id, 0, 'surprises', runs,"
            " coalesce(last_at, created_at), CASE WHEN runs > 1 THEN last_experiment_id ELSE experiment_id END"
            f" FROM surprises WHERE manual = 0 AND prediction_id IN ({chosen})"
            " ORDER BY created_at, id",
            [*params, *params],
        ):
            record = f"{kept}/{record_id}"
            previous = runs[prediction_id]
            if previous and previous[-1][0] == held:
                previous[-1][1] += count
                previous[-1][5:] = [last_at, last_experiment, record]
            else:
                previous.append([held, count, at, experiment_id, record, last_at, last_experiment, record])
        return {
            prediction_id: [
                Verdict(
                    held=bool(held),
                    count=count,
                    at=at,
                    experiment_id=experiment_id,
                    record=record,
                    last_at=last_at,
                    last_experiment_id=last_experiment_id,
                    last_record=last_record,
                )
                for held, count, at, experiment_id, record, last_at, last_experiment_id, last_record in found
            ]
            for prediction_id, found in runs.items()
        }


def surprise_number(surprise_id: int | str) -> int:
    """The row id of a surprise named ``3``, ``"3"`` or ``"S3"``."""
    text = str(surprise_id).strip().upper().removeprefix("S")
    if not text.isdigit():
        raise LogbookError(f"not a surprise id: {surprise_id!r} (surprises are S1, S2, ...)")
    return int(text)


def _judgement_fields(row: dict) -> dict[str, Any]:
    """What a surprise and a piece of evidence share: the prediction judged, what was observed, where."""
    return {
        "id": row["id"],
        "hypothesis_id": row["hypothesis_id"],
        "prediction_id": row["prediction_id"],
        "prediction": row["prediction"],
        "observed": loads(row["observed"], {}),
        "steps": loads(row.get("steps"), []),
        "credence": row["credence"],
        "surprisal_bits": row["surprisal_bits"],
        "experiment_id": row["experiment_id"],
        "created_at": row["created_at"],
    }
