"""Every cell as the verifier reads it: its stored row, its outputs, and the digest recomputed from them."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Optional

from logbook.store.cell_digest import COLUMNS, columns_digest
from logbook.text import from_json

Rows = tuple[list[tuple], dict[int, list[tuple]]]


def cell_rows(conn: sqlite3.Connection, last: Optional[int] = None) -> Rows:
    """Every experiment as :data:`~logbook.store.cell_digest.COLUMNS`, and its outputs by id (one pass each).

    ``last``: read the experiments up to this id only (those a snapshot read elsewhere holds).
    """
    outputs_sql = "SELECT experiment_id, mime, sha256, size, truncated FROM outputs"
    rows_sql = f"SELECT {', '.join(COLUMNS)} FROM experiments"
    limit: list[int] = []
    if last is not None:
        outputs_sql, rows_sql, limit = (
            outputs_sql + " WHERE experiment_id <= ?",
            rows_sql + " WHERE id <= ?",
            [last],
        )
    outputs: dict[int, list[tuple]] = {}
    for experiment_id, mime, sha, size, cut in conn.execute(
        outputs_sql + " ORDER BY experiment_id, position", limit
    ):
        outputs.setdefault(experiment_id, []).append((mime, sha, size, cut))
    rows = conn.execute(rows_sql, limit).fetchall()
    return rows, outputs


def cell_digests(rows: list[tuple], outputs: dict[int, list[tuple]]) -> dict[int, str]:
    """Each cell's digest recomputed from its row and outputs, by experiment id."""
    return {row[0]: columns_digest(row, outputs.get(row[0], ())) for row in rows}


#: The kind of event that commits a cell to the history.
RECORDED = "experiment.recorded"


def recorded_match(recorded: Iterable[tuple[str, str]], digests: dict[int, str]) -> bool:
    """Whether the ``experiment.recorded`` events' ``(subject, payload)``, oldest first, hold exactly ``digests``.

    Read as the history's replay reads them: a later event for the same cell
    wins, and a payload that cannot be read raises. A payload written as the
    writer writes it is compared as text, without parsing it.
    """
    held = {int(subject[1:]): payload for subject, payload in recorded}
    if held.keys() != digests.keys():
        return False
    for experiment_id, payload in held.items():
        digest = digests[experiment_id]
        if payload != f'{{"digest":"{digest}"}}' and from_json(payload)["digest"] != digest:
            return False
    return True
