"""The Python API a researcher calls from a notebook: ``import logbook``."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Protocol, Union

from logbook.dates import Moment
from logbook.durations import brainstorm_seconds
from logbook.errors import AlreadyDone
from logbook.models import (
    Brainstorm,
    CellHistory,
    CompetingSet,
    CredenceChange,
    Evidence,
    Hypothesis,
    HypothesisStatus,
    Note,
    Pin,
    Prediction,
    PredictionKind,
    Proposal,
    ResearchMode,
    Resolution,
    SearchResults,
    Surprise,
)
from logbook.paths import find_logbook
from logbook.report.exporting import export_logbook
from logbook.report.selection import Selection
from logbook.rules.predictions import expression_or_text
from logbook.store.core import LogbookError, Store
from logbook.store.tables.sets import brainstorm_nudge
from logbook.text import clean_text


class KernelRecorder(Protocol):
    """What the API asks of the kernel's recorder (:class:`kernel_hooks.recorder.Recorder`)."""

    path: Path

    def flush(self, timeout: float = ...) -> bool: ...
    def reload(self, store: Store) -> None: ...
    def judge_written(self, prediction_id: str) -> None: ...
    def cell_started_at(self) -> Optional[datetime]: ...
    def mode_switched(self, mode: str) -> None: ...
    def show_surprise(self, **payload: Any) -> None: ...


class _Session:
    """The logbook this process talks to, and the kernel recorder if one is loaded."""

    def __init__(self) -> None:
        self.recorder: Optional[KernelRecorder] = None
        self.brainstorm_id: Optional[int] = None
        #: The hypotheses already recorded that the running brainstorm's block stated again (a re-run).
        self.brainstorm_reused: list[Hypothesis] = []
        self._store: Optional[Store] = None

    def store(self) -> Store:
        path = self.recorder.path if self.recorder is not None else find_logbook()
        if self._store is None or self._store.path != Path(path):
            if self._store is not None:
                self._store.close()
            self._store = Store(path)
        elif self._store.replaced():  # the file was deleted or replaced: follow the path
            self._store.reopen()
        if self.recorder is not None:
            # Everything the kernel recorded so far lands before this call writes.
            self.recorder.flush(timeout=0.5)
        return self._store

    def changed(self) -> None:
        """Tell the kernel recorder that hypotheses or predictions changed."""
        if self.recorder is not None and self._store is not None:
            self.recorder.reload(self._store)

    def reset(self) -> None:
        if self._store is not None:
            self._store.close()
        self._store = None


session = _Session()


def _say(message: str) -> None:
    """One quiet line under the cell: what a re-run call found already done."""
    print(f"logbook: {message}")


