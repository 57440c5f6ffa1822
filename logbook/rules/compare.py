"""Two experiments side by side: each assigned value old → new, and each prediction's verdict on both.

A researcher re-runs a cell with another seed, layer or ablation and asks what
changed. :func:`compare_values` answers for the names the cells assigned: which
were added, removed, changed or stayed the same, and for each statistic the
summaries hold (``mean``, ``norm``, ...) the old and new value and the change.
:func:`compare_verdicts` pairs the predictions judged on each, a held → failed
first::

    >>> [v] = compare_values({"x": {"type": "float", "value": 1.0}}, {"x": {"type": "float", "value": 1.5}})
    >>> v.change, v.stats[0].stat, v.stats[0].delta
    ('changed', 'value', 0.5)

Pure functions over recorded summaries and judgements: no database, no server.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Literal, Optional

from pydantic import Field

from logbook.models import Record

#: The statistics a summary may hold that are compared one by one, in the order they are shown.
STATISTICS = (
    "value",
    "min",
    "max",
    "mean",
    "norm",
    "nan",
    "true",
    "len",
    "parameters",
    "fingerprint",
    "keys",
)
#: A statistic this small beside its value's range (a mean-centred tensor's mean) is float noise: no percentage.
NOISE_FRACTION = 1e-6
#: What a value is; a change here is a change of kind, not of size.
KIND_FIELDS = ("type", "dtype", "device")
#: Verdict changes in the order they are listed: what broke first.
VERDICT_ORDER = ("held_to_failed", "failed_to_held", "only_old", "only_new", "same")


class StatChange(Record):
    """One statistic of a value in both experiments: ``mean 0.12 → 0.48 (+0.36)``."""

    stat: str
    old: Any = None
    new: Any = None
    changed: bool
    delta: Optional[float] = Field(None, description="new - old, when both are finite numbers.")
    relative: Optional[float] = Field(None, description="delta / |old|, when old is a number other than 0.")


class ValueComparison(Record):
    """One name assigned in either experiment: its summary in each and what changed between them."""

    name: str
    change: Literal["added", "removed", "changed", "same"]
    old: Optional[dict[str, Any]] = None
    new: Optional[dict[str, Any]] = None
    stats: list[StatChange] = Field(default_factory=list, description="Every statistic either summary holds.")
    shape_changed: bool = False
    kind_changed: bool = Field(False, description="The type, dtype or device differs.")
    differs: list[str] = Field(default_factory=list, description="The summary fields that differ, sorted.")


class VerdictComparison(Record):
    """One prediction judged on either experiment, with its verdict on each (None: not judged there)."""

    prediction_id: str
    hypothesis_id: Optional[str] = None
    expression: Optional[str] = None
    statement: Optional[str] = None
    old: Optional[Literal["held", "failed"]] = None
    new: Optional[Literal["held", "failed"]] = None
    change: Literal["held_to_failed", "failed_to_held", "only_old", "only_new", "same"]


def _number(value: Any) -> Optional[float]:
    """``value`` as a finite float, or None (booleans, text, NaN and infinities are not sizes)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def stat_change(stat: str, old: Any, new: Any) -> StatChange:
    """The change of one statistic; ``delta`` and ``relative`` only between two finite numbers."""
    a, b = _number(old), _number(new)
    delta = b - a if a is not None and b is not None else None
    relative = delta / abs(a) if delta is not None and a else None
    return StatChange(stat=stat, old=old, new=new, changed=old != new, delta=delta, relative=relative)


def _summary(value: Any) -> Optional[dict[str, Any]]:
    return value if isinstance(value, dict) else None


def _range(*summaries: dict[str, Any]) -> float:
    """The largest magnitude the summaries' ``min`` and ``max`` reach (0 when they hold none)."""
    bounds = [_number(s.get(k)) for s in summaries for k in ("min", "max")]
    return max((abs(v) for v in bounds if v is not None), default=0.0)


