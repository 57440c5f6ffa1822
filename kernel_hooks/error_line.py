"""Logbook's own errors in a notebook: one line that names the problem, not a traceback through the store.

Installed with ``shell.set_custom_exc`` for Logbook's exceptions only; any
handler registered before keeps handling its own exceptions, and unloading
puts it back exactly.
"""

from __future__ import annotations

from typing import Any

from logbook.errors import LogbookError

#: The exceptions shown as one line: Logbook's family (a refused prediction among them).
LOGBOOK_ERRORS: tuple[type[BaseException], ...] = (LogbookError,)


def error_line(error: BaseException) -> str:
    """The one line shown for a Logbook error."""
    return f"logbook: {error}"


class ErrorLine:
    """The custom exception handler of one shell, and what it replaced."""

    def __init__(self, shell: Any):
        self.shell = shell
        self.previous = (shell.custom_exceptions, shell.CustomTB)

    def install(self) -> None:
        previous_types, previous_handler = self.previous

        def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list:
            if not issubclass(etype, LOGBOOK_ERRORS):
                return previous_handler(etype, value, tb, tb_offset)
            stb = [error_line(value)]
            # IPython's run_code ignores what the handler returns: show it here.
            shell._showtraceback(etype, value, stb)
            return stb

        self.shell.set_custom_exc(tuple(previous_types) + LOGBOOK_ERRORS, handler)
        self.installed = self.shell.CustomTB

    def uninstall(self) -> None:
        """Put back the handler that was there before, unless another one has replaced ours since."""
        if getattr(self.shell, "CustomTB", None) is self.installed:
            self.shell.custom_exceptions, self.shell.CustomTB = self.previous
