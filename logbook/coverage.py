"""Where you have not looked: per model, the hook points the recorded TransformerLens activity touched.

Each experiment's ``torch`` record names the models that ran, the caches built
(``cache_keys``) and the hooks attached (``hooks``). From them, per model:
a layers × heads grid for the attention hook points (``hook_z``,
``hook_pattern``...) and a row per other hook point (``hook_resid_pre``,
``mlp.hook_post``, ``hook_embed``...), each cell counting the experiments
that *cached*, *hooked* (read), *ablated* or *patched* it. A hook that edits
or replaces an activation counts as patched when its function's name says
"patch", as ablated otherwise. A hook without named heads covers every head
of its layer. Zero everywhere is a place never looked at.

>>> maps = coverage_maps([(1, experiment.torch)])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Optional

from pydantic import BaseModel, Field

KINDS = ("cached", "hooked", "ablated", "patched")
#: Attention hook points whose activations have a head axis.
HEAD_POINTS = {
    "attn.hook_z",
    "attn.hook_pattern",
    "attn.hook_attn_scores",
    "attn.hook_q",
    "attn.hook_k",
    "attn.hook_v",
    "attn.hook_result",
}
_LAYERED = re.compile(r"^blocks\.(\d+)\.(.+)$")
_BRIDGE_ONLY = re.compile(r"(^|\.)hook_(in|out)$")
#: Letters for the kinds in text tables.
LETTERS = {"cached": "c", "hooked": "h", "ablated": "a", "patched": "p"}


class PointCoverage(BaseModel):
    """One hook point other than the attention heads: counts per layer (one entry when not in a layer)."""

    name: str
    layered: bool
    layers: list[dict[str, int]]


class ModelCoverage(BaseModel):
    """What the notebook cached, hooked, ablated and patched in one model, over ``experiments``."""

    model: str = Field(description="The model's name, or its class and weight fingerprint.")
    n_layers: int
    n_heads: int
    experiments: list[int] = Field(default_factory=list)
    heads: list[list[dict[str, int]]] = Field(description="[layer][head] -> experiments per kind.")
    points: list[PointCoverage] = Field(default_factory=list)
    here: list[str] = Field(
        default_factory=list,
        description='Cells touched by the experiment asked about: "L1H2" for heads, "hook_resid_pre@1".',
    )

    @property
    def untouched_heads(self) -> int:
        return sum(1 for row in self.heads for cell in row if not cell)


def model_key(description: dict[str, Any]) -> str:
    """How a recorded model is named in the map: its name, else its class and weight fingerprint."""
    identity = description.get("identity") or {}
    name = identity.get("name") or description.get("model_name")
    if name and name != "native":
        return str(name)
    fingerprint = str(identity.get("fingerprint", "")).removeprefix("weights:")[:8]
    return f"{description.get('class', 'model')} {fingerprint}".strip()


def _kind(hook: dict[str, Any]) -> str:
    if hook.get("effect") in ("replaced", "edited in place"):
        return "patched" if "patch" in str(hook.get("function", "")).lower() else "ablated"
    return "hooked"


def _legacy_name(hook: dict[str, Any]) -> str:
    """The name people use for a hook point: the TransformerLens 3 alias a bridge records, if any."""
    aliases = [a for a in hook.get("aliases", []) if not _BRIDGE_ONLY.search(a)]
    return aliases[0] if aliases else str(hook.get("hook_point", ""))


def _cached_names(keys: list[str]) -> list[str]:
    """Cache keys without a bridge's own ``hook_in``/``hook_out`` names when the classic ones are there."""
    classic = [k for k in keys if not _BRIDGE_ONLY.search(k)]
    return classic if classic else keys


def _touches(activity: dict[str, Any]) -> list[tuple[str, str, Optional[list[int]]]]:
    """(kind, hook point name, heads or None for all) for one experiment's activity."""
    touches: list[tuple[str, str, Optional[list[int]]]] = []
    for keys in activity.get("cache_keys", []):
        touches += [("cached", key, None) for key in _cached_names(keys) if "{" not in key]
    for hook in activity.get("hooks", []):
        touches.append((_kind(hook), _legacy_name(hook), hook.get("heads") or None))
    return touches


