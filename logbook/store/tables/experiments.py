"""Experiments (executed cells), their outputs stored once by hash, and the list of them a search filters."""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import os
from typing import Any, Iterable, Mapping, Optional, Sequence

from sqlite_utils import Database

from logbook.errors import LogbookError, NotFound, NotKept
from logbook.models import ErrorInfo, Experiment, Output
from logbook.rules.figures import CIRCUITSVIS_START, PLOTLY_MIME
from logbook.store.cell_digest import record_digest, row_digest
from logbook.store.cell_record import EXPERIMENT_COLUMNS, CellRecord, ErrorFields
from logbook.store.matches import find_line, match_dict, search_words
from logbook.store.tables.base import current_user, from_row, insert_many, loads, one, rows_in
from logbook.store.tables.events import Events
from logbook.store.tables.part import Part
from logbook.store.tables.search import Search, experiment_fields
from logbook.store.transactions import immediate

__all__ = ["EXPERIMENT_COLUMNS", "Experiments", "error_info", "experiment_from_row"]

#: The fields a cell record may have.
_KNOWN = frozenset(EXPERIMENT_COLUMNS)
#: Every this many experiments prepared, the writer lets another thread have the interpreter (see ``_insert``).
_YIELD_EVERY = 16
#: Hands the interpreter to a thread waiting for it (``time.sleep(0)`` would sleep for the timer's slack, ~60 µs).
_let_others_run = getattr(os, "sched_yield", lambda: None)


@functools.lru_cache(maxsize=256)
def _insert_rows(columns: tuple[str, ...], count: int) -> str:
    """The statement that inserts ``count`` experiments, their ids given, with values for ``columns`` alone.

    The other columns are left NULL (no column has a default). NULL is not
    bound as a parameter: Python's sqlite3 looks for an adapter for each
    ``None`` it binds, which costs more than writing the row.
    """
    one = f"({', '.join('?' * (len(columns) + 1))})"
    return f"INSERT INTO experiments (id, {', '.join(columns)}) VALUES {', '.join([one] * count)}"


#: Columns an experiment row of a search reads to find its matching line, and leaves out of the row.
_MATCH_ONLY = ("full_source", "output_text", "stdout", "error_value", "traceback", "stderr")


def error_info(row: ErrorFields) -> Optional[ErrorInfo]:
    """The error a cell record names, or None for a cell that ran to its end."""
    if not row.get("error_name"):
        return None
    return ErrorInfo(
        name=row["error_name"], value=row.get("error_value") or "", traceback=row.get("traceback") or ""
    )


def experiment_from_row(row: Mapping[str, Any], output_rows: Iterable[Mapping[str, Any]]) -> Experiment:
    """The experiment a row of ``experiments`` (a :class:`~logbook.store.cell_record.StoredCell`) holds, with its outputs."""
    return from_row(
        Experiment,
        row,
        source=row.get("source") or "",
        ok=bool(row["ok"]),
        error=error_info(row),  # type: ignore[arg-type]
        outputs=[from_row(Output, r) for r in output_rows],
    )


