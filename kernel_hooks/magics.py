"""Line magics: %hypothesis, %predict, %mode, %surprise, %surprises, %pin, %compete, %credence, %join, %leave,
%tag, %proposals, %decide, %calibration.

Mistakes raise :class:`LogbookError`; the extension's exception handler
shows them as one line, and the cell counts as failed.
"""

from __future__ import annotations

import re
from typing import Optional, TypedDict

from IPython.core.magic import Magics, line_magic, magics_class

import logbook
from logbook.api import HypothesisHandle, session
from logbook.errors import LogbookError
from logbook.models import CompetingSet, Prediction, Proposal

_PREDICT = re.compile(
    r"^\s*(?:-c\s+(?P<c1>\S+)\s+)?(?P<id>H\d+)\s*(?P<c2>[0-9.]+)?\s*:\s*(?P<expr>.+)$", re.I | re.S
)
_CREDENCE = re.compile(r"^\s*-c\s+(?P<credence>\S+)\s+(?P<rest>.*)$", re.S)
_HYPOTHESIS_ID = re.compile(r"^H\d+$", re.I)
_DECISIONS = {"accept": "accepted", "edit": "edited", "reject": "rejected"}
_DECISIONS.update({done: done for done in _DECISIONS.values()})
_SET_TO = re.compile(r"^(?P<who>H\d+|else)=(?P<credence>\S+)$", re.I)
_SET_ID = re.compile(r"^C\d+$", re.I)


_PREDICT_USAGE = (
    "%predict [-c CREDENCE] [--likelihoods H2=0.3,else=0.5] [--base-rate 0.2] [--resolve-by DATE]"
    " [--tags a,b] H1: python_expression"
)
_PREDICT_OPTIONS = {"--likelihoods", "--base-rate", "--resolve-by", "--tags"}


class _PredictOptions(TypedDict, total=False):
    likelihoods: dict[str, float]
    base_rate: float
    resolve_by: str
    tags: list[str]


def _predict_options(line: str) -> tuple[_PredictOptions, str]:
    """The options written before ``H1:`` in ``%predict``, as ``predict``'s keywords, and the rest of the line."""
    options: _PredictOptions = {}
    credence = ""
    rest = line.lstrip()
    while rest.startswith("-"):
        name, _, after = rest.partition(" ")
        value, _, rest = after.lstrip().partition(" ")
        rest = rest.lstrip()
        if name == "-c" and value:
            credence = f"-c {value} "
            continue
        if name not in _PREDICT_OPTIONS or not value:
            raise LogbookError(f"usage: {_PREDICT_USAGE}")
        if name == "--likelihoods":
            given = [p for p in value.split(",") if p]
            pairs = [m for m in map(_SET_TO.match, given) if m is not None]
            if not pairs or len(pairs) < len(given):
                raise LogbookError(f"--likelihoods takes H2=0.3,else=0.5, not {value!r}")
            options["likelihoods"] = {m["who"]: _credence(m["credence"], 0.0) for m in pairs}
        elif name == "--base-rate":
            options["base_rate"] = _credence(value, 0.0)
        elif name == "--resolve-by":
            options["resolve_by"] = value
        else:
            options["tags"] = [t for t in value.split(",") if t]
    return options, credence + rest


def _credence(text: str | None, default: float) -> float:
    if text is None:
        return default
    try:
        return float(text)
    except ValueError:
        raise LogbookError(f"credence must be a number between 0 and 1, got {text!r}") from None


