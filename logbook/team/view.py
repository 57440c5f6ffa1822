"""The team view: every author of a team project, and the hypotheses and open surprises of those asked for.

Read for the sidebar (``GET team``) and for the change feed, which notices a
teammate's write by the size and time of their file and its WAL (a few
``stat`` calls) before anything is opened.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Optional

from logbook.models import Surprise
from logbook.paths import team_folder
from logbook.replies import TeamAuthor, TeamHypothesis, TeamSurprise, TeamView
from logbook.team.authors import qualified
from logbook.team.members import (
    Member,
    author_files,
    open_read_only,
    read_member,
    several_authors,
    yours_first,
)

#: Open surprises read per author (the most surprising first).
SURPRISES_PER_AUTHOR = 50


def team_signature(logbook: Path) -> str:
    """What changes whenever a teammate writes: each other author's file and WAL, by size and time; "" alone."""
    folder = team_folder(logbook)
    if folder is None:
        return ""
    own = Path(logbook).name
    parts = []
    for path in author_files(folder):
        if path.name == own:
            continue
        for side in (path, Path(f"{path}-wal")):
            try:
                stat = os.stat(side)
            except OSError:
                parts.append(f"{side.name}:-")
                continue
            parts.append(f"{side.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def surprise_text(surprise: Surprise) -> str:
    """What a surprise says, in one line: "H2.P1 failed: score > 0.5", "drift: ...", "flagged by hand: ..."."""
    if surprise.manual:
        return f"flagged by hand: {surprise.note}"
    if surprise.kind == "drift":
        return f"drift: {surprise.note}"
    return f"{surprise.prediction_id or surprise.hypothesis_id} failed: {surprise.prediction or ''}"


def team_version(logbook: Path) -> str:
    """A short version of :func:`team_signature` for the change feed: "" outside a team project."""
    signature = team_signature(logbook)
    return hashlib.sha1(signature.encode()).hexdigest()[:12] if signature else ""


def _author(member: Member) -> TeamAuthor:
    return TeamAuthor(
        author=member.author,
        mine=member.mine,
        state=member.state,
        problem=member.problem,
        hypotheses=member.hypotheses,
        experiments=member.experiments,
        open_surprises=member.open_surprises,
        events=member.events,
    )


def _records(member: Member, several: bool, check: bool) -> tuple[list[TeamHypothesis], list[TeamSurprise]]:
    name = member.author
    with open_read_only(member.path, check) as store, store.snapshot():
        hypotheses = [
            TeamHypothesis(
                author=name,
                id=h.id,
                label=qualified(h.id, name, several),
                statement=h.statement,
                credence=h.credence,
                status=h.status.value,
            )
            for h in store.hypotheses()
        ]
        surprises = []
        for s in store.surprises("open", limit=SURPRISES_PER_AUTHOR):
            surprises.append(
                TeamSurprise(
                    author=name,
                    id=s.id,
                    label=qualified(f"S{s.id}", name, several),
                    what=surprise_text(s),
                    surprisal_bits=s.surprisal_bits,
                    experiment_id=s.experiment_id,
                    flagged_at=s.created_at.isoformat(),
                )
            )
    return hypotheses, surprises


def team_view(
    logbook: Path, authors: Optional[Iterable[str]] = None, check_integrity: bool = True
) -> TeamView:
    """Every author of ``logbook``'s team, and the records of ``authors`` (all when None), newest first.

    ``check_integrity=False`` skips SQLite's quick check of each file (the server reads on every change).
    """
    folder = team_folder(logbook)
    if folder is None:
        return TeamView(team=False, authors=[], hypotheses=[], surprises=[])
    own = Path(logbook).resolve()
    members = yours_first(
        [
            read_member(path, mine=path.resolve() == own, check_integrity=check_integrity)
            for path in author_files(folder)
        ]
    )
    wanted = None if authors is None else set(authors)
    several = several_authors(members)
    hypotheses: list[TeamHypothesis] = []
    surprises: list[TeamSurprise] = []
    for member in members:
        if member.state != "ok" or (wanted is not None and member.author not in wanted):
            continue
        theirs, flagged = _records(member, several, check_integrity)
        hypotheses += theirs
        surprises += flagged
    surprises.sort(key=lambda s: s.flagged_at, reverse=True)
    return TeamView(
        team=True, authors=[_author(m) for m in members], hypotheses=hypotheses, surprises=surprises
    )
