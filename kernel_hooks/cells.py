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

The names a cell assigns are read from the syntax tree IPython parsed to run
it (kept as IPython's compiler hands it over), so a cell is not parsed twice.
"""

from __future__ import annotations

import ast
import os
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from kernel_hooks.names import assigned_names, names_in
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
    #: The syntax tree IPython parsed to run the cell (its magics already turned into Python), once parsed.
    tree: Optional[ast.Module] = None


class RunningCells:
    """The user's running cell first, then the cells it runs itself."""

    def __init__(self, shell: Any):
        self.shell = shell
        self._stack: list[CellStart] = []
        self._compiler: Any = None
        self._ast_parse: Any = None

    def watch_parsing(self) -> None:
        """Keep the tree IPython's compiler parses for each cell on that cell (wrapping ``ast_parse`` on the instance)."""
        compiler = getattr(self.shell, "compile", None)
        if compiler is None or compiler is self._compiler or not hasattr(compiler, "ast_parse"):
            return
        original = compiler.ast_parse
        stack = self._stack

        def ast_parse(source: Any, *args: Any, **kwargs: Any) -> Any:
            tree = original(source, *args, **kwargs)
            if stack and stack[-1].tree is None and isinstance(tree, ast.Module):
                stack[-1].tree = tree
            return tree

        try:
            compiler.ast_parse = ast_parse
        except (AttributeError, TypeError):
            return
        self._compiler, self._ast_parse = compiler, ast_parse

    def stop_watching_parsing(self) -> None:
        """Give the compiler back its own ``ast_parse`` (unless something else has wrapped it since)."""
        compiler, self._compiler = self._compiler, None
        try:
            if compiler is not None and vars(compiler).get("ast_parse") is self._ast_parse:
                del compiler.ast_parse
        except (AttributeError, TypeError):
            pass

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
        if cell.tree is not None:
            names = names_in(cell.tree, source)
        else:
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


class NotebookPath:
    """The notebook the kernel runs for, when the frontend says: the server's variable read once, the text cleaned once.

    The server names the notebook in the kernel's environment when it starts
    the kernel; without it, IPython's ``__session__`` is looked up each time.
    """

    def __init__(self, shell: Any):
        self.shell = shell
        self._from_server = os.environ.get("JPY_SESSION_NAME")
        self._raw: Any = None
        self._clean: Optional[str] = None

    def __call__(self) -> Optional[str]:
        path = self._from_server or self.shell.user_ns.get("__session__")
        if not path:
            return None
        if path is not self._raw:
            self._raw, self._clean = path, clean_text(path)
        return self._clean


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
