"""Logbook: a research notebook-log and surprise tracker for interpretability work.

>>> import logbook
>>> h = logbook.hypothesis("Layer 1 has an induction head", credence=0.7)
>>> h.predict("induction_score > 0.5", credence=0.8)
"""

# First, so that no module here imports sqlite-utils before it: see the module.
import logbook.lean_sqlite_utils  # noqa: F401, I001
from logbook.api import (
    HypothesisHandle,
    SurpriseHandle,
    allow_methods,
    brainstorm,
    calibration,
    checks,
    compete,
    decide,
    due,
    export,
    flush,
    get,
    history,
    hypotheses,
    hypothesis,
    join,
    judge,
    leave,
    logbook_path,
    mode,
    note,
    pin,
    proposals,
    search,
    sets,
    something_else,
    surprise,
    surprises,
    tag,
    unpin,
)
from logbook.rules.predictions import PredictionSyntaxError
from logbook.store import LogbookError, Store
from logbook.version import __version__


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "logbook.server"}]


def _jupyter_labextension_paths() -> list[dict]:
    return [{"src": "labextension", "dest": "jupyterlab-logbook"}]


__all__ = [
    "__version__",
    "HypothesisHandle",
    "SurpriseHandle",
    "allow_methods",
    "brainstorm",
    "calibration",
    "checks",
    "compete",
    "decide",
    "due",
    "LogbookError",
    "PredictionSyntaxError",
    "Store",
    "export",
    "flush",
    "get",
    "history",
    "hypotheses",
    "hypothesis",
    "join",
    "judge",
    "leave",
    "logbook_path",
    "mode",
    "note",
    "pin",
    "proposals",
    "search",
    "sets",
    "something_else",
    "surprise",
    "surprises",
    "tag",
    "unpin",
]
