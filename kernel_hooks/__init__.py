"""IPython extension that records every cell into the logbook: ``%load_ext kernel_hooks``."""

from __future__ import annotations

import atexit
from typing import Any

from kernel_hooks.error_line import ErrorLine
from kernel_hooks.magics import LogbookMagics
from kernel_hooks.recorder import Recorder
from logbook.api import session
from logbook.paths import find_logbook

_recorder: Recorder | None = None
_error_line: ErrorLine | None = None
_plain_load_ext: Any = None


def load_ipython_extension(shell: Any) -> None:
    """Start recording this shell's cells (a second load replaces the first)."""
    global _recorder, _error_line
    if _recorder is not None:
        unload_ipython_extension(shell)
    _recorder = Recorder(shell, find_logbook())
    _recorder.register()
    session.recorder = _recorder
    shell.register_magics(LogbookMagics(shell))
    _error_line = ErrorLine(shell)
    _error_line.install()
    _quiet_second_load(shell)
    atexit.register(_flush_at_exit)


def unload_ipython_extension(shell: Any) -> None:
    """Stop recording, after writing what is queued; the exact mirror of loading."""
    global _recorder, _error_line, _plain_load_ext
    atexit.unregister(_flush_at_exit)
    if _error_line is not None:
        _error_line.uninstall()
    _error_line = None
    if _plain_load_ext is not None:
        shell.magics_manager.magics["line"]["load_ext"] = _plain_load_ext
        _plain_load_ext = None
    if _recorder is not None:
        _recorder.unregister()
    _recorder = None
    session.recorder = None
    session.reset()
    magics = shell.magics_manager.registry.pop(LogbookMagics.__name__, None)
    if magics is not None:
        for kind, names in LogbookMagics.magics.items():
            for name in names:
                shell.magics_manager.magics[kind].pop(name, None)


def _quiet_second_load(shell: Any) -> None:
    """``%load_ext kernel_hooks`` where the hooks are loaded already (kernels the server starts) says nothing."""
    global _plain_load_ext
    plain = shell.magics_manager.magics["line"].get("load_ext")
    if plain is None or _plain_load_ext is not None:
        return

    def load_ext(line: str) -> Any:
        if line.strip() == __name__ and _recorder is not None:
            return None
        return plain(line)

    _plain_load_ext = plain
    shell.magics_manager.magics["line"]["load_ext"] = load_ext


def _flush_at_exit() -> None:
    if _recorder is not None:
        _recorder.writer.stop(timeout=10)


def active_recorder() -> Recorder | None:
    """The recorder of this kernel, if the extension is loaded."""
    return _recorder