class HypothesisHandle:
    """A hypothesis in the logbook; its methods record what you learn about it."""

    def __init__(self, hypothesis: Hypothesis):
        self._hypothesis = hypothesis

    @property
    def id(self) -> str:
        return self._hypothesis.id

    @property
    def statement(self) -> str:
        return self._hypothesis.statement

    @property
    def credence(self) -> float:
        return self._hypothesis.credence

    @property
    def status(self) -> str:
        return self._hypothesis.status.value

    @property
    def predictions(self) -> list[Prediction]:
        return list(self._hypothesis.predictions)

    @property
    def history(self) -> list[CredenceChange]:
        return list(self._hypothesis.history)

    def predict(
        self,
        expression: Optional[str] = None,
        credence: float = 0.9,
        *,
        text: Optional[str] = None,
        likelihoods: Optional[dict[str, float]] = None,
        base_rate: Optional[float] = None,
        resolve_by: Moment = None,
        tags: Iterable[str] | str | None = None,
    ) -> Prediction:
        """Add a prediction: a Python ``expression`` judged after each cell, or ``text`` judged by you.

        An expression that does not parse is refused here, with the reason.
        The same prediction again (a re-run cell) returns the one in force.
        ``likelihoods`` (``{"H2": 0.3, "else": 0.5}``: how likely it holds under
        each rival) or ``base_rate`` (under "this hypothesis is false") shape the
        update Logbook proposes after its verdict; ``resolve_by`` is a date
        after which, still pending, it shows as due.
        """
        words, kind = expression_or_text(expression, text)
        store = session.store()
        existing = store.same_prediction(self.id, words, credence, kind)
        if existing is not None:
            return existing
        prediction = store.add_prediction(
            self.id,
            words,
            credence,
            kind,
            likelihoods=likelihoods,
            base_rate=base_rate,
            resolve_by=resolve_by,
            tags=tags,
        )
        self._refresh()
        if session.recorder is not None and kind == PredictionKind.expression:
            # In a kernel, a prediction whose names already hold values is judged on them at once.
            session.recorder.judge_written(prediction.id)
        return prediction

    def update(
        self, credence: float, reason: str = "", give_way: Optional[list[str]] = None
    ) -> "HypothesisHandle":
        """Record a new credence, and why; one its history already holds, with this reason, is not added again.

        In a competing set the others give way in proportion, or only those
        named in ``give_way`` (ids, and ``"else"`` for something else):
        ``h.update(0.5, "the ablation moved it", give_way=["H1", "else"])``.
        """
        store = session.store()
        self._hypothesis = store.hypothesis(self.id)
        reason = clean_text(reason).strip()
        said = [c.reason for c in self._hypothesis.history if c.credence == credence]
        if any(r == reason or (self._hypothesis.set_id and r.endswith(f": {reason}")) for r in said):
            now = self._hypothesis.credence
            later = "" if round(now, 2) == round(credence, 2) else f" (a later change made it {now:.2f})"
            _say(f"{self.id} already records credence {credence:.2f} for this reason{later}; nothing changed")
            return self
        if give_way is not None and self._hypothesis.set_id is None:
            raise LogbookError(f"{self.id} is in no competing set: no one gives way")
        if self._hypothesis.set_id is not None:
            store.set_credence(self.id, credence, reason, give_way=give_way)
            self._hypothesis = store.hypothesis(self.id)
        else:
            self._hypothesis = store.update_credence(self.id, credence, reason)
        session.changed()
        return self

    def refute(self, reason: str = "", credence: Optional[float] = None) -> "HypothesisHandle":
        """Mark it refuted; its credence becomes ``credence``, or 0 when none is given.

        Its open prediction surprises close as refuted, with the reason. A
        hypothesis already refuted stays as it is.
        """
        try:
            return self._set_status(HypothesisStatus.refuted, reason, credence)
        except AlreadyDone as done:
            self._refresh()
            _say(str(done))
            return self

    def support(self, reason: str = "", credence: Optional[float] = None) -> "HypothesisHandle":
        """Mark it supported; its credence stays as it is unless you give one."""
        return self._set_status(HypothesisStatus.supported, reason, credence)

    def abandon(self, reason: str = "", credence: Optional[float] = None) -> "HypothesisHandle":
        """Stop pursuing it; its credence stays as it is unless you give one."""
        return self._set_status(HypothesisStatus.abandoned, reason, credence)

    def _set_status(
        self, status: HypothesisStatus, reason: str, credence: Optional[float]
    ) -> "HypothesisHandle":
        self._hypothesis = session.store().set_status(self.id, status, reason, credence)
        session.changed()
        return self

    def _refresh(self) -> None:
        self._hypothesis = session.store().hypothesis(self.id)
        session.changed()

    def __repr__(self) -> str:
        return repr(self._hypothesis)

    def _repr_html_(self) -> str:
        return self._hypothesis._repr_html_()


