"""Time spent in each research mode: a mode holds from its switch until the next one."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from logbook.models import Mode


def time_in_modes(switches: list[Mode], until: datetime) -> dict[str, float]:
    """Seconds spent in each mode; the last switch holds until ``until``."""
    ordered = sorted(switches, key=lambda m: m.started_at)
    seconds: dict[str, float] = defaultdict(float)
    for current, following in zip(ordered, [*ordered[1:], None]):
        end = following.started_at if following else until
        seconds[current.mode.value] += max(0.0, (end - current.started_at).total_seconds())
    return dict(seconds)
