"""The authors of a team project and the state of each one's file, read without ever writing to it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal, Optional, TypeVar

from logbook.errors import (
    LogbookDamaged,
    LogbookError,
    LogbookReadOnly,
    LogbookTooNew,
)
from logbook.paths import team_folder
from logbook.replies import TeamAuthor
from logbook.store.core import Store
from logbook.store.portable import missing_wal
from logbook.team.authors import SUFFIX, author_of

T = TypeVar("T")

#: What a teammate's file is, as read: only ``ok`` files are shown and counted.
State = Literal["ok", "damaged", "newer", "older", "half-copied", "unreadable"]

STATE_WORDS: dict[str, str] = {
    "ok": "ok",
    "damaged": "damaged: not read",
    "newer": "from a newer Logbook: not read",
    "older": "from an older Logbook: its author opens it once to upgrade it",
    "half-copied": "half-copied: its records are in a WAL that is not beside it",
    "unreadable": "unreadable",
}


@dataclass(frozen=True)
class Member:
    """One author's file as this process found it, with what it holds when it could be read."""

    author: str
    path: Path
    mine: bool
    state: State
    problem: str = ""
    hypotheses: int = 0
    experiments: int = 0
    open_surprises: int = 0
    events: int = 0
    #: The key ids that sealed this author's history (``logbook.store.seal``): how two authors of one name differ.
    keys: frozenset[str] = field(default_factory=frozenset)


def describe(member: "Member | TeamAuthor") -> str:
    """One line: who, whose, and what the file holds or why it was not read."""
    who = f"{member.author} (you)" if member.mine else member.author
    if member.state != "ok":
        return f"{who}: {STATE_WORDS[member.state]} ({member.problem})"
    return (
        f"{who}: {member.hypotheses} hypotheses, {member.experiments} experiments, "
        f"{member.open_surprises} open surprises, {member.events} events"
    )


def author_files(folder: Path) -> list[Path]:
    """Every author's logbook in a team's ``authors`` folder, by author name."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()), key=author_of)


@contextlib.contextmanager
def open_read_only(path: Path, check_integrity: bool = True) -> Iterator[Store]:
    """A teammate's logbook opened for reading only: nothing is written to it or beside it."""
    with Store(path, check_integrity=check_integrity, guest=True) as store:
        yield store


def read_member(path: Path, mine: bool = False, check_integrity: bool = True) -> Member:
    """What ``path`` holds, or the state that kept it from being read (never an exception for a bad file)."""
    return read_member_and(path, lambda store: None, mine, check_integrity)[0]


def read_member_and(
    path: Path, also: Callable[[Store], T], mine: bool = False, check_integrity: bool = True
) -> tuple[Member, Optional[T]]:
    """:func:`read_member`, and what ``also(store)`` reads in the same snapshot of the file (None when the file
    could not be read): one opening of each teammate's file per view."""
    author = author_of(path)
    if missing_wal(path):
        return Member(author, path, mine, "half-copied", f"{path.name}-wal is not beside {path.name}"), None
    try:
        with open_read_only(path, check_integrity) as store, store.snapshot():
            head = store.chain_head()
            member = Member(
                author,
                path,
                mine,
                "ok",
                hypotheses=store.count("hypotheses"),
                experiments=store.count("experiments"),
                open_surprises=store.count_surprises("open"),
                events=head["events"] if head else 0,
                keys=frozenset(row["key"] for row in store.seals()),
            )
            return member, also(store)
    except LogbookDamaged as error:
        return Member(author, path, mine, "damaged", str(error)), None
    except LogbookTooNew as error:
        return Member(author, path, mine, "newer", str(error)), None
    except LogbookReadOnly as error:
        state: State = "older" if "needs upgrading" in str(error) else "unreadable"
        return Member(author, path, mine, state, str(error)), None
    except (LogbookError, OSError) as error:
        return Member(author, path, mine, "unreadable", str(error)), None


def team_members(logbook: Path, check_integrity: bool = True) -> list[Member]:
    """Every author of the team project ``logbook`` belongs to, yours first and marked ``mine``; [] outside a team.

    ``check_integrity=False`` skips SQLite's quick check of each file (a server reading on every change)."""
    folder = team_folder(logbook)
    if folder is None:
        return []
    own = Path(logbook).resolve()
    return yours_first(
        [
            read_member(path, mine=path.resolve() == own, check_integrity=check_integrity)
            for path in author_files(folder)
        ]
    )


def yours_first(members: list[Member]) -> list[Member]:
    """Your own record first, then your teammates' by name."""
    return sorted(members, key=lambda m: (not m.mine, m.author))


def several_authors(members: list[Member]) -> bool:
    """Whether ids must name their author (``H3·ana``): more than one author has a file."""
    return len(members) > 1


def member_named(members: list[Member], author: str) -> Optional[Member]:
    return next((m for m in members if m.author == author), None)
