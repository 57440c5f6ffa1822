"""The team view: every author of a team project, and the hypotheses and open surprises of those asked for.

Read for the sidebar (``GET team``) and for the change feed, which notices a
teammate's write by the size and time of their file and its WAL (a few
``stat`` calls) before anything is opened.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from logbook.errors import LogbookError, NotFound
from logbook.models import Remark, SearchResults, Surprise
from logbook.paths import project_folder, project_path, team_folder
from logbook.replies import (
    TeamAuthor,
    TeamExperiment,
    TeamHypothesis,
    TeammateMatches,
    TeamPrediction,
    TeamRemark,
    TeamSurprise,
    TeamView,
)
from logbook.store.core import Store
from logbook.team.authors import author_file_name, author_of, qualified
from logbook.team.checks import TeamChecks, file_signature
from logbook.team.members import (
    STATE_WORDS,
    Member,
    author_files,
    open_read_only,
    read_member,
    read_member_and,
)

#: Open surprises read per author (the newest).
SURPRISES_PER_AUTHOR = 50
#: Experiments read per author (the newest).
EXPERIMENTS_PER_AUTHOR = 20


def team_signature(logbook: Path) -> str:
    """What changes whenever a teammate writes: each other author's file and WAL, by size and time; "" alone."""
    folder = team_folder(logbook)
    if folder is None:
        return ""
    own = Path(logbook).name
    return "|".join(
        f"{path.name}:{file_signature(path)}" for path in author_files(folder) if path.name != own
    )


def surprise_text(surprise: Surprise) -> str:
    """What a surprise says, in one line: "H2.P1 failed: score > 0.5", "drift: ...", "flagged by hand: ..."."""
    if surprise.manual:
        return f"flagged by hand: {surprise.note}"
    if surprise.kind == "drift":
        return f"drift: {surprise.note}"
    return f"{surprise.prediction_id or surprise.hypothesis_id} failed: {surprise.prediction or ''}"


def team_version(logbook: Path, checks: Optional[TeamChecks] = None) -> str:
    """A short version of :func:`team_signature` (and of ``checks``' verdicts) for the change feed: "" outside a
    team project."""
    signature = team_signature(logbook)
    if signature and checks is not None:
        signature += f"|checks:{checks.generation}"
    return hashlib.sha1(signature.encode()).hexdigest()[:12] if signature else ""


def _author(member: Member, checks: Optional[TeamChecks]) -> TeamAuthor:
    """``member`` as the team view names it, with its last background check when ``checks`` has one."""
    own = ("state_words", "verified", "verify_problem")
    fields = {name: getattr(member, name) for name in TeamAuthor.model_fields if name not in own}
    checked = None if checks is None or member.mine or member.state != "ok" else checks.verdict(member.author)
    return TeamAuthor(
        **fields,
        state_words=STATE_WORDS[member.state],
        verified=checked.ok if checked else None,
        verify_problem=checked.problem if checked else "",
    )


def _summary(source: str) -> str:
    """A cell's first line that says something (not blank, not a comment), cut to 120 characters."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    said = next((line for line in lines if not line.startswith("#")), lines[0] if lines else "")
    return said[:120]


Target = tuple[str, str]


def _remarks(
    name: str, several: bool, store: Store, written: list[Remark]
) -> list[tuple[Target, TeamRemark]]:
    """``name``'s remarks (``written``) as the team reads them, each with the record it is about: ((bob, H3), remark)."""
    found = []
    for r in written:
        made = r.prediction_id or r.hypothesis_id
        text = r.text
        with contextlib.suppress(NotFound):  # what the record it made says, beside its id
            if r.prediction_id:
                text = store.prediction(r.prediction_id).expression
            elif r.hypothesis_id:
                text = store.hypothesis(r.hypothesis_id).statement
        found.append(
            (
                (r.about_author, r.about_id),
                TeamRemark(
                    author=name,
                    label=qualified(f"R{r.id}", name, several),
                    kind=r.kind,
                    about=f"{r.about_id}·{r.about_author}",
                    text=text,
                    made=qualified(made, name, several) if made else None,
                    created_at=r.created_at.isoformat(),
                ),
            )
        )
    return found


@dataclass
class _Read:
    """What one author's file gave the team view."""

    hypotheses: list[TeamHypothesis]
    surprises: list[TeamSurprise]
    experiments: list[TeamExperiment]
    remarks: list[tuple[Target, TeamRemark]]


def _records(path: Path, store: Store, *, several: bool) -> _Read:
    """What the team view shows of the author of ``path``, read from their open ``store``."""
    name = author_of(path)
    project = project_folder(path)
    written = store.team_remarks()
    remarks = _remarks(name, several, store, written)
    # Each hypothesis of this author's that a remark made (a challenge's copy, a follow-up): what it answers.
    answers = {r.hypothesis_id: f"{r.about_id}·{r.about_author}" for r in written if r.hypothesis_id}
    hypotheses = [
        TeamHypothesis(
            author=name,
            id=h.id,
            label=qualified(h.id, name, several),
            statement=h.statement,
            credence=h.credence,
            status=h.status.value,
            predictions=[
                TeamPrediction(
                    label=qualified(p.id, name, several),
                    expression=p.expression,
                    credence=p.credence,
                    state=p.state.value,
                )
                for p in h.predictions
                if p.superseded_by is None
            ],
            answers=answers.get(h.id),
        )
        for h in store.hypotheses()
    ]
    experiments = [
        TeamExperiment(
            author=name,
            id=row["id"],
            label=qualified(f"E{row['id']}", name, several),
            notebook=project_path(row["notebook"], project),
            summary=_summary(row["source"] or ""),
            ok=bool(row["ok"]),
            started_at=str(row["started_at"]),
        )
        for row in store.experiment_rows(limit=EXPERIMENTS_PER_AUTHOR)[1]
    ]
    surprises = []
    for s in store.surprises("open", limit=SURPRISES_PER_AUTHOR, newest_first=True):
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
    return _Read(hypotheses, surprises, experiments, remarks)