def compare_value(name: str, old: Optional[dict[str, Any]], new: Optional[dict[str, Any]]) -> ValueComparison:
    """How name ``name`` differs from its summary ``old`` to ``new`` (either may be None: not assigned)."""
    old, new = _summary(old), _summary(new)
    change = "added" if old is None else "removed" if new is None else "changed" if old != new else "same"
    a, b = old or {}, new or {}
    stats = [stat_change(stat, a.get(stat), b.get(stat)) for stat in STATISTICS if stat in a or stat in b]
    noise = NOISE_FRACTION * _range(a, b)
    for stat in stats:
        if stat.relative is not None and abs(_number(stat.old) or 0.0) < noise:
            stat.relative = None  # a change from float noise is no percentage
    both = old is not None and new is not None
    return ValueComparison(
        name=name,
        change=change,
        old=old,
        new=new,
        stats=stats,
        shape_changed=both and a.get("shape") != b.get("shape"),
        kind_changed=both and any(a.get(k) != b.get(k) for k in KIND_FIELDS),
        differs=sorted(k for k in {*a, *b} if a.get(k) != b.get(k)) if both else [],
    )


def with_weights(names: dict[str, Any], torch: Optional[dict[str, Any]]) -> dict[str, Any]:
    """``names`` with each model's weight fingerprint in its summary (``fingerprint``), from the cell's torch activity.

    A model's summary holds its class, size and config, which a model trained again (another seed) shares
    with the one before; the torch activity of the cell that ran it names the variable that held it and
    the fingerprint of its weights.
    """
    kept = dict(names or {})
    for model in (torch or {}).get("models") or []:
        if not isinstance(model, dict):
            continue
        name, fingerprint = model.get("variable"), (model.get("identity") or {}).get("fingerprint")
        if not isinstance(name, str):
            continue
        summary = kept.get(name)
        if fingerprint and isinstance(summary, dict) and "parameters" in summary:
            kept[name] = {**summary, "fingerprint": fingerprint}
    return kept


def compare_values(old_names: dict[str, Any], new_names: dict[str, Any]) -> list[ValueComparison]:
    """Every name either experiment assigned, in the order the new one assigned them, then the removed ones."""
    names = dict.fromkeys([*(new_names or {}), *(old_names or {})])
    return [compare_value(name, (old_names or {}).get(name), (new_names or {}).get(name)) for name in names]


def _last_verdicts(judgements: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last judgement of each prediction (flags by hand, which judge none, are left out)."""
    found: dict[str, dict[str, Any]] = {}
    for judged in sorted(judgements, key=lambda j: str(j.get("created_at") or "")):
        if judged.get("prediction_id"):
            found[judged["prediction_id"]] = judged
    return found


def _prediction_order(prediction_id: str) -> tuple:
    """H2.P10 after H2.P9 after H1.P3: the numbers in an id, compared as numbers."""
    parts = prediction_id.replace("H", "").split(".P")
    return tuple(int(p) if p.isdigit() else 0 for p in parts) + (prediction_id,)


def compare_verdicts(old: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]]) -> list[VerdictComparison]:
    """Each prediction judged on either experiment, held → failed first, then failed → held, then the rest."""
    before, after = _last_verdicts(old), _last_verdicts(new)
    rows = []
    for pid in dict.fromkeys([*before, *after]):
        a, b = before.get(pid), after.get(pid)
        judged = b or a or {}
        va, vb = (a or {}).get("verdict"), (b or {}).get("verdict")
        if a is None:
            change = "only_new"
        elif b is None:
            change = "only_old"
        elif va == vb:
            change = "same"
        else:
            change = "held_to_failed" if va == "held" else "failed_to_held"
        rows.append(
            VerdictComparison(
                prediction_id=pid,
                hypothesis_id=judged.get("hypothesis_id"),
                expression=judged.get("prediction"),
                statement=judged.get("statement"),
                old=va,
                new=vb,
                change=change,
            )
        )
    rows.sort(key=lambda r: (VERDICT_ORDER.index(r.change), _prediction_order(r.prediction_id)))
    return rows
