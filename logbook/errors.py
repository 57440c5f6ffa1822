"""The logbook's exceptions: each carries a message written for the user."""

from __future__ import annotations


class LogbookError(Exception):
    """A request the logbook cannot carry out, with a message for the user."""


class NotFound(LogbookError):
    """No record with the id asked for."""


class NotKept(NotFound):
    """An output recorded by its hash and size only: its bytes were too large to keep."""


class LogbookDamaged(LogbookError):
    """The logbook file is not a readable SQLite database; a copy of it has been kept."""
