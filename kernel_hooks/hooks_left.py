"""TransformerLens hooks that outlive the cell that attached them.

A hook attached with ``add_hook`` stays on its ``HookPoint`` until
``reset_hooks`` (or its handle) removes it; ``hooks()`` and ``run_with_hooks``
remove only the hooks they attached themselves. An exception raised between
attaching a hook and resetting (a shape error inside ``run_with_hooks``, say)
or a forgotten ``reset_hooks`` leaves it on, and every later forward pass runs
with it. Each hook the notebook attaches is remembered with its handle; when a
cell ends, those still attached are reported once (``hooks_left``), and every
later cell that runs the model carrying one records it (``running_with``)
until it is removed.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Optional

#: Hooks remembered at once; more are pruned of removed ones, then ignored.
MAX_ATTACHED = 1000


@dataclass
class Attached:
    """One hook the notebook attached, and the handle that says whether it still is."""

    hook_point: "weakref.ref[Any]"
    handle: Any
    name: str
    function: str
    direction: str
    reported: bool = False
    owner: Optional["weakref.ref[Any]"] = None

    def still_attached(self) -> bool:
        point = self.hook_point()
        handles = getattr(point, f"{self.direction}_hooks", None) if point is not None else None
        return bool(handles) and any(handle is self.handle for handle in handles)

    def describe(self) -> dict[str, str]:
        return {"hook_point": self.name, "function": self.function, "direction": self.direction}


def _handle(hook_point: Any, hook: Any, direction: str, returned: Any) -> Any:
    """The ``LensHandle`` that ``add_hook`` made for ``hook`` (TransformerLens 4 returns it, 3 does not)."""
    if returned is not None and hasattr(returned, "hook"):
        return returned
    handles = getattr(hook_point, f"{direction}_hooks", None) or []
    for handle in reversed(handles):
        if getattr(handle, "user_hook", None) is hook:
            return handle
    return None


class HooksLeft:
    """The hooks attached during cells, until they are removed."""

    def __init__(self) -> None:
        self._attached: list[Attached] = []

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

    def cell_ended(self, models: list[Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """(hooks this cell left attached, hooks left earlier that ``models``, run in this cell, carry)."""
        self._prune()
        left: list[dict[str, str]] = []
        running: list[dict[str, str]] = []
        for attached in self._attached:
            if not attached.reported:
                attached.reported = True
                left.append(attached.describe())
            elif models and self._carried_by(attached, models):
                running.append(attached.describe())
        return left, running

    def _prune(self) -> None:
        self._attached = [attached for attached in self._attached if attached.still_attached()]

    @staticmethod
    def _carried_by(attached: Attached, models: list[Any]) -> bool:
        """Whether one of ``models`` holds the hook's hook point (its owner is remembered once found)."""
        owner = attached.owner() if attached.owner is not None else None
        if owner is not None:
            return any(model is owner for model in models)
        point = attached.hook_point()
        for model in models:
            if any(module is point for module in model.modules()):
                attached.owner = weakref.ref(model)
                return True
        return False


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
