"""The ``logbook`` command line: export, list, search, history, trust, snapshot, verify."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from logbook.cli.beliefs import register as register_beliefs
from logbook.cli.history_text import history_text
from logbook.cli.team import register as register_team
from logbook.cli.team import verify_team_command
from logbook.dates import moment
from logbook.models import Surprise
from logbook.paths import find_logbook
from logbook.report.exporting import (
    FORMATS,
    export_logbook,
    export_schema,
    render,
)
from logbook.report.selection import Selection
from logbook.rules.trust import shown
from logbook.store.core import LogbookError, Store
from logbook.store.tables.predictions import TrustReview
from logbook.words import SURPRISE_FILTERS

#: Problems ``logbook verify`` prints; the first is the one to look at.
VERIFY_PROBLEMS_SHOWN = 10


def _open(args: argparse.Namespace) -> Store:
    path = Path(args.db) if args.db else find_logbook()
    if not path.exists():
        raise LogbookError(
            f"no logbook at {path} (run some cells with %load_ext kernel_hooks first, or pass --db)"
        )
    return Store(path)


def _first_line(text: str, width: int = 70) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _moment(text: str) -> str:
    """Check a --since/--until value here; Selection reads it (a bare date as a whole day)."""
    try:
        moment(text)
    except LogbookError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def cmd_export(args: argparse.Namespace) -> int:
    selection = Selection.of(
        args.since, args.until, args.hypothesis, args.empty_brainstorms, args.every_figure
    )
    if args.with_figures and args.format != "json":
        raise LogbookError(
            "--with-figures is for --format json: Markdown and HTML reports carry their figures"
        )
    if args.with_figures and not (args.output and args.output != "-"):
        raise LogbookError("--with-figures writes the figures beside the export: give --output FILE")
    with _open(args) as store:
        if args.output and args.output != "-":
            written = export_logbook(
                store, args.output, args.format, selection, title=args.title, with_figures=args.with_figures
            )
            print(f"wrote {written}", file=sys.stderr)
        else:
            sys.stdout.write(render(store, args.format, selection, args.title))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    if args.api:
        from logbook.server.api_schema import api_schema

        sys.stdout.write(api_schema())
    else:
        sys.stdout.write(export_schema())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        hypotheses = store.hypotheses()
        print(f"Logbook {store.path}")
        print(
            f"{len(hypotheses)} hypotheses, {store.count('experiments')} experiments, "
            f"{store.count('surprises')} surprises"
        )
        for h in hypotheses:
            print(f"  {h.id:<4} {h.status.value:<10} {h.credence:4.2f}  {_first_line(h.statement)}")
            for p in h.predictions:
                print(
                    f"         {p.id:<8} {p.state.value:<8} {p.credence:4.2f}  {_first_line(p.expression, 50)}"
                    + ("" if p.trusted else f"  [{UNTRUSTED}]")
                )
        surprises = store.surprises()
        if surprises:
            print("Surprises (most surprising first):")
            for s in surprises:
                print("  " + _surprise_line(s))
        for e in store.experiments(limit=args.limit):
            status = "ok " if e.ok else "ERR"
            print(f"  [{e.id:>5}] {status} {e.started_at:%Y-%m-%d %H:%M:%S}  {_first_line(e.source)}")
    return 0


def _surprise_line(s: Surprise) -> str:
    kind = "   drift  " if s.kind == "drift" else "   manual "
    bits = f"{s.surprisal_bits:5.2f} bits" if s.surprisal_bits is not None else kind
    what = (
        s.note
        if s.manual
        else f"drift: {s.note}"
        if s.kind == "drift"
        else f"{s.hypothesis_id}: {s.prediction}"
    )
    return f"S{s.id:<4} {bits}  {s.status.value:<9}  experiment {s.experiment_id}  {_first_line(what, 50)}"


def cmd_surprises(args: argparse.Namespace) -> int:
    with _open(args) as store:
        surprises = store.surprises(args.status)
    if not surprises:
        print(f"no {args.status} surprises", file=sys.stderr)
        return 0
    for s in surprises:
        print(_surprise_line(s))
        if s.resolution is not None:
            by = f" by {s.resolved_by}" if s.resolved_by else ""
            when = f" {s.resolved_at.astimezone():%Y-%m-%d %H:%M}" if s.resolved_at else ""
            why = f": {_first_line(s.explanation, 60)}" if s.explanation else ""
            print(f"       {s.resolution.value}{by}{when}{why}")
    return 0


UNTRUSTED = "not trusted, not evaluated"


def cmd_trust(args: argparse.Namespace) -> int:
    with _open(args) as store:
        reviews = store.trust_review()
        if args.ids:
            wanted = [i.strip().upper() for i in args.ids]
            known = {r.prediction.id for r in reviews}
            missing = [i for i in wanted if i not in known]
            if missing:
                raise LogbookError(f"not untrusted predictions of this logbook: {', '.join(missing)}")
            reviews = [r for r in reviews if r.prediction.id in wanted]
        if not reviews:
            print(f"Every prediction in {store.path} is trusted.")
            return 0
        refused = [r for r in reviews if r.refusal is not None]
        if refused and args.ids:
            raise LogbookError(
                "; ".join(
                    f"{r.prediction.id} cannot be trusted ({r.refusal}); edit it first" for r in refused
                )
            )
        chosen = [r for r in reviews if r.refusal is None]

        def describe(review: TrustReview) -> None:
            p = review.prediction
            statement = shown(_first_line(review.statement or "(no such hypothesis)"))
            print(f"  {p.id}  {p.kind.value} of {p.hypothesis_id}: {statement}")
            print(f"      {shown(p.expression)}")
            if p.kind.value == "expression":
                print(f"      judged when these change: {shown(', '.join(p.names)) or '(none)'}")
            print(f"      untrusted: {'; '.join(review.reasons)}")

        if refused:
            print("These break the rules of a prediction and stay untrusted until you edit them:")
            for review in refused:
                describe(review)
                print(f"      {review.refusal}")
        if not chosen:
            return 1
        print(f"Trusting these lets your kernels evaluate them after your cells ({store.path}):")
        for review in chosen:
            describe(review)
        if not args.yes and not _confirm(f"Trust these {len(chosen)} predictions? [y/N] "):
            print("Nothing trusted.", file=sys.stderr)
            return 1
        trusted = store.trust_predictions(
            [r.prediction.id for r in chosen], hashes={r.prediction.id: r.hash for r in chosen}
        )
    print(f"Trusted {len(trusted)}: {', '.join(p.id for p in trusted)}")
    return 0


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def cmd_search(args: argparse.Namespace) -> int:
    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    marks = ("\x1b[1;4m", "\x1b[0m") if bold else ("«", "»")
    if args.team:
        from logbook.team.view import team_search

        found_by = team_search(Path(args.db) if args.db else find_logbook(), args.text, args.kind, args.limit)
        matched = [(member, found) for member, found in found_by if found.groups]
        if not matched:
            print(f"nothing in the team's logbooks matches {args.text!r}", file=sys.stderr)
            return 1
        for member, found in matched:
            print(f"== {member.author}{' (you)' if member.mine else ''}: {found.total} matching")
            print("\n".join(found.lines(*marks)))
        return 0
    with _open(args) as store:
        found = store.search(args.text, kinds=args.kind, limit=args.limit)
    if not found.groups:
        print(f"nothing in the logbook matches {args.text!r}", file=sys.stderr)
        return 1
    print("\n".join(found.lines(*marks)))
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from logbook.store.seal import NAMESPACE, default_key

    key = Path(args.key).expanduser() if args.key else default_key()
    with _open(args) as store:
        sealed = store.seal_with_ssh(key, args.namespace or NAMESPACE)
    print(f"sealed event {sealed.events}, head {sealed.hash}, with {key} (namespace {sealed.namespace})")
    print("exports now carry this seal; a colleague checks one with:")
    print("  logbook verify EXPORT.json --allowed-signers FILE")
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from logbook.store.portable import write_snapshot

    with _open(args) as store:
        copy = write_snapshot(store.db, store.path, Path(args.out))
    print(
        f"wrote {copy.path} ({copy.bytes / 1e6:.1f} MB in {copy.seconds:.2f} s): one file, every record to now"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from logbook.audit.parallel import available_workers
    from logbook.audit.verify import (
        load_export,
        untrusted_summary,
        verify_export,
        verify_logbook,
    )

    signers = Path(args.allowed_signers) if args.allowed_signers else None
    if not args.db and not args.head and not args.require_seal and signers is None:
        team = verify_team_command(args)
        if team is not None:
            return team
    if args.author:
        raise LogbookError("--author is for a team project's records")
    if args.export:
        export = load_export(Path(args.export))
        if args.db:
            with _open(args) as store:
                result = verify_export(export, store, args.head, signers, args.identity)
        else:
            result = verify_export(
                export, published=args.head, allowed_signers=signers, identity=args.identity
            )
    else:
        if signers is not None:
            print(
                "logbook verify: --allowed-signers checks an export's SSH seal; name the export",
                file=sys.stderr,
            )
            return 2
        with _open(args) as store:
            result = verify_logbook(
                store, args.head, require_seal=args.require_seal, workers=available_workers()
            )
    if result.ok:
        print(result.summary())
        return 0
    print(f"logbook verify: {result.summary()}", file=sys.stderr)
    shown = result.problems[1:VERIFY_PROBLEMS_SHOWN]
    for problem in shown:
        print(f"  also: {problem}", file=sys.stderr)
    if len(result.problems) > len(shown) + 1:
        print(f"  and {len(result.problems) - len(shown) - 1} more", file=sys.stderr)
    if result.untrusted:
        print(f"  also: {untrusted_summary(result.untrusted)}", file=sys.stderr)
    return 1


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as store:
        history = store.cell_history(args.experiment_id)
    sys.stdout.write(history_text(history))
    return 0


def cmd_calibration(args: argparse.Namespace) -> int:
    from logbook.rules.calibration import (
        DIMENSIONS,
        first_verdict_experiments,
        overall_markdown,
        slices_markdown,
    )

    with _open(args) as store:
        hypotheses = store.hypotheses()
        models = store.experiment_models(first_verdict_experiments(hypotheses))
    dimensions = args.by or [*DIMENSIONS, "time"]
    lines = [] if args.by else overall_markdown(hypotheses)
    lines += slices_markdown(hypotheses, models, dimensions, args.window)
    sys.stdout.write("\n".join(lines).rstrip() + "\n")
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    with _open(args) as store:
        credences = dict(_pair(item) for item in args.credence) if args.credence else None
        u = store.decide_proposal(args.proposal, args.decision, args.reason, credences)
    print(f"U{u.id} {u.status.value}")
    return 0


def _pair(text: str) -> tuple[str, float]:
    key, _, value = text.partition("=")
    try:
        return key.strip(), float(value)
    except ValueError:
        raise LogbookError(f"--credence takes ID=VALUE (H1=0.4), not {text!r}") from None


def cmd_demo(args: argparse.Namespace) -> int:
    from logbook.demo.run import run_demo

    folder = Path(args.folder).resolve()
    print(
        f"Running the copying-heads demo in {folder} (a fresh logbook in {folder / '.logbook'})",
        file=sys.stderr,
    )
    started = time.perf_counter()
    log, errors = run_demo(folder, online=args.online)
    took = time.perf_counter() - started
    with Store(folder / ".logbook" / "logbook.db") as store:
        surprises = [s for s in store.surprises() if not s.manual]
        print(
            f"{store.count('experiments')} experiments, {len(store.hypotheses())} hypotheses, "
            f"{len(surprises)} surprises in {took:.0f} s"
        )
        for s in surprises:
            print("  " + _surprise_line(s))
    print(f"Research log: {log}")
    if errors:
        print(
            f"logbook: {errors} demo cells raised errors; see {folder / 'copying_heads.ipynb'}",
            file=sys.stderr,
        )
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="logbook", description="Read and export a research logbook.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help, description=help)
        command.add_argument(
            "--db", help="the logbook file (default: .logbook/logbook.db found upward, or $LOGBOOK_DB)"
        )
        command.set_defaults(handler=handler)
        return command

    export = add("export", cmd_export, "Write the logbook as JSON, Markdown or HTML.")
    export.add_argument("--format", "-f", choices=FORMATS, default="json")
    export.add_argument(
        "--output",
        "-o",
        help="file to write, inside the project: a new file or an earlier export (default: standard output)",
    )
    export.add_argument("--since", type=_moment, help="only records from this date or time on")
    export.add_argument("--until", type=_moment, help="only records up to this date or time")
    export.add_argument(
        "--hypothesis",
        action="append",
        metavar="ID",
        help="only these hypotheses (repeat, or comma-separate: H1,H3)",
    )
    export.add_argument("--title", help="the report's title (default: the project folder's name)")
    export.add_argument(
        "--empty-brainstorms",
        action="store_true",
        help="list brainstorms that produced no hypothesis too (left out by default)",
    )
    export.add_argument(
        "--every-figure",
        action="store_true",
        help="show every figure of the period, not only those of judged, surprising and pinned experiments",
    )
    export.add_argument(
        "--with-figures",
        action="store_true",
        help="JSON: also write the figure outputs, named by hash, in a *-figures/ folder beside the file",
    )
    listing = add("list", cmd_list, "Show hypotheses, surprises and the latest experiments.")
    listing.add_argument("--limit", type=int, default=10, help="experiments to show (default 10)")
    surprises = add("surprises", cmd_surprises, "List surprises by status, most surprising first.")
    surprises.add_argument(
        "--status",
        choices=list(SURPRISE_FILTERS),
        default="open",
        help="open (the default), explained, acted_on, resolved (explained or acted on) or all",
    )
    search = add(
        "search",
        cmd_search,
        "Search hypotheses, predictions, surprises and their explanations, notes, and experiments' code, "
        "outputs and errors: the best matches of each kind, with the line that matched.",
    )
    search.add_argument("text", help="words, each matching the start of a word (induc finds induction)")
    search.add_argument(
        "--kind",
        action="append",
        choices=["hypothesis", "prediction", "surprise", "note", "experiment"],
        help="only this kind (repeat for several)",
    )
    search.add_argument("--limit", type=int, default=10, help="matches shown per kind (default 10)")
    search.add_argument(
        "--team", action="store_true", help="in a team project: every author's logbook, each under its author"
    )
    history = add(
        "history",
        cmd_history,
        "Show every run of the cell an experiment ran: source diffs, changed values, outputs and verdicts.",
    )
    history.add_argument("experiment_id", type=int, metavar="EXPERIMENT_ID")
    schema = add(
        "schema", cmd_schema, "Print the JSON Schema of the JSON export (with --api, of the REST API)."
    )
    schema.add_argument(
        "--api", action="store_true", help="the REST API's routes, the bodies they take and their replies"
    )
    trust = add(
        "trust",
        cmd_trust,
        "Review predictions not signed on this machine, and sign them so your kernels evaluate them.",
    )
    trust.add_argument(
        "ids", nargs="*", metavar="ID", help="only these predictions (default: every untrusted one)"
    )
    trust.add_argument("--yes", "-y", action="store_true", help="trust them without asking")
    snapshot = add(
        "snapshot",
        cmd_snapshot,
        "Write a consistent single-file copy of the logbook, even while kernels write (to share or commit).",
    )
    snapshot.add_argument("out", metavar="OUT.db", help="a new file, or an earlier snapshot to replace")
    verify = add(
        "verify",
        cmd_verify,
        "Check the logbook's history: its hash chain, and that every record agrees with it.",
    )
    verify.add_argument(
        "export", nargs="?", help="a JSON export to check (against the logbook's history when --db is given)"
    )
    verify.add_argument("--head", help="a chain head published earlier: check the history still holds it")
    verify.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="check the export's SSH seal against this allowed-signers file (ssh-keygen -Y verify)",
    )
    verify.add_argument("--identity", help="the signer's identity in that file (default: whoever it names)")
    verify.add_argument(
        "--require-seal", action="store_true", help="fail unless the head is sealed with your own secret"
    )
    verify.add_argument(
        "--author", action="append", help="in a team project: only this author's record (repeat for several)"
    )
    seal = add(
        "seal",
        cmd_seal,
        "Sign the history's head with your SSH key (ssh-keygen -Y sign), for exports a colleague can check.",
    )
    seal.add_argument("--key", help="the SSH private key (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa)")
    seal.add_argument("--namespace", default=None, help="the signature namespace (default: logbook-seal)")
    calibration = add(
        "calibration",
        cmd_calibration,
        "Calibration by tag, mode, brainstorm, model and over time, with the count behind each figure.",
    )
    calibration.add_argument(
        "--by",
        action="append",
        choices=["tag", "mode", "brainstorm", "model", "time"],
        help="one slice (repeat)",
    )
    calibration.add_argument("--window", type=int, default=10, help="first verdicts per rolling Brier window")
    register_beliefs(add, _open)
    register_team(add)
    decide = add("decide", cmd_decide, "Accept, edit or reject a proposed update (U1), with a reason.")
    decide.add_argument("proposal", help="the proposal: U1")
    decide.add_argument("decision", choices=["accepted", "edited", "rejected"])
    decide.add_argument("--reason", default="", help="why")
    decide.add_argument("--credence", action="append", metavar="ID=VALUE", help="for edited: H1=0.4 (repeat)")
    demo = sub.add_parser("demo", help="Run the demo notebook headless and write its research log as HTML.")
    demo.add_argument("--folder", default="logbook-demo", help="where to run it (default: ./logbook-demo)")
    demo.add_argument(
        "--online", action="store_true", help="let the demo download GPT-2 from the Hugging Face hub"
    )
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except LogbookError as error:
        print(f"logbook: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (``logbook list | head``): end quietly, and let
        # nothing left in stdout's buffer fail again as Python exits.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
