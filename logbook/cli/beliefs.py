"""``logbook sets``, ``logbook tag`` and ``logbook due``: competing sets, tags and deadlines from the command line.

Each command opens the logbook, calls one :class:`~logbook.store.core.Store`
method and prints what it now holds::

    logbook sets                                              # every set and proposed update
    logbook sets create "what copies the token?" H1 H2 H3 H4 --else 0.1
    logbook sets create "what copies the token?" --brainstorm 3
    logbook sets credence H2 0.5 --reason "the ablation moved it" --give-way H1 --give-way else
    logbook sets else C1 0.2 --reason "none of these fits period 7"
    logbook sets add C1 H5 --reason "a fifth rival"
    logbook sets remove H5 --reason "not an explanation of copying"
    logbook sets history C1                                   # every dated change with its reason
    logbook tag H1.P2 quick layer1                            # tags slice calibration
    logbook due                                               # pending predictions past their resolve-by date
"""

from __future__ import annotations

import argparse
from typing import Callable, Optional

from logbook.errors import LogbookError
from logbook.models import CompetingSet, Proposal
from logbook.rules.beliefs import ELSE
from logbook.store.core import Store

#: Opens the logbook the command names (``--db``, or the one found upward).
Opener = Callable[[argparse.Namespace], Store]


