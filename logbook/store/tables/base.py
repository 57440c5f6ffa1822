"""What every part of the store shares: checked models, rows turned into models, lookups by id."""

from __future__ import annotations

import functools
import inspect
import json
import types
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from sqlite_utils import Database

from logbook.errors import LogbookError, NotFound
from logbook.models import utcnow
from logbook.paths import current_author

Model = TypeVar("Model", bound=BaseModel)


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
    """The time now (UTC) as the logbook writes it."""
    return utcnow().isoformat()


def loads(text: Optional[str], default: Any) -> Any:
    """A JSON column's value, or ``default`` when it is empty."""
    return json.loads(text) if text else default


def current_user() -> str:
    """Who this process records as (the signed-in Jupyter user on a JupyterHub, else the system user), or ""."""
    return current_author()


# -- rows as models ---------------------------------------------------------------


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types an annotation admits: the members of a union, else the annotation itself."""
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _is_json(annotation: Any) -> bool:
    """Whether a field of this type is kept as JSON text in its column (a list, a dict or a model)."""
    if get_origin(annotation) in (list, dict) or annotation in (list, dict):
        return True
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


@functools.cache
def _columns_of(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """(the fields kept as JSON text, the fields that take their default when the column is NULL)."""
    json_fields, defaulted = set(), set()
    for name, field in model.model_fields.items():
        admitted = _members(field.annotation)
        if any(_is_json(t) for t in admitted):
            json_fields.add(name)
        if type(None) not in admitted and not field.is_required():
            defaulted.add(name)
    return frozenset(json_fields), frozenset(defaulted)


def from_row(model: type[Model], row: Mapping[str, Any], **fields: Any) -> Model:
    """The ``model`` a table row holds: each field from its column, JSON columns decoded by the field's type.

    Columns the model has no field for are left out; a NULL (or empty JSON)
    column of a field that takes no None gives the field's default. ``fields``
    are set as given (what the row does not hold: related records, renamed
    columns).
    """
    json_fields, defaulted = _columns_of(model)
    values: dict[str, Any] = {}
    for name in model.model_fields:
        if name in fields or name not in row:
            continue
        value = row[name]
        if name in json_fields and isinstance(value, str):
            value = json.loads(value) if value else None
        if value is None and name in defaulted:
            continue
        values[name] = value
    values.update(fields)
    return model(**values)


def new_id(value: Any) -> int:
    """The id SQLite gave the row just inserted (a cursor's ``lastrowid``, a table's ``last_pk``)."""
    if value is None:
        raise LogbookError("the logbook gave no id for the row just written")
    return int(value)


# -- lookups ----------------------------------------------------------------------


def one(db: Database, table: str, key: Any, what: str) -> dict[str, Any]:
    """The row of ``table`` whose id is ``key``, or :class:`NotFound` naming ``what``."""
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [key]))
    if not rows:
        raise NotFound(f"no {what} {key!r} in this logbook")
    return rows[0]


def rows_in(db: Database, sql: str, keys: list[Any], key: str = "id") -> dict[Any, dict[str, Any]]:
    """The rows ``sql`` selects for ``keys`` (its ``{marks}`` stands for their placeholders), by column ``key``."""
    if not keys:
        return {}
    return {row[key]: row for row in db.query(sql.format(marks=", ".join("?" * len(keys))), keys)}


#: Rows one statement inserts, largest first: a statement of many rows costs less per row than one per row
#: (``executemany`` binds, runs and resets each row's statement, and each statement that fires the search
#: index's triggers makes the index write out what it holds). Few sizes, so each statement is prepared once
#: (a statement of many rows takes longer to prepare than to run) and kept in the connection's cache.
STATEMENT_ROWS = (64, 8, 1)


def insert_many(
    execute: Callable[[str, Sequence[Any]], Any],
    statement: Callable[[int], str],
    values: Sequence[Any],
    width: int,
) -> None:
    """Insert the rows of ``values`` (flattened, ``width`` values a row) in order, :data:`STATEMENT_ROWS` to a statement.

    ``statement(n)`` is the statement that inserts ``n`` rows; ``execute`` runs it with their values.
    """
    count, first = len(values) // width, 0
    for size in STATEMENT_ROWS:
        sql = statement(size)
        while count - first >= size:
            execute(sql, values[first * width : (first + size) * width])
            first += size
