"""Experiments (executed cells), their outputs stored once by hash, and full-text search."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Optional

from ..cell_digest import row_digest
from ..errors import LogbookError, NotFound, NotKept
from ..models import (
    ErrorInfo,
    Experiment,
    Output,
)
from ..text import clean_text
from .base import Queries, fts_query, loads

EXPERIMENT_COLUMNS = (
    "session",
    "notebook",
    "cell_id",
    "execution_count",
    "source",
    "started_at",
    "duration_ms",
    "record_ms",
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
    "cell_key",
    "source_key",
    "author",
)


#: A matching line longer than this is cut to a window around the first match.
MATCH_WIDTH = 160


def matching_line(texts: list[tuple[str, str | None]], words: list[str]) -> dict | None:
    """The first line, in ``texts`` ((field, text) pairs, in order), where the search ``words`` occur.

    A line holding every word wins over one holding some; words match at the
    start of a token, as full-text search's prefix terms do. ``None`` when no
    line holds any word (a match through stemming alone).
    """
    patterns = [re.compile(r"(?<![^\W_])" + re.escape(word), re.IGNORECASE) for word in words if word]
    best = None
    for field, text in texts:
        for number, line in enumerate((text or "").splitlines(), start=1):
            found = [m for m in (p.search(line) for p in patterns) if m]
            if found and (best is None or len(found) > best[0]):
                best = (len(found), field, number, line, min(m.start() for m in found))
                if len(found) == len(patterns):
                    return _match(*best[1:])
    return _match(*best[1:]) if best else None


def _match(field: str, number: int, line: str, start: int) -> dict:
    text = line.strip()
    start = max(0, start - (len(line) - len(line.lstrip())))
    if len(text) > MATCH_WIDTH:
        left = max(0, start - 40)
        text = ("…" if left else "") + text[left : left + MATCH_WIDTH] + "…"
    return {"field": field, "line": number, "text": text}


class ExperimentQueries(Queries):
    def store_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.db.execute(
            "INSERT OR IGNORE INTO blobs (sha256, data, size) VALUES (?, ?, ?)",
            [digest, data, len(data)],
        )
        return digest

    def store_placeholder(self, sha256: str, size: int) -> str:
        """Note an output known by its hash and size only: a blob row without bytes."""
        self.db.execute(
            "INSERT OR IGNORE INTO blobs (sha256, data, size) VALUES (?, NULL, ?)", [sha256, size]
        )
        return sha256

    def blob(self, sha256: str) -> bytes:
        """An output's bytes; :class:`NotKept` when it was too large to keep."""
        row = self.db.execute("SELECT data, size FROM blobs WHERE sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise NotFound(f"no output with hash {sha256}")
        if row[0] is None:
            raise NotKept(f"output {sha256[:12]} not kept: too large ({row[1]} bytes)")
        return row[0]

    def set_record_ms(self, experiment_id: int, record_ms: float) -> None:
        """Store how long recording and judging took after a cell; call inside a transaction."""
        self.db.execute("UPDATE experiments SET record_ms = ? WHERE id = ?", [record_ms, experiment_id])

    def insert_experiment(self, row: dict, outputs: list[dict]) -> int:
        """Write one experiment and its outputs; call inside a transaction.

        ``outputs`` are dicts with ``mime``, ``data`` (bytes), ``size`` (the
        full size before capping) and ``truncated``; an output whose ``data``
        is None was not kept and gives its full ``sha256`` instead.
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
        kept = []
        for position, output in enumerate(outputs):
            if output["data"] is None:
                digest = self.store_placeholder(output["sha256"], output["size"])
            else:
                digest = self.store_blob(output["data"])
            self.db.execute(
                "INSERT INTO outputs (experiment_id, position, mime, sha256, size, truncated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [experiment_id, position, output["mime"], digest, output["size"], int(output["truncated"])],
            )
            kept.append((output["mime"], digest, output["size"], output["truncated"]))
        # The cell enters the chain with the row: editing any of it later breaks `logbook verify`.
        self.append_event(
            "experiment.recorded",
            f"E{experiment_id}",
            {"digest": row_digest({**row, "id": experiment_id}, kept)},
        )
        return experiment_id

    def outputs_trusted(self, experiment_id: int, user: Optional[str] = None) -> tuple[bool, str]:
        """Whether an experiment's rich outputs may run as yours, and why not: (trusted, reason).

        They may when the cell was recorded by ``user`` (default: the user
        running this process; a cell from before authors were kept counts as
        yours) and it still matches the digest the chain holds for it. A
        colleague's cell, one from a cloned logbook, or one edited by hand
        shows its figures inert until you trust them.
        """
        row = self._one("experiments", experiment_id, "experiment")
        from .judgements import current_user

        me = current_user() if user is None else user
        if row.get("author") and row["author"] != me:
            return False, f"recorded by {row['author']}, not by you"
        chained = self.db.execute(
            "SELECT payload FROM events WHERE subject = ? AND kind = 'experiment.recorded' ORDER BY id LIMIT 1",
            [f"E{experiment_id}"],
        ).fetchone()
        outputs = self.db.execute(
            "SELECT mime, sha256, size, truncated FROM outputs WHERE experiment_id = ? ORDER BY position",
            [experiment_id],
        ).fetchall()
        if chained is None or loads(chained[0], {}).get("digest") != row_digest(row, outputs):
            return False, "changed after it was recorded (it does not match its history)"
        return True, ""

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
        return self._experiments_from_rows(list(self.db.query(sql, params)))

    def _experiments_from_rows(self, rows: list[dict]) -> list[Experiment]:
        """Experiments for ``rows``, their outputs read in one query rather than one per experiment."""
        if not rows:
            return []
        ids = {row["id"] for row in rows}
        outputs: dict[int, list[dict]] = {}
        for r in self.db.query(
            "SELECT * FROM outputs WHERE experiment_id BETWEEN ? AND ? ORDER BY experiment_id, position",
            [min(ids), max(ids)],
        ):
            if r["experiment_id"] in ids:
                outputs.setdefault(r["experiment_id"], []).append(r)
        return [self._experiment_from_row(row, outputs.get(row["id"], [])) for row in rows]

    def experiment_rows(
        self, limit: int = 100, offset: int = 0, query: str | None = None
    ) -> tuple[int, list[dict]]:
        """A page of experiments, newest first, as light rows for lists: (total, rows)."""
        columns = (
            "e.id, e.started_at, e.duration_ms, e.ok, e.error_name, e.notebook, e.cell_id,"
            " e.execution_count, e.mode, substr(e.source, 1, 300) AS source"
        )
        if query:
            match = fts_query(query)
            total = self.db.execute(
                "SELECT count(*) FROM experiments_fts WHERE experiments_fts MATCH ?", [match]
            ).fetchone()[0]
            # The FTS index yields rowids in order, so the page is found without sorting every match.
            rows = self.db.query(
                f"SELECT {columns}, e.source AS full_source, e.stdout, e.output_text FROM experiments e"
                " WHERE e.id IN (SELECT rowid FROM experiments_fts WHERE experiments_fts MATCH ?"
                " ORDER BY rowid DESC LIMIT ? OFFSET ?) ORDER BY e.id DESC",
                [match, limit, offset],
            )
            words = clean_text(query).replace('"', " ").split()
            return total, [
                dict(
                    {k: v for k, v in row.items() if k not in ("full_source", "stdout", "output_text")},
                    ok=bool(row["ok"]),
                    match=matching_line(
                        [
                            ("source", row["full_source"]),
                            ("stdout", row["stdout"]),
                            ("output", row["output_text"]),
                        ],
                        words,
                    ),
                )
                for row in rows
            ]
        else:
            total = self.db.execute("SELECT count(*) FROM experiments").fetchone()[0]
            rows = self.db.query(
                f"SELECT {columns} FROM experiments e ORDER BY e.id DESC LIMIT ? OFFSET ?", [limit, offset]
            )
        return total, [dict(row, ok=bool(row["ok"])) for row in rows]

    def count(self, table: str) -> int:
        return self.db[table].count

    def search(self, text: str, limit: int = 50) -> list[Experiment]:
        """Experiments whose source or outputs match ``text`` (FTS5, best match first)."""
        rows = self.db.query(
            "SELECT e.* FROM experiments e JOIN experiments_fts f ON f.rowid = e.id"
            " WHERE experiments_fts MATCH ? ORDER BY f.rank LIMIT ?",
            [fts_query(text), limit],
        )
        return [self._experiment_from_row(row) for row in rows]

    def _experiment_from_row(self, row: dict, output_rows: Optional[list[dict]] = None) -> Experiment:
        if output_rows is None:
            output_rows = list(
                self.db.query("SELECT * FROM outputs WHERE experiment_id = ? ORDER BY position", [row["id"]])
            )
        outputs = [
            Output(mime=r["mime"], sha256=r["sha256"], size=r["size"], truncated=bool(r["truncated"]))
            for r in output_rows
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
            record_ms=row.get("record_ms"),
            ok=bool(row["ok"]),
            error=error,
            stdout=row["stdout"] or "",
            stderr=row["stderr"] or "",
            outputs=outputs,
            names=loads(row["names"], {}),
            torch=loads(row["torch"], {}),
            author=row.get("author"),
            mode=row["mode"],
            cell_key=row.get("cell_key"),
        )

    def last_experiment_id(self) -> int | None:
        return self.db.execute("SELECT max(id) FROM experiments").fetchone()[0]
