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
from ..trust import TrustError, refusal, sign, verify
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
            row = {
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
            self.db["predictions"].insert({**row, "signature": sign(row)})
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
        """Edit a prediction's text or credence; an edited expression is checked and judged afresh.

        The edit is signed as this user's when the prediction was trusted or its
        expression is replaced; a new credence alone does not vouch for an
        untrusted expression.
        """
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
                if current.trusted or "expression" in changes:
                    row = self._one("predictions", current.id, "prediction")
                    changes["signature"] = sign({**row, **changes})
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

    def untrusted_predictions(self) -> list[Prediction]:
        """Predictions not signed by this user (written elsewhere, or before signatures), oldest first."""
        return [
            prediction
            for prediction in (
                self._prediction_from_row(row)
                for row in self.db.query(
                    "SELECT p.* FROM predictions p JOIN hypotheses h ON h.id = p.hypothesis_id"
                    " ORDER BY h.seq, p.seq"
                )
            )
            if not prediction.trusted
        ]

    def trust_predictions(self, ids: list[str], shown: list[Prediction] | None = None) -> list[Prediction]:
        """Sign exactly the untrusted predictions ``ids`` as this user's, so kernels run them.

        Raises :class:`TrustError` naming every id that is not an untrusted
        prediction, every expression that breaks the rules of a prediction, and
        (when ``shown`` is what the user reviewed) every prediction changed since.
        """
        if not ids:
            raise TrustError("name the predictions to trust")
        reviewed = {p.id: p for p in shown or []}
        with self.transaction():
            rows = {row["id"]: row for row in self.db.query("SELECT * FROM predictions")}
            problems, chosen = [], []
            for pid in dict.fromkeys(i.strip().upper() for i in ids):
                row = rows.get(pid)
                if row is None:
                    problems.append(f"{pid} is not a prediction in this logbook")
                    continue
                prediction = self._prediction_from_row(row)
                if prediction.trusted:
                    problems.append(f"{pid} is already trusted")
                elif shown is not None and _changed(reviewed.get(pid), prediction):
                    problems.append(f"{pid} changed since it was listed; review it again")
                elif (reason := refusal(prediction)) is not None:
                    problems.append(f"{pid} cannot be trusted ({reason}); edit it first")
                else:
                    chosen.append(row)
            if problems:
                raise TrustError("; ".join(problems))
            for row in chosen:
                self.db["predictions"].update(row["id"], {"signature": sign(row)})
                self.append_event(
                    "prediction.trusted",
                    row["id"],
                    {
                        "hypothesis_id": row["hypothesis_id"],
                        "kind": row["kind"],
                        "expression": row["expression"],
                    },
                )
        return [self.prediction(row["id"]) for row in chosen]

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
            trusted=verify(row, row.get("signature")),
        )

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        """Record that evaluating a prediction raised; call inside a transaction."""
        at = now()
        self.db["predictions"].update(
            prediction_id,
            {"state": PredictionState.error.value, "error": clean_text(error), "evaluated_at": at},
        )
        self.append_event("prediction.error", prediction_id, {"error": clean_text(error)}, at=at)


def _changed(reviewed: Prediction | None, current: Prediction) -> bool:
    """Whether what decides a prediction's meaning differs from what the user reviewed."""
    if reviewed is None:
        return True
    fields = ("hypothesis_id", "kind", "expression", "credence", "created_at")
    return any(getattr(reviewed, name) != getattr(current, name) for name in fields)