class _Map:
    def __init__(self, key: str, n_layers: int, n_heads: int) -> None:
        self.cov = ModelCoverage(
            model=key,
            n_layers=n_layers,
            n_heads=n_heads,
            heads=[[{} for _ in range(n_heads)] for _ in range(n_layers)],
        )
        self.points: dict[str, PointCoverage] = {}

    def add(self, experiment_id: int, touches: list[tuple[str, str, Optional[list[int]]]]) -> set[str]:
        """Count one experiment's touches once per cell and kind; return the cells it touched."""
        seen: set[tuple[str, str]] = set()
        for kind, name, heads in touches:
            for cell in self._cells(name, heads):
                seen.add((cell, kind))
        for cell, kind in seen:
            counts = self._counts(cell)
            if counts is not None:
                counts[kind] = counts.get(kind, 0) + 1
        self.cov.experiments.append(experiment_id)
        return {cell for cell, _ in seen}

    def _cells(self, name: str, heads: Optional[list[int]]) -> list[str]:
        found = _LAYERED.match(name)
        if not found:
            self._point(name, layered=False)
            return [name]
        layer, rest = int(found.group(1)), found.group(2)
        if layer >= self.cov.n_layers:
            return []
        if rest in HEAD_POINTS and self.cov.n_heads:
            chosen = [h for h in heads if 0 <= h < self.cov.n_heads] if heads else range(self.cov.n_heads)
            return [f"L{layer}H{h}" for h in chosen]
        self._point(rest, layered=True)
        return [f"{rest}@{layer}"]

    def _point(self, name: str, layered: bool) -> None:
        if name not in self.points:
            size = self.cov.n_layers if layered else 1
            self.points[name] = PointCoverage(name=name, layered=layered, layers=[{} for _ in range(size)])

    def _counts(self, cell: str) -> Optional[dict[str, int]]:
        head = re.fullmatch(r"L(\d+)H(\d+)", cell)
        if head:
            return self.cov.heads[int(head.group(1))][int(head.group(2))]
        name, _, layer = cell.rpartition("@")
        if name and name in self.points:
            return self.points[name].layers[int(layer)]
        point = self.points.get(cell)
        return point.layers[0] if point else None

    def finish(self) -> ModelCoverage:
        layered = [p for p in self.points.values() if p.layered]
        other = [p for p in self.points.values() if not p.layered]
        self.cov.points = layered + other
        return self.cov


def coverage_maps(
    activities: Iterable[tuple[int, dict[str, Any]]], here: Optional[int] = None
) -> list[ModelCoverage]:
    """One map per TransformerLens model (a model with ``n_layers``) in ``(experiment id, torch)`` pairs.

    An experiment that ran several models counts for each. ``here``: the
    experiment whose touched cells are listed in each map's ``here``.
    """
    maps: dict[str, _Map] = {}
    for experiment_id, activity in activities:
        models = [m for m in activity.get("models", []) if isinstance(m.get("n_layers"), int)]
        touches = _touches(activity)
        for description in models:
            key = model_key(description)
            if key not in maps:
                maps[key] = _Map(key, description["n_layers"], int(description.get("n_heads") or 0))
            cells = maps[key].add(experiment_id, touches)
            if experiment_id == here:
                maps[key].cov.here = sorted(cells)
    return [m.finish() for m in maps.values()]


def logbook_coverage(db: Any, experiment_id: Optional[int] = None) -> list[ModelCoverage]:
    """The maps over every experiment of the logbook ``db``; with ``experiment_id``, only the models it ran."""
    rows = db.execute(
        "SELECT id, torch FROM experiments WHERE torch LIKE '%\"n_layers\"%' ORDER BY id"
    ).fetchall()
    activities = [(row[0], json.loads(row[1])) for row in rows if row[1]]
    maps = coverage_maps(activities, here=experiment_id)
    if experiment_id is None:
        return maps
    ran = next((activity for eid, activity in activities if eid == experiment_id), {})
    keys = {model_key(m) for m in ran.get("models", [])}
    return [m for m in maps if m.model in keys]


def _cell_text(counts: dict[str, int]) -> str:
    return "".join(LETTERS[kind] for kind in KINDS if counts.get(kind)) or "·"


def coverage_section(experiments: list[Any], lines: list[str]) -> None:
    """The body of the report's "Where you have not looked" section, from the experiments in range."""
    maps = coverage_maps((e.id, e.torch) for e in experiments if e.torch)
    if not maps:
        lines += ["No TransformerLens model ran in this range.", ""]
        return
    lines += [
        "Per model: c cached, h hooked (read), a ablated, p patched, · never touched.",
        "",
    ]
    for cov in maps:
        total = cov.n_layers * cov.n_heads
        lines += [
            f"### {cov.model}",
            "",
            f"{len(cov.experiments)} experiment{'s' if len(cov.experiments) != 1 else ''}; "
            f"{cov.untouched_heads} of {total} attention heads never touched.",
            "",
        ]
        if cov.n_heads:
            lines.append("| layer | " + " | ".join(f"H{h}" for h in range(cov.n_heads)) + " |")
            lines.append("|---" * (cov.n_heads + 1) + "|")
            for layer, row in enumerate(cov.heads):
                lines.append(f"| L{layer} | " + " | ".join(_cell_text(c) for c in row) + " |")
            lines.append("")
        layered = [p for p in cov.points if p.layered]
        if layered:
            lines.append("| hook point | " + " | ".join(f"L{i}" for i in range(cov.n_layers)) + " |")
            lines.append("|---" * (cov.n_layers + 1) + "|")
            for p in layered:
                lines.append(f"| `{p.name}` | " + " | ".join(_cell_text(c) for c in p.layers) + " |")
            lines.append("")
        other = [p for p in cov.points if not p.layered]
        if other:
            lines += [", ".join(f"`{p.name}` {_cell_text(p.layers[0])}" for p in other), ""]