def team_view(
    logbook: Path,
    authors: Optional[Iterable[str]] = None,
    check_integrity: bool = True,
    checks: Optional[TeamChecks] = None,
) -> TeamView:
    """Every author of ``logbook``'s team, and the records of ``authors`` (all when None), newest first.

    ``check_integrity=False`` skips SQLite's quick check of each file (the server reads on every change);
    ``checks`` (a server's background verification) says whose record verified when last checked.
    """
    folder = team_folder(logbook)
    if folder is None:
        return TeamView(team=False, authors=[], hypotheses=[], surprises=[], experiments=[])
    own = Path(logbook).resolve()
    paths = author_files(folder)
    several = len(paths) > 1  # as several_authors says of the members read from them
    # Each file opened once: its state and counts, and what the view shows of it, in one snapshot.
    found = [
        read_member_and(
            path,
            functools.partial(_records, path, several=several),
            mine=path.resolve() == own,
            check_integrity=check_integrity,
        )
        for path in paths
    ]
    found.sort(key=lambda pair: (not pair[0].mine, pair[0].author))  # yours first, as yours_first orders
    members = [member for member, _ in found]
    wanted = None if authors is None else set(authors)
    hypotheses: list[TeamHypothesis] = []
    surprises: list[TeamSurprise] = []
    experiments: list[TeamExperiment] = []
    remarks: dict[Target, list[TeamRemark]] = {}
    for member, read in found:
        if read is None:
            continue
        for target, remark in read.remarks:  # a remark shows on its target whoever is shown
            remarks.setdefault(target, []).append(remark)
        if wanted is None or member.author in wanted:
            hypotheses += read.hypotheses
            surprises += read.surprises
            experiments += read.experiments

    def on(author: str, record_id: str) -> list[TeamRemark]:
        return sorted(remarks.get((author, record_id), []), key=lambda r: r.created_at)

    for h in hypotheses:
        h.remarks = on(h.author, h.id)
    for s in surprises:
        s.remarks = on(s.author, f"S{s.id}")
    surprises.sort(key=lambda s: s.flagged_at, reverse=True)
    experiments.sort(key=lambda e: e.started_at, reverse=True)
    return TeamView(
        team=True,
        authors=[_author(m, checks) for m in members],
        hypotheses=hypotheses,
        surprises=surprises,
        experiments=experiments,
    )


def teammate_record(logbook: Path, author: str, record_id: str) -> str:
    """What a teammate's hypothesis states, or a surprise says, read from their file; an error names why not."""
    folder = team_folder(logbook)
    if folder is None:
        raise LogbookError("this project is not a team project: there is no teammate to remark on")
    target = folder / author_file_name(author)
    if Path(target).resolve() == Path(logbook).resolve():
        raise LogbookError(f"{record_id} is your own: write a note on it instead")
    if not target.exists():
        raise NotFound(f"no author named {author} in this project")
    record_id = record_id.strip().upper()
    try:
        with open_read_only(target, check_integrity=False) as store:
            if record_id.startswith("S") and record_id[1:].isdigit():
                return surprise_text(store.surprise(int(record_id[1:])))
            return store.hypothesis(record_id).statement
    except NotFound:
        raise NotFound(f"{author} has no {record_id}") from None


def team_search(
    logbook: Path, text: str, kinds: Optional[list[str]] = None, limit: int = 10, yours: bool = True
) -> list[tuple[Member, SearchResults]]:
    """Search every readable author's logbook of ``logbook``'s team (``yours=False``: only the teammates'):
    each author with what matched, yours first."""
    folder = team_folder(logbook)
    if folder is None:
        raise LogbookError("this project is not a team project: search your logbook without --team")
    own = Path(logbook).resolve()
    found = []
    for path in author_files(folder):
        mine = path.resolve() == own
        if mine and not yours:
            continue
        member = read_member(path, mine=mine, check_integrity=False)
        if member.state != "ok":
            continue
        with open_read_only(path, check_integrity=False) as store:
            found.append((member, store.search(text, kinds=kinds, limit=limit)))
    return sorted(found, key=lambda pair: (not pair[0].mine, pair[0].author))


def teammate_matches(
    logbook: Path, text: str, kinds: Optional[list[str]] = None, limit: int = 5
) -> list[TeammateMatches]:
    """What a search finds in each teammate's logbook (not yours), best of each kind first; a search that
    cannot run (no words) finds nothing there."""
    try:
        found = team_search(logbook, text, kinds, limit, yours=False)
    except LogbookError:
        return []
    return [
        TeammateMatches(author=member.author, total=results.total, hits=results.hits())
        for member, results in found
        if results.total
    ]
