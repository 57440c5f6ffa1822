"""Durations: as a person would say them (``850 ms``, ``10.3 s``, ``2 min 5 s``, ``1 h 4 min``), and how long a
brainstorm has run, pauses left out (the sidebar's clock, ``extension/lib/timer.ts``, counts the same way)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional, Protocol


class BrainstormClock(Protocol):
    """The times a brainstorm keeps: when it started, finished, was paused, and for how long before."""

    @property
    def started_at(self) -> datetime: ...

    @property
    def finished_at(self) -> Optional[datetime]: ...

    @property
    def paused_at(self) -> Optional[datetime]: ...

    @property
    def paused_seconds(self) -> float: ...


def paused_seconds(clock: BrainstormClock, now: datetime) -> float:
    """Seconds ``clock`` has been paused by ``now``: the pauses that ended, and one still going."""
    ongoing = (now - clock.paused_at).total_seconds() if clock.paused_at is not None else 0.0
    return clock.paused_seconds + max(0.0, ongoing)


def brainstorm_seconds(clock: BrainstormClock, now: Optional[datetime] = None) -> float:
    """Seconds of brainstorming by ``now`` (default: this moment), pauses left out: to the finish, else the
    pause still going, else ``now``."""
    end = clock.finished_at or clock.paused_at or now or datetime.now(timezone.utc)
    return max(0.0, (end - clock.started_at).total_seconds() - clock.paused_seconds)


def humanise(seconds: float) -> str:
    """``seconds`` in the largest units that keep it exact enough to read.

    >>> humanise(10.346), humanise(125), humanise(0.013)
    ('10.3 s', '2 min 5 s', '13 ms')
    """
    seconds = max(0.0, float(seconds))
    if seconds < 0.9995:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 59.95:
        text = f"{seconds:.1f}".removesuffix(".0")
        return f"{text} s"
    whole = int(round(seconds))
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