@magics_class
class LogbookMagics(Magics):
    """Logbook's magics."""

    @line_magic
    def hypothesis(self, line: str) -> Optional[HypothesisHandle]:
        """%hypothesis [-c CREDENCE] STATEMENT -- state a hypothesis; with no statement, list them."""
        if not line.strip():
            for handle in logbook.hypotheses():
                print(repr(handle))
            return None
        match = _CREDENCE.match(line)
        credence, statement = (None, line) if match is None else (match["credence"], match["rest"])
        return logbook.hypothesis(statement.strip(), _credence(credence, 0.7))

    @line_magic
    def predict(self, line: str) -> Prediction:
        """%predict [-c CREDENCE] [OPTIONS] H1: EXPRESSION -- add a prediction to a hypothesis.

        Options, before the id: ``--likelihoods H2=0.3,else=0.5`` (how likely it
        holds under each rival), ``--base-rate 0.2`` (under "H1 is false", for a
        hypothesis in no set), ``--resolve-by 2026-12-01``, ``--tags quick,layer1``.
        """
        options, line = _predict_options(line)
        match = _PREDICT.match(line)
        if match is None:
            raise LogbookError(f"usage: {_PREDICT_USAGE}")
        credence = _credence(match["c1"] or match["c2"], 0.9)
        written = HypothesisHandle(session.store().hypothesis(match["id"])).predict(
            match["expr"].strip(), credence, **options
        )
        # Writing it may have judged it at once (its names hold values): show the state after that
        # judging, as the card above says, not the "pending" it was written with.
        logbook.flush(5.0)
        return session.store().prediction(written.id)

    @line_magic
    def mode(self, line: str) -> None:
        """%mode [confirm|red-team|explore] -- switch research mode, or show the current one."""
        name = line.strip() or None
        result = logbook.mode(name)
        if name is None:
            print(f"mode: {result or 'none set'}")

    @line_magic
    def surprise(self, line: str) -> None:
        """%surprise NOTE -- flag the last experiment as surprising."""
        logbook.surprise(line.strip())

    @line_magic
    def surprises(self, line: str) -> None:
        """%surprises [open|explained|acted_on|resolved|all] -- list surprises, most surprising first."""
        found = logbook.surprises(line.strip() or "open")
        for handle in found:
            print(repr(handle))
        if not found:
            print(f"no {line.strip() or 'open'} surprises")

    @line_magic
    def pin(self, line: str) -> None:
        """%pin [CAPTION] -- pin the last figure displayed to the report, with a caption."""
        pinned = logbook.pin(line.strip())
        print(f"pinned the figure at output {pinned.position} of experiment {pinned.experiment_id}")

    @line_magic
    def compete(self, line: str) -> CompetingSet:
        """%compete H1 H2 H3 [--else 0.2] [QUESTION] -- group rival hypotheses; credences and something else sum to 1."""
        words = line.split()
        ids = []
        while words and _HYPOTHESIS_ID.match(words[0]):
            ids.append(words.pop(0).upper())
        something_else = None
        if words[:1] == ["--else"]:
            if len(words) < 2:
                raise LogbookError("usage: %compete H1 H2 [--else 0.2] [question]")
            something_else = _credence(words[1], 0.0)
            words = words[2:]
        if len(ids) < 2:
            raise LogbookError("usage: %compete H1 H2 [--else 0.2] [question]: name two rivals at least")
        question = " ".join(words) or f"which of {', '.join(ids)}?"
        return logbook.compete(question, *ids, something_else=something_else)

    @line_magic
    def credence(self, line: str) -> CompetingSet | HypothesisHandle:
        """%credence H2 0.5 [--give-way H1,else] [REASON] -- change a credence; in a set, who gives way (default: all).

        ``%credence C1 else 0.2 [REASON]`` changes what set C1 leaves to something else.
        """
        words = line.split()
        usage = "usage: %credence H2 0.5 [--give-way H1,else] [reason], or %credence C1 else 0.2 [reason]"
        if len(words) >= 3 and _SET_ID.match(words[0]) and words[1].lower() == "else":
            return logbook.something_else(words[0], _credence(words[2], 0.0), " ".join(words[3:]))
        if len(words) < 2 or not _HYPOTHESIS_ID.match(words[0]):
            raise LogbookError(usage)
        hid, value, rest = words[0].upper(), _credence(words[1], 0.0), words[2:]
        give_way = None
        if rest[:1] == ["--give-way"]:
            if len(rest) < 2:
                raise LogbookError(usage)
            give_way = [g for g in rest[1].split(",") if g]
            rest = rest[2:]
        handle = HypothesisHandle(session.store().hypothesis(hid)).update(
            value, " ".join(rest), give_way=give_way
        )
        s = session.store().hypothesis(hid).set_id
        return session.store().competing_set(s) if s is not None else handle

    @line_magic
    def join(self, line: str) -> CompetingSet:
        """%join C1 H5 [H6 ...] [REASON] -- make hypotheses rivals in a set; the others make room."""
        words = line.split()
        if len(words) < 2 or not _SET_ID.match(words[0]) or not _HYPOTHESIS_ID.match(words[1]):
            raise LogbookError("usage: %join C1 H5 [H6 ...] [reason]")
        ids = []
        rest = words[1:]
        while rest and _HYPOTHESIS_ID.match(rest[0]):
            ids.append(rest.pop(0).upper())
        return logbook.join(words[0], *ids, reason=" ".join(rest))

    @line_magic
    def leave(self, line: str) -> CompetingSet | list[CompetingSet] | None:
        """%leave H5 [H6 ...] [REASON] -- take hypotheses out of their set; what each held goes to something else."""
        words = line.split()
        ids = []
        while words and _HYPOTHESIS_ID.match(words[0]):
            ids.append(words.pop(0).upper())
        if not ids:
            raise LogbookError("usage: %leave H5 [H6 ...] [reason]")
        left = logbook.leave(*ids, reason=" ".join(words))
        return left[0] if len(left) == 1 else (left or None)

    @line_magic
    def tag(self, line: str) -> None:
        """%tag H1.P2 TAG [TAG ...] [--replace] -- tag a hypothesis or a prediction, for calibration by tag."""
        words = line.replace(",", " ").split()
        replace = "--replace" in words
        words = [w for w in words if w != "--replace"]
        if not words or not re.match(r"^H\d+(\.P\d+)?$", words[0], re.I) or not (words[1:] or replace):
            raise LogbookError("usage: %tag H1.P2 TAG [TAG ...] [--replace]")
        tags = logbook.tag(words[0], *words[1:], replace=replace)
        print(f"{words[0].upper()}: {', '.join(tags) or 'no tags'}")

    @line_magic
    def proposals(self, line: str) -> None:
        """%proposals [proposed|accepted|edited|rejected|all] -- the updates Logbook proposed after verdicts."""
        status = line.strip() or "proposed"
        found = logbook.proposals(None if status == "all" else status)
        for proposal in found:
            ratio = f" (likelihood ratio {proposal.ratio:.1f})" if proposal.ratio is not None else ""
            print(repr(proposal) + ratio)
        if not found:
            print(f"no {status} proposals")

    @line_magic
    def decide(self, line: str) -> Proposal:
        """%decide U3 accept|edit|reject [H1=0.4 ...] [REASON] -- decide a proposed update, with the reason."""
        words = line.split()
        if len(words) < 2 or words[1].lower() not in _DECISIONS:
            raise LogbookError("usage: %decide U3 accept|edit|reject [H1=0.4 ...] [reason]")
        decision = _DECISIONS[words[1].lower()]
        rest = words[2:]
        credences: dict[str, float] = {}
        while rest and (match := _SET_TO.match(rest[0])):
            rest.pop(0)
            credences[match["who"]] = _credence(match["credence"], 0.0)
        return logbook.decide(words[0], decision, " ".join(rest), credences or None)

    @line_magic
    def calibration(self, line: str) -> None:
        """%calibration [tag|mode|brainstorm|model|time] -- how often predictions held at each credence, by slice."""
        from logbook.rules.calibration import DIMENSIONS

        by = line.strip() or None
        if by is not None and by not in (*DIMENSIONS, "time"):
            raise LogbookError(f"%calibration by {' | '.join((*DIMENSIONS, 'time'))}, not {by!r}")
        print(logbook.calibration(by))
