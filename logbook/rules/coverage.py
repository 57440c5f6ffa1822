"""Where you have not looked: per model, the hook points the recorded TransformerLens activity touched.

Each experiment's ``torch`` record names the models that ran, the caches built
(``cache_keys``), the activations read from a cache (``cache_reads``, each
with the model that built the cache) and the hooks attached (``hooks``).
From them, per model: a layers × heads grid for the attention hook points
(``hook_z``, ``hook_pattern``...) and a row per other hook point
(``hook_resid_pre``, ``mlp.hook_post``, ``hook_embed``...), each cell
counting the experiments that *read* it from a cache, *hooked* it (a hook
that reads), *ablated* or *patched* it, and those that only *cached* it
(built a cache holding it: available, not looked at). A hook that edits or
replaces an activation counts as patched when its function's name says
"patch", as ablated otherwise. A hook or a read without named heads covers
every head of its layer. A cell with nothing but *cached* is a place never
looked at.

A model is followed by the notebook variable that holds it and its
architecture (layers, heads, width, the config's architecture name), so a
model retrained under the same name keeps one map; the map lists the weight
fingerprints seen, when. Records without a variable (older ones) are keyed by
the model's name, else its class and fingerprint.

>>> maps = coverage_maps([(1, experiment.torch, experiment.started_at)])  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from typing import Any, Iterable, Optional

from pydantic import BaseModel, Field

KINDS = ("cached", "read", "hooked", "ablated", "patched")
#: The kinds that count as having looked: a cache built and never read does not.
LOOKED = ("read", "hooked", "ablated", "patched")
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
_FOLDED = re.compile(r"\{([0-9,-]+)\}")
#: Names one folded pattern (``blocks.{0-47}.attn.hook_z``) may stand for.
MAX_UNFOLDED = 10_000
#: Letters for the kinds in text tables.
LETTERS = {"cached": "c", "read": "r", "hooked": "h", "ablated": "a", "patched": "p"}


class PointCoverage(BaseModel):
    """One hook point other than the attention heads: counts per layer (one entry when not in a layer)."""

    name: str
    layered: bool
    layers: list[dict[str, int]]


class WeightsSeen(BaseModel):
    """One weight fingerprint a map's model had: in which experiments and when (first and last)."""

    fingerprint: str
    experiments: int = 0
    first_experiment: int
    last_experiment: int
    first_seen: Optional[datetime] = None
    last_seen: Optional[datetime] = None


class ModelCoverage(BaseModel):
    """What the notebook read, hooked, ablated, patched and cached in one model, over ``experiments``."""

    model: str = Field(
        description="The map's name: the notebook variable and the model's name or architecture, "
        "else (older records) the model's name, or its class and weight fingerprint."
    )
    variable: Optional[str] = Field(default=None, description="The notebook variable holding the model.")
    architecture: Optional[str] = Field(default=None, description="The config's architecture name.")
    n_layers: int
    n_heads: int
    d_model: Optional[int] = None
    experiments: list[int] = Field(default_factory=list)
    fingerprints: list[WeightsSeen] = Field(
        default_factory=list, description="The weight fingerprints seen, oldest first: one per retrain."
    )
    heads: list[list[dict[str, int]]] = Field(description="[layer][head] -> experiments per kind.")
    points: list[PointCoverage] = Field(default_factory=list)
    here: list[str] = Field(
        default_factory=list,
        description='Cells touched by the experiment asked about: "L1H2" for heads, "hook_resid_pre@1".',
    )

    @property
    def untouched_heads(self) -> int:
        """Heads never looked at (a cache that held them and was never read does not count)."""
        return sum(1 for row in self.heads for cell in row if not looked(cell))

    @property
    def unread_heads(self) -> int:
        """Heads never looked at that a cache held: available, not read."""
        return sum(1 for row in self.heads for cell in row if cell.get("cached") and not looked(cell))


def looked(counts: dict[str, int]) -> bool:
    """Whether a cell's counts say it was read, hooked, ablated or patched."""
    return any(counts.get(kind) for kind in LOOKED)