class SurpriseHandle:
    """A surprise in the logbook; its methods close it with the action you take.

    Its fields (``status``, ``read``, ``resolution``, ``explanation``, ...)
    read as those of :class:`logbook.models.Surprise`, with choices as plain
    strings (``"open"``, ``"refuted"``).
    """

    def __init__(self, surprise: Surprise):
        self._surprise = surprise

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._surprise, name)
        return value.value if isinstance(value, Enum) else value

    def explain(self, explanation: str) -> "SurpriseHandle":
        """Close it as explained: say what accounts for it. No belief changes."""
        return self.resolve(Resolution.explained, explanation=explanation)

    def dismiss(self, explanation: str = "") -> "SurpriseHandle":
        """Close it as not worth acting on. No belief changes."""
        return self.resolve(Resolution.dismissed, explanation=explanation)

    def refute(self, reason: str, credence: Optional[float] = None) -> "SurpriseHandle":
        """Refute its hypothesis, with the reason; credence becomes ``credence``, or 0 when none is given."""
        return self.resolve(Resolution.refuted, credence=credence, reason=reason)

    def update(self, credence: float, reason: str) -> "SurpriseHandle":
        """Give its hypothesis a new credence, with the reason."""
        return self.resolve(Resolution.credence_updated, credence=credence, reason=reason)

    def resolve(
        self,
        action: Resolution | str,
        explanation: str = "",
        credence: Optional[float] = None,
        reason: str = "",
    ) -> "SurpriseHandle":
        """Close it with ``action``: refuted, credence_updated, explained or dismissed.

        Closing it again the same way changes nothing; another action is refused.
        """
        store = session.store()
        self._surprise = store.surprise(self._surprise.id)
        asked = action.value if isinstance(action, Resolution) else str(action)
        if self._surprise.resolution is not None and self._surprise.resolution.value == asked:
            _say(
                f"S{self._surprise.id} is already closed as {self._surprise.resolution.value}; nothing changed"
            )
            return self
        self._surprise = store.resolve_surprise(
            self._surprise.id, action, explanation=explanation, credence=credence, reason=reason
        )
        session.changed()
        return self

    def follow_up(self, statement: str, credence: float = 0.5) -> HypothesisHandle:
        """State a hypothesis that follows up this surprise, and close the surprise as followed up.

        >>> logbook.get("S3").follow_up("the spike comes from one bad batch", credence=0.4)

        Returns the new hypothesis (its ``follows`` names the surprise). The
        same follow-up again (a re-run cell) returns the hypothesis already stated.
        """
        store = session.store()
        hypothesis = store.follow_up(self._surprise.id, statement, credence, session.brainstorm_id)
        self._surprise = store.surprise(self._surprise.id)
        session.changed()
        return HypothesisHandle(hypothesis)

    def expected(self) -> "SurpriseHandle":
        """Close a drift surprise as expected: its value may vary, and is not flagged again in its cell."""
        self._surprise = session.store().expect_drift(self._surprise.id)
        session.changed()
        return self

    def mark_read(self, read: bool = True) -> "SurpriseHandle":
        self._surprise = session.store().mark_surprise_read(self._surprise.id, read)
        return self

    def __repr__(self) -> str:
        return repr(self._surprise)

    def _repr_html_(self) -> str:
        return self._surprise._repr_html_()


def hypothesis(statement: str, credence: float = 0.7, tags: Optional[list[str]] = None) -> HypothesisHandle:
    """State a hypothesis with your credence in it (0-1). Returns it, with its id (H1, H2, ...).

    ``tags`` label it for calibration by tag (``tags=["induction"]``). A
    statement the logbook already holds, word for word, returns that
    hypothesis as it is (a re-run cell), and says so.
    """
    store = session.store()
    existing = store.hypothesis_stating(statement)
    if existing is not None:
        _say(f"{existing.id} already exists; using it")
        if session.brainstorm_id is not None:
            session.brainstorm_reused.append(existing)
        return HypothesisHandle(existing)
    handle = HypothesisHandle(store.add_hypothesis(statement, credence, session.brainstorm_id, tags))
    session.changed()
    return handle


