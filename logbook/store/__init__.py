"""The logbook file: its connection, schema and migrations, and one object per table.

>>> from logbook.store import Store
"""

from logbook.store.core import (
    BUSY_TIMEOUT_MS,
    EXPERIMENT_COLUMNS,
    LogbookDamaged,
    LogbookError,
    LogbookReadOnly,
    LogbookTooNew,
    NotFound,
    Store,
    validated,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "EXPERIMENT_COLUMNS",
    "LogbookDamaged",
    "LogbookError",
    "LogbookReadOnly",
    "LogbookTooNew",
    "NotFound",
    "Store",
    "validated",
]
