"""Making arbitrary text and values safe to store as UTF-8 and JSON."""

from __future__ import annotations

import json
import math
from typing import Any

try:
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a broken install working
    _fast_loads = json.loads  # type: ignore[assignment]  # orjson's loads takes fewer argument types


def clean_text(text: Any) -> str:
    """``text`` as a string SQLite can store as UTF-8: lone surrogates made visible as escapes."""
    if not isinstance(text, str):
        text = str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clean_text(repr(value))


def from_json(text: str | bytes) -> Any:
    """Parse JSON text: with orjson (several times faster, for ``logbook verify``), else the standard library.

    orjson refuses what the standard library takes (integers beyond 64 bits),
    so such text falls back to ``json.loads``.
    """
    try:
        return _fast_loads(text)
    except (ValueError, TypeError):
        return json.loads(text)


def to_json(value: Any) -> str:
    """Strict JSON for ``value``; anything JSON cannot hold becomes its repr.

    Plain values take the standard library's C encoder alone; only values it
    refuses (NaN, unknown types, lone surrogates) are walked in Python. The
    recorder's writer thread serialises every cell's record, so this is time
    the kernel's own thread would otherwise wait for.
    """
    try:
        text = _encode(value)
        text.encode("utf-8")
        return text
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError):
        return _strict.encode(_jsonable(value))


#: ``json.dumps(ensure_ascii=False, allow_nan=False)`` made once (``dumps`` builds an encoder per call).
_strict = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
#: The same encoder's C part, made once too (``encode`` makes it again for every value): the same text.
#: It keeps no record of the containers it is inside, so a value that holds itself ends in RecursionError.
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_encoder = (
    _make_c_encoder(
        None, _strict.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, False
    )
    if _make_c_encoder is not None
    else None
)


def _encode(value: Any) -> str:
    if _c_encoder is None or isinstance(value, str):
        return _strict.encode(value)
    return "".join(_c_encoder(value, 0))


def short_float(value: float) -> str:
    """``value`` to 4 significant digits, still looking like a float: ``2.0``, ``0.1235``, ``1.235e+04``."""
    shown = f"{value:.4g}"
    return shown if any(mark in shown for mark in ".einf") else shown + ".0"


def describe_steps(steps: list[Any]) -> list[str]:
    """The values that decided a verdict, a line each: ``head_scores.max() → 0.3``, ``0.3 > 0.5 → False``."""
    lines = []
    for step in steps:
        text, value = (step["text"], step["value"]) if isinstance(step, dict) else (step.text, step.value)
        lines.append(f"{text} → {value}")
    return lines


def describe_observed(observed: dict[str, Any]) -> str:
    """Observed values as one line: ``loss = 0.42, pattern = float32 [1, 2, 12, 12] mean 0.08``."""
    parts = []
    for name, summary in observed.items():
        if "value" in summary:
            value = summary["value"]
            shown = short_float(value) if isinstance(value, float) else repr(value)
        elif "shape" in summary:
            shown = f"{summary.get('dtype', '')} {summary['shape']}".strip()
            if isinstance(summary.get("mean"), float):
                shown += f" mean {short_float(summary['mean'])}"
        else:
            shown = summary.get("repr") or summary.get("type", "?")
        parts.append(f"{name} = {shown}")
    return ", ".join(parts)
