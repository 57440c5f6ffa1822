"""sqlite-utils imported without the data-frame libraries it reaches for.

``sqlite_utils.db`` imports pandas and numpy whenever they are installed,
only to name SQLite column types for their values, which Logbook never
writes. In a kernel that has not imported them itself, they would come in
with the extension: some 600 modules, a slower ``%load_ext``, and numpy's
BLAS threads, which slow every later cell's output flush. So while this
module imports sqlite-utils, the imports of the two made by sqlite-utils
itself fail as if they were not installed; an import of them anywhere else
(the user's, then or later) is untouched, and where they are imported
already sqlite-utils gets them as before.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any, Optional

#: The modules ``sqlite_utils.db`` imports for itself when they are installed.
DATAFRAME_MODULES = ("pandas", "numpy")
_IMPORTER = "sqlite_utils.db"
#: How far up an import's frames its importer is looked for (importlib's own frames come first).
_FRAMES = 24


class _NotForSqliteUtils:
    """A finder that refuses :data:`DATAFRAME_MODULES` to ``sqlite_utils.db`` alone, and finds nothing else."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Optional[Any]:
        if name in DATAFRAME_MODULES and _imported_by(_IMPORTER):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _imported_by(module: str) -> bool:
    frame: Optional[FrameType] = sys._getframe(1)
    for _ in range(_FRAMES):
        if frame is None:
            return False
        if frame.f_globals.get("__name__") == module:
            return True
        frame = frame.f_back
    return False


def import_sqlite_utils() -> None:
    """Import sqlite-utils, keeping its own imports of pandas and numpy out (nothing to do once it is imported)."""
    if "sqlite_utils" in sys.modules:
        return
    finder = _NotForSqliteUtils()
    sys.meta_path.insert(0, finder)
    try:
        import sqlite_utils  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


import_sqlite_utils()
