"""Predictions: adding, editing, and the ones the kernel watches."""

from __future__ import annotations

import json
from typing import Any

from ..errors import LogbookError
from ..models import (
    Prediction,
    PredictionKind,
    PredictionState,
)
from ..predictions import parse_expression
from ..text import clean_text
from .base import Queries, loads, now, validated


class PredictionQueries(Queries):
    def add_prediction(
        self,
        hypothesis_id: str,
        expression: str,
        credence: float = 0.9,
        kind: PredictionKind | str = PredictionKind.expression,
    ) -> Prediction:
        kind = PredictionKind(kind)
        expression = clean_text(expression).strip()
        names = parse_expression(expression) if kind is PredictionKind.expression else []
        if kind is PredictionKind.text and not expression:
            raise LogbookError("the prediction is empty")
        hid = self.hypothesis(hypothesis_id).id
        validated(Prediction, id="x", hypothesis_id=hid, expression=expression, credence=credence)
        with self.transaction():
            seq = self.db.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM predictions WHERE hypothesis_id = ?", [hid]
            ).fetchone()[0]
            pid = f"{hid}.P{seq}"
            at = now()
            self.db["predictions"].insert(
                {
                    "id": pid,
                    "hypothesis_id": hid,
                    "seq": seq,
                    "kind": kind.value,
                    "expression": expression,
                    "names": json.dumps(names),
                    "credence": credence,
                    "created_at": at,
                    "state": PredictionState.pending.value,
                }
            )
            self.append_event(
                "prediction.written",
                pid,
                {"hypothesis_id": hid, "kind": kind.value, "expression": expression, "credence": credence},
                at=at,
            )
        return self.prediction(pid)

    def update_prediction(
        self, prediction_id: str, expression: str | None = None, credence: float | None = None
    ) -> Prediction:
        """Edit a prediction's text or credence; an edited expression is checked and judged afresh."""
        current = self.prediction(prediction_id)
        changes: dict[str, Any] = {}
        if credence is not None:
            validated(Prediction, id="x", hypothesis_id="x", expression="x", credence=credence)
            changes["credence"] = credence
        if expression is not None and clean_text(expression).strip() != current.expression:
            expression = clean_text(expression).strip()
            if current.kind is PredictionKind.expression:
                changes["names"] = json.dumps(parse_expression(expression))
            elif not expression:
                raise LogbookError("the prediction is empty")
            changes.update(
                expression=expression, state=PredictionState.pending.value, error=None, evaluated_at=None
            )
        if changes:
            with self.transaction():
                self.db["predictions"].update(current.id, changes)
                edited = {key: changes[key] for key in ("expression", "credence") if key in changes}
                self.append_event("prediction.edited", current.id, edited)
        return self.prediction(current.id)

    def prediction(self, prediction_id: str) -> Prediction:
        return self._prediction_from_row(self._one("predictions", prediction_id, "prediction"))

    def active_predictions(self) -> list[Prediction]:
        """Expression predictions of active hypotheses, oldest first."""
        return [
            self._prediction_from_row(row)
            for row in self.db.query(
                "SELECT p.* FROM predictions p JOIN hypotheses h ON h.id = p.hypothesis_id"
                " WHERE h.status = 'active' AND p.kind = 'expression'"
                " ORDER BY h.seq, p.seq"
            )
        ]

    @staticmethod
    def _prediction_from_row(row: dict) -> Prediction:
        return Prediction(
            id=row["id"],
            hypothesis_id=row["hypothesis_id"],
            kind=row["kind"],
            expression=row["expression"],
            names=loads(row["names"], []),
            credence=row["credence"],
            created_at=row["created_at"],
            state=row["state"],
            error=row["error"],
            evaluated_at=row["evaluated_at"],
        )

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        """Record that evaluating a prediction raised; call inside a transaction."""
        at = now()
        self.db["predictions"].update(
            prediction_id,
            {"state": PredictionState.error.value, "error": clean_text(error), "evaluated_at": at},
        )
        self.append_event("prediction.error", prediction_id, {"error": clean_text(error)}, at=at)

    def set_prediction_too_slow(self, prediction_id: str, budget_s: float) -> None:
        """Record that evaluating a prediction ran past the kernel's time budget; call inside a transaction.

        A prediction in this state is not evaluated again until its expression is edited.
        """
        at = now()
        error = f"evaluating it took longer than {budget_s:g} s; edit it to have it judged again"
        self.db["predictions"].update(
            prediction_id, {"state": PredictionState.too_slow.value, "error": error, "evaluated_at": at}
        )
        self.append_event("prediction.too_slow", prediction_id, {"budget_s": budget_s}, at=at)
