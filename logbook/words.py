"""The logbook's words for research modes and surprise filters, each spelled once.

The sidebar spells the same words in ``extension/lib/words.ts``; a test holds the two alike.
"""

from __future__ import annotations

from typing import Literal, Optional, get_args

from logbook.models import ResearchMode, SurpriseStatus

#: The mode reports name for a record made before any research mode was chosen.
NO_MODE = "none"

#: The research modes in the order they are listed, then :data:`NO_MODE`.
MODE_NAMES: tuple[str, ...] = (*(mode.value for mode in ResearchMode), NO_MODE)

#: A filter of the surprise inbox: still open, resolved (explained or acted on), or all.
InboxFilter = Literal["open", "resolved", "all"]

#: The inbox's filters, in the order they are offered.
INBOX_FILTERS: tuple[str, ...] = get_args(InboxFilter)

#: What ``surprises(status=...)`` accepts, each with the statuses it keeps (None keeps every one):
#: each status by itself, and the inbox's filters.
SURPRISE_FILTERS: dict[str, Optional[tuple[str, ...]]] = {
    **{status.value: (status.value,) for status in SurpriseStatus},
    "resolved": (SurpriseStatus.explained.value, SurpriseStatus.acted_on.value),
    "all": None,
}


def mode_name(mode: Optional[ResearchMode]) -> str:
    """The name a record's mode is listed under: its value, or :data:`NO_MODE` for none."""
    return mode.value if mode is not None else NO_MODE
