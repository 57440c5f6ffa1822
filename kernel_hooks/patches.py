"""Wrapping library methods in place, and putting every one back exactly.

``Patches.wrap(cls, "name", make)`` replaces ``cls.name`` by ``make(original)``
(plain functions, class methods and static methods alike); ``restore()`` puts
back the very objects it replaced, in reverse order, so install and removal
mirror each other and a second ``wrap`` of the same attribute is a no-op.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

_MARK = "__logbook_wrapped__"


class Patches:
    """The attributes this recorder replaced, with what was there before."""

    def __init__(self) -> None:
        self._replaced: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, make: Callable[[Callable], Callable]) -> bool:
        """Replace ``owner.name`` (a class or a module) by ``make(original)``; False if absent or done."""
        if any(patched is owner and attribute == name for patched, attribute, _ in self._replaced):
            return False
        original = vars(owner).get(name)
        function = getattr(original, "__func__", original)
        if function is None or not callable(function) or getattr(function, _MARK, False):
            return False
        wrapper = make(function)
        functools.update_wrapper(wrapper, function)
        setattr(wrapper, _MARK, True)
        replacement: object = wrapper
        if isinstance(original, (classmethod, staticmethod)):
            replacement = type(original)(wrapper)
        setattr(owner, name, replacement)
        self._replaced.append((owner, name, original))
        return True

    def restore(self) -> None:
        """Put back everything ``wrap`` replaced, newest first."""
        for owner, name, original in reversed(self._replaced):
            setattr(owner, name, original)
        self._replaced.clear()

    def __len__(self) -> int:
        return len(self._replaced)
