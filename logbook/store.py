"""The logbook on disk: one SQLite file, read and written through sqlite-utils."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Optional

from pydantic import ValidationError
from sqlite_utils import Database

from . import schema
from .balance import time_in_modes
from .models import (
    Brainstorm,
    CredenceChange,
    ErrorInfo,
    Evidence,
    Experiment,
    Hypothesis,
    HypothesisStatus,
    LogbookExport,
    Mode,
    Note,
    Output,
    Prediction,
    PredictionKind,
    PredictionState,
    ResearchMode,
    Surprise,
    utcnow,
)
from .paths import find_logbook
from .predictions import parse_expression, surprisal_bits
from .text import clean_text, to_json

BUSY_TIMEOUT_MS = 10_000
EXPERIMENT_COLUMNS = (
    "session",
    "notebook",
    "cell_id",
    "execution_count",
    "source",
    "started_at",
    "duration_ms",
    "ok",
    "error_name",
    "error_value",
    "traceback",
    "stdout",
    "stderr",
    "output_text",
    "names",
    "torch",
    "mode",
)


class LogbookError(Exception):
    """A request the logbook cannot carry out, with a message for the user."""


class NotFound(LogbookError):
    pass


class LogbookDamaged(LogbookError):
    """The logbook file is not a readable SQLite database; a copy of it has been kept."""


#: Files larger than this skip the integrity check on open (it reads every page).
INTEGRITY_CHECK_MAX_BYTES = 256 * 1024 * 1024


def _keep_copy(path: Path) -> Path:
    """Copy a damaged logbook (and its WAL) aside once, named by its content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(1024 * 1024))
    digest.update(str(path.stat().st_size).encode())
    backup = path.with_name(f"{path.name}.damaged-{digest.hexdigest()[:10]}")
    if not backup.exists():
        shutil.copy2(path, backup)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{backup}-wal"))
    return backup


def _check_integrity(db: Database, path: Path) -> None:
    if path.stat().st_size <= INTEGRITY_CHECK_MAX_BYTES:
        verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)


