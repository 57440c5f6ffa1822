"""The logbook's exceptions: each carries a message written for the user."""

from __future__ import annotations


class LogbookError(Exception):
    """A request the logbook cannot carry out, with a message for the user."""


class NotFound(LogbookError):
    """No record with the id asked for."""


class AlreadyDone(LogbookError):
    """The change asked for was already made, and doing it again would record it twice (the server answers 409)."""


class AlreadyExists(LogbookError):
    """A file is already where a write was asked for, and the request did not say to replace it (the server answers 409)."""


class LogbookUnavailable(LogbookError):
    """The logbook file cannot be used as it is (the server answers 503)."""


class PredictionSyntaxError(LogbookError):
    """A prediction that is not a single valid Python expression, or one a prediction may not be."""


class NotKept(NotFound):
    """An output recorded by its hash and size only: its bytes were too large to keep."""


class LogbookDamaged(LogbookUnavailable):
    """The logbook file is not a readable SQLite database; a copy of it has been kept."""


class LogbookIncompatible(LogbookUnavailable):
    """The file's tables are not the ones this Logbook knows; nothing was written to it."""


class LogbookTooNew(LogbookIncompatible):
    """The file was upgraded by a newer Logbook: it has migrations this code does not know."""


class LogbookReadOnly(LogbookUnavailable):
    """The file can be read but not written (no permission, a read-only disk, or opened read-only)."""


class LogbookUnwritable(LogbookUnavailable):
    """Writing failed for now (a full or failing disk): the write was rolled back and may be tried again."""
