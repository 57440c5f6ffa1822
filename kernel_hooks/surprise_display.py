"""Showing a surprise under the cell that produced it."""

from __future__ import annotations

import json
from typing import Any, Optional

from logbook.text import describe_observed, describe_steps, short_float, to_json

#: The MIME type the Logbook frontend renders as a surprise card.
SURPRISE_MIME = "application/vnd.logbook.surprise+json"


def surprise_text(payload: dict[str, Any]) -> str:
    """The plain-text form of a surprise, for frontends without the Logbook renderer."""
    lines = []
    if payload.get("kind") == "drift":
        drifts, more = payload.get("drifts", []), payload.get("more", 0)
        total = len(drifts) + more
        lines.append(
            f"Drift: {total} value{'s' if total != 1 else ''} moved from earlier runs of this code, unpredicted"
            + (", most surprising first" if total > 1 else "")
        )
        for drift in drifts:
            bits = drift.get("surprisal_bits")
            earlier = ", ".join(_value(e.get("value")) for e in drift.get("earlier", [])[-5:])
            readers = ", ".join(drift.get("hypotheses", [])) or "no hypothesis"
            lines.append(
                f"  {drift.get('note', '')}"
                + (f" ({bits:.2f} bits)" if isinstance(bits, (int, float)) else "")
            )
            lines.append(
                f"    now {_value(drift.get('value'))}; earlier runs: {earlier or '-'}; read by {readers}"
            )
        if more:
            lines.append(f"  and {more} more (the Logbook sidebar lists them all)")
        return "\n".join(lines)
    if payload.get("manual"):
        lines.append(f"Surprise flagged: {payload.get('note', '')}")
    else:
        runs = payload.get("runs") or 1
        again = f" (failed again: {runs} runs in a row)" if runs > 1 else ""
        lines.append(f"Surprise: {payload['hypothesis_id']} predicted {payload['prediction']}{again}")
        lines.append(f"  hypothesis: {payload.get('statement', '')}")
        steps = payload.get("steps") or []
        if steps:
            lines.extend(f"  {line}" for line in describe_steps(steps))
        else:
            lines.append(f"  observed:   {describe_observed(payload.get('observed', {})) or '(no names)'}")
        bits = payload.get("surprisal_bits")
        lines.append(f"  credence {payload.get('credence', 0):.2f} -> surprisal {bits:.2f} bits")
    return "\n".join(lines)


def _value(value: Any) -> str:
    return short_float(value) if isinstance(value, float) else repr(value)


def surprise_bundle(payload: dict[str, Any]) -> dict[str, Any]:
    return {SURPRISE_MIME: json.loads(to_json(payload)), "text/plain": surprise_text(payload)}


def show_surprise(
    *,
    hypothesis_id: Optional[str] = None,
    prediction_id: Optional[str] = None,
    statement: str = "",
    prediction: Optional[str] = None,
    credence: Optional[float] = None,
    observed: Optional[dict[str, Any]] = None,
    steps: Optional[list[dict[str, str]]] = None,
    runs: int = 1,
    surprisal_bits: Optional[float] = None,
    execution_count: Optional[int] = None,
    manual: bool = False,
    note: str = "",
) -> None:
    """Display a surprise in the current cell's output."""
    from IPython.display import display

    payload = {
        "hypothesis_id": hypothesis_id,
        "prediction_id": prediction_id,
        "statement": statement,
        "prediction": prediction,
        "credence": credence,
        "observed": observed or {},
        "steps": steps or [],
        "runs": runs,
        "surprisal_bits": surprisal_bits,
        "execution_count": execution_count,
        "manual": manual,
        "note": note,
    }
    display(surprise_bundle(payload), raw=True)


#: Moves a drift card under a cell lists; the rest are counted (``more``) and kept in the logbook.
CARD_MOVES = 8


def show_drift(drifts: list[dict[str, Any]], execution_count: Optional[int] = None) -> None:
    """Display what moved in the current cell as one card: the most surprising moves, and how many more."""
    from IPython.display import display

    payload = {
        "kind": "drift",
        "drifts": drifts[:CARD_MOVES],
        "more": max(len(drifts) - CARD_MOVES, 0),
        "execution_count": execution_count,
    }
    display(surprise_bundle(payload), raw=True)