class Experiments(Part):
    """The ``experiments`` table (executed cells) and their outputs, kept once each by hash in ``blobs``.

    ``search`` finds experiments by their text.
    """

    def __init__(self, db: Database, events: Events, search: Search) -> None:
        super().__init__(db, events)
        self.search = search

    def store_blob(self, data: bytes) -> str:
        """Keep an output's bytes (once for the same bytes) and return their SHA-256."""
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

    def insert_experiment(self, row: CellRecord, outputs: list[dict[str, Any]]) -> int:
        """Write one experiment and its outputs; call inside a transaction.

        ``outputs`` are dicts with ``mime``, ``data`` (bytes), ``size`` (the
        full size before capping) and ``truncated``; an output whose ``data``
        is None was not kept and gives its full ``sha256`` instead.
        """
        return self.insert_experiments([(row, outputs)])[0]

    def insert_experiments(self, records: Sequence[tuple[CellRecord, list[dict[str, Any]]]]) -> list[int]:
        """Write experiments with their outputs, in order, and return their ids; call inside a transaction.

        Each record is ``(row, outputs)`` as :meth:`insert_experiment` takes
        them. Each experiment enters the chain with its row, as one
        ``experiment.recorded`` event. The rows go in many to a statement
        (:data:`~logbook.store.tables.base.STATEMENT_ROWS`): each statement that fires the search
        index's triggers also makes the index write out what it holds in
        memory, which costs more than the row itself.
        """
        if not records:
            return []
        unknown = set().union(*(row.keys() for row, _ in records)) - _KNOWN
        if unknown:
            raise LogbookError(f"unknown experiment fields: {sorted(unknown)}")
        if not self.db.conn.in_transaction:
            # The ids are counted from the last one: hold the write lock, as a transaction would.
            with immediate(self.db):
                return self._insert(records)
        return self._insert(records)

    def _insert(self, records: Sequence[tuple[CellRecord, list[dict[str, Any]]]]) -> list[int]:
        last = self.last_experiment_id() or 0
        ids = list(range(last + 1, last + 1 + len(records)))
        rows: list[tuple[tuple[str, ...], list[Any]]] = []
        events = []
        output_rows: list[tuple[int, int, str, str, int, int]] = []
        for experiment_id, (row, outputs) in zip(ids, records):
            if experiment_id % _YIELD_EVERY == 0:
                # A kernel thread that woke for its next cell would otherwise wait for the
                # interpreter until this loop ends or the switch interval (5 ms) runs out.
                _let_others_run()
            # The row's own order: rows built alike fill the same columns in the same order.
            filled = tuple([column for column, value in row.items() if value is not None])
            rows.append((filled, [experiment_id, *[value for value in row.values() if value is not None]]))
            kept = [self._store_output(output) for output in outputs] if outputs else []
            if kept:
                output_rows.extend(
                    (experiment_id, position, mime, sha, size, int(cut))
                    for position, (mime, sha, size, cut) in enumerate(kept)
                )
            # The cell enters the chain with the row: editing any of it later breaks `logbook verify`.
            digest = record_digest(experiment_id, row, kept)
            # canonical({"digest": digest}): a hex digest needs no escaping
            events.append(("experiment.recorded", f"E{experiment_id}", f'{{"digest":"{digest}"}}'))
        # Rows that follow one another and fill the same columns go in together.
        for columns, run in itertools.groupby(rows, key=operator.itemgetter(0)):
            values = [value for _, row_values in run for value in row_values]
            insert_many(self.db.execute, functools.partial(_insert_rows, columns), values, len(columns) + 1)
        for output_row in output_rows:
            self.db.execute(
                "INSERT INTO outputs (experiment_id, position, mime, sha256, size, truncated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                output_row,
            )
        self.events.append_events(events)
        return ids

    def _store_output(self, output: dict[str, Any]) -> tuple[str, str, int, Any]:
        """Keep an output's bytes (once by hash); returns what the experiment's digest covers of it."""
        if output["data"] is None:
            digest = self.store_placeholder(output["sha256"], output["size"])
        else:
            digest = self.store_blob(output["data"])
        return (output["mime"], digest, output["size"], output["truncated"])

    def outputs_trusted(self, experiment_id: int, user: Optional[str] = None) -> tuple[bool, str]:
        """Whether an experiment's rich outputs may run as yours, and why not: (trusted, reason).

        They may when the cell was recorded by ``user`` (default: the user
        running this process; a cell from before authors were kept counts as
        yours) and it still matches the digest the chain holds for it. A
        colleague's cell, one from a cloned logbook, or one edited by hand
        shows its figures inert until you trust them.
        """
        row = one(self.db, "experiments", experiment_id, "experiment")
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
        """The experiment with this id, with its outputs."""
        row = one(self.db, "experiments", experiment_id, "experiment")
        return experiment_from_row(row, self._outputs_of(row["id"]))

    def __call__(
        self, limit: int | None = 50, offset: int = 0, newest_first: bool = True
    ) -> list[Experiment]:
        """A page of experiments, newest first unless not ``newest_first``; every one when ``limit`` is None."""
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
        return [experiment_from_row(row, outputs.get(row["id"], [])) for row in rows]

    def experiment_rows(
        self, limit: int = 100, offset: int = 0, query: str | None = None
    ) -> tuple[int, list[dict]]:
        """A page of experiments, newest first, as light rows for lists: (total, rows)."""
        columns = (
            "e.id, e.started_at, e.duration_ms, e.ok, e.error_name, e.notebook, e.cell_id,"
            " e.execution_count, e.mode, substr(e.source, 1, 300) AS source"
        )
        if query:
            try:
                words = search_words(query)
            except LogbookError:
                return 0, []  # nothing to look for: punctuation alone matches nothing
            total, ids = self.search.search_rowids(
                " ".join(w.fts() for w in words), "experiment", limit, offset
            )
            texts = "e.source AS full_source, e.output_text, e.stdout, e.error_value, e.traceback, e.stderr"
            sql = f"SELECT {columns}, {texts} FROM experiments e WHERE e.id IN ({{marks}})"
            rows = rows_in(self.db, sql, ids)
            found = []
            for row in (rows[i] for i in ids if i in rows):
                match = find_line(experiment_fields({**row, "source": row["full_source"]}), words)
                light = {k: v for k, v in row.items() if k not in _MATCH_ONLY}
                found.append(dict(light, ok=bool(row["ok"]), match=match and match_dict(match)))
            return total, found
        total = self.db.execute("SELECT count(*) FROM experiments").fetchone()[0]
        page = self.db.query(
            f"SELECT {columns} FROM experiments e ORDER BY e.id DESC LIMIT ? OFFSET ?", [limit, offset]
        )
        return total, [dict(row, ok=bool(row["ok"])) for row in page]

    def search_experiments(self, text: str, limit: int = 50) -> list[Experiment]:
        """Experiments whose source, outputs or errors hold every word of ``text``, best match first.

        See :meth:`search` for how words match; this is its experiments alone, as whole records.
        """
        hits = self.search(text, kinds=["experiment"], limit=limit).hits()
        ids = [h.experiment_id for h in hits]
        rows = rows_in(self.db, "SELECT * FROM experiments WHERE id IN ({marks})", ids)
        return [
            experiment_from_row(rows[i], self._outputs_of(i))
            for i in (h.experiment_id for h in hits)
            if i is not None and i in rows
        ]

    def _outputs_of(self, experiment_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query("SELECT * FROM outputs WHERE experiment_id = ? ORDER BY position", [experiment_id])
        )

    def figure_kinds(self) -> set[str]:
        """The kinds of drawn figure the logbook holds: ``plotly`` (a Plotly JSON output) and ``circuitsvis``
        (an HTML output that is a CircuitsVis view, as the kernel keeps it)."""
        kinds = set()
        if self.db.execute("SELECT 1 FROM outputs WHERE mime = ? LIMIT 1", [PLOTLY_MIME]).fetchone():
            kinds.add("plotly")
        circuitsvis = self.db.execute(
            "SELECT 1 FROM outputs JOIN blobs ON blobs.sha256 = outputs.sha256"
            " WHERE outputs.mime = 'text/html' AND substr(blobs.data, 1, ?) = ? LIMIT 1",
            [len(CIRCUITSVIS_START), CIRCUITSVIS_START],
        ).fetchone()
        if circuitsvis:
            kinds.add("circuitsvis")
        return kinds

    def last_experiment_id(self) -> int | None:
        """The id of the experiment recorded last, or None before the first."""
        return self.db.execute("SELECT max(id) FROM experiments").fetchone()[0]

    def experiment_models(self, experiment_ids: Iterable[int]) -> dict[int, str]:
        """The model each experiment ran, by id (see :func:`logbook.rules.calibration.model_name`); experiments without one are left out."""
        from logbook.rules.calibration import model_name

        out = {}
        for eid in set(experiment_ids):
            row = self.db.execute("SELECT torch FROM experiments WHERE id = ?", [eid]).fetchone()
            name = model_name(loads(row[0], {})) if row else None
            if name:
                out[eid] = name
        return out
