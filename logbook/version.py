"""The version of Logbook."""

__version__ = "0.1.0"
