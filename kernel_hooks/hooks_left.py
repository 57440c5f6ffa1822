"""TransformerLens hooks that outlive the cell that attached them.

A hook attached with ``add_hook`` stays on its ``HookPoint`` until
``reset_hooks`` (or its handle) removes it; ``hooks()`` and ``run_with_hooks``
remove only the hooks they attached themselves. An exception raised between
attaching a hook and resetting (a shape error inside ``run_with_hooks``, say)
or a forgotten ``reset_hooks`` leaves it on, and every later forward pass runs
with it. Each hook the notebook attaches is remembered with its handle; when a
cell ends, those still attached are reported once (``hooks_left``) and
remembered with the cell that left them. From then on, the first forward pass
of a model in each cell checks whether the model carries one: if it does, the
cell's results were computed with it, and the cell records it
(``running_with``, naming the cell that left it) and says so under the cell,
until the hook is removed.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

#: Hooks remembered at once; more are pruned of removed ones, then ignored.
MAX_ATTACHED = 1000
#: Hook point names only TransformerBridge has (its wrappers' inputs and outputs).
_BRIDGE_ONLY = re.compile(r"(^|\.)hook_(in|out)$")


@dataclass
class Attached:
    """One hook the notebook attached, and the handle that says whether it still is."""

    hook_point: "weakref.ref[Any]"
    handle: Any
    name: str
    function: str
    direction: str
    reported: bool = False
    #: Models found to hold the hook point, and models found not to (a wrapper module and the
    #: TransformerLens model inside it both hold it).
    owners: "weakref.WeakSet[Any]" = field(default_factory=weakref.WeakSet)
    strangers: "weakref.WeakSet[Any]" = field(default_factory=weakref.WeakSet)
    #: The name people use for the hook point (a bridge's classic alias), once the owner is known.
    shown: Optional[str] = None
    #: The cell that left it attached: its execution count and its experiment (a handle, then an id).
    left_by: dict[str, Any] = field(default_factory=dict)

    def still_attached(self) -> bool:
        point = self.hook_point()
        handles = (getattr(point, f"{self.direction}_hooks", None) if point is not None else None) or ()
        return any(handle is self.handle for handle in handles)

    def describe(self) -> dict[str, str]:
        return {"hook_point": self.shown or self.name, "function": self.function, "direction": self.direction}


def _handle(hook_point: Any, hook: Any, direction: str, returned: Any) -> Any:
    """The ``LensHandle`` that ``add_hook`` made for ``hook`` (TransformerLens 4 returns it, 3 does not)."""
    if returned is not None and hasattr(returned, "hook"):
        return returned
    handles = getattr(hook_point, f"{direction}_hooks", None) or []
    for handle in reversed(handles):
        if getattr(handle, "user_hook", None) is hook:
            return handle
    return None


def _shown_name(point: Any, model: Any) -> Optional[str]:
    """The classic name of a bridge's hook point (``blocks.0.attn.hook_z`` for ``blocks.0.attn.o.hook_in``).

    Looked up in the ``hook_dict`` of ``model``, or of the TransformerLens model a module wraps.
    """
    name = str(getattr(point, "name", ""))
    if not _BRIDGE_ONLY.search(name):
        return None
    try:
        for module in model.modules():
            hook_dict = getattr(module, "hook_dict", None)
            if not isinstance(hook_dict, dict):
                continue
            aliases = [n for n, p in hook_dict.items() if p is point and n != name]
            classic = [n for n in aliases if not _BRIDGE_ONLY.search(n)]
            if classic:
                return classic[0]
    except Exception:  # noqa: BLE001 - a model's hook_dict is its own business
        return None
    return None


class HooksLeft:
    """The hooks attached during cells, until they are removed."""

    def __init__(self) -> None:
        self._attached: list[Attached] = []
        self._just_left: list[Attached] = []

    def added(self, hook_point: Any, hook: Any, function: str, direction: str, returned: Any) -> None:
        """``hook`` (shown as ``function``) was just attached to ``hook_point``; ``returned`` is what add_hook gave."""
        handle = _handle(hook_point, hook, direction, returned)
        if handle is None or getattr(handle, "is_permanent", False):
            return
        if len(self._attached) >= MAX_ATTACHED:
            self._prune()
            if len(self._attached) >= MAX_ATTACHED:
                return
        point = weakref.ref(hook_point)
        self._attached.append(Attached(point, handle, str(hook_point.name), function, direction))

    def carried(self, model: Any) -> list[Attached]:
        """The hooks left attached by earlier cells that ``model`` (a torch module) carries now.

        Called at a model's first forward pass in a cell; costs one check when
        nothing is left attached.
        """
        if not self._attached:
            return []
        return [
            attached
            for attached in self._attached
            if attached.reported and attached.still_attached() and self._carried_by(attached, [model])
        ]

    def cell_ended(self, models: Iterable[Any] = ()) -> list[dict[str, str]]:
        """The hooks this cell left attached (``models``: where to look for their owners), reported once."""
        self._prune()
        self._just_left = []
        for attached in self._attached:
            if not attached.reported:
                attached.reported = True
                self._carried_by(attached, list(models))
                self._just_left.append(attached)
        return [attached.describe() for attached in self._just_left]

    def left_by(self, execution_count: Optional[int], experiment: Any) -> None:
        """The cell that just ended (``execution_count``, its experiment handle) left the hooks it reported."""
        for attached in self._just_left:
            attached.left_by = {"cell": execution_count, "experiment": experiment}
        self._just_left = []

    def _prune(self) -> None:
        self._attached = [attached for attached in self._attached if attached.still_attached()]

    @staticmethod
    def _carried_by(attached: Attached, models: list[Any]) -> bool:
        """Whether one of ``models`` holds the hook's hook point (each model is searched once)."""
        point = attached.hook_point()
        for model in models:
            try:
                if model in attached.owners:
                    return True
                if model in attached.strangers:
                    continue
                if any(module is point for module in model.modules()):
                    attached.owners.add(model)
                    attached.shown = attached.shown or _shown_name(point, model)
                    return True
                attached.strangers.add(model)
            except TypeError:  # a model that cannot be weakly referenced: searched every time
                if any(module is point for module in model.modules()):
                    return True
        return False


