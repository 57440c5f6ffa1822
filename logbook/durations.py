"""Durations as a person would say them: ``850 ms``, ``10.3 s``, ``2 min 5 s``, ``1 h 4 min``."""

from __future__ import annotations


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
