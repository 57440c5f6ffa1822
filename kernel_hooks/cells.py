"""The cells a shell is running, and the parts of a cell's record read from IPython's objects.

A cell may run cells of its own: ``%%capture`` runs its body as one, and so
does ``get_ipython().run_cell(...)``. IPython announces those with their own
``pre_run_cell``/``post_run_cell`` events, inside the outer cell's. They
belong to the outer cell and are not recorded apart: the user ran one cell
and saw one result, under one execution count. Recording the inner cell
separately would give it the next cell's count, drop the outer source (the
``%%capture`` line, the code around ``run_cell``) and leave the names the
outer code assigned unjudged. So the outer cell's record keeps its own source
and count, and the names its inner cells assigned count as its own.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from kernel_hooks.names import assigned_names
from logbook.store.cell_record import ErrorFields
from logbook.text import clean_text


@dataclass
class CellStart:
    """A running cell: its request, when it started, its mode, and the names its inner cells assigned."""

    info: Any
    started_at: datetime
    clock: float
    mode: Optional[str]
    inner_names: list[str] = field(default_factory=list)


class RunningCells:
    """The user's running cell first, then the cells it runs itself."""

    def __init__(self, shell: Any):
        self.shell = shell
        self._stack: list[CellStart] = []

    @property
    def current(self) -> Optional[CellStart]:
        """The user's running cell, if one is running."""
        return self._stack[0] if self._stack else None

    def start(self, cell: CellStart) -> bool:
        """Note a cell starting; True when it is the user's own, False when a running cell runs it."""
        self._stack.append(cell)
        return len(self._stack) == 1

    def end(self, result: Any) -> Optional[CellStart]:
        """The user's cell when ``result`` ends it; None for an inner cell (its names go to the outer one)."""
        info = getattr(result, "info", None)
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth].info is info:
                break
        else:
            return None  # a blank cell, which IPython ends without starting
        ended = self._stack[depth]
        del self._stack[depth:]
        if depth == 0:
            return ended
        self._stack[0].inner_names.extend(self.assigned(ended))
        return None

    def assigned(self, cell: CellStart, source: Optional[str] = None) -> list[str]:
        """The global names ``cell`` assigns (its cleaned ``source`` if known), its inner cells' included."""
        if source is None:
            source = clean_text(cell.info.raw_cell or "")
        names = assigned_names(self.python_source(source))
        return list(dict.fromkeys([*names, *cell.inner_names])) if cell.inner_names else list(names)

    def python_source(self, source: str) -> str:
        """``source`` with IPython's syntax (magics, shell escapes) turned into Python."""
        if "%" not in source and "!" not in source:
            return source
        try:
            return self.shell.transform_cell(source)
        except Exception:  # noqa: BLE001
            return source


def notebook_path(shell: Any) -> Optional[str]:
    """The notebook the kernel runs for, when the frontend says."""
    path = os.environ.get("JPY_SESSION_NAME") or shell.user_ns.get("__session__")
    return clean_text(path) if path else None


def error_fields(result: Any) -> ErrorFields:
    """The experiment's ``ok`` and, for a cell that failed, its error's name, value and traceback."""
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if error is None:
        return {"ok": 1}
    try:
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    except Exception:  # noqa: BLE001
        trace = ""
    try:
        value = str(error)
    except Exception:  # noqa: BLE001
        value = "<unprintable>"
    return {
        "ok": 0,
        "error_name": type(error).__name__,
        "error_value": clean_text(value)[:10_000],
        "traceback": clean_text(trace)[-50_000:],
    }
