"""The guard every hook runs its recording under: a recording bug never reaches the user's model."""

from __future__ import annotations

from typing import Any, Callable


def quietly(function: Callable[..., Any], *args: Any) -> None:
    """Call ``function``; a recording bug must never reach the model it watches."""
    try:
        function(*args)
    except Exception:  # noqa: BLE001
        pass
