"""The dashboard in a team project: a Team chart of everyone's open surprises on your dashboard, and any
teammate's own dashboard, read from their file without writing to it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from logbook.errors import NotFound
from logbook.paths import team_folder
from logbook.report.charts import team_surprises_spec
from logbook.report.dashboard import Dashboard, DashboardCache, DashboardChart, dashboard, dashboard_chart
from logbook.team.authors import author_file_name
from logbook.team.members import Member, open_read_only, read_member, team_members
from logbook.team.view import surprise_text

#: Open surprises charted per author (the newest).
SURPRISES_PER_AUTHOR = 500


@dataclass
class TeammateCaches:
    """A :class:`DashboardCache` per teammate, kept by the server between calls, each used by one call at a time."""

    caches: dict[str, DashboardCache] = field(default_factory=dict)
    locks: dict[str, threading.Lock] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def lock(self, author: str) -> tuple[threading.Lock, DashboardCache]:
        with self.guard:
            return (
                self.locks.setdefault(author, threading.Lock()),
                self.caches.setdefault(author, DashboardCache()),
            )


def team_authors(logbook: Path) -> list[str]:
    """Every author of ``logbook``'s team project, yours first; [] outside one."""
    return [m.author for m in team_members(logbook, check_integrity=False)]


def _surprise_points(members: list[Member]) -> list[dict]:
    points = []
    for member in members:
        if member.state != "ok":
            continue
        with open_read_only(member.path, check_integrity=False) as store:
            for s in store.surprises("open", limit=SURPRISES_PER_AUTHOR, newest_first=True):
                bits = (
                    f"{s.surprisal_bits:.2f} bits"
                    if s.surprisal_bits is not None
                    else "no stated probability"
                )
                points.append(
                    {
                        "at": s.created_at.isoformat(),
                        "bits": round(s.surprisal_bits or 0.0, 3),
                        "author": member.author,
                        "label": f"S{s.id}·{member.author} {surprise_text(s)}: {bits}, "
                        f"{s.created_at:%Y-%m-%d %H:%M}",
                    }
                )
    return sorted(points, key=lambda p: p["at"])


def team_charts(logbook: Path) -> tuple[list[str], list[DashboardChart]]:
    """The authors of ``logbook``'s team and the Team group's charts: everyone's open surprises over time,
    with each author's counts; ([], []) outside a team project."""
    members = team_members(logbook, check_integrity=False)
    if not members:
        return [], []
    points = _surprise_points(members)
    details = [
        f"{m.author}{' (you)' if m.mine else ''}: {m.hypotheses:,} hypotheses, {m.experiments:,} experiments, "
        f"{m.open_surprises:,} open surprises"
        if m.state == "ok"
        else f"{m.author}: {m.state}, not read ({m.problem})"
        for m in members
    ]
    chart = dashboard_chart(
        "team-surprises",
        "team",
        "Open surprises across the team",
        team_surprises_spec(points) if points else None,
        note=f"{len(points):,} open surprises of {len(members)} authors; choose an author above for their charts",
        details=details,
    )
    return [m.author for m in members], [chart] if chart else []


def is_teammate(logbook: Path, author: str) -> bool:
    """Whether ``author`` names someone other than the writer of ``logbook`` (whose own file it is not)."""
    folder = team_folder(logbook)
    if folder is None:
        return True  # outside a team, any name is someone else's: teammate_dashboard says there is no team
    return (folder / author_file_name(author)).resolve() != Path(logbook).resolve()


def teammate_dashboard(
    logbook: Path, author: str, have: Iterable[str] = (), caches: Optional[TeammateCaches] = None
) -> Dashboard:
    """``author``'s own dashboard, read from their file in ``logbook``'s team project (nothing written to it)."""
    folder = team_folder(logbook)
    if folder is None:
        raise NotFound("this project is not a team project: there is no teammate's dashboard")
    path = folder / author_file_name(author)
    if not path.exists():
        raise NotFound(f"no author named {author} in this project")
    member = read_member(path, check_integrity=False)
    if member.state != "ok":
        raise NotFound(f"{author}'s logbook is {member.state} ({member.problem}): it has no dashboard")
    lock, cache = (caches or TeammateCaches()).lock(author)
    with lock, open_read_only(path, check_integrity=False) as store:
        reply = dashboard(store, have, cache)
    return reply.model_copy(update={"author": author, "authors": team_authors(logbook)})
