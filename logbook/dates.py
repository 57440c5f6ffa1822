"""Reading the moments people type: ``since="2026-11-25"``, a ``date``, a naive or aware ``datetime``.

Every ``since``/``until`` (Python, command line, server) goes through :func:`moment`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional, Union

from logbook.errors import LogbookError

Moment = Union[str, date, datetime, None]

EXAMPLE = "use e.g. 2026-11-25 or 2026-11-25T14:00"


def moment(value: Moment, *, end_of_day: bool = False) -> Optional[datetime]:
    """``value`` as a timezone-aware datetime; naive times and dates are local time.

    A bare date means the start of that day, or its last instant with
    ``end_of_day=True`` (so ``until="2026-11-25"`` includes the 25th).

    >>> moment("2026-11-25", end_of_day=True).time()
    datetime.time(23, 59, 59, 999999)
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse(value.strip())
    if isinstance(value, datetime):
        return value if value.tzinfo else value.astimezone()
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min).astimezone()
    raise LogbookError(f"not a date or time: {value!r} ({EXAMPLE})")


def _parse(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise LogbookError(f"not a date or time: {text!r} ({EXAMPLE})") from None


def time_range(since: Moment, until: Moment) -> tuple[Optional[datetime], Optional[datetime]]:
    """``since`` and ``until`` read with :func:`moment`; refused when ``since`` comes after ``until``."""
    start, end = moment(since), moment(until, end_of_day=True)
    if start is not None and end is not None and start > end:
        raise LogbookError(f"since ({start:%Y-%m-%d %H:%M}) is after until ({end:%Y-%m-%d %H:%M})")
    return start, end
