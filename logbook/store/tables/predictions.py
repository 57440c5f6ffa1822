"""Predictions: adding, editing (in place before a verdict, as a new version after), and the ones the kernel watches.

Each is signed by the user who wrote or trusted it (:mod:`logbook.rules.trust`); the
signature covers its row, its hypothesis' statement and this logbook's id
(``logbook_id`` in ``settings``, made once per logbook file).
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import (
    Prediction,
    PredictionKind,
    PredictionState,
    PredictionVersion,
    Verdict,
    utcnow,
)
from logbook.rules.predictions import parse_expression
from logbook.rules.trust import (
    TrustChanged,
    TrustError,
    changes,
    content_hash,
    refusal,
    sign,
    verify,
    verify_old,
)
from logbook.store.tables.base import from_row, now, one, validated
from logbook.store.tables.events import Events
from logbook.store.tables.part import Part
from logbook.store.tables.tags import clean_tags
from logbook.text import clean_text

#: The ``settings`` key of this logbook's id, which every signature covers.
IDENTITY_KEY = "logbook_id"
#: The ``settings`` key listing predictions signed under the older rule when the logbook was upgraded.
RESIGN_KEY = "trust_resign"
#: Prediction rows with their hypothesis' statement, which the signature covers.
_WITH_STATEMENT = "SELECT p.*, h.statement AS hypothesis_statement FROM predictions p JOIN hypotheses h ON h.id = p.hypothesis_id"


@dataclass(frozen=True)
class TrustReview:
    """An untrusted prediction as a review shows it.

    ``reasons`` says why it is untrusted ("names changed", "from another
    logbook", "signed by someone else (another secret)"); ``refusal`` why it
    may not be trusted as it stands, or None; ``hash`` is the SHA-256 of all
    that trusting it would sign, to be sent back with the trust so that a row
    changed since it was shown is not signed.
    """

    prediction: Prediction
    statement: Optional[str]
    reasons: list[str]
    refusal: Optional[str]
    hash: str


class Predictions(Part):
    """The ``predictions`` table: predictions with their verdicts and versions, their signatures, their judging.

    ``read_only`` says the file may not be written (signatures are then not upgraded).
    """

    def __init__(self, db: Database, events: Events, read_only: bool = False) -> None:
        super().__init__(db, events)
        self.read_only = read_only
        #: This logbook's id, once read (it never changes once made).
        self._identity: Optional[str] = None
        #: Whether the signatures of the older rule were looked at on this connection.
        self._upgraded = False

    def add_prediction(
        self,
        hypothesis_id: str,
        expression: str,
        credence: float = 0.9,
        kind: PredictionKind | str = PredictionKind.expression,
        likelihoods: Optional[dict[str, float]] = None,
        base_rate: Optional[float] = None,
        resolve_by: Any = None,
        tags: Any = None,
    ) -> Prediction:
        """Write a prediction of a hypothesis, with its credence (P(it holds | the hypothesis)).

        ``likelihoods`` say how likely it is to hold under the set's rival
        hypotheses (``{"H2": 0.3, "else": 0.5}``), ``base_rate`` how likely
        under "the hypothesis is false" for a hypothesis in no set: Logbook
        uses them to propose the update its verdict calls for.
        ``resolve_by`` is a date past which, still pending, it is due.
        """
        kind = PredictionKind(kind)
        expression, names = self._checked_expression(kind, expression)
        hid = self._hypothesis_id(hypothesis_id)
        extra = _prediction_extra(likelihoods, base_rate, resolve_by, tags)
        validated(Prediction, id="x", hypothesis_id=hid, expression=expression, credence=credence, **extra)
        with self.transaction():
            pid = self._insert_prediction(hid, kind, expression, names, credence)
            if extra:
                self._set_prediction_extra(pid, extra)
        return self.prediction(pid)

    def _set_prediction_extra(self, pid: str, extra: dict) -> None:
        """Write a prediction's likelihoods, base rate, deadline and tags, and one ``prediction.odds`` event
        that states them, so that ``logbook verify`` can check them; call inside a transaction."""
        stated = {
            "likelihoods": extra.get("likelihoods") or None,
            "base_rate": extra.get("base_rate"),
            "resolve_by": extra["resolve_by"].isoformat() if extra.get("resolve_by") else None,
            "tags": extra.get("tags") or None,
        }
        stated = {k: v for k, v in stated.items() if v is not None}
        if not stated:
            return
        row = {k: json.dumps(v) if k in ("likelihoods", "tags") else v for k, v in stated.items()}
        self.db.table("predictions").update(pid, row)
        self.events.append_event("prediction.odds", pid, stated)

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
                self._hypothesis_id(hypothesis_id),
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
        row["mode"] = mode[0] if mode else None
        signature = sign(self.trust_fields(row, create=True)) if signed else None
        self.db.table("predictions").insert({**row, "signature": signature})
        written = {"hypothesis_id": hid, "kind": kind.value, "expression": expression, "credence": credence}
        if revises:
            written["revises"] = revises
        if mode:
            written["mode"] = mode[0]
        self.events.append_event("prediction.written", pid, written, at=at)
        return pid

    def update_prediction(
        self, prediction_id: str, expression: str | None = None, credence: float | None = None
    ) -> Prediction:
        """Edit a prediction's text or credence, and return the prediction that now says it.

        Before its first verdict the prediction is edited in place (its
        ``history`` keeps what it said before). Once judged it is final: the
        edit is written as a new prediction, ``H1.P3`` say, that ``revises``
        it, and the judged one is kept as it was, ``superseded_by`` the new one.
        The new version keeps what the old one stated besides its text and
        credence: likelihoods, base rate, resolve-by date and tags.

        The edit is signed as this user's when the prediction was trusted or its
        expression is written (again); a new credence alone does not vouch for
        an untrusted expression. Writing the same expression again sets its
        names (which decide when it is judged) back to the names it reads, when
        they were edited by hand.
        """
        current = self.prediction(prediction_id)
        if current.superseded_by:
            raise LogbookError(
                f"{current.id} was revised as {current.superseded_by} and is kept as it was; "
                f"edit {current.superseded_by} instead"
            )
        new_expression, names = current.expression, current.names
        if expression is not None:
            checked, reads = self._checked_expression(current.kind, expression)
            if checked != current.expression or set(reads) != set(current.names):
                new_expression, names = checked, reads
        rewritten = (new_expression, names) != (current.expression, current.names)
        new_credence = current.credence if credence is None else credence
        validated(Prediction, id="x", hypothesis_id="x", expression="x", credence=new_credence)
        if not rewritten and new_credence == current.credence:
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
                    signed=current.trusted or rewritten,
                )
                self._set_prediction_extra(pid, _extra_of(current))  # the new version states the same odds
                self.db.table("predictions").update(current.id, {"superseded_by": pid})
                self.events.append_event("prediction.superseded", current.id, {"by": pid})
                return self.prediction(pid)
            changes: dict[str, Any] = {}
            if new_credence != current.credence:
                changes["credence"] = new_credence
            if rewritten:
                changes.update(
                    expression=new_expression,
                    names=json.dumps(names),
                    state=PredictionState.pending.value,
                    error=None,
                    evaluated_at=None,
                )
            if current.trusted or "expression" in changes:
                row = one(self.db, "predictions", current.id, "prediction")
                changes["signature"] = sign(self.trust_fields({**row, **changes}, create=True))
            self.db.table("predictions").update(current.id, changes)
            edited: dict[str, Any] = {
                key: changes[key] for key in ("expression", "credence") if key in changes
            }
            self.events.append_event("prediction.edited", current.id, edited)
        return self.prediction(current.id)

    def prediction(self, prediction_id: str) -> Prediction:
        """The prediction with this id (``H1.P2``), with its verdicts and versions."""
        one(self.db, "predictions", prediction_id, "prediction")
        return self.matching("id = ?", [prediction_id])[0]

    def active_predictions(self) -> list[Prediction]:
        """Expression predictions of active hypotheses that are still in force, oldest first."""
        return self.matching(
            "kind = 'expression' AND superseded_by IS NULL"
            " AND hypothesis_id IN (SELECT id FROM hypotheses WHERE status = 'active')",
            [],
        )

    def matching(self, where: str, params: list[Any]) -> list[Prediction]:
        """The predictions whose rows match ``where`` (SQL on ``predictions``), with their verdicts and history, oldest first.

        Three queries in all, whatever their number.
        """
        self._upgrade_signatures()
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
                f"{_WITH_STATEMENT} WHERE p.id IN ({chosen}) ORDER BY h.seq, p.seq", params
            )
        ]

    def untrusted_predictions(self) -> list[Prediction]:
        """Predictions not signed by this user as they stand (written elsewhere, copied, or edited), oldest first."""
        return [review.prediction for review in self.trust_review()]

    def trust_review(self) -> list[TrustReview]:
        """Every untrusted prediction with why it is untrusted and the hash of what trusting it signs, oldest first.

        >>> [(r.prediction.id, r.reasons) for r in store.trust_review()]
        [('H1.P1', ['names changed'])]
        """
        self._upgrade_signatures()
        reviews = []
        for row in self.db.query(f"{_WITH_STATEMENT} ORDER BY h.seq, p.seq"):
            fields = self.trust_fields(row)
            if verify(fields, row.get("signature")):
                continue
            prediction = self._prediction_from_row(row, trusted=False)
            reviews.append(
                TrustReview(
                    prediction=prediction,
                    statement=row["hypothesis_statement"],
                    reasons=changes(fields, row.get("signature")),
                    refusal=refusal(prediction),
                    hash=content_hash(fields),
                )
            )
        return reviews

    def trust_predictions(
        self, ids: list[str], hashes: Optional[Mapping[str, str]] = None
    ) -> list[Prediction]:
        """Sign exactly the untrusted predictions ``ids`` as this user's, so kernels run them.

        ``hashes`` maps each id to the hash it was shown with
        (:attr:`TrustReview.hash`); a prediction changed since raises
        :class:`TrustChanged` and nothing is signed. Raises :class:`TrustError`
        naming every id that is not an untrusted prediction and every one that
        breaks the rules of a prediction; all or nothing.
        """
        if not ids:
            raise TrustError("name the predictions to trust")
        shown = None if hashes is None else {k.strip().upper(): v for k, v in hashes.items()}
        self._upgrade_signatures()
        with self.transaction():
            rows = {
                row["id"]: row
                for row in self.db.query(
                    "SELECT p.*, h.statement AS hypothesis_statement FROM predictions p"
                    " LEFT JOIN hypotheses h ON h.id = p.hypothesis_id"
                )
            }
            problems, changed, chosen = [], [], []
            for pid in dict.fromkeys(i.strip().upper() for i in ids):
                row = rows.get(pid)
                if row is None:
                    problems.append(f"{pid} is not a prediction in this logbook")
                    continue
                fields = self.trust_fields(row, create=True)
                if verify(fields, row.get("signature")):
                    problems.append(f"{pid} is already trusted")
                elif shown is not None and pid not in shown:
                    problems.append(f"{pid} was named without the hash it was shown with; list it again")
                elif shown is not None and shown[pid] != content_hash(fields):
                    changed.append(pid)
                    problems.append(f"{pid} changed since it was listed; review it again")
                elif (reason := refusal(self._prediction_from_row(row, trusted=False))) is not None:
                    problems.append(f"{pid} cannot be trusted ({reason}); edit it first")
                else:
                    chosen.append(fields)
            if problems:
                raise (TrustChanged if changed else TrustError)("; ".join(problems))
            for fields in chosen:
                self.db.table("predictions").update(fields["id"], {"signature": sign(fields)})
                self.events.append_event(
                    "prediction.trusted",
                    fields["id"],
                    {
                        "hypothesis_id": fields["hypothesis_id"],
                        "kind": fields["kind"],
                        "expression": fields["expression"],
                    },
                )
        return [self.prediction(fields["id"]) for fields in chosen]

    # -- signatures -----------------------------------------------------------

    def _trust_identity(self, create: bool = False) -> Optional[str]:
        """This logbook's id, which every signature covers; made when missing if ``create`` (inside a transaction).

        Read once per open file: it never changes once made.
        """
        if self._identity is not None:
            return self._identity
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [IDENTITY_KEY]).fetchone()
        if row is None and create:
            self.db.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                [IDENTITY_KEY, json.dumps(new_identity())],
            )
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [IDENTITY_KEY]).fetchone()
        identity = _identity(row[0]) if row else None
        self._identity = identity
        return identity

    def trust_fields(self, row: Mapping[str, Any], create: bool = False) -> dict:
        """What a signature covers: ``row`` with its hypothesis' ``statement`` and this logbook's id as ``logbook``."""
        if "hypothesis_statement" in row:
            statement = row["hypothesis_statement"]
        else:
            found = self.db.execute(
                "SELECT statement FROM hypotheses WHERE id = ?", [row["hypothesis_id"]]
            ).fetchone()
            statement = found[0] if found else None
        return {**row, "statement": statement, "logbook": self._trust_identity(create)}

    def _upgrade_signatures(self) -> None:
        """Sign again, under the new rule, the predictions this user signed under the older one (once per file).

        ``m018_logbook_identity`` lists the predictions that carried a
        signature when the logbook was upgraded. The first process that can
        write the file and holds the signer's secret signs again each one whose
        old signature is valid for it as it stands; the others stay listed (they
        may be another user's) and untrusted. Nothing else is ever signed again:
        an old signature on a row added or changed after the upgrade is not trusted.
        """
        if self._upgraded:
            return
        if self.db.conn.in_transaction or self.read_only:
            return  # tried again on the next read outside a transaction
        pending = self._resign_pending()
        if pending and any(verify_old(row, row["signature"]) for row in self._resign_rows(pending)):
            with self.transaction():
                pending = self._resign_pending()
                kept = []
                for row in self._resign_rows(pending):
                    if verify_old(row, row["signature"]):
                        fields = self.trust_fields(row, create=True)
                        self.db.table("predictions").update(row["id"], {"signature": sign(fields)})
                    elif _old_signature(row["signature"]):
                        kept.append(row["id"])
                if kept:
                    self.db.execute(
                        "UPDATE settings SET value = ? WHERE key = ?", [json.dumps(kept), RESIGN_KEY]
                    )
                else:
                    self.db.execute("DELETE FROM settings WHERE key = ?", [RESIGN_KEY])
        self._upgraded = True

    def _resign_pending(self) -> list[str]:
        """The predictions listed for signing again under the new rule."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [RESIGN_KEY]).fetchone()
        try:
            ids = json.loads(row[0]) if row else []
        except ValueError:
            return []
        return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []

    def _resign_rows(self, ids: list[str]) -> list[dict]:
        """The rows of ``ids`` with their hypothesis' statement."""
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return list(
            self.db.query(
                "SELECT p.*, h.statement AS hypothesis_statement FROM predictions p"
                f" LEFT JOIN hypotheses h ON h.id = p.hypothesis_id WHERE p.id IN ({marks})",
                ids,
            )
        )

    def _prediction_from_row(
        self, row: dict, verdicts: Any = (), history: Any = (), trusted: Optional[bool] = None
    ) -> Prediction:
        if trusted is None:
            trusted = verify(self.trust_fields(row), row.get("signature"))
        return from_row(Prediction, row, verdicts=list(verdicts), history=list(history), trusted=trusted)

    def _hypothesis_id(self, hypothesis_id: str) -> str:
        """The id of the hypothesis ``hypothesis_id`` names (``h1`` is ``H1``); :class:`NotFound` if there is none."""
        return one(self.db, "hypotheses", hypothesis_id.strip().upper(), "hypothesis")["id"]

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        """Record that evaluating a prediction raised; call inside a transaction.

        A prediction superseded since the kernel last looked is left as it was.
        """
        if self.superseded_by(prediction_id):
            return
        at = now()
        self.db.table("predictions").update(
            prediction_id,
            {"state": PredictionState.error.value, "error": clean_text(error), "evaluated_at": at},
        )
        self.events.append_event("prediction.error", prediction_id, {"error": clean_text(error)}, at=at)

    def superseded_by(self, prediction_id: str) -> str | None:
        """The id of the prediction that revised ``prediction_id``, or None while it is in force."""
        row = self.db.execute(
            "SELECT superseded_by FROM predictions WHERE id = ?", [prediction_id]
        ).fetchone()
        return row[0] if row else None

    def set_prediction_too_slow(self, prediction_id: str, budget_s: float) -> None:
        """Record that evaluating a prediction ran past the kernel's time budget; call inside a transaction.

        A prediction in this state is not evaluated again until its expression is edited.
        """
        if self.superseded_by(prediction_id):
            return
        at = now()
        error = f"evaluating it took longer than {budget_s:g} s; edit it to have it judged again"
        self.db.table("predictions").update(
            prediction_id, {"state": PredictionState.too_slow.value, "error": error, "evaluated_at": at}
        )
        self.events.append_event("prediction.too_slow", prediction_id, {"budget_s": budget_s}, at=at)

    def judging_ahead(self, prediction_id: str, session: str, pid: int, host: str, budget_s: float) -> None:
        """Write that kernel ``session`` is about to evaluate a prediction; call inside a transaction.

        The kernel commits this before it evaluates and removes it after
        (:meth:`judging_done`), so a row left behind names a judgement its
        kernel never finished. Each kernel judges one prediction at a time:
        its earlier row goes.
        """
        self.db.execute("DELETE FROM judging WHERE session = ?", [session])
        self.db.execute(
            "INSERT OR REPLACE INTO judging (prediction_id, session, pid, host, started_at, budget_s)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [prediction_id, session, pid, host, now(), budget_s],
        )

    def judging_done(self, session: str) -> None:
        """Kernel ``session`` finished judging: remove its row; call inside a transaction."""
        self.db.execute("DELETE FROM judging WHERE session = ?", [session])

    def judging(self) -> list[dict]:
        """The judgements in progress, or left behind by kernels that stopped, oldest first."""
        return list(self.db.query("SELECT * FROM judging ORDER BY started_at"))

    def judging_stopped(self, row: dict) -> bool:
        """Mark the prediction a stopped judgement left (a row of :meth:`judging`) too slow; call inside a transaction.

        The row is removed; True when the prediction was marked (it still
        exists, is in force and was not marked already).
        """
        self.db.execute(
            "DELETE FROM judging WHERE prediction_id = ? AND session = ?",
            [row["prediction_id"], row["session"]],
        )
        state = self.db.execute(
            "SELECT state, superseded_by FROM predictions WHERE id = ?", [row["prediction_id"]]
        ).fetchone()
        if state is None or state[1] or state[0] == PredictionState.too_slow.value:
            return False
        self.set_prediction_too_slow(row["prediction_id"], row["budget_s"])
        return True

    # -- deadlines ------------------------------------------------------------

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
        return self.matching(
            "resolve_by IS NOT NULL AND resolve_by < ? AND state = 'pending' AND superseded_by IS NULL",
            [when],
        )

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


def new_identity() -> str:
    """A new logbook's id: 128 random bits as hex."""
    return secrets.token_hex(16)


def _identity(stored: Any) -> Optional[str]:
    """The logbook id as ``settings`` holds it (JSON text), or None when it is not one."""
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, str) and value else None


def _old_signature(signature: Any) -> bool:
    return isinstance(signature, str) and len(signature) == 64


def _extra_of(prediction: Prediction) -> dict:
    """The optional fields a prediction states, in stored form (what a revision of it keeps)."""
    extra = {
        "likelihoods": prediction.likelihoods,
        "base_rate": prediction.base_rate,
        "resolve_by": prediction.resolve_by,
        "tags": prediction.tags,
    }
    return {k: v for k, v in extra.items() if v not in (None, {}, [])}


def _prediction_extra(likelihoods: Any, base_rate: Any, resolve_by: Any, tags: Any) -> dict:
    """The optional fields of a new prediction, checked and in stored form."""
    from datetime import timezone

    from logbook.dates import moment

    extra: dict[str, Any] = {}
    if likelihoods:
        extra["likelihoods"] = {
            ("else" if str(k).strip().lower() == "else" else str(k).strip().upper()): float(v)
            for k, v in dict(likelihoods).items()
        }
    if base_rate is not None:
        extra["base_rate"] = float(base_rate)
    if resolve_by is not None:
        try:
            due = moment(resolve_by, end_of_day=True)
        except (ValueError, TypeError) as error:
            raise LogbookError(f"resolve_by: {error}") from None
        if due is None:
            raise LogbookError(f"resolve_by: not a date: {resolve_by!r}")
        extra["resolve_by"] = due.astimezone(timezone.utc)
    if tags:
        extra["tags"] = clean_tags(tags)
    return extra
