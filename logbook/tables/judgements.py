"""Judgements: surprises and evidence, and each prediction's history of verdicts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Optional

from ..errors import LogbookError
from ..models import (
    Evidence,
    Prediction,
    PredictionKind,
    Surprise,
    Verdict,
)
from ..predictions import surprisal_bits
from ..text import clean_text, to_json
from .base import Queries, loads, now


class JudgementQueries(Queries):
    def add_judgement(
        self,
        *,
        held: bool,
        prediction: Prediction,
        observed: dict,
        surprisal_bits: float,
        experiment_id: int | None,
    ) -> Optional[int]:
        """Store a judged prediction: evidence if it held, a surprise if not; call inside a transaction.

        Every verdict is kept; the first one is also kept as the prediction's
        ``first_verdict``. A prediction superseded since the kernel last
        looked is no longer judged (returns None).
        """
        if self._superseded(prediction.id):
            return None
        at = now()
        verdict = "held" if held else "failed"
        row = {
            "hypothesis_id": prediction.hypothesis_id,
            "prediction_id": prediction.id,
            "prediction": prediction.expression,
            "observed": to_json(observed),
            "credence": prediction.credence,
            "surprisal_bits": surprisal_bits,
            "experiment_id": experiment_id,
            "created_at": at,
        }
        self.db.execute(
            "UPDATE predictions SET state = ?, evaluated_at = ?, error = NULL,"
            " first_verdict = coalesce(first_verdict, ?) WHERE id = ?",
            [verdict, at, verdict, prediction.id],
        )
        table = "evidence" if held else "surprises"
        # Plain SQL: this runs for every judged prediction after every cell.
        record_id = self.db.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        ).lastrowid
        self.append_event(
            "prediction.judged",
            prediction.id,
            {
                "held": held,
                "record": f"{table}/{record_id}",
                "expression": prediction.expression,
                "credence": prediction.credence,
                "surprisal_bits": surprisal_bits,
                "experiment_id": experiment_id,
                "observed": row["observed"],
            },
            at=at,
        )
        return record_id

    def judge_by_hand(self, prediction_id: str, held: bool) -> Surprise | Evidence:
        """Record your verdict on a prediction written in words, on the last experiment."""
        prediction = self.prediction(prediction_id)
        if prediction.kind is not PredictionKind.text:
            raise LogbookError(f"{prediction.id} is an expression: it is judged after each cell, not by hand")
        if prediction.superseded_by:
            raise LogbookError(
                f"{prediction.id} was revised as {prediction.superseded_by}; judge {prediction.superseded_by}"
            )
        with self.transaction():
            record_id = self.add_judgement(
                held=held,
                prediction=prediction,
                observed={},
                surprisal_bits=surprisal_bits(prediction.credence, held),
                experiment_id=self.last_experiment_id(),
            )
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

    def surprise(self, surprise_id: int) -> Surprise:
        return self._surprise_from_row(self._one("surprises", surprise_id, "surprise"))

    def surprises(self) -> list[Surprise]:
        return [
            self._surprise_from_row(row)
            for row in self.db.query("SELECT * FROM surprises ORDER BY surprisal_bits DESC NULLS LAST, id")
        ]

    @staticmethod
    def _surprise_from_row(row: dict) -> Surprise:
        return Surprise(
            id=row["id"],
            hypothesis_id=row["hypothesis_id"],
            prediction_id=row["prediction_id"],
            prediction=row["prediction"],
            observed=loads(row["observed"], {}),
            credence=row["credence"],
            surprisal_bits=row["surprisal_bits"],
            experiment_id=row["experiment_id"],
            created_at=row["created_at"],
            manual=bool(row["manual"]),
            note=row["note"] or "",
            status=row["status"],
        )

    def set_surprise_status(self, surprise_id: int, status: str) -> Surprise:
        if status not in ("unread", "read", "explained"):
            raise LogbookError(f"unknown surprise status {status!r}; choose unread, read or explained")
        self.surprise(surprise_id)
        with self.transaction():
            self.db["surprises"].update(surprise_id, {"status": status})
            self.append_event("surprise.status", f"S{surprise_id}", {"status": status})
        return self.surprise(surprise_id)

    def evidence(self) -> list[Evidence]:
        return [
            Evidence(
                id=row["id"],
                hypothesis_id=row["hypothesis_id"],
                prediction_id=row["prediction_id"],
                prediction=row["prediction"],
                observed=loads(row["observed"], {}),
                credence=row["credence"],
                surprisal_bits=row["surprisal_bits"],
                experiment_id=row["experiment_id"],
                created_at=row["created_at"],
            )
            for row in self.db.query("SELECT * FROM evidence ORDER BY id")
        ]

    def _verdicts_of(self, chosen: str, params: list[Any]) -> dict[str, list[Verdict]]:
        """The verdicts of the predictions whose ids ``chosen`` (a SELECT) returns, as runs, in one query."""
        runs: dict[str, list[list]] = defaultdict(list)
        for prediction_id, record_id, at, experiment_id, held, kept in self.db.conn.execute(
            "SELECT prediction_id, id, created_at, experiment_id, 1, 'evidence' FROM evidence"
            f" WHERE prediction_id IN ({chosen})"
            " UNION ALL SELECT prediction_id, id, created_at, experiment_id, 0, 'surprises' FROM surprises"
            f" WHERE manual = 0 AND prediction_id IN ({chosen})"
            " ORDER BY created_at, id",
            [*params, *params],
        ):
            record = f"{kept}/{record_id}"
            previous = runs[prediction_id]
            if previous and previous[-1][0] == held:
                previous[-1][1] += 1
                previous[-1][5:] = [at, experiment_id, record]
            else:
                previous.append([held, 1, at, experiment_id, record, at, experiment_id, record])
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
