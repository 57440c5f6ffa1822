"""Research modes and surprise filters are spelled once in Python and once for the sidebar, alike."""

import re
from pathlib import Path

from logbook.models import ResearchMode, SurpriseStatus
from logbook.report.charts import MODE_COLOURS
from logbook.words import INBOX_FILTERS, MODE_NAMES, NO_MODE, SURPRISE_FILTERS, mode_name

WORDS_TS = (Path(__file__).resolve().parents[2] / "extension" / "lib" / "words.ts").read_text()


def ts_strings(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def ts_constant(name: str) -> str:
    match = re.search(rf"export const {name}\b[^=]*= (.*?);\n", WORDS_TS, re.S)
    assert match, f"no constant {name} in words.ts"
    return match.group(1)


def test_modes_are_listed_in_order_then_none() -> None:
    assert MODE_NAMES == ("confirm", "red-team", "explore", "none")
    assert mode_name(ResearchMode.red_team) == "red-team" and mode_name(None) == NO_MODE


def test_the_sidebar_lists_the_same_modes() -> None:
    assert ts_strings(ts_constant("RESEARCH_MODES")) == [mode.value for mode in ResearchMode]
    assert ts_strings(ts_constant("NO_MODE")) == [NO_MODE]


def test_the_sidebar_offers_the_inbox_filters_with_the_statuses_each_keeps() -> None:
    body = ts_constant("FILTER_STATUSES")
    entries = dict(re.findall(r"(\w+): (\[[^\]]*\]|null)", body))
    assert tuple(entries) == INBOX_FILTERS
    for name, statuses in entries.items():
        kept = None if statuses == "null" else tuple(ts_strings(statuses))
        assert kept == SURPRISE_FILTERS[name], name


def test_every_status_is_a_filter_by_itself() -> None:
    assert all(SURPRISE_FILTERS[s.value] == (s.value,) for s in SurpriseStatus)
    assert SURPRISE_FILTERS["all"] is None


def test_every_mode_has_its_colour_in_the_charts() -> None:
    assert tuple(MODE_COLOURS) == MODE_NAMES