def connect(path: Path, check_integrity: bool = True) -> Database:
    """Open (creating if needed) the logbook at ``path`` and bring its schema up to date.

    A damaged file raises :class:`LogbookDamaged` after a copy of it is kept
    beside it; the file itself is never overwritten.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = Database(conn, execute_plugins=False)
        if existed and check_integrity:
            _check_integrity(db, path)
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if schema.migrations.pending(db):
            with _immediate(db):  # one process migrates; the others wait, then find nothing to do
                schema.migrations.apply(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        if (
            not existed
            or "locked" in str(error)
            or isinstance(error, sqlite3.OperationalError)
            and "disk" in str(error)
        ):
            raise
        backup = _keep_copy(path)
        raise LogbookDamaged(
            f"the logbook at {path} is damaged ({error}). A copy is kept at {backup}. "
            f"Recover what it holds with `sqlite3 {path} .recover | sqlite3 recovered.db`, "
            "or move the file away to start a new logbook."
        ) from None
    return db


@contextlib.contextmanager
def _immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the lock up front, so it never deadlocks on upgrade."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.execute("COMMIT")


def validated(model: type, **fields: Any) -> Any:
    """Build ``model`` from ``fields``, turning validation errors into one clear message."""
    try:
        return model(**fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
        raise LogbookError(f"invalid {model.__name__.lower()}: {problems}") from None


def _fts_query(text: str) -> str:
    """User text as an FTS5 query: each word a quoted prefix term, all required."""
    words = clean_text(text).replace('"', " ").split()
    return " ".join(f'"{word}"*' for word in words) or '""'


def _now() -> str:
    return utcnow().isoformat()


def _loads(text: Optional[str], default: Any) -> Any:
    return json.loads(text) if text else default


class Store:
    """Every read and write of one logbook file.

    A ``Store`` holds one connection; use one per thread.
    """

    def __init__(self, path: str | Path | None = None, check_integrity: bool = True):
        self.path = Path(path) if path else find_logbook()
        self.db = connect(self.path, check_integrity)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self):
        return _immediate(self.db)

    def _one(self, table: str, key: Any, what: str) -> dict:
        """The row of ``table`` whose id is ``key``, or :class:`NotFound` naming ``what``."""
        rows = list(self.db.query(f"SELECT * FROM {table} WHERE id = ?", [key]))
        if not rows:
            raise NotFound(f"no {what} {key!r} in this logbook")
        return rows[0]

    # -- hypotheses -------------------------------------------------------

    def add_hypothesis(
        self, statement: str, credence: float = 0.5, brainstorm_id: int | None = None
    ) -> Hypothesis:
        statement = clean_text(statement).strip()
        now = utcnow()
        # Validate before touching the database.
        validated(Hypothesis, id="H0", statement=statement, credence=credence)
        with self.transaction():
            seq = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM hypotheses").fetchone()[0]
            hid = f"H{seq}"
            self.db["hypotheses"].insert(
                {
                    "id": hid,
                    "seq": seq,
                    "statement": statement,
                    "credence": credence,
                    "status": HypothesisStatus.active.value,
                    "created_at": now.isoformat(),
                    "brainstorm_id": brainstorm_id,
                }
            )
            self.db["credence_history"].insert(
                {"hypothesis_id": hid, "credence": credence, "reason": "stated", "at": now.isoformat()}
            )
        return self.hypothesis(hid)

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        hid = hypothesis_id.strip().upper()
        return self._hypothesis_from_row(self._one("hypotheses", hid, "hypothesis"))

    def hypotheses(self, status: HypothesisStatus | str | None = None) -> list[Hypothesis]:
        sql = "SELECT * FROM hypotheses"
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(HypothesisStatus(status).value)
        return [self._hypothesis_from_row(row) for row in self.db.query(sql + " ORDER BY seq", params)]

    def _hypothesis_from_row(self, row: dict) -> Hypothesis:
        history = [
            CredenceChange(credence=r["credence"], reason=r["reason"] or "", at=r["at"])
            for r in self.db.query(
                "SELECT * FROM credence_history WHERE hypothesis_id = ? ORDER BY id", [row["id"]]
            )
        ]
        predictions = [
            self._prediction_from_row(r)
            for r in self.db.query(
                "SELECT * FROM predictions WHERE hypothesis_id = ? ORDER BY seq", [row["id"]]
            )
        ]
        return Hypothesis(
            id=row["id"],
            statement=row["statement"],
            credence=row["credence"],
            status=row["status"],
            created_at=row["created_at"],
            brainstorm_id=row["brainstorm_id"],
            history=history,
            predictions=predictions,
        )

    def update_credence(self, hypothesis_id: str, credence: float, reason: str = "") -> Hypothesis:
        validated(CredenceChange, credence=credence, reason=reason)
        hid = self.hypothesis(hypothesis_id).id
        with self.transaction():
            self.db["hypotheses"].update(hid, {"credence": credence})
            self.db["credence_history"].insert(
                {"hypothesis_id": hid, "credence": credence, "reason": clean_text(reason), "at": _now()}
            )
        return self.hypothesis(hid)

    def set_status(self, hypothesis_id: str, status: HypothesisStatus | str, reason: str = "") -> Hypothesis:
        status = HypothesisStatus(status)
        current = self.hypothesis(hypothesis_id)
        credence = 0.0 if status is HypothesisStatus.refuted else current.credence
        with self.transaction():
            self.db["hypotheses"].update(current.id, {"status": status.value, "credence": credence})
            self.db["credence_history"].insert(
                {
                    "hypothesis_id": current.id,
                    "credence": credence,
                    "reason": clean_text(reason) or status.value,
                    "at": _now(),
                }
            )
        return self.hypothesis(current.id)

    # -- predictions ------------------------------------------------------

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
            self.db["predictions"].insert(
                {
                    "id": pid,
                    "hypothesis_id": hid,
                    "seq": seq,
                    "kind": kind.value,
                    "expression": expression,
                    "names": json.dumps(names),
                    "credence": credence,
                    "created_at": _now(),
                    "state": PredictionState.pending.value,
                }
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
            names=_loads(row["names"], []),
            credence=row["credence"],
            created_at=row["created_at"],
            state=row["state"],
            error=row["error"],
            evaluated_at=row["evaluated_at"],
        )

    # -- experiments ------------------------------------------------------

    def store_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.db.execute(
            "INSERT OR IGNORE INTO blobs (sha256, data, size) VALUES (?, ?, ?)",
            [digest, data, len(data)],
        )
        return digest

    def blob(self, sha256: str) -> bytes:
        row = self.db.execute("SELECT data FROM blobs WHERE sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise NotFound(f"no output with hash {sha256}")
        return row[0]

    def insert_experiment(self, row: dict, outputs: list[dict]) -> int:
        """Write one experiment and its outputs; call inside a transaction.

        ``outputs`` are dicts with ``mime``, ``data`` (bytes), ``size`` (the
        full size before capping) and ``truncated``.
        """
        columns = [column for column in EXPERIMENT_COLUMNS if column in row]
        unknown = set(row) - set(EXPERIMENT_COLUMNS)
        if unknown:
            raise LogbookError(f"unknown experiment fields: {sorted(unknown)}")
        # Plain SQL: this runs once per executed cell and must stay cheap.
        cursor = self.db.execute(
            f"INSERT INTO experiments ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[column] for column in columns],
        )
        experiment_id = cursor.lastrowid
        for position, output in enumerate(outputs):
            digest = self.store_blob(output["data"])
            self.db.execute(
                "INSERT INTO outputs (experiment_id, position, mime, sha256, size, truncated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [experiment_id, position, output["mime"], digest, output["size"], int(output["truncated"])],
            )
        return experiment_id

    def experiment(self, experiment_id: int) -> Experiment:
        return self._experiment_from_row(self._one("experiments", experiment_id, "experiment"))

    def experiments(
        self, limit: int | None = 50, offset: int = 0, newest_first: bool = True
    ) -> list[Experiment]:
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT * FROM experiments ORDER BY id {order}"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [limit, offset]
        return [self._experiment_from_row(row) for row in self.db.query(sql, params)]

    def experiment_rows(
        self, limit: int = 100, offset: int = 0, query: str | None = None
    ) -> tuple[int, list[dict]]:
        """A page of experiments, newest first, as light rows for lists: (total, rows)."""
        columns = (
            "e.id, e.started_at, e.duration_ms, e.ok, e.error_name, e.notebook, e.cell_id,"
            " e.execution_count, e.mode, substr(e.source, 1, 300) AS source"
        )
        if query:
            match = _fts_query(query)
            total = self.db.execute(
                "SELECT count(*) FROM experiments_fts WHERE experiments_fts MATCH ?", [match]
            ).fetchone()[0]
            # The FTS index yields rowids in order, so the page is found without sorting every match.
            rows = self.db.query(
                f"SELECT {columns} FROM experiments e WHERE e.id IN ("
                " SELECT rowid FROM experiments_fts WHERE experiments_fts MATCH ?"
                " ORDER BY rowid DESC LIMIT ? OFFSET ?) ORDER BY e.id DESC",
                [match, limit, offset],
            )
        else:
            total = self.db.execute("SELECT count(*) FROM experiments").fetchone()[0]
            rows = self.db.query(
                f"SELECT {columns} FROM experiments e ORDER BY e.id DESC LIMIT ? OFFSET ?", [limit, offset]
            )
        return total, [dict(row, ok=bool(row["ok"])) for row in rows]

    def mode_balance(self) -> list[dict]:
        """Experiments, run time and time spent in each research mode."""
        balance = {
            row["mode"] or "none": {
                "mode": row["mode"] or "none",
                "experiments": row["n"],
                "run_seconds": row["run"] / 1000,
            }
            for row in self.db.query(
                "SELECT mode, count(*) AS n, coalesce(sum(duration_ms), 0) AS run FROM experiments GROUP BY mode"
            )
        }
        for mode, seconds in time_in_modes(self.modes(), utcnow()).items():
            entry = balance.setdefault(mode, {"mode": mode, "experiments": 0, "run_seconds": 0.0})
            entry["mode_seconds"] = seconds
        return list(balance.values())

    def count(self, table: str) -> int:
        return self.db[table].count

    def search(self, text: str, limit: int = 50) -> list[Experiment]:
        """Experiments whose source or outputs match ``text`` (FTS5, best match first)."""
        rows = self.db.query(
            "SELECT e.* FROM experiments e JOIN experiments_fts f ON f.rowid = e.id"
            " WHERE experiments_fts MATCH ? ORDER BY f.rank LIMIT ?",
            [_fts_query(text), limit],
        )
        return [self._experiment_from_row(row) for row in rows]

    def _experiment_from_row(self, row: dict) -> Experiment:
        outputs = [
            Output(mime=r["mime"], sha256=r["sha256"], size=r["size"], truncated=bool(r["truncated"]))
            for r in self.db.query(
                "SELECT * FROM outputs WHERE experiment_id = ? ORDER BY position", [row["id"]]
            )
        ]
        error = None
        if row["error_name"]:
            error = ErrorInfo(
                name=row["error_name"], value=row["error_value"] or "", traceback=row["traceback"] or ""
            )
        return Experiment(
            id=row["id"],
            session=row["session"] or "",
            notebook=row["notebook"],
            cell_id=row["cell_id"],
            execution_count=row["execution_count"],
            source=row["source"] or "",
            started_at=row["started_at"],
            duration_ms=row["duration_ms"],
            ok=bool(row["ok"]),
            error=error,
            stdout=row["stdout"] or "",
            stderr=row["stderr"] or "",
            outputs=outputs,
            names=_loads(row["names"], {}),
            torch=_loads(row["torch"], {}),
            mode=row["mode"],
        )

    def last_experiment_id(self) -> int | None:
        return self.db.execute("SELECT max(id) FROM experiments").fetchone()[0]

    # -- judgements -------------------------------------------------------

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
        now = _now()
        row = {
            "hypothesis_id": prediction.hypothesis_id,
            "prediction_id": prediction.id,
            "prediction": prediction.expression,
            "observed": to_json(observed),
            "credence": prediction.credence,
            "surprisal_bits": surprisal_bits,
            "experiment_id": experiment_id,
            "created_at": now,
        }
        self.db["predictions"].update(
            prediction.id,
            {"state": "held" if held else "failed", "evaluated_at": now, "error": None},
        )
        return self.db["evidence" if held else "surprises"].insert(row).last_pk

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

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        self.db["predictions"].update(
            prediction_id,
            {"state": PredictionState.error.value, "error": clean_text(error), "evaluated_at": _now()},
        )

    def add_manual_surprise(
        self, note: str, experiment_id: int | None = None, hypothesis_id: str | None = None
    ) -> Surprise:
        note = clean_text(note).strip()
        if not note:
            raise LogbookError("say what surprised you: the note is empty")
        with self.transaction():
            if experiment_id is None:
                experiment_id = self.last_experiment_id()
            sid = (
                self.db["surprises"]
                .insert(
                    {
                        "hypothesis_id": hypothesis_id,
                        "experiment_id": experiment_id,
                        "created_at": _now(),
                        "manual": 1,
                        "note": note,
                        "observed": "{}",
                    }
                )
                .last_pk
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
            observed=_loads(row["observed"], {}),
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
        return self.surprise(surprise_id)

    def evidence(self) -> list[Evidence]:
        return [
            Evidence(
                id=row["id"],
                hypothesis_id=row["hypothesis_id"],
                prediction_id=row["prediction_id"],
                prediction=row["prediction"],
                observed=_loads(row["observed"], {}),
                credence=row["credence"],
                surprisal_bits=row["surprisal_bits"],
                experiment_id=row["experiment_id"],
                created_at=row["created_at"],
            )
            for row in self.db.query("SELECT * FROM evidence ORDER BY id")
        ]

    # -- notes, modes, brainstorms ---------------------------------------

    def add_note(self, text: str, experiment_id: int | None = None, hypothesis_id: str | None = None) -> Note:
        text = clean_text(text).strip()
        if not text:
            raise LogbookError("the note is empty")
        with self.transaction():
            nid = (
                self.db["notes"]
                .insert(
                    {
                        "text": text,
                        "experiment_id": experiment_id,
                        "hypothesis_id": hypothesis_id,
                        "created_at": _now(),
                    }
                )
                .last_pk
            )
        return Note(**self.db["notes"].get(nid))

    def notes(self) -> list[Note]:
        return [Note(**row) for row in self.db.query("SELECT * FROM notes ORDER BY id")]

    def set_mode(self, mode: ResearchMode | str) -> Mode:
        try:
            mode = ResearchMode(mode)
        except ValueError:
            choices = ", ".join(m.value for m in ResearchMode)
            raise LogbookError(f"unknown mode {mode!r}; choose one of {choices}") from None
        with self.transaction():
            mid = self.db["modes"].insert({"mode": mode.value, "started_at": _now()}).last_pk
        return Mode(id=mid, mode=mode, started_at=self.db["modes"].get(mid)["started_at"])

    def current_mode(self) -> ResearchMode | None:
        row = self.db.execute("SELECT mode FROM modes ORDER BY id DESC LIMIT 1").fetchone()
        return ResearchMode(row[0]) if row else None

    def modes(self) -> list[Mode]:
        return [Mode(**row) for row in self.db.query("SELECT * FROM modes ORDER BY id")]

    def start_brainstorm(self, planned_seconds: int = 300, target: int = 4) -> Brainstorm:
        with self.transaction():
            bid = (
                self.db["brainstorms"]
                .insert(
                    {
                        "started_at": _now(),
                        "planned_seconds": planned_seconds,
                        "target": target,
                        "paused_seconds": 0.0,
                    }
                )
                .last_pk
            )
        return self.brainstorm(bid)

    def finish_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            return current
        with self.transaction():
            now = utcnow()
            paused = current.paused_seconds
            if current.paused_at is not None:
                paused += (now - current.paused_at).total_seconds()
            self.db["brainstorms"].update(
                brainstorm_id, {"finished_at": now.isoformat(), "paused_at": None, "paused_seconds": paused}
            )
        return self.brainstorm(brainstorm_id)

    def pause_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            raise LogbookError(f"brainstorm {brainstorm_id} is already finished")
        if current.paused_at is None:
            with self.transaction():
                self.db["brainstorms"].update(brainstorm_id, {"paused_at": _now()})
        return self.brainstorm(brainstorm_id)

    def resume_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        current = self.brainstorm(brainstorm_id)
        if current.finished_at is not None:
            raise LogbookError(f"brainstorm {brainstorm_id} is already finished")
        if current.paused_at is not None:
            paused = current.paused_seconds + (utcnow() - current.paused_at).total_seconds()
            with self.transaction():
                self.db["brainstorms"].update(brainstorm_id, {"paused_at": None, "paused_seconds": paused})
        return self.brainstorm(brainstorm_id)

    def current_brainstorm(self) -> Brainstorm | None:
        row = self.db.execute(
            "SELECT id FROM brainstorms WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self.brainstorm(row[0]) if row else None

    def brainstorm(self, brainstorm_id: int) -> Brainstorm:
        return self._brainstorm_from_row(self._one("brainstorms", brainstorm_id, "brainstorm"))

    def brainstorms(self) -> list[Brainstorm]:
        return [self._brainstorm_from_row(r) for r in self.db.query("SELECT * FROM brainstorms ORDER BY id")]

    def _brainstorm_from_row(self, row: dict) -> Brainstorm:
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM hypotheses WHERE brainstorm_id = ? ORDER BY seq", [row["id"]]
            )
        ]
        return Brainstorm(
            id=row["id"],
            started_at=row["started_at"],
            planned_seconds=row["planned_seconds"],
            target=row["target"],
            finished_at=row["finished_at"],
            paused_at=row["paused_at"],
            paused_seconds=row["paused_seconds"] or 0.0,
            hypothesis_ids=ids,
        )

    # -- recorder health --------------------------------------------------

    def record_error(self, context: str, message: str, traceback: str = "") -> None:
        self.db["recorder_errors"].insert(
            {
                "at": _now(),
                "context": context,
                "message": clean_text(message),
                "traceback": clean_text(traceback),
            }
        )

    # -- the whole logbook ------------------------------------------------

    def export(self, since: datetime | None = None) -> LogbookExport:
        experiments = self.experiments(limit=None, newest_first=False)
        if since is not None:
            experiments = [e for e in experiments if e.started_at >= since]
        return LogbookExport(
            hypotheses=self.hypotheses(),
            brainstorms=self.brainstorms(),
            experiments=experiments,
            surprises=self.surprises(),
            evidence=self.evidence(),
            notes=self.notes(),
            modes=self.modes(),
        )
