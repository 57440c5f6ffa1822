"""Predictions: adding, editing (in place before a verdict, as a new version after), and the ones the kernel watches."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from ..errors import LogbookError
from ..models import (
    Prediction,
    PredictionKind,
    PredictionState,
    PredictionVersion,
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
        expression, names = self._checked_expression(kind, expression)
        hid = self.hypothesis(hypothesis_id).id
        validated(Prediction, id="x", hypothesis_id=hid, expression=expression, credence=credence)
        with self.transaction():
            pid = self._insert_prediction(hid, kind, expression, names, credence)
        return self.prediction(pid)

    def same_prediction(
        self,
        hypothesis_id: str,
        expression: str,
        credence: float,
        kind: PredictionKind | str = PredictionKind.expression,
    ) -> Prediction | None:
        """The prediction of ``hypothesis_id`` in force (not superseded) that says exactly this, or None."""
        row = self.db.execute(
            "SELECT id FROM predictions WHERE hypothesis_id = ? AND kind = ? AND expression = ?"
            " AND credence = ? AND superseded_by IS NULL ORDER BY seq LIMIT 1",
            [
                self.hypothesis(hypothesis_id).id,
                PredictionKind(kind).value,
                clean_text(expression).strip(),
                credence,
            ],
        ).fetchone()
        return self.prediction(row[0]) if row else None

    @staticmethod
    def _checked_expression(kind: PredictionKind, expression: str) -> tuple[str, list[str]]:
        expression = clean_text(expression).strip()
        if kind is PredictionKind.text and not expression:
            raise LogbookError("the prediction is empty")
        names = parse_expression(expression) if kind is PredictionKind.expression else []
        return expression, names

    def _insert_prediction(
        self,
        hid: str,
        kind: PredictionKind,
        expression: str,
        names: list[str],
        credence: float,
        revises: str | None = None,
        signed: bool = True,
    ) -> str:
        """Write a new prediction and its ``prediction.written`` event; call inside a transaction.

        ``signed`` predictions carry this user's signature, so kernels evaluate them.
        """
        seq = self.db.execute(
            "SELECT coalesce(max(seq), 0) + 1 FROM predictions WHERE hypothesis_id = ?", [hid]
        ).fetchone()[0]
        pid = f"{hid}.P{seq}"
        at = now()
        mode = self.db.execute("SELECT mode FROM modes ORDER BY id DESC LIMIT 1").fetchone()
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
            "revises": revises,
        }
        signature = sign(row) if signed else None
        self.db["predictions"].insert({**row, "signature": signature, "mode": mode[0] if mode else None})
        written = {"hypothesis_id": hid, "kind": kind.value, "expression": expression, "credence": credence}
        if revises:
            written["revises"] = revises
        if mode:
            written["mode"] = mode[0]
        self.append_event("prediction.written", pid, written, at=at)
        return pid

    def update_prediction(
        self, prediction_id: str, expression: str | None = None, credence: float | None = None
    ) -> Prediction:
        """Edit a prediction's text or credence, and return the prediction that now says it.

        Before its first verdict the prediction is edited in place (its
        ``history`` keeps what it said before). Once judged it is final: the
        edit is written as a new prediction, ``H1.P3`` say, that ``revises``
        it, and the judged one is kept as it was, ``superseded_by`` the new one.

        The edit is signed as this user's when the prediction was trusted or its
        expression is replaced; a new credence alone does not vouch for an
        untrusted expression.
        """
        current = self.prediction(prediction_id)
        if current.superseded_by:
            raise LogbookError(
                f"{current.id} was revised as {current.superseded_by} and is kept as it was; "
                f"edit {current.superseded_by} instead"
            )
        new_expression, names = current.expression, current.names
        if expression is not None and clean_text(expression).strip() != current.expression:
            new_expression, names = self._checked_expression(current.kind, expression)
        new_credence = current.credence if credence is None else credence
        validated(Prediction, id="x", hypothesis_id="x", expression="x", credence=new_credence)
        if (new_expression, new_credence) == (current.expression, current.credence):
            return current
        with self.transaction():
            row = self.db.execute(
                "SELECT first_verdict, superseded_by FROM predictions WHERE id = ?", [current.id]
            ).fetchone()
            if row[1]:
                raise LogbookError(f"{current.id} was revised as {row[1]}; edit {row[1]} instead")
            if row[0] is not None:
                pid = self._insert_prediction(
                    current.hypothesis_id,
                    current.kind,
                    new_expression,
                    names,
                    new_credence,
                    revises=current.id,
                    signed=current.trusted or new_expression != current.expression,
                )
                self.db["predictions"].update(current.id, {"superseded_by": pid})
                self.append_event("prediction.superseded", current.id, {"by": pid})
                return self.prediction(pid)
            changes: dict[str, Any] = {}
            if new_credence != current.credence:
                changes["credence"] = new_credence
            if new_expression != current.expression:
                changes.update(
                    expression=new_expression,
                    names=json.dumps(names),
                    state=PredictionState.pending.value,
                    error=None,
                    evaluated_at=None,
                )
            if current.trusted or "expression" in changes:
                row = self._one("predictions", current.id, "prediction")
                changes["signature"] = sign({**row, **changes})
            self.db["predictions"].update(current.id, changes)
            edited = {key: changes[key] for key in ("expression", "credence") if key in changes}
            self.append_event("prediction.edited", current.id, edited)
        return self.prediction(current.id)

    def prediction(self, prediction_id: str) -> Prediction:
        self._one("predictions", prediction_id, "prediction")
        return self._load_predictions("id = ?", [prediction_id])[0]

    def active_predictions(self) -> list[Prediction]:
        """Expression predictions of active hypotheses that are still in force, oldest first."""
        return self._load_predictions(
            "kind = 'expression' AND superseded_by IS NULL"
            " AND hypothesis_id IN (SELECT id FROM hypotheses WHERE status = 'active')",
            [],
        )

    def _load_predictions(self, where: str, params: list[Any]) -> list[Prediction]:
        """The predictions matching ``where``, with their verdicts and history (three queries in all)."""
        chosen = f"SELECT id FROM predictions WHERE {where}"
        verdicts = self._verdicts_of(chosen, params)
        history: dict[str, list[PredictionVersion]] = defaultdict(list)
        for event in self.db.query(
            "SELECT subject, at, payload FROM events"
            f" WHERE kind IN ('prediction.written', 'prediction.edited') AND subject IN ({chosen})"
            " ORDER BY id",
            params,
        ):
            payload = json.loads(event["payload"])
            versions = history[event["subject"]]
            last = versions[-1] if versions else None
            versions.append(
                PredictionVersion(
                    expression=payload.get("expression", last.expression if last else ""),
                    credence=payload.get("credence", last.credence if last else 0.0),
                    at=event["at"],
                )
            )
        return [
            self._prediction_from_row(row, verdicts.get(row["id"], []), history.get(row["id"], []))
            for row in self.db.query(
                "SELECT p.* FROM predictions p JOIN hypotheses h ON h.id = p.hypothesis_id"
                f" WHERE p.id IN ({chosen}) ORDER BY h.seq, p.seq",
                params,
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
    def _prediction_from_row(row: dict, verdicts: list = (), history: list = ()) -> Prediction:
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
            first_verdict=row["first_verdict"],
            verdicts=list(verdicts),
            history=list(history),
            revises=row["revises"],
            superseded_by=row["superseded_by"],
            mode=row.get("mode"),
        )

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        """Record that evaluating a prediction raised; call inside a transaction.

        A prediction superseded since the kernel last looked is left as it was.
        """
        if self._superseded(prediction_id):
            return
        at = now()
        self.db["predictions"].update(
            prediction_id,
            {"state": PredictionState.error.value, "error": clean_text(error), "evaluated_at": at},
        )
        self.append_event("prediction.error", prediction_id, {"error": clean_text(error)}, at=at)

    def _superseded(self, prediction_id: str) -> str | None:
        row = self.db.execute(
            "SELECT superseded_by FROM predictions WHERE id = ?", [prediction_id]
        ).fetchone()
        return row[0] if row else None

    def set_prediction_too_slow(self, prediction_id: str, budget_s: float) -> None:
        """Record that evaluating a prediction ran past the kernel's time budget; call inside a transaction.

        A prediction in this state is not evaluated again until its expression is edited.
        """
        if self._superseded(prediction_id):
            return
        at = now()
        error = f"evaluating it took longer than {budget_s:g} s; edit it to have it judged again"
        self.db["predictions"].update(
            prediction_id, {"state": PredictionState.too_slow.value, "error": error, "evaluated_at": at}
        )
        self.append_event("prediction.too_slow", prediction_id, {"budget_s": budget_s}, at=at)


def _changed(reviewed: Prediction | None, current: Prediction) -> bool:
    """Whether what decides a prediction's meaning differs from what the user reviewed."""
    if reviewed is None:
        return True
    fields = ("hypothesis_id", "kind", "expression", "credence", "created_at")
    return any(getattr(reviewed, name) != getattr(current, name) for name in fields)