@contextmanager
def brainstorm(minutes: float = 5, target: int = 4) -> Iterator[Brainstorm]:
    """Time a brainstorm: hypotheses stated inside the block belong to it.

    >>> with logbook.brainstorm(minutes=5):
    ...     logbook.hypothesis("...", credence=0.6)

    Run again (a re-run notebook), a block that states only hypotheses the
    logbook already holds wrote nothing new: it is not kept as a brainstorm.
    """
    store = session.store()
    started = store.start_brainstorm(planned_seconds=int(round(minutes * 60)), target=target)
    session.brainstorm_id, session.brainstorm_reused = started.id, []
    try:
        yield started
    finally:
        session.brainstorm_id, reused = None, session.brainstorm_reused
        session.brainstorm_reused = []
        finished = session.store().finish_brainstorm(started.id)
        if reused and not finished.hypothesis_ids and _discarded(finished.id):
            print(f"brainstorm: nothing new, {_rerun_of(reused)}; not kept as another brainstorm")
        else:
            _report_brainstorm(finished, target)


def _report_brainstorm(finished: Brainstorm, target: int) -> None:
    took = brainstorm_seconds(finished)
    print(f"brainstorm {finished.id}: {len(finished.hypothesis_ids)} of {target} hypotheses in {took:.0f} s")
    nudge = brainstorm_nudge(finished)
    if nudge:
        _say(nudge)


def _discarded(brainstorm_id: int) -> bool:
    """Remove a brainstorm that wrote nothing; False when something came to name it meanwhile."""
    try:
        session.store().discard_brainstorm(brainstorm_id)
    except LogbookError:
        return False
    return True


def _rerun_of(reused: list[Hypothesis]) -> str:
    """``"H1, H2 are from brainstorm 1"``: what a re-run brainstorm block stated again."""
    ids = list(dict.fromkeys(h.id for h in reused))
    named = ", ".join(ids) + (" is" if len(ids) == 1 else " are")
    sources = sorted({h.brainstorm_id for h in reused if h.brainstorm_id is not None})
    if not sources:
        return f"{named} already recorded"
    return f"{named} from brainstorm{'s' if len(sources) > 1 else ''} {', '.join(map(str, sources))}"


def get(record_id: str) -> HypothesisHandle | SurpriseHandle:
    """The hypothesis or surprise with this id: ``logbook.get("H2")``, ``logbook.get("S3")``."""
    if str(record_id).strip().upper().startswith("S"):
        return SurpriseHandle(session.store().surprise(record_id))
    return HypothesisHandle(session.store().hypothesis(record_id))


def hypotheses(status: Optional[str] = None) -> list[HypothesisHandle]:
    return [HypothesisHandle(h) for h in session.store().hypotheses(status)]


class ModeName(str):
    """A research mode's name, shown in a notebook as one line: ``mode: confirm``."""

    def __repr__(self) -> str:
        return f"mode: {self}"


if TYPE_CHECKING:
    _ConcretePath = Path
else:
    _ConcretePath = type(Path())  # Path itself cannot be subclassed before Python 3.12


class Exported(_ConcretePath):
    """The path an export wrote, shown in a notebook as one line: ``wrote research-log.json``."""

    def __repr__(self) -> str:
        return f"wrote {self}"


def mode(name: Optional[str] = None) -> Optional[ModeName]:
    """Switch research mode ("confirm", "red-team" or "explore"); with no name, the current one.

    In a kernel the switch takes effect from the start of the running cell,
    which is recorded under the new mode. Switching to the mode already in
    force changes nothing. The name returned compares equal to the plain string.
    """
    store = session.store()
    current = store.current_mode()
    if name is None:
        return ModeName(current.value) if current else None
    if current is not None and current.value == str(name).strip():
        return ModeName(current.value)
    started_at = session.recorder.cell_started_at() if session.recorder is not None else None
    switched = store.set_mode(name, started_at=started_at).mode.value
    session.changed()
    if session.recorder is not None:
        session.recorder.mode_switched(switched)
    return ModeName(switched)


def surprise(note: str, hypothesis_id: Optional[str] = None) -> SurpriseHandle:
    """Flag something that surprised you; it links to the last recorded experiment.

    The same note again (a re-run cell) returns the surprise already flagged.
    """
    store = session.store()
    existing = store.surprise_flagged(note, hypothesis_id)
    if existing is not None:
        _say(f"S{existing.id} already flags this; using it")
        return SurpriseHandle(existing)
    flagged = store.add_manual_surprise(note, hypothesis_id=hypothesis_id)
    if session.recorder is not None:
        session.recorder.show_surprise(manual=True, note=flagged.note, hypothesis_id=hypothesis_id)
    return SurpriseHandle(flagged)