def running_with(attached: Attached, variable: Optional[str]) -> dict[str, Any]:
    """The record of a hook a cell's model ran with: the hook, the cell that left it, the model's name."""
    entry: dict[str, Any] = attached.describe()
    left_by = {key: value for key, value in attached.left_by.items() if value is not None}
    if left_by:
        entry["left_by"] = left_by
    if variable:
        entry["model"] = variable
    return entry


def resolve_left_by(activity: dict[str, Any]) -> dict[str, Any]:
    """``activity`` with each ``running_with`` entry's experiment handle replaced by its id (writer thread).

    The writer writes jobs in order, so the cell that left the hook has its id
    by the time a later cell is written. Returns a copy; ``activity`` is kept,
    so a retried write resolves again.
    """
    entries = activity.get("running_with")
    if not entries:
        return activity
    resolved = []
    for entry in entries:
        left_by = dict(entry.get("left_by") or {})
        experiment = left_by.get("experiment")
        if experiment is not None and not isinstance(experiment, int):
            number = getattr(experiment, "id", None)
            if number is None:
                left_by.pop("experiment")
            else:
                left_by["experiment"] = number
        resolved.append({**entry, **({"left_by": left_by} if left_by else {})})
    return {**activity, "running_with": resolved}


class LeftByJob:
    """An ``ExperimentJob`` whose hooks left behind name the experiment that left them, resolved when written."""

    def __init__(self, job: Any) -> None:
        self.job = job
        self.activity = job.torch_activity

    def __call__(self, store: Any) -> None:
        self.job.torch_activity = resolve_left_by(self.activity)
        self.job(store)


def left_message(hooks: list[dict[str, str]], execution_count: Optional[int]) -> str:
    """The line shown under a cell that left hooks attached."""
    where = f"cell [{execution_count}]" if execution_count is not None else "this cell"
    named = ", ".join(f"{h['hook_point']} ({h['function']})" for h in hooks[:5])
    more = f" and {len(hooks) - 5} more" if len(hooks) > 5 else ""
    one = len(hooks) == 1
    return (
        f"{where} left {'a TransformerLens hook' if one else f'{len(hooks)} TransformerLens hooks'} "
        f"attached: {named}{more}; every later run of the model runs with {'it' if one else 'them'} "
        "until removed (model.reset_hooks())"
    )


def running_message(hooks: list[dict[str, Any]]) -> str:
    """The line shown under a cell whose model ran with hooks an earlier cell left attached.

    >>> running_message([{"hook_point": "blocks.0.attn.hook_z", "function": "ablate", "left_by": {"cell": 2}}])
    'this cell ran with a TransformerLens hook left attached by cell [2]: blocks.0.attn.hook_z (ablate); its results include what the hook does. Remove it with model.reset_hooks()'
    """
    by_cell: dict[str, list[str]] = {}
    for hook in hooks:
        cell = (hook.get("left_by") or {}).get("cell")
        where = f"cell [{cell}]" if cell is not None else "an earlier cell"
        by_cell.setdefault(where, []).append(f"{hook['hook_point']} ({hook['function']})")
    parts = []
    for where, named in by_cell.items():
        more = f" and {len(named) - 5} more" if len(named) > 5 else ""
        parts.append(f"by {where}: {', '.join(named[:5])}{more}")
    one = len(hooks) == 1
    models = sorted({str(h["model"]) for h in hooks if h.get("model")}) or ["model"]
    reset = " and ".join(f"{name}.reset_hooks()" for name in models)
    return (
        f"this cell ran with {'a TransformerLens hook' if one else f'{len(hooks)} TransformerLens hooks'} "
        f"left attached {'; '.join(parts)}; its results include what the "
        f"{'hook does' if one else 'hooks do'}. Remove {'it' if one else 'them'} with {reset}"
    )
