"""One full-text index over everything written in the logbook, and searching it by kind.

``search_index`` is an FTS5 table that keeps no text of its own (the text
stays in the records' tables) with two columns: ``head``, what the record
says (a statement, an expression, a surprise's prediction and note, a note,
a cell's source), and ``body``, what came of it (a surprise's explanation,
a cell's outputs and errors, tags). Triggers on the records' tables keep it
in step with every insert, edit and delete, whoever writes them (a kernel,
the server, SQL by hand).

A row's rowid names its record: the kind's code above ``KIND_BITS`` bits,
the record's number below (its id; a hypothesis' seq; a prediction's
hypothesis seq and seq), so a search of one kind reads one rowid range.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable, Optional

from sqlite_utils import Database

from logbook.errors import LogbookError
from logbook.models import SearchGroup, SearchHit, SearchResults
from logbook.store.matches import (
    Word,
    find_line,
    first_line,
    search_words,
)
from logbook.store.tables.base import rows_in
from logbook.store.transactions import snapshot

INDEX = "search_index"
KIND_BITS = 40
#: Relevance weights of the columns: what a record says counts for more than what came of it.
WEIGHTS = (2.0, 1.0)
#: A kind with more matches than this ranks only its newest this many (ranking costs a few µs a match).
RANKED = 2000
#: Hits per kind when not told.
LIMIT = 5
#: The matches of one kind: the query, then the kind's first and last rowid.
_WHERE = f"{INDEX} MATCH ? AND rowid BETWEEN ? AND ?"


@dataclass(frozen=True)
class Kind:
    """How the records of one table enter the index; SQL fragments name the row ``{r}``."""

    name: str
    code: int
    table: str
    number: str
    head: str
    body: str
    #: Columns whose change re-indexes the row (changes to any other column leave the index alone).
    columns: tuple[str, ...]

    @property
    def low(self) -> int:
        return self.code << KIND_BITS

    @property
    def high(self) -> int:
        return ((self.code + 1) << KIND_BITS) - 1

    def values(self, row: str) -> str:
        """``rowid, head, body`` of the row called ``row`` in SQL."""
        return ", ".join([f"({self.low} + {self.number})", self.head, self.body]).replace("{r}", row)


def _joined(*columns: str) -> str:
    return " || char(10) || ".join(f"coalesce({{r}}.{c}, '')" for c in columns)


KINDS: tuple[Kind, ...] = (
    Kind(
        "hypothesis",
        1,
        "hypotheses",
        "{r}.seq",
        "{r}.statement",
        "coalesce({r}.tags, '')",
        ("seq", "statement", "tags"),
    ),
    Kind(
        "prediction",
        2,
        "predictions",
        # "H12.P3": hypothesis 12's third prediction (a prediction's id never changes, nor VACUUM moves it).
        "((CAST(substr({r}.hypothesis_id, 2) AS INTEGER) << 20) + {r}.seq)",
        "{r}.expression",
        "coalesce({r}.tags, '')",
        ("hypothesis_id", "seq", "expression", "tags"),
    ),
    Kind(
        "surprise",
        3,
        "surprises",
        "{r}.id",
        _joined("prediction", "note"),
        "coalesce({r}.explanation, '')",
        ("id", "prediction", "note", "explanation"),
    ),
    Kind("note", 4, "notes", "{r}.id", "{r}.text", "''", ("id", "text")),
    Kind(
        "experiment",
        5,
        "experiments",
        "{r}.id",
        "{r}.source",
        _joined("output_text", "stdout", "error_name", "error_value", "traceback", "stderr"),
        ("id", "source", "output_text", "stdout", "error_name", "error_value", "traceback", "stderr"),
    ),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def create_search_index(db: Database) -> None:
    """Make the index and its triggers, and index every record already written (a migration calls this)."""
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5(head, body, content='', "
        "tokenize='porter unicode61')"
    )
    for kind in KINDS:
        name, table = f"{INDEX}_{kind.table}", kind.table
        insert = f"INSERT INTO {INDEX} (rowid, head, body) VALUES ({kind.values('new')});"
        delete = f"INSERT INTO {INDEX} ({INDEX}, rowid, head, body) VALUES ('delete', {kind.values('old')});"
        db.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
        db.execute(f"DROP TRIGGER IF EXISTS {name}_delete")
        db.execute(f"DROP TRIGGER IF EXISTS {name}_update")
        db.execute(f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        db.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        db.execute(
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(kind.columns)} ON {table} "
            f"BEGIN {delete} {insert} END"
        )
    rebuild_search_index(db)


def rebuild_search_index(db: Database) -> None:
    """Index every record again from its table.

    A migration that rebuilds one of the indexed tables (sqlite-utils'
    ``transform`` drops its triggers) calls :func:`create_search_index` after.
    """
    db.execute(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('delete-all')")
    for kind in KINDS:
        db.execute(
            f"INSERT INTO {INDEX} (rowid, head, body) SELECT {kind.values('t')} FROM {kind.table} AS t"
        )


def kind_range(name: str) -> tuple[int, int]:
    """The rowids of the index that hold records of kind ``name``."""
    kind = BY_NAME[name]
    return kind.low, kind.high


class Search:
    """The full-text index of the logbook on the connection ``db``; calling it searches (``store.search("...")``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(
        self,
        text: str,
        kinds: Optional[Iterable[str]] = None,
        limit: int = LIMIT,
        offset: int = 0,
    ) -> SearchResults:
        """Hypotheses, predictions, surprises, notes and experiments whose text holds every word of ``text``.

        >>> store.search("induction head").hits("surprise")[0].marked()
        'the «induction» «head» attends to the previous token, not the first'

        Each word matches the start of a word (``induc`` finds ``induction``)
        and its other forms (``heads`` finds ``head``); punctuation and search
        operators are plain text. Each kind comes as one group, best match
        first (bm25), its ``limit`` hits from ``offset``; every hit has the
        line that matched, cut to the match. Raises :class:`LogbookError` for
        a search with no words in it.
        """
        if limit < 1 or offset < 0:
            raise LogbookError(f"limit must be 1 or more and offset 0 or more, not {limit} and {offset}")
        words = search_words(text)
        match = " ".join(word.fts() for word in words)
        chosen = list(KINDS) if kinds is None else [self._kind(k) for k in kinds]
        groups = []
        with snapshot(self.db):
            for kind in chosen:
                group = self._search_kind(kind, match, words, limit, offset)
                if group is not None:
                    groups.append(group)
        return SearchResults(query=text, groups=groups)

    def search_rowids(self, match: str, kind: str, limit: int, offset: int = 0) -> tuple[int, list[int]]:
        """The matches of one kind, newest first: (how many, the numbers of a page of them)."""
        low, high = kind_range(kind)
        rows = self.db.execute(
            f"SELECT rowid FROM {INDEX} WHERE {_WHERE} ORDER BY rowid DESC LIMIT ? OFFSET ?",
            [match, low, high, limit, offset],
        ).fetchall()
        return self._count(match, low, high), [rowid - low for (rowid,) in rows]

    def _count(self, match: str, low: int, high: int) -> int:
        return self.db.execute(f"SELECT count(*) FROM {INDEX} WHERE {_WHERE}", [match, low, high]).fetchone()[
            0
        ]

    @staticmethod
    def _kind(name: str) -> Kind:
        if name not in BY_NAME:
            raise LogbookError(f"unknown kind {name!r}: choose from {', '.join(BY_NAME)}")
        return BY_NAME[name]

    def _search_kind(
        self, kind: Kind, match: str, words: list[Word], limit: int, offset: int
    ) -> Optional[SearchGroup]:
        total = self._count(match, kind.low, kind.high)
        if not total:
            return None
        low = kind.low
        if total > RANKED:
            # Only the newest RANKED matches are ranked: the RANKED-th newest is where they start.
            low = self.db.execute(
                f"SELECT rowid FROM {INDEX} WHERE {_WHERE} ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                [match, kind.low, kind.high, RANKED - 1],
            ).fetchone()[0]
        weights = ", ".join(str(w) for w in WEIGHTS)
        ranked = self.db.execute(
            f"SELECT rowid FROM {INDEX} WHERE {_WHERE} ORDER BY bm25({INDEX}, {weights}), rowid DESC"
            " LIMIT ? OFFSET ?",
            [match, low, kind.high, limit, offset],
        )
        hits = getattr(self, f"_{kind.name}_hits")([rowid - kind.low for (rowid,) in ranked], words)
        return SearchGroup(kind=kind.name, total=total, ranked=min(total, RANKED), offset=offset, hits=hits)

    # -- each kind's hits, in the order of ``numbers`` --------------------

    def _hypothesis_hits(self, numbers: list[int], words: list[Word]) -> list[SearchHit]:
        rows = rows_in(
            self.db,
            "SELECT id, seq, statement, tags, status, credence FROM hypotheses WHERE seq IN ({marks})",
            numbers,
            "seq",
        )
        hits = []
        for row in (rows[n] for n in numbers if n in rows):
            fields = [("statement", row["statement"]), ("tags", _tags(row["tags"]))]
            hits.append(
                _hit(
                    "hypothesis",
                    row["id"],
                    fields,
                    words,
                    about=f"{row['status']} · credence {row['credence']:.2f}",
                    status=row["status"],
                    hypothesis_id=row["id"],
                )
            )
        return hits

    def _prediction_hits(self, numbers: list[int], words: list[Word]) -> list[SearchHit]:
        ids = [f"H{n >> 20}.P{n & 0xFFFFF}" for n in numbers]
        rows = rows_in(
            self.db,
            "SELECT p.id, p.hypothesis_id, p.expression, p.kind, p.tags, p.state,"
            " p.superseded_by, h.statement FROM predictions p LEFT JOIN hypotheses h ON h.id = p.hypothesis_id"
            " WHERE p.id IN ({marks})",
            ids,
        )
        hits = []
        for row in (rows[i] for i in ids if i in rows):
            field = "expression" if row["kind"] == "expression" else "prediction"
            state = row["state"] + (f", revised by {row['superseded_by']}" if row["superseded_by"] else "")
            hits.append(
                _hit(
                    "prediction",
                    row["id"],
                    [(field, row["expression"]), ("tags", _tags(row["tags"]))],
                    words,
                    about=f"{state} · {row['hypothesis_id']}: {_line(row['statement'])}",
                    status=row["state"],
                    hypothesis_id=row["hypothesis_id"],
                    prediction_id=row["id"],
                )
            )
        return hits

    def _surprise_hits(self, numbers: list[int], words: list[Word]) -> list[SearchHit]:
        rows = rows_in(
            self.db,
            "SELECT id, hypothesis_id, prediction_id, prediction, note, explanation, status,"
            " resolution, manual, kind, experiment_id FROM surprises WHERE id IN ({marks})",
            numbers,
        )
        hits = []
        for row in (rows[n] for n in numbers if n in rows):
            if row["manual"]:
                what = "flagged by hand"
            elif row["kind"] == "drift":
                what = "drift"
            else:
                what = f"{row['prediction_id'] or row['hypothesis_id']} failed"
            state = row["status"].replace("_", " ")
            if row["resolution"] and row["resolution"] not in (row["status"],):
                state += f" ({row['resolution'].replace('_', ' ')})"
            hits.append(
                _hit(
                    "surprise",
                    f"S{row['id']}",
                    [
                        ("prediction", row["prediction"]),
                        ("note", row["note"]),
                        ("explanation", row["explanation"]),
                    ],
                    words,
                    about=f"{what} · {state}",
                    status=row["status"],
                    hypothesis_id=row["hypothesis_id"],
                    prediction_id=row["prediction_id"],
                    surprise_id=row["id"],
                    experiment_id=row["experiment_id"],
                )
            )
        return hits

    def _note_hits(self, numbers: list[int], words: list[Word]) -> list[SearchHit]:
        rows = rows_in(
            self.db,
            "SELECT n.id, n.text, n.hypothesis_id, n.experiment_id, h.statement FROM notes n"
            " LEFT JOIN hypotheses h ON h.id = n.hypothesis_id WHERE n.id IN ({marks})",
            numbers,
        )
        hits = []
        for row in (rows[n] for n in numbers if n in rows):
            about = []
            if row["hypothesis_id"]:
                about.append(f"on {row['hypothesis_id']}: {_line(row['statement'])}")
            if row["experiment_id"] is not None:
                about.append(f"on #{row['experiment_id']}")
            hits.append(
                _hit(
                    "note",
                    f"N{row['id']}",
                    [("note", row["text"])],
                    words,
                    about=" · ".join(about),
                    hypothesis_id=row["hypothesis_id"],
                    note_id=row["id"],
                    experiment_id=row["experiment_id"],
                )
            )
        return hits

    def _experiment_hits(self, numbers: list[int], words: list[Word]) -> list[SearchHit]:
        rows = rows_in(
            self.db,
            "SELECT id, notebook, execution_count, ok, source, output_text, stdout, error_name,"
            " error_value, traceback, stderr FROM experiments WHERE id IN ({marks})",
            numbers,
        )
        hits = []
        for row in (rows[n] for n in numbers if n in rows):
            where = PurePath(row["notebook"]).name if row["notebook"] else "no notebook"
            count = f" [{row['execution_count']}]" if row["execution_count"] is not None else ""
            failed = f" · {row['error_name']}" if not row["ok"] and row["error_name"] else ""
            hit = _hit(
                "experiment",
                f"#{row['id']}",
                experiment_fields(row),
                words,
                about=f"{where}{count}{failed}",
                status="ok" if row["ok"] else "failed",
                experiment_id=row["id"],
                notebook=row["notebook"],
            )
            if hit.field != "source" and (row["source"] or "").strip():
                hit.about += f" · {_line(row['source'])}"  # which cell printed or raised it
            hits.append(hit)
        return hits


def experiment_fields(row: dict) -> list[tuple[str, Optional[str]]]:
    """An experiment's searchable text as (field, text) pairs, in the order a match is looked for."""
    error = f"{row['error_name']}: {row['error_value'] or ''}" if row.get("error_name") else None
    return [
        ("source", row["source"]),
        ("output", row["output_text"]),
        ("stdout", row["stdout"]),
        ("error", error),
        ("traceback", row["traceback"]),
        ("stderr", row["stderr"]),
    ]


def _hit(
    kind: str, record: str, fields: list[tuple[str, Optional[str]]], words: list[Word], **extra: Any
) -> SearchHit:
    found = find_line(fields, words) or first_line(*next(((f, t) for f, t in fields if t), fields[0]))
    return SearchHit(
        kind=kind,
        id=record,
        field=found.field,
        line=found.line,
        text=found.text,
        marks=list(found.marks),
        **extra,
    )


def _tags(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    try:
        tags = json.loads(text)
    except ValueError:
        return text
    return " ".join(str(t) for t in tags) if isinstance(tags, list) else text


def _line(text: Optional[str], width: int = 60) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"