def surprises(status: str = "open") -> list[SurpriseHandle]:
    """Surprises, most surprising first: ``open`` (the default), ``explained``, ``acted_on``, ``resolved`` or ``all``."""
    return [SurpriseHandle(s) for s in session.store().surprises(status)]


def search(text: str, kind: Optional[str | list[str]] = None, limit: int = 5) -> SearchResults:
    """Search the whole logbook: hypotheses, predictions, surprises and their explanations, notes, and cells.

    >>> logbook.search("previous token")
    Surprises (1)
      S3  explanation: it is the «previous» «token» head, not induction
          H2.P1 failed · explained

    Each word matches the start of a word; results come grouped by kind,
    best match first, ``limit`` of each, with the line that matched.
    ``kind`` keeps one kind (``"surprise"``) or several.
    """
    flush()
    kinds = [kind] if isinstance(kind, str) else kind
    return session.store().search(text, kinds=kinds, limit=limit)


def history(experiment_id: Optional[int] = None) -> CellHistory:
    """Every run of the cell that ran as ``experiment_id`` (default: the last one recorded), and what changed."""
    store = session.store()
    if experiment_id is None:
        flush()
        experiment_id = store.last_experiment_id()
        if experiment_id is None:
            raise LogbookError("no experiment recorded yet: run a cell first")
    return store.cell_history(experiment_id)


def judge(
    prediction_id: str, held: bool, experiment: Optional[int] = None, observed: str = ""
) -> Surprise | Evidence:
    """Judge a prediction written in words: ``logbook.judge("H2.P1", held=False, observed="...")``.

    ``experiment`` is the id of the experiment whose result you judged
    (default: the last one recorded); ``observed`` says what you saw. A
    prediction that failed becomes a surprise (shown under the cell), one
    that held becomes evidence; both count toward calibration.
    """
    verdict = session.store().judge_by_hand(prediction_id, held, experiment_id=experiment, observed=observed)
    session.changed()
    if isinstance(verdict, Surprise) and session.recorder is not None:
        prediction = session.store().prediction(verdict.prediction_id or prediction_id)
        session.recorder.show_surprise(
            hypothesis_id=verdict.hypothesis_id,
            prediction_id=verdict.prediction_id,
            statement=session.store().hypothesis(prediction.hypothesis_id).statement,
            prediction=verdict.prediction,
            credence=verdict.credence,
            observed=verdict.observed,
            runs=verdict.runs,
            surprisal_bits=verdict.surprisal_bits,
        )
    return verdict


def note(text: str, hypothesis_id: Optional[str] = None) -> Note:
    """Write a note in the logbook, linked to the last recorded experiment; the same note again is kept once."""
    store = session.store()
    existing = store.note_saying(text, hypothesis_id)
    if existing is not None:
        return existing
    return store.add_note(text, experiment_id=store.last_experiment_id(), hypothesis_id=hypothesis_id)


def pin(caption: str = "", experiment: Optional[int] = None, output: Optional[int] = None) -> Pin:
    """Pin a figure to the report, with an optional caption: by default the last figure displayed.

    ``experiment`` and ``output`` (the output's position in that experiment)
    name another one; pinning a figure again changes its caption.
    """
    flush(10.0)
    pinned = session.store().pin(experiment, output, caption)
    return pinned


def unpin(experiment: int, output: int) -> None:
    """Take a pinned figure off the report."""
    session.store().unpin(experiment, output)


