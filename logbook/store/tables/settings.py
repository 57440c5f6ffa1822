"""Settings kept in the logbook: one JSON value per key."""

from __future__ import annotations

from typing import Any

from logbook.errors import LogbookError
from logbook.store.tables.base import loads
from logbook.store.tables.part import Part
from logbook.text import to_json

#: The relative change that flags a scalar with one or two earlier runs, unless the setting says otherwise.
DEFAULT_DRIFT_THRESHOLD = 0.5


class Settings(Part):
    """The ``settings`` table."""

    def setting(self, key: str, default: Any = None) -> Any:
        """The value kept under ``key``, or ``default``."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return loads(row[0], default) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON) under ``key``."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, to_json(value)],
            )

    def drift_threshold(self) -> float:
        """The relative change that flags a scalar with one or two earlier runs (0.5: 50 %)."""
        value = self.setting("drift_threshold", DEFAULT_DRIFT_THRESHOLD)
        return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_DRIFT_THRESHOLD

    def set_drift_threshold(self, value: float) -> float:
        """Keep the drift threshold (a relative change above 0); returns it."""
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 1e6:
            raise LogbookError(
                f"the drift threshold is a relative change above 0 (0.5 is 50 %), not {value!r}"
            )
        self.set_setting("drift_threshold", float(value))
        return float(value)
