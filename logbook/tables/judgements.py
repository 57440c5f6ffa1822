"""Judgements: surprises and evidence."""

from __future__ import annotations

from ..errors import LogbookError
from ..models import (
    Evidence,
    Prediction,
    PredictionKind,
    Surprise,
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
    ) -> int:
        """Store a judged prediction: evidence if it held, a surprise if not."""
        at = now()
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
        self.db["predictions"].update(
            prediction.id,
            {"state": "held" if held else "failed", "evaluated_at": at, "error": None},
        )
        table = "evidence" if held else "surprises"
        record_id = self.db[table].insert(row).last_pk
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
        with self.transaction():
            record_id = self.add_judgement(
                held=held,
                prediction=prediction,
                observed={},
                surprisal_bits=surprisal_bits(prediction.credence, held),
                experiment_id=self.last_experiment_id(),
            )
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

    def surprises(self, limit: int | None = None, offset: int = 0) -> list[Surprise]:
        """Surprises, most surprising first; ``limit`` and ``offset`` give one page of them."""
        sql, params = "SELECT * FROM surprises ORDER BY surprisal_bits DESC NULLS LAST, id", []
        if limit is not None:
            sql, params = sql + " LIMIT ? OFFSET ?", [limit, offset]
        return [self._surprise_from_row(row) for row in self.db.query(sql, params)]

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