def _number(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _architecture(description: dict[str, Any]) -> Optional[str]:
    identity = description.get("identity") or {}
    config = identity.get("config") if isinstance(identity, dict) else None
    name = description.get("architecture") or (config or {}).get("architecture")
    return str(name) if name else None


def map_key(description: dict[str, Any]) -> tuple:
    """Which map a recorded model belongs to: its variable and architecture, else its :func:`model_key`."""
    variable = description.get("variable")
    if not variable:
        return (model_key(description),)
    return (
        str(variable),
        _number(description.get("n_layers")),
        _number(description.get("n_heads")),
        _number(description.get("d_model")),
        _architecture(description),
    )


def _map_name(description: dict[str, Any]) -> str:
    """A map's name as shown: ``model (attn-only-2l)``; without a variable, :func:`model_key`."""
    variable = description.get("variable")
    if not variable:
        return model_key(description)
    identity = description.get("identity") or {}
    name = identity.get("name") or description.get("model_name")
    label = name if name and name != "native" else _architecture(description) or description.get("class")
    return f"{variable} ({label})" if label else str(variable)


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


def unfold(name: str) -> list[str]:
    """The names a folded cache key stands for: ``blocks.{0-2}.attn.hook_z`` gives three; a plain name, itself."""
    slots = _FOLDED.findall(name)
    if not slots:
        return [name]
    choices = []
    for slot in slots:
        numbers: list[int] = []
        for part in slot.split(","):
            low, _, high = part.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                return []
            numbers += range(int(low), int(high or low) + 1)
        choices.append(numbers)
    total = 1
    for numbers in choices:
        total *= len(numbers)
    if total > MAX_UNFOLDED:
        return []
    pattern = _FOLDED.sub("{}", name)
    return [pattern.format(*combination) for combination in itertools.product(*choices)]


def _names(keys: list[str]) -> list[str]:
    return [name for key in _cached_names(keys) for name in unfold(key)]


def _touches(activity: dict[str, Any]) -> list[tuple[str, str, Optional[list[int]]]]:
    """(kind, hook point name, heads or None for all) for one experiment's activity, every model it ran."""
    touches: list[tuple[str, str, Optional[list[int]]]] = []
    for keys in activity.get("cache_keys", []):
        touches += [("cached", key, None) for key in _names(keys)]
    for hook in activity.get("hooks", []):
        touches.append((_kind(hook), _legacy_name(hook), hook.get("heads") or None))
    return touches


def _per_model(activity: dict[str, Any]) -> dict[tuple, tuple[dict[str, Any], list, bool]]:
    """Map key -> (model description, touches, whether it ran) for one experiment's activity.

    Caches built and hooks attached count for every model that ran; reads count
    for the model that built the cache read, which need not have run in the cell.
    """
    shared = _touches(activity)
    found: dict[tuple, tuple[dict[str, Any], list, bool]] = {}
    for description in activity.get("models", []):
        if isinstance(description.get("n_layers"), int):
            found.setdefault(map_key(description), (description, list(shared), True))
    for group in activity.get("cache_reads", []):
        description = group.get("model") or {}
        if not isinstance(description.get("n_layers"), int):
            continue
        _, touches, _ = found.setdefault(map_key(description), (description, [], False))
        touches += [("read", name, None) for name in _names(group.get("keys", []))]
    return found


class _Map:
    def __init__(self, description: dict[str, Any]) -> None:
        n_layers, n_heads = description["n_layers"], int(description.get("n_heads") or 0)
        self.cov = ModelCoverage(
            model=_map_name(description),
            variable=description.get("variable") or None,
            architecture=_architecture(description),
            n_layers=n_layers,
            n_heads=n_heads,
            d_model=_number(description.get("d_model")),
            heads=[[{} for _ in range(n_heads)] for _ in range(n_layers)],
        )
        self.points: dict[str, PointCoverage] = {}

    def saw(self, description: dict[str, Any], experiment_id: int, when: Optional[datetime]) -> None:
        """The model ran in ``experiment_id`` with the weights its description fingerprints."""
        if self.cov.variable:
            self.cov.model = _map_name(description)  # the latest name the variable's model had
        fingerprint = str((description.get("identity") or {}).get("fingerprint") or "")
        if not fingerprint or fingerprint.startswith("pending"):
            return
        seen = self.cov.fingerprints
        if seen and seen[-1].fingerprint == fingerprint:
            last = seen[-1]
        else:
            last = WeightsSeen(
                fingerprint=fingerprint,
                first_experiment=experiment_id,
                last_experiment=experiment_id,
                first_seen=when,
            )
            seen.append(last)
        last.experiments += 1
        last.last_experiment, last.last_seen = experiment_id, when or last.last_seen

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


def _when(value: Any) -> Optional[datetime]:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def coverage_maps(activities: Iterable[tuple], here: Optional[int] = None) -> list[ModelCoverage]:
    """One map per TransformerLens model (a model with ``n_layers``) in ``(experiment id, torch[, started at])``.

    An experiment that ran several models counts for each; one that read a
    cache counts for the model that built it. ``here``: the experiment whose
    touched cells are listed in each map's ``here``.
    """
    return [m.finish() for m in _maps(activities, here).values()]


def _maps(activities: Iterable[tuple], here: Optional[int]) -> dict[tuple, "_Map"]:
    maps: dict[tuple, _Map] = {}
    for experiment_id, activity, *rest in activities:
        when = _when(rest[0]) if rest else None
        for key, (description, touches, ran) in _per_model(activity).items():
            if key not in maps:
                maps[key] = _Map(description)
            if ran:
                maps[key].saw(description, experiment_id, when)
            cells = maps[key].add(experiment_id, touches)
            if experiment_id == here:
                maps[key].cov.here = sorted(cells)
    return maps


def logbook_coverage(db: Any, experiment_id: Optional[int] = None) -> list[ModelCoverage]:
    """The maps over every experiment of the logbook ``db``; with ``experiment_id``, only the models it touched."""
    rows = db.execute(
        "SELECT id, torch, started_at FROM experiments WHERE torch LIKE '%\"n_layers\"%' ORDER BY id"
    ).fetchall()
    activities = [(row[0], json.loads(row[1]), row[2]) for row in rows if row[1]]
    maps = _maps(activities, here=experiment_id)
    if experiment_id is None:
        return [m.finish() for m in maps.values()]
    touched: dict[str, Any] = next((activity for eid, activity, _ in activities if eid == experiment_id), {})
    keys = set(_per_model(touched))
    return [m.finish() for key, m in maps.items() if key in keys]
