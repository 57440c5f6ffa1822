"""What every group of queries shares: the connection, transactions, lookups by id, checked models."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Iterator, Optional

from pydantic import ValidationError
from sqlite_utils import Database

from logbook.errors import LogbookError, NotFound
from logbook.models import utcnow
from logbook.store.transactions import immediate


def validated(model: type, **fields: Any) -> Any:
    """Build ``model`` from ``fields``, turning validation errors into one clear message."""
    try:
        return model(**fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
        raise LogbookError(f"invalid {model.__name__.lower()}: {problems}") from None


def now() -> str:
    return utcnow().isoformat()


def loads(text: Optional[str], default: Any) -> Any:
    return json.loads(text) if text else default


class Queries:
    """Base of the query groups: ``db`` is the open logbook."""

    db: Database

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front; it ends by sealing the head it wrote."""
        with immediate(self.db) as db:
            yield db
            self.seal_head()

    def seal_head(self) -> None:
        """Seal the history's new head, if this transaction appended to it (see :mod:`logbook.store.tables.events`)."""

    def _rows_in(self, sql: str, keys: list, key: str = "id") -> dict[Any, dict]:
        """The rows ``sql`` selects for ``keys`` (its ``{marks}`` stands for their placeholders), by column ``key``."""
        if not keys:
            return {}
        return {row[key]: row for row in self.db.query(sql.format(marks=", ".join("?" * len(keys))), keys)}

    def _one(self, table: str, key: Any, what: str) -> dict:
        """The row of ``table`` whose id is ``key``, or :class:`NotFound` naming ``what``."""
        rows = list(self.db.query(f"SELECT * FROM {table} WHERE id = ?", [key]))
        if not rows:
            raise NotFound(f"no {what} {key!r} in this logbook")
        return rows[0]