def _credence(text: str) -> float:
    try:
        value = float(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a credence is a number from 0 to 1 (or 0% to 100%), not {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a credence is between 0 and 1, not {text}")
    return value


def _member(text: str) -> str:
    return ELSE if text.strip().lower() == ELSE else text.strip().upper()


def _giving(values: Optional[list[str]]) -> Optional[list[str]]:
    """``--give-way H1 --give-way else`` or ``--give-way H1,else`` as member ids; None: the others in proportion."""
    if not values:
        return None
    return [_member(v) for value in values for v in value.split(",") if v.strip()]


def set_lines(s: CompetingSet, statements: dict[str, str]) -> list[str]:
    """A set as the command line shows it: its question, each member's credence and statement, something else."""
    lines = [f"C{s.id}  {_first_line(s.question)}"]
    for hid, credence in s.credences.items():
        lines.append(f"    {hid:<6}{credence:6.2f}  {_first_line(statements.get(hid, ''), 60)}")
    lines.append(f"    {'else':<6}{s.something_else:6.2f}  something else")
    if s.nudge:
        lines.append(f"    ! {s.nudge}")
    return lines


def proposal_line(u: Proposal) -> str:
    """One proposal; an open one whose credences moved since shows what accepting it would write now.

    A decided one that wrote other credences than it proposed (accepted after they moved, or edited) also
    says what it wrote.
    """
    update = u.now or u
    moves = ", ".join(f"{k} {update.before[k]:.2f}->{update.after[k]:.2f}" for k in update.before)
    ratio = f", likelihood ratio {update.ratio:.2f}" if update.ratio is not None else ""
    since = " (from the credences as they are now)" if u.now else ""
    verdict = "held" if u.held else "failed"
    wrote = ""
    if u.applied is not None and any(
        round(v, 2) != round(u.after.get(k, -1.0), 2) for k, v in u.applied.items()
    ):
        wrote = "; wrote " + ", ".join(f"{k} {v:.2f}" for k, v in u.applied.items())
    return f"U{u.id}  after {u.prediction_id} {verdict}: {moves}{ratio}{since}{wrote}  [{u.status.value}]"


def history_lines(s: CompetingSet) -> list[str]:
    """Every dated state of a set, oldest first, one column per member it ever had, with the reason."""
    members = list(dict.fromkeys(k for change in s.history for k in change.credences if k != ELSE))
    columns = [*members, ELSE]
    lines = [
        f"C{s.id}  {_first_line(s.question)}",
        f"  {'when':<16}  " + " ".join(f"{m:>5}" for m in columns) + "  why",
    ]
    for change in s.history:
        cells = " ".join(
            f"{change.credences[m]:5.2f}" if m in change.credences else f"{'-':>5}" for m in columns
        )
        lines.append(f"  {change.at.astimezone():%Y-%m-%d %H:%M}  {cells}  {change.reason}")
    return lines


def _first_line(text: str, width: int = 70) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _show(store: Store, s: CompetingSet) -> None:
    statements = {h.id: h.statement for h in store.hypotheses()}
    print("\n".join(set_lines(s, statements)))
    if s.history:
        print(f"    last change: {s.history[-1].reason}")


# -- the subcommands --------------------------------------------------------


def cmd_list(store: Store, args: argparse.Namespace) -> None:
    sets, proposals = store.competing_sets(), store.proposals(now=True)
    statements = {h.id: h.statement for h in store.hypotheses()}
    for s in sets:
        print("\n".join(set_lines(s, statements)))
    for u in proposals:
        print(proposal_line(u))
    if not sets and not proposals:
        print("no competing sets yet: logbook sets create QUESTION H1 H2 ... (or --brainstorm N)")


def cmd_create(store: Store, args: argparse.Namespace) -> None:
    ids = [_member(h) for h in args.hypotheses]
    if not ids and args.brainstorm is None:
        raise LogbookError(
            "name the rival hypotheses (H1 H2 ...) or the brainstorm they came from (--brainstorm N)"
        )
    if not ids:
        made = store.set_from_brainstorm(args.brainstorm, args.question, args.something_else)
    else:
        if len(ids) < 2:
            raise LogbookError("a competing set holds two rivals at least: name another, or use --brainstorm")
        made = store.create_set(args.question, ids, args.something_else, args.brainstorm, args.reason)
    _show(store, made)


def cmd_credence(store: Store, args: argparse.Namespace) -> None:
    member = _member(args.member)
    if member == ELSE:
        raise LogbookError("something else belongs to a set: logbook sets else C1 VALUE")
    _show(store, store.set_credence(member, args.credence, args.reason, give_way=_giving(args.give_way)))


def cmd_else(store: Store, args: argparse.Namespace) -> None:
    _show(store, store.set_something_else(args.set, args.credence, args.reason))


def cmd_add(store: Store, args: argparse.Namespace) -> None:
    made = [store.add_to_set(args.set, _member(hid), args.reason) for hid in args.hypotheses]
    _show(store, made[-1])  # argparse gives one id at least


def cmd_remove(store: Store, args: argparse.Namespace) -> None:
    left = [store.remove_from_set(_member(hid), args.reason) for hid in args.hypotheses]
    _show(store, left[-1])  # argparse gives one id at least


def cmd_history(store: Store, args: argparse.Namespace) -> None:
    chosen = [store.competing_set(args.set)] if args.set else store.competing_sets()
    if not chosen:
        print("no competing sets yet")
    for s in chosen:
        print("\n".join(history_lines(s)))


def cmd_tag(store: Store, args: argparse.Namespace) -> None:
    tags = store.tag(args.record, [t for tag in args.tags for t in tag.split(",")], replace=args.replace)
    print(f"{args.record.strip().upper()}: {', '.join(tags) or 'no tags'}")


def cmd_due(store: Store, args: argparse.Namespace) -> None:
    due = store.due_predictions()
    if not due:
        print("no prediction is past its resolve-by date")
    for p in due:
        when = f"{p.resolve_by.astimezone():%Y-%m-%d}" if p.resolve_by else ""
        print(f"{p.id:<8} due {when}  {p.credence:4.2f}  {_first_line(p.expression, 60)}")


def register(add: Callable[..., argparse.ArgumentParser], opener: Opener) -> None:
    """Add ``logbook sets`` (and its subcommands), ``logbook tag`` and ``logbook due``; ``add`` makes a top-level
    command (see :func:`logbook.cli.main.build_parser`)."""

    def run(handler: Callable[[Store, argparse.Namespace], None]) -> Callable[[argparse.Namespace], int]:
        def command(args: argparse.Namespace) -> int:
            with opener(args) as store:
                handler(store, args)
            return 0

        return command

    sets = add(
        "sets",
        run(cmd_list),
        "Competing sets: list them and proposed updates, create one, change a credence (who gives way), "
        "add or remove a member, show a set's history.",
    )
    sub = sets.add_subparsers(dest="action", metavar="ACTION")

    def action(
        name: str, handler: Callable[[Store, argparse.Namespace], None], help: str
    ) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help, description=help)
        # SUPPRESS: a --db given before the action is kept, one after it is read too.
        command.add_argument("--db", default=argparse.SUPPRESS, help="the logbook file")
        command.set_defaults(handler=run(handler))
        return command

    action("list", cmd_list, "Every set (credences and something else) and every proposed update.")
    create = action(
        "create",
        cmd_create,
        "Group rival hypotheses (or a brainstorm's) as one set; credences are scaled to sum to 1.",
    )
    create.add_argument("question", help="the question the rivals answer")
    create.add_argument("hypotheses", nargs="*", metavar="ID", help="the rivals: H1 H2 ...")
    create.add_argument(
        "--brainstorm", type=int, metavar="N", help="the brainstorm they came from (alone: all it wrote)"
    )
    create.add_argument(
        "--else",
        dest="something_else",
        type=_credence,
        metavar="P",
        help="something else's credence (default: what the members leave, or 0.1)",
    )
    create.add_argument("--reason", default="", help="why they are rivals")
    credence = action(
        "credence",
        cmd_credence,
        "Change a member's credence, with a reason; the others give way (in proportion by default).",
    )
    credence.add_argument("member", metavar="ID", help="the member: H2")
    credence.add_argument("credence", type=_credence, help="its new credence, 0 to 1")
    credence.add_argument("--reason", default="", help="why")
    credence.add_argument(
        "--give-way",
        action="append",
        metavar="ID",
        help="only these give way (repeat or comma-separate; 'else' is something else); default: all the others",
    )
    something = action(
        "else", cmd_else, "Change what something else holds; the members give way in proportion."
    )
    something.add_argument("set", metavar="SET", help="the set: C1")
    something.add_argument("credence", type=_credence, help="something else's new credence")
    something.add_argument("--reason", default="", help="why")
    join = action(
        "add", cmd_add, "Make hypotheses rivals in a set: each keeps its credence, the others make room."
    )
    join.add_argument("set", metavar="SET", help="the set: C1")
    join.add_argument("hypotheses", nargs="+", metavar="ID")
    join.add_argument("--reason", default="", help="why")
    leave = action(
        "remove", cmd_remove, "Take hypotheses out of their set: what each held goes to something else."
    )
    leave.add_argument("hypotheses", nargs="+", metavar="ID")
    leave.add_argument("--reason", default="", help="why")
    history = action("history", cmd_history, "Every dated change of a set (or of all), with its reason.")
    history.add_argument("set", nargs="?", metavar="SET", help="the set: C1 (default: every set)")

    tag = add("tag", run(cmd_tag), "Tag a hypothesis or a prediction, for calibration by tag.")
    tag.add_argument("record", metavar="ID", help="a hypothesis (H1) or a prediction (H1.P2)")
    tag.add_argument(
        "tags", nargs="*", metavar="TAG", help="tags to add (or, with --replace, its tags from now on)"
    )
    tag.add_argument(
        "--replace", action="store_true", help="make these its only tags (none: remove them all)"
    )
    add("due", run(cmd_due), "Pending predictions past their resolve-by date: judge them, or revise them.")


__all__ = ["register", "set_lines", "proposal_line", "history_lines"]
