"""``logbook team`` and ``logbook merge``: every author's record in a team project, and a teammate's brought in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Optional

from logbook.errors import LogbookError
from logbook.paths import FOLDER, find_logbook, project_folder, team_folder
from logbook.team.authors import current_author, qualified
from logbook.team.members import Member, open_read_only, several_authors, team_members

#: Lines shown per author for hypotheses and for open surprises.
SHOWN_PER_AUTHOR = 10


def _logbook(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else find_logbook()


def _first_line(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _records(member: Member, several: bool) -> list[str]:
    """An author's hypotheses and open surprises, ids qualified by author when the team has several."""
    lines = []
    with open_read_only(member.path) as store:
        for h in store.hypotheses()[:SHOWN_PER_AUTHOR]:
            hid = qualified(h.id, member.author, several)
            lines.append(f"    {hid:<10} {h.status.value:<10} {h.credence:4.2f}  {_first_line(h.statement)}")
        for s in store.surprises("open", limit=SHOWN_PER_AUTHOR):
            sid = qualified(f"S{s.id}", member.author, several)
            what = s.note if s.manual or s.kind == "drift" else f"{s.hypothesis_id}: {s.prediction}"
            lines.append(f"    {sid:<10} open       {'':4}  {_first_line(what)}")
    return lines


def cmd_team(args: argparse.Namespace) -> int:
    if args.start:
        from logbook.team.start import start_team

        project = Path.cwd()
        for folder in (project, *project.parents):
            if (folder / FOLDER).is_dir():
                project = folder
                break
        target = start_team(project, args.as_author or current_author())
        print(
            f"{project} is a team project: your record is {target}; each teammate's kernels write their own"
        )
        return 0
    logbook = _logbook(args)
    members = team_members(logbook)
    if not members:
        if team_folder(logbook) is None:
            raise LogbookError(
                f"{project_folder(logbook)} is not a team project: start one with `logbook team --start`"
            )
        print("no author has written here yet", file=sys.stderr)
        return 0
    shown = [m for m in members if not args.author or m.author in args.author]
    if not shown:
        raise LogbookError(
            f"no author named {', '.join(args.author)} here; the authors are {', '.join(m.author for m in members)}"
        )
    several = several_authors(members)
    print(f"Team logbook {team_folder(logbook)}: {len(members)} author{'s' if several else ''}")
    for member in shown:
        print(f"  {member.describe()}")
        if member.state == "ok" and not args.brief:
            for line in _records(member, several):
                print(line)
    return 0 if all(m.state == "ok" for m in members) else 1


def cmd_merge(args: argparse.Namespace) -> int:
    from logbook.team.merge import merge_record

    merged = merge_record(Path(args.other), _logbook(args), args.as_author)
    print(merged.line())
    return 0


def verify_team_command(args: argparse.Namespace) -> Optional[int]:
    """``logbook verify`` in a team project: every author's record (or those named); None outside a team."""
    logbook = _logbook(args)
    if args.export or team_folder(logbook) is None:
        return None
    from logbook.team.verify import verify_team

    checks = verify_team(logbook, args.author)
    if not checks:
        raise LogbookError(
            "no author's record to check here" + (f" named {', '.join(args.author)}" if args.author else "")
        )
    failed = [c for c in checks if not c.ok]
    for check in checks:
        print(check.line(), file=sys.stderr if not check.ok else sys.stdout)
    if failed:
        names = ", ".join(c.member.author for c in failed)
        print(f"logbook verify: the record of {names} fails", file=sys.stderr)
        return 1
    return 0


def register(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``logbook team`` and ``logbook merge``; ``add`` makes a top-level command."""
    team = add(
        "team",
        cmd_team,
        "A team project's authors: each one's file and state, hypotheses and open surprises (ids as H3·ana).",
    )
    team.add_argument("--author", action="append", help="only this author (repeat for several)")
    team.add_argument("--brief", action="store_true", help="one line per author")
    team.add_argument(
        "--start",
        action="store_true",
        help="make this project a team project: its logbook becomes your file under .logbook/authors/",
    )
    team.add_argument("--as", dest="as_author", help="with --start: your author name (default: $USER)")
    merge = add(
        "merge",
        cmd_merge,
        "Bring a teammate's logbook file (or snapshot) into this team project as their read-only record, "
        "once its history verifies.",
    )
    merge.add_argument("other", metavar="OTHER.db", help="their logbook file or `logbook snapshot` copy")
    merge.add_argument(
        "--as", dest="as_author", help="whose record it is (default: the author who sealed it)"
    )