def export(
    path: str | os.PathLike,
    format: str = "json",
    *,
    since: Moment = None,
    until: Moment = None,
    hypotheses: Union[str, list[str], None] = None,
    title: Optional[str] = None,
    every_figure: bool = False,
    with_figures: bool = False,
) -> Exported:
    """Write the logbook to ``path`` as ``json``, ``md`` or ``html``.

    ``since``/``until`` limit it to a time range (``"2026-11-25"``, a ``date``,
    or a ``datetime``; naive ones are local time; ``until`` a date includes
    that day), ``hypotheses`` to some ids (an unknown id is an error). It
    writes inside the project folder only, a new file or an earlier export,
    never a notebook or the logbook. ``title`` heads a Markdown or HTML report
    (default: the project folder's name); ``every_figure`` shows every figure of
    the period; ``with_figures`` writes a JSON export's figures beside it.
    """
    selection = Selection.of(since, until, hypotheses, every_figure=every_figure)
    return Exported(
        export_logbook(session.store(), Path(path), format, selection, title=title, with_figures=with_figures)
    )


def flush(timeout: float = 30.0) -> bool:
    """Wait until everything the kernel recorded is written (True when it is)."""
    if session.recorder is None:
        return True
    return session.recorder.flush(timeout)


def logbook_path() -> Path:
    """The logbook file this process writes to."""
    return session.recorder.path if session.recorder is not None else find_logbook()


def checks(*functions: Any) -> Any:
    """Let predictions call these functions of yours by name; returns the function (so it is a decorator too).

    >>> @logbook.checks
    ... def logit_diff(logits): return (logits[..., 1] - logits[..., 0]).mean()
    >>> h.predict("logit_diff(ablated_logits) < 0.5 * logit_diff(clean_logits)")

    A prediction calls by name only the builtins it may use and the functions
    marked here: these very objects (a function defined again must be marked
    again), in this kernel. A check is your code, trusted as your cells are;
    what it is given is guarded like the rest of the prediction (no callable,
    no iterator, no module).
    """
    from logbook.rules.prediction_methods import mark_checks

    if not functions:
        raise LogbookError("name the functions a prediction may call: logbook.checks(my_metric)")
    try:
        mark_checks(functions)
    except ValueError as error:
        raise LogbookError(str(error)) from None
    return functions[0] if len(functions) == 1 else functions


def allow_methods(kind: Any, methods: Any) -> None:
    """Let predictions call ``methods`` on values of your type ``kind`` (a class, or its name).

    >>> logbook.allow_methods("MyResult", ["score", "top_heads"])
    >>> h.predict("result.score() > 0.5")

    Without this, a prediction calls on a type the built-in allow-list does not
    know only methods named as its reads (``max``, ``mean``, ``item``, ...).
    A name is the class's own (``"MyResult"``) or with its module
    (``"mypkg.results.MyResult"``); it applies to subclasses too. Methods that
    change their object whatever its type (``append``, ``pop``, ``fill``,
    names ending in ``_``, ...) cannot be allowed.
    """
    from logbook.rules.prediction_methods import allow_methods as allow
    from logbook.rules.predictions import method_refusal

    try:
        allow(kind, methods, method_refusal)
    except ValueError as error:
        raise LogbookError(str(error)) from None


__all__ = [
    "HypothesisHandle",
    "SurpriseHandle",
    "allow_methods",
    "brainstorm",
    "checks",
    "Exported",
    "ModeName",
    "ResearchMode",
    "export",
    "flush",
    "get",
    "history",
    "hypotheses",
    "hypothesis",
    "judge",
    "logbook_path",
    "mode",
    "note",
    "pin",
    "surprise",
    "surprises",
    "unpin",
]


def compete(
    question: str,
    *hypothesis_ids: str,
    something_else: Optional[float] = None,
    brainstorm: Optional[int] = None,
) -> CompetingSet:
    """Group hypotheses as rival answers to ``question``: their credences and something else sum to 1.

    ``compete("what copies?", "H1", "H2", something_else=0.1)``, or
    ``compete("what copies?", brainstorm=3)`` for every hypothesis a brainstorm
    wrote. Run again (a re-run cell), it returns the set already made.
    """
    store = session.store()
    ids = [h.strip().upper() for h in hypothesis_ids]
    for s in store.competing_sets():
        if s.question == clean_text(question).strip() and (
            set(ids) <= set(s.credences) or brainstorm == s.brainstorm_id
        ):
            return s
    if brainstorm is not None and not ids:
        made = store.set_from_brainstorm(brainstorm, question, something_else)
    else:
        made = store.create_set(question, ids, something_else, brainstorm_id=brainstorm)
    if made.nudge:
        _say(made.nudge)
    session.changed()
    return made


