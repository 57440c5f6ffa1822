"""The ``logbook`` command."""

from logbook.cli.main import main

__all__ = ["main"]
