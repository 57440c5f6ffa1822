"""``logbook team`` and ``logbook merge``: every author's record in a team project, and a teammate's brought in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Optional

from logbook.errors import LogbookError
from logbook.paths import FOLDER, find_logbook, project_folder, team_folder
from logbook.team.authors import current_author
from logbook.team.members import describe
from logbook.team.view import team_view

#: Lines shown per author for hypotheses and for open surprises.
SHOWN_PER_AUTHOR = 10


def _logbook(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else find_logbook()


def _first_line(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


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
    if team_folder(logbook) is None:
        raise LogbookError(
            f"{project_folder(logbook)} is not a team project: start one with `logbook team --start`"
        )
    view = team_view(logbook, args.author)
    if not view.authors:
        print("no author has written here yet", file=sys.stderr)
        return 0
    names = [a.author for a in view.authors]
    unknown = [name for name in args.author or [] if name not in names]
    if unknown:
        raise LogbookError(f"no author named {', '.join(unknown)} here; the authors are {', '.join(names)}")
    print(f"Team logbook {team_folder(logbook)}: {len(names)} author{'s' if len(names) > 1 else ''}")
    for author in view.authors:
        if args.author and author.author not in args.author:
            continue
        print(f"  {describe(author)}")
        if args.brief:
            continue
        for h in [h for h in view.hypotheses if h.author == author.author][:SHOWN_PER_AUTHOR]:
            print(f"    {h.label:<10} {h.status:<10} {h.credence:4.2f}  {_first_line(h.statement)}")
            for p in h.predictions:
                print(f"      {p.label:<12} {p.state:<8} {p.credence:4.2f}  {_first_line(p.expression)}")
        for s in [s for s in view.surprises if s.author == author.author][:SHOWN_PER_AUTHOR]:
            print(f"    {s.label:<10} open             {_first_line(s.what)}")
        for e in [e for e in view.experiments if e.author == author.author][:SHOWN_PER_AUTHOR]:
            outcome = "ok" if e.ok else "failed"
            print(f"    {e.label:<10} {outcome:<10} {e.started_at[:16]:<16}  {_first_line(e.summary)}")
    return 0 if all(a.state == "ok" for a in view.authors) else 1


def cmd_merge(args: argparse.Namespace) -> int:
    from logbook.team.merge import merge_record

    merged = merge_record(Path(args.other), _logbook(args), args.as_author)
    print(merged.line())
    return 0


def cmd_remark(args: argparse.Namespace) -> int:
    from logbook.store.core import Store
    from logbook.team.remarks import parse_reference, write_remark

    author, record_id = parse_reference(args.record)
    logbook = _logbook(args)
    with Store(logbook) as store:
        remark = write_remark(
            store, args.kind, author, record_id, args.text, args.text, getattr(args, "credence", 0.9)
        )
    print(remark.shown().text())
    print(f"written in your logbook; {author} sees it beside {record_id}")
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
    for kind, help, what in (
        (
            "comment",
            "Comment on a teammate's hypothesis or surprise (H3·bob): kept in yours, shown in theirs.",
            "your words",
        ),
        (
            "challenge",
            "Challenge a teammate's hypothesis (H3·bob) with a red-team prediction of your own, judged by your kernels.",
            "the prediction's expression, e.g. 'induction_score < 0.2'",
        ),
        (
            "follow-up",
            "Follow up a teammate's hypothesis or surprise (S2·bob) with a hypothesis of your own, linked both ways.",
            "your hypothesis",
        ),
    ):
        command = add(kind, cmd_remark, help)
        command.set_defaults(kind=kind)
        command.add_argument("record", metavar="H3·bob", help="the teammate's record (or H3@bob)")
        command.add_argument("text", help=what)
        if kind == "challenge":
            command.add_argument("--credence", type=float, default=0.9, help="your credence that it holds")
    merge = add(
        "merge",
        cmd_merge,
        "Bring a teammate's logbook file, snapshot or JSON export into this team project as their read-only "
        "record, once its history verifies.",
    )
    merge.add_argument(
        "other",
        metavar="OTHER.db|OTHER.json",
        help="their logbook file, `logbook snapshot` copy, or whole `logbook export` JSON",
    )
    merge.add_argument(
        "--as",
        dest="as_author",
        help="whose record it is (default: the author who sealed it; a JSON export needs it)",
    )