def sets() -> list[CompetingSet]:
    """Every competing set, as it stands."""
    return session.store().competing_sets()


def join(set_id: int | str, *hypothesis_ids: str, reason: str = "") -> CompetingSet:
    """Make hypotheses rivals in a set: ``join("C1", "H5", reason="a fifth explanation")``.

    Each keeps its credence; the members and something else make room in
    proportion. One already in this set (a re-run cell) is passed over.
    """
    store = session.store()
    target = store.competing_set(set_id)
    for hid in hypothesis_ids:
        if store.hypothesis(hid).set_id == target.id:
            _say(f"{hid.strip().upper()} is already in C{target.id}; nothing changed")
            continue
        store.add_to_set(target.id, hid, reason)
    session.changed()
    return store.competing_set(target.id)


def leave(*hypothesis_ids: str, reason: str = "") -> list[CompetingSet]:
    """Take hypotheses out of their sets: ``leave("H5", reason="not about copying")``; returns the sets they left.

    What each held goes to its set's something else; it keeps its credence,
    alone. One in no set (a re-run cell) is passed over.
    """
    store = session.store()
    left = {}
    for hid in hypothesis_ids:
        if store.hypothesis(hid).set_id is None:
            _say(f"{hid.strip().upper()} is in no competing set; nothing changed")
            continue
        s = store.remove_from_set(hid, reason)
        left[s.id] = s
    session.changed()
    return list(left.values())


def something_else(set_id: int | str, credence: float, reason: str = "") -> CompetingSet:
    """Change what a set leaves to something else: ``something_else("C1", 0.2, "none fits period 7")``.

    The members give way in proportion.
    """
    store = session.store()
    if store.competing_set(set_id).something_else == credence:
        return store.competing_set(set_id)  # a re-run cell
    changed = store.set_something_else(set_id, credence, reason)
    session.changed()
    return changed


def proposals(status: Optional[str] = "proposed") -> list[Proposal]:
    """The updates Logbook proposed after verdicts (``status=None``: all of them, decided or not).

    Open ones whose credences moved since they were made carry ``now``: what accepting them writes.
    """
    return session.store().proposals(status, now=True)


def decide(
    proposal_id: str, decision: str, reason: str = "", credences: Optional[dict[str, float]] = None
) -> Proposal:
    """Accept, edit (with ``credences``) or reject a proposed update: ``decide("U1", "accepted", "clean ablation")``."""
    store = session.store()
    current = store.proposal(proposal_id)
    if current.status.value != "proposed" and current.status.value == decision:
        _say(f"U{current.id} was already {decision}")
        return current
    decided = store.decide_proposal(proposal_id, decision, reason, credences)
    session.changed()
    return decided


def tag(record_id: str, *tags: str, replace: bool = False) -> list[str]:
    """Tag a hypothesis or a prediction for calibration by tag: ``tag("H1.P2", "quick", "layer1")``.

    Returns its tags now; ``replace=True`` makes ``tags`` all of them. Each
    change is an event in the history (``logbook verify`` checks tags).
    """
    now_tags = session.store().tag(record_id, list(tags), replace=replace)
    session.changed()
    return now_tags


def due() -> list[Prediction]:
    """Predictions still pending past their resolve-by date."""
    return session.store().due_predictions()


def calibration(by: Optional[str] = None, window: int = 10) -> str:
    """Calibration by tag, mode, brainstorm, model and over time (or one of them), as Markdown text."""
    from logbook.rules.calibration import DIMENSIONS, first_verdict_experiments, slices_markdown

    store = session.store()
    hypotheses = store.hypotheses()
    models = store.experiment_models(first_verdict_experiments(hypotheses))
    return "\n".join(slices_markdown(hypotheses, models, [by] if by else [*DIMENSIONS, "time"], window))
