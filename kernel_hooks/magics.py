"""Line magics: %hypothesis, %predict, %mode, %surprise."""

from __future__ import annotations

import re

from IPython.core.magic import Magics, line_magic, magics_class

import logbook
from logbook.errors import LogbookError

_PREDICT = re.compile(
    r"^\s*(?:-c\s+(?P<c1>[0-9.]+)\s+)?(?P<id>H\d+)\s*(?P<c2>[0-9.]+)?\s*:\s*(?P<expr>.+)$", re.I | re.S
)
_CREDENCE = re.compile(r"^\s*-c\s+(?P<credence>[0-9.]+)\s+(?P<rest>.*)$", re.S)


def _credence(text: str | None, default: float) -> float:
    if text is None:
        return default
    try:
        return float(text)
    except ValueError:
        raise LogbookError(f"credence must be a number between 0 and 1, got {text!r}") from None


@magics_class
class LogbookMagics(Magics):
    """Logbook's magics. Errors are shown as one clear line, never a traceback."""

    @line_magic
    def hypothesis(self, line: str):
        """%hypothesis [-c CREDENCE] STATEMENT -- state a hypothesis; with no statement, list them."""
        if not line.strip():
            for handle in logbook.hypotheses():
                print(repr(handle))
            return None
        match = _CREDENCE.match(line)
        credence, statement = (0.7, line) if match is None else (match["credence"], match["rest"])
        return self._run(lambda: logbook.hypothesis(statement.strip(), _credence(str(credence), 0.7)))

    @line_magic
    def predict(self, line: str):
        """%predict [-c CREDENCE] H1: EXPRESSION -- add a prediction to a hypothesis."""
        match = _PREDICT.match(line)
        if match is None:
            print("usage: %predict [-c CREDENCE] H1: python_expression")
            return None
        credence = _credence(match["c1"] or match["c2"], 0.9)
        return self._run(lambda: logbook.get(match["id"]).predict(match["expr"].strip(), credence))

    @line_magic
    def mode(self, line: str):
        """%mode [confirm|red-team|explore] -- switch research mode, or show the current one."""
        name = line.strip() or None
        result = self._run(lambda: logbook.mode(name))
        if name is None:
            print(f"mode: {result or 'none set'}")
            return None
        return None

    @line_magic
    def surprise(self, line: str):
        """%surprise NOTE -- flag the last experiment as surprising."""
        self._run(lambda: logbook.surprise(line.strip()))

    @staticmethod
    def _run(action):
        try:
            return action()
        except (LogbookError, ValueError) as error:
            print(f"logbook: {error}")
            return None
