"""Whether a logbook file's schema is one this code knows, checked before anything is written to it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlite_utils import Database

from logbook.errors import LogbookIncompatible, LogbookTooNew
from logbook.store import schema

UPGRADE = "upgrade jupyterlab-logbook (pip install -U jupyterlab-logbook)"

_COLUMNS = (
    "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'"
)


@functools.lru_cache(maxsize=1)
def known_migrations() -> tuple[str, ...]:
    """The names of the migrations this code has, in order."""
    return tuple(m.name for m in schema.migrations.pending(Database(memory=True)))


@functools.lru_cache(maxsize=1)
def expected_columns() -> frozenset[tuple[str, str]]:
    """Every (table, column) the migrations create, read from a scratch database built by them."""
    scratch = Database(memory=True)
    schema.migrations.apply(scratch)
    return frozenset(scratch.execute(_COLUMNS).fetchall())


def _version(name: str) -> int | None:
    number = re.match(r"m(\d+)_", name)
    return int(number.group(1)) if number else None


def check_version(db: Database, path: Path) -> None:
    """Refuse a file upgraded by a newer Logbook (it has migrations this code does not know)."""
    known = known_migrations()
    unknown = [m.name for m in schema.migrations.applied(db) if m.name not in known]
    if not unknown:
        return
    ours = max((_version(name) or 0) for name in known)
    theirs = max((_version(name) or 0) for name in unknown)
    has = f"schema version {theirs}" if theirs > ours else "a schema"
    raise LogbookTooNew(
        f"the logbook at {path} has {has} (migration {', '.join(unknown)}); "
        f"this Logbook knows up to version {ours}: {UPGRADE} to use it"
    )


def check_columns(db: Database, path: Path) -> None:
    """Refuse a file whose tables lack a column this code reads or writes."""
    missing = sorted(expected_columns() - set(db.execute(_COLUMNS).fetchall()))
    if missing:
        named = ", ".join(f"{table}.{column}" for table, column in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise LogbookIncompatible(
            f"the logbook at {path} lacks {named}{more}, which this Logbook needs: it was changed by "
            f"another program or another version of Logbook. {UPGRADE}, or move the file away to start "
            "a new logbook"
        )


def check_schema(db: Database, path: Path) -> None:
    """Both checks, for a file whose tables may have changed since it was opened."""
    check_version(db, path)
    check_columns(db, path)
