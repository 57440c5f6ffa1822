"""The records a logbook holds, as pydantic models.

These models are the single definition of every record: the store writes and
reads them, the JSON export is built from them and its schema is generated
from them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from html import escape
from typing import Annotated, Any, Literal, NamedTuple, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

Credence = Annotated[float, Field(ge=0.0, le=1.0, description="A probability between 0 and 1.")]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def _when(moment: Optional[datetime]) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment else "-"


def _first_line(text: str, width: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


class Shown(NamedTuple):
    """How a record reads in a notebook: ``LABEL  BODY  (DETAIL)``; ``code`` sets BODY as code in HTML."""

    label: str
    body: str = ""
    detail: str = ""
    code: bool = False

    def text(self) -> str:
        parts = [self.label, self.body, f"({self.detail})" if self.detail else ""]
        return "  ".join(part for part in parts if part)

    def html(self) -> str:
        body = f"<code>{escape(self.body)}</code>" if self.code else escape(self.body)
        parts = [f"<b>{escape(self.label)}</b>", body, f"({escape(self.detail)})" if self.detail else ""]
        return f'<span class="jp-Logbook-record">{" ".join(part for part in parts if part)}</span>'


class Record(BaseModel):
    """A record: one line of text as its repr and an escaped line of HTML in notebooks."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    def shown(self) -> Shown:
        """The record as people read it; each model says what matters about it."""
        return Shown(type(self).__name__)

    def __repr__(self) -> str:
        return self.shown().text()

    def __str__(self) -> str:
        return self.shown().text()

    def _repr_html_(self) -> str:
        return self.shown().html()


class HypothesisStatus(str, Enum):
    active = "active"
    supported = "supported"
    refuted = "refuted"
    abandoned = "abandoned"


class ResearchMode(str, Enum):
    confirm = "confirm"
    red_team = "red-team"
    explore = "explore"


class PredictionKind(str, Enum):
    expression = "expression"
    text = "text"


class PredictionState(str, Enum):
    pending = "pending"
    held = "held"
    failed = "failed"
    error = "error"
    #: Evaluating it took longer than the kernel's budget: it is not evaluated again until edited.
    too_slow = "too_slow"


class SurpriseStatus(str, Enum):
    """Where a surprise stands: still open, explained (no belief changed), or acted on (a belief changed)."""

    open = "open"
    explained = "explained"
    acted_on = "acted_on"


class Resolution(str, Enum):
    """The action that closed a surprise."""

    refuted = "refuted"
    credence_updated = "credence_updated"
    explained = "explained"
    dismissed = "dismissed"
    #: A new hypothesis was stated to follow it up (its ``follows`` names the surprise).
    followed_up = "followed_up"

    @property
    def status(self) -> SurpriseStatus:
        """Acting on a belief (refuting, a new credence, a follow-up) is ``acted_on``; the rest ``explained``."""
        if self in (Resolution.refuted, Resolution.credence_updated, Resolution.followed_up):
            return SurpriseStatus.acted_on
        return SurpriseStatus.explained


class CredenceChange(Record):
    """One point of a hypothesis' credence history."""

    credence: Credence
    reason: str = ""
    at: datetime = Field(default_factory=utcnow)

    def shown(self) -> Shown:
        return Shown(f"{self.credence:.2f}", self.reason, _when(self.at))


class Verdict(Record):
    """A run of the same verdict on a prediction: held (or failed) ``count`` times in a row.

    ``at``, ``experiment_id`` and ``record`` are the run's first judgement,
    ``last_*`` its last; each judgement is an evidence or surprise record.
    """

    held: bool
    count: int = 1
    at: datetime
    experiment_id: Optional[int] = None
    record: str = Field(description='The evidence or surprise that holds it: "evidence/12" or "surprises/7".')
    last_at: datetime
    last_experiment_id: Optional[int] = None
    last_record: str


class PredictionVersion(Record):
    """What a prediction said from ``at`` on: its text and credence (edits before its first verdict)."""

    expression: str
    credence: Credence
    at: datetime


class ChainHead(Record):
    """The newest event of the logbook's history: publish it to prove the history up to it."""

    events: int
    hash: str


class ChainEvent(Record):
    """One event of the history as an export carries it: enough to recompute every hash."""

    id: int
    at: str
    kind: str
    subject: str
    payload: str = Field(description="The event's canonical JSON payload, as hashed.")
    hash: str


class SignedHead(Record):
    """The head sealed with an SSH key (``logbook seal``): checked with ``ssh-keygen -Y verify``."""

    genesis: str = Field(description="The first event's hash: which logbook this is.")
    events: int
    hash: str
    namespace: str
    signature: str = Field(
        description="The armored SSH signature of the seal message (see logbook.store.seal)."
    )
    public_key: Optional[str] = None
    at: datetime


class Prediction(Record):
    """A testable consequence of a hypothesis, with the credence it was given.

    An ``expression`` prediction is a Python expression evaluated in the
    kernel after each cell that assigns one of its ``names``; a ``text``
    prediction is judged by hand. Only a ``trusted`` prediction, signed by
    the user of this machine, is ever evaluated.

    Once judged, a prediction is final: editing it writes a new prediction
    that ``revises`` it, and it gets ``superseded_by`` and is judged no more.
    ``state`` is its latest verdict, ``first_verdict`` the one that counts
    for calibration, ``verdicts`` all of them as runs, oldest first, and ``history``
    its text and credence as written and after each edit made before its
    first verdict.
    """

    id: str
    hypothesis_id: str
    kind: PredictionKind = PredictionKind.expression
    expression: str
    names: list[str] = Field(default_factory=list)
    credence: Credence = 0.9
    created_at: datetime = Field(default_factory=utcnow)
    state: PredictionState = PredictionState.pending
    error: Optional[str] = None
    evaluated_at: Optional[datetime] = None
    likelihoods: dict[str, Credence] = Field(
        default_factory=dict,
        description="P(this prediction holds | a rival hypothesis of the set), by hypothesis id, and under "
        '"else" (something else); its own hypothesis\' is its credence.',
    )
    base_rate: Optional[Credence] = Field(
        default=None,
        description="P(this prediction holds | its hypothesis is false), for a hypothesis in no set.",
    )
    resolve_by: Optional[datetime] = Field(
        default=None, description="When it should be judged by; past it, still pending, it is due."
    )
    tags: list[str] = Field(default_factory=list, description="Labels for slicing calibration.")
    trusted: bool = Field(
        False,
        description="Signed by the user of the machine that read the logbook; an untrusted prediction "
        "is not evaluated until that user reviews it with `logbook trust`.",
    )
    first_verdict: Optional[Literal["held", "failed"]] = None
    verdicts: list[Verdict] = Field(default_factory=list)
    history: list[PredictionVersion] = Field(default_factory=list)
    revises: Optional[str] = None
    superseded_by: Optional[str] = None
    mode: Optional[ResearchMode] = Field(
        default=None, description="The research mode in force when the prediction was written."
    )

    def shown(self) -> Shown:
        detail = f"credence {self.credence:.2f}, {self.state.value}"
        if self.error:
            detail += f": {self.error}"
        return Shown(self.id, self.expression, detail, code=self.kind is PredictionKind.expression)


class Hypothesis(Record):
    id: str
    statement: str = Field(min_length=1)
    credence: Credence = 0.5
    status: HypothesisStatus = HypothesisStatus.active
    created_at: datetime = Field(default_factory=utcnow)
    brainstorm_id: Optional[int] = None
    history: list[CredenceChange] = Field(default_factory=list)
    predictions: list[Prediction] = Field(default_factory=list)
    going_well: Optional[str] = Field(
        default=None,
        description="Why the hypothesis is going well enough to try to break it (credence 0.8 or more, "
        "or three predictions held and none failed); null otherwise.",
    )
    follows: Optional[str] = Field(
        default=None,
        description='The surprise this hypothesis was stated to follow up ("S3"); null otherwise.',
    )
    set_id: Optional[int] = Field(
        default=None,
        description="The competing set (C1 is 1) this hypothesis is a rival in; null when alone.",
    )
    tags: list[str] = Field(default_factory=list, description="Labels for slicing calibration.")

    def shown(self) -> Shown:
        return Shown(self.id, self.statement, f"credence {self.credence:.2f}, {self.status.value}")


class Brainstorm(Record):
    """A timed session of writing hypotheses before looking at results."""

    id: int
    started_at: datetime
    planned_seconds: int = 300
    target: int = 4
    finished_at: Optional[datetime] = None
    paused_at: Optional[datetime] = None
    paused_seconds: float = 0.0
    hypothesis_ids: list[str] = Field(default_factory=list)

    def shown(self) -> Shown:
        state = f"finished {_when(self.finished_at)}" if self.finished_at else "running"
        written = f"{len(self.hypothesis_ids)} of {self.target} hypotheses"
        return Shown(f"brainstorm {self.id}", written, f"started {_when(self.started_at)}, {state}")


class Output(Record):
    """One display output of a cell; its bytes live once, keyed by ``sha256``.

    ``sha256`` and ``size`` are those of the full output. A ``truncated`` text
    output keeps its first part; a ``truncated`` image keeps no bytes at all.
    """

    mime: str
    sha256: str
    size: int
    truncated: bool = False

    def shown(self) -> Shown:
        return Shown(
            self.mime, self.sha256[:12], f"{self.size} bytes" + (", truncated" if self.truncated else "")
        )


class ErrorInfo(Record):
    name: str
    value: str
    traceback: str = ""

    def shown(self) -> Shown:
        return Shown(f"{self.name}:", _first_line(self.value))


class Experiment(Record):
    """One executed cell and everything it produced."""

    id: int
    session: str = ""
    notebook: Optional[str] = None
    cell_id: Optional[str] = None
    execution_count: Optional[int] = None
    source: str
    started_at: datetime
    duration_ms: float = Field(description="How long the cell itself ran.")
    record_ms: Optional[float] = Field(
        default=None, description="How long recording the cell and judging predictions took after it."
    )
    ok: bool
    error: Optional[ErrorInfo] = None
    stdout: str = ""
    stderr: str = ""
    outputs: list[Output] = Field(default_factory=list)
    names: dict[str, Any] = Field(default_factory=dict)
    torch: dict[str, Any] = Field(default_factory=dict)
    mode: Optional[ResearchMode] = None
    cell_key: Optional[str] = Field(
        default=None, description="The key all runs of this cell share (see `logbook history`)."
    )
    author: Optional[str] = Field(default=None, description="The user whose kernel recorded the cell.")

    def shown(self) -> Shown:
        outcome = "ok" if self.ok else (self.error.name if self.error else "error")
        detail = f"{outcome}, {self.duration_ms:.0f} ms, {_when(self.started_at)}"
        return Shown(f"experiment {self.id}", _first_line(self.source, 60), detail, code=True)


class Step(Record):
    """One part of a prediction and its value when judged, as pytest shows a failing assert."""

    text: str = Field(
        description='A part of the prediction, or the prediction with its values in: "0.3 > 0.5".'
    )
    value: str = Field(description='Its value, as short text: "0.3", "False", "float32 [12, 12]".')


class Judgement(Record):
    """What a prediction met: the values observed, in which experiment, and how surprising it was."""

    id: int
    hypothesis_id: Optional[str] = None
    prediction_id: Optional[str] = None
    prediction: Optional[str] = None
    observed: dict[str, Any] = Field(default_factory=dict)
    steps: list[Step] = Field(
        default_factory=list,
        description="The values that decided the verdict, in the order they were evaluated; the last "
        "is the prediction with its values in.",
    )
    credence: Optional[float] = None
    surprisal_bits: Optional[float] = None
    experiment_id: Optional[int] = None
    created_at: datetime = Field(default_factory=utcnow)


class EarlierValue(Record):
    """A value as an earlier run of the same cell left it."""

    experiment_id: Optional[int] = None
    value: Any = None


class DriftMove(Record):
    """One part of a value a cell assigned that moved from its earlier runs of the same code."""

    name: str = Field(
        description='The assigned name, or "(error)" for a cell that newly raises or no longer does.'
    )
    part: str = Field(
        "",
        description='Which part of it, as indexing: "" (the value), "[1, 3]" (an element), ".mean", ".shape"',
    )
    change: str = Field(description='How it drifted: "changed sign", "changed shape from [4] to [5]", ...')
    value: Any = None
    earlier: list[EarlierValue] = Field(default_factory=list)
    hypotheses: list[str] = Field(
        default_factory=list, description="The hypotheses with a prediction that reads this name."
    )
    cell_key: str = ""
    bits: Optional[float] = Field(
        None, description="How surprising the move was, where its earlier runs say."
    )
    label: str = Field("", description='The name and part as the user indexes it: "scores[1, 3]".')

    @model_validator(mode="after")
    def _labelled(self) -> "DriftMove":
        if not self.label:
            self.label = f"{self.name}{self.part}"
        return self


class DriftDetails(DriftMove):
    """What moved in one run of a cell: every part, most surprising first (the fields above are the first)."""

    moves: list[DriftMove] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_move_at_least(self) -> "DriftDetails":
        if not self.label:
            self.label = f"{self.name}{self.part}"
        if not self.moves:  # written by an older Logbook: one surprise per move
            self.moves = [DriftMove(**self.model_dump(exclude={"moves"}))]
        return self


class Surprise(Judgement):
    """A result that contradicted a prediction, a flag raised by hand, or a value that drifted.

    ``kind`` is ``prediction`` for a failed prediction or a flag, ``drift``
    for a value that moved from its earlier runs with no prediction about it
    (its ``drift`` says how). It stays ``open`` until an action closes it (see
    :class:`Resolution`); ``read`` only says whether it has been seen.
    """

    kind: Literal["prediction", "drift"] = "prediction"
    drift: Optional[DriftDetails] = None
    runs: int = Field(
        1, description="How many runs in a row failed the prediction: a re-run that fails again adds one."
    )
    last_at: Optional[datetime] = Field(None, description="When the last of those runs was judged.")
    last_experiment_id: Optional[int] = None
    last_steps: list[Step] = Field(
        default_factory=list, description="The values that decided its latest run, when it failed again."
    )
    manual: bool = False
    note: str = ""
    status: SurpriseStatus = SurpriseStatus.open
    read: bool = False
    resolution: Optional[Resolution] = None
    explanation: str = ""
    resolved_at: Optional[datetime] = None
    resolved_by: Optional[str] = None

    def shown(self) -> Shown:
        if self.manual:
            what, body = "flagged by hand", self.note
        elif self.kind == "drift":
            bits = f", {self.surprisal_bits:.2f} bits" if self.surprisal_bits is not None else ""
            what, body = f"drift{bits}", self.note
        else:
            bits = f", {self.surprisal_bits:.2f} bits" if self.surprisal_bits is not None else ""
            again = f" {self.runs} runs in a row" if self.runs > 1 else ""
            what, body = (
                f"{self.prediction_id or self.hypothesis_id} failed{again}{bits}",
                self.prediction or "",
            )
            if self.steps:
                body += f": {self.steps[-1].text} → {self.steps[-1].value}"
        if self.resolution is None:
            state = "open" if self.read else "open, unread"
        else:
            by = f" by {self.resolved_by}" if self.resolved_by else ""
            state = f"{self.status.value.replace('_', ' ')}: {self.resolution.value}{by}"
        return Shown(f"S{self.id}", body, f"{what}; {state}", code=not self.manual and self.kind != "drift")


class Evidence(Judgement):
    """A result that bore out a prediction."""

    hypothesis_id: str

    def shown(self) -> Shown:
        bits = f", {self.surprisal_bits:.2f} bits" if self.surprisal_bits is not None else ""
        return Shown(f"E{self.id}", self.prediction or "", f"{self.prediction_id} held{bits}", code=True)


class ValueChange(Record):
    """An assigned value that differs between two runs of a cell: its summaries before and after."""

    name: str
    old: Any = None
    new: Any = None


class OutputChange(Record):
    """A display output that differs between two runs: its position and each run's output (None: absent)."""

    position: int
    old: Optional[Output] = None
    new: Optional[Output] = None


class FlippedVerdict(Record):
    """A prediction judged after both runs whose verdict differs."""

    prediction_id: str
    hypothesis_id: Optional[str] = None
    expression: Optional[str] = None
    old: Literal["held", "failed"]
    new: Literal["held", "failed"]


class CellRun(Record):
    """One run of a cell, as its history lists it."""

    experiment_id: int
    started_at: datetime
    execution_count: Optional[int] = None
    ok: bool
    error_name: Optional[str] = None
    source_key: Optional[str] = None
    drift: int = Field(0, description="How many drift surprises this run raised.")


class HistoryStep(Record):
    """What changed from one run of a cell to the next."""

    previous_id: int
    experiment_id: int
    same_source: bool
    source_diff: str = Field("", description="A unified diff of the source; empty when it did not change.")
    values: list[ValueChange] = Field(default_factory=list)
    outputs: list[OutputChange] = Field(default_factory=list)
    flipped: list[FlippedVerdict] = Field(default_factory=list)


class ExpectedEnvelope(Record):
    """A value or part expected to vary in a cell, and the size of change marked normal there."""

    label: str = Field(description='The value or part: "x", "scores[1, 3]", "acts.mean".')
    envelope: Optional[float] = Field(
        None, description="Moves up to ten times this are quiet; None: never flagged in this cell."
    )


class CellHistory(Record):
    """All runs of one cell, oldest first, and what changed between each and the next."""

    cell_key: str
    notebook: Optional[str] = None
    cell_id: Optional[str] = None
    runs: list[CellRun] = Field(default_factory=list)
    steps: list[HistoryStep] = Field(default_factory=list)
    expected: list[str] = Field(
        default_factory=list, description="Values and parts expected to vary in this cell (their labels)."
    )
    expected_envelopes: list[ExpectedEnvelope] = Field(default_factory=list)

    def shown(self) -> Shown:
        return Shown("cell history", self.cell_key, f"{len(self.runs)} runs")


class Note(Record):
    id: int
    text: str
    experiment_id: Optional[int] = None
    hypothesis_id: Optional[str] = None
    created_at: datetime = Field(default_factory=utcnow)

    def shown(self) -> Shown:
        about = [f"experiment {self.experiment_id}"] if self.experiment_id is not None else []
        about += [self.hypothesis_id] if self.hypothesis_id else []
        return Shown(f"N{self.id}", self.text, ", ".join(about + [_when(self.created_at)]))


class Remark(Record):
    """What one author wrote about a teammate's hypothesis or surprise, kept in the writer's own logbook.

    ``kind`` is ``comment`` (words), ``challenge`` (a red-team prediction of the
    writer's own, ``prediction_id``, under ``hypothesis_id``: the writer's copy
    of the hypothesis challenged) or ``follow-up`` (a new hypothesis of the
    writer's, ``hypothesis_id``). ``about_author`` and ``about_id`` name the
    teammate's record (``bob``, ``H3`` or ``S2``).
    """

    id: int
    kind: Literal["comment", "challenge", "follow-up"]
    about_author: str
    about_id: str
    text: str = ""
    hypothesis_id: Optional[str] = None
    prediction_id: Optional[str] = None
    author: Optional[str] = None
    created_at: datetime = Field(default_factory=utcnow)

    def shown(self) -> Shown:
        about = f"{self.about_id}·{self.about_author}"
        own = self.prediction_id or self.hypothesis_id
        body = f"{self.text} ({own})" if own and self.text else self.text or own or ""
        return Shown(f"R{self.id} {self.kind} on {about}", body, _when(self.created_at))


class Mode(Record):
    """A switch of research mode; it holds until the next one."""

    id: int
    mode: ResearchMode
    started_at: datetime = Field(default_factory=utcnow)

    def shown(self) -> Shown:
        return Shown("mode", self.mode.value, f"since {_when(self.started_at)}")


class Pin(Record):
    """A figure the researcher pinned to the report: output ``position`` of an experiment."""

    id: int
    experiment_id: int
    position: int
    caption: str = ""
    created_at: datetime

    def shown(self) -> Shown:
        return Shown(
            "pinned", self.caption, f"figure at output {self.position} of experiment {self.experiment_id}"
        )


class SetChange(Record):
    """One dated state of a competing set: every member's credence and something else's, and why."""

    credences: dict[str, Credence]
    reason: str = ""
    at: datetime = Field(default_factory=utcnow)


class CompetingSet(Record):
    """Rival explanations of one question: the members' credences and ``something_else`` sum to 1."""

    id: int
    question: str = Field(min_length=1)
    credences: dict[str, Credence] = Field(
        default_factory=dict, description="Each member hypothesis' credence, by id."
    )
    something_else: Credence = Field(0.0, description="The credence left to an explanation not yet stated.")
    created_at: datetime = Field(default_factory=utcnow)
    brainstorm_id: Optional[int] = None
    history: list[SetChange] = Field(default_factory=list)
    nudge: Optional[str] = Field(
        None, description="A reminder when the set leaves nothing to something else."
    )

    def shown(self) -> Shown:
        parts = [f"{k} {v:.2f}" for k, v in self.credences.items()] + [f"else {self.something_else:.2f}"]
        return Shown(f"C{self.id}", self.question, ", ".join(parts))


class ProposalStatus(str, Enum):
    proposed = "proposed"
    accepted = "accepted"
    edited = "edited"
    rejected = "rejected"


class ProposedUpdate(BaseModel):
    """A proposal's evidence applied to credences: before, after, and the likelihood ratio."""

    before: dict[str, Credence]
    after: dict[str, Credence]
    ratio: Optional[float] = None


class Proposal(Record):
    """The Bayesian update Logbook proposed after a verdict, and what the researcher decided."""

    id: int
    prediction_id: str
    set_id: Optional[int] = None
    hypothesis_id: Optional[str] = None
    held: bool
    before: dict[str, Credence]
    likelihoods: dict[str, Credence] = Field(description="P(the outcome seen | each member).")
    after: dict[str, Credence]
    ratio: Optional[float] = Field(
        None,
        description="Likelihood ratio: P(outcome | the prediction's hypothesis) / P(outcome | the rest).",
    )
    created_at: datetime = Field(default_factory=utcnow)
    status: ProposalStatus = ProposalStatus.proposed
    reason: str = ""
    applied: Optional[dict[str, Credence]] = Field(
        None, description="The credences written, when accepted or edited."
    )
    decided_at: Optional[datetime] = None
    now: Optional[ProposedUpdate] = Field(
        None,
        description="For an open proposal whose credences changed since it was made: its evidence applied to "
        "them as they are now, which is what accepting it writes.",
    )

    def shown(self) -> Shown:
        update = self.now or self
        moves = ", ".join(f"{k} {update.before[k]:.2f}\u2192{update.after[k]:.2f}" for k in update.before)
        since = "; from the credences as they are now" if self.now else ""
        return Shown(
            f"U{self.id}",
            f"after {self.prediction_id} {'held' if self.held else 'failed'}",
            f"{moves}{since}; {self.status.value}",
        )


SearchKind = Literal["hypothesis", "prediction", "surprise", "note", "experiment"]


class SearchHit(Record):
    """One record a search found: which, and the line of it that matched, cut to the match."""

    kind: SearchKind
    id: str = Field(description='The record as the logbook names it: "H3", "H3.P1", "S12", "N4", "#1234".')
    field: str = Field(description='Where it matched: "statement", "explanation", "source", "output", ...')
    line: int = Field(description="The matching line's number in that field, from 1.")
    text: str = Field(description="The matching line, cut to the match and the words around it.")
    marks: list[tuple[int, int]] = Field(
        default_factory=list, description="Each match in ``text`` as (start, end) character offsets."
    )
    about: str = Field("", description='What the record is about: "H2.P1 failed · explained", "on H3", ...')
    status: Optional[str] = Field(
        None, description="A hypothesis' or surprise's status, a prediction's state, a cell's ok or failed."
    )
    hypothesis_id: Optional[str] = None
    prediction_id: Optional[str] = None
    surprise_id: Optional[int] = None
    note_id: Optional[int] = None
    experiment_id: Optional[int] = None
    notebook: Optional[str] = None

    def marked(self, left: str = "\u00ab", right: str = "\u00bb") -> str:
        """The text with each match between ``left`` and ``right``."""
        out, last = [], 0
        for start, end in self.marks:
            out += [self.text[last:start], left, self.text[start:end], right]
            last = end
        return "".join(out + [self.text[last:]])

    def shown(self) -> Shown:
        where = f"L{self.line}" if self.field == "source" else self.field
        return Shown(self.id, f"{where}: {self.marked()}", self.about, code=self.field == "source")


class SearchGroup(Record):
    """The records of one kind a search found, best match first."""

    kind: SearchKind
    total: int = Field(description="How many records of this kind match.")
    ranked: int = Field(
        description="How many of them were ranked by relevance: all of them, or the newest when there are many."
    )
    offset: int = 0
    hits: list[SearchHit] = Field(default_factory=list)


class SearchResults(Record):
    """What a search of the whole logbook found, grouped by kind (hypotheses first, experiments last)."""

    query: str
    groups: list[SearchGroup] = Field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    def hits(self, kind: Optional[str] = None) -> list[SearchHit]:
        """Every hit shown, or those of one ``kind``."""
        return [h for g in self.groups if kind in (None, g.kind) for h in g.hits]

    def lines(self, left: str = "\u00ab", right: str = "\u00bb") -> list[str]:
        """The results as text, a heading per kind and a line per hit: what ``logbook search`` prints."""
        out: list[str] = []
        for group in self.groups:
            shown = len(group.hits)
            more = f", showing {group.offset + 1}-{group.offset + shown}" if shown < group.total else ""
            out.append(f"{SEARCH_HEADINGS[group.kind]} ({group.total:,}{more})")
            width = max(len(h.id) for h in group.hits) if group.hits else 0
            for hit in group.hits:
                where = f"L{hit.line}" if hit.field == "source" else hit.field
                out.append(f"  {hit.id:<{width}}  {where}: {hit.marked(left, right)}")
                if hit.about:
                    out.append(f"  {'':<{width}}  {hit.about}")
        return out

    def shown(self) -> Shown:
        counts = ", ".join(
            f"{g.total:,} {g.kind if g.total == 1 else SEARCH_HEADINGS[g.kind].lower()}" for g in self.groups
        )
        return Shown("search", repr(self.query), counts or "nothing found")

    def __repr__(self) -> str:
        return "\n".join(self.lines()) or f"nothing matches {self.query!r}"

    def _repr_html_(self) -> str:
        return "<pre>" + escape(repr(self)) + "</pre>"


SEARCH_HEADINGS = {
    "hypothesis": "Hypotheses",
    "prediction": "Predictions",
    "surprise": "Surprises",
    "note": "Notes",
    "experiment": "Experiments",
}


class TeamAuthor(Record):
    """One author of a team project: whose file, its state as read, and what it holds."""

    author: str
    mine: bool
    state: Literal["ok", "damaged", "newer", "older", "half-copied", "unreadable"]
    #: The state in words, as the sidebar and the reports say it: "half-copied: its records are in a WAL ...".
    state_words: str
    #: Why a file that is not ``ok`` was not read, in words.
    problem: str
    hypotheses: int
    experiments: int
    open_surprises: int
    events: int
    #: Whether a teammate's record verified when last checked in the background (None: not checked yet, or
    #: your own), and why not.
    verified: Optional[bool] = None
    verify_problem: str = ""


class TeamRemark(Record):
    """A remark one author wrote about another's record, as the team reads it: ``R2·ana comment on H3·bob``."""

    author: str
    label: str
    kind: Literal["comment", "challenge", "follow-up"]
    #: The record remarked on: ``H3·bob``.
    about: str
    text: str
    #: The writer's own record it made: their prediction (challenge) or hypothesis (follow-up), ``H5.P1·ana``.
    made: Optional[str] = None
    created_at: str


class TeamPrediction(Record):
    """A prediction of a teammate's hypothesis, as the team reads it: ``H3.P1·ana``, what it says, where it stands."""

    label: str
    expression: str
    credence: float
    #: pending, held, failed, error, ... (the prediction's state).
    state: str


class TeamHypothesis(Record):
    """A hypothesis of one author, with the id a team reads (``H3·ana`` when there are several authors)."""

    author: str
    id: str
    label: str
    statement: str
    credence: float
    status: str
    #: Its predictions, newest version of each, in the order written.
    predictions: list[TeamPrediction] = Field(default_factory=list)
    #: Teammates' remarks on it, oldest first.
    remarks: list[TeamRemark] = Field(default_factory=list)
    #: The teammate's record this hypothesis challenges or follows up (``H3·bob``), linked back.
    answers: Optional[str] = None


class TeamSurprise(Record):
    """An open surprise of one author: what contradicted what, when, and how surprising."""

    author: str
    id: int
    label: str
    what: str
    surprisal_bits: Optional[float] = None
    experiment_id: Optional[int] = None
    flagged_at: str
    remarks: list[TeamRemark] = Field(default_factory=list)


class TeamExperiment(Record):
    """One of an author's latest cells: ``E12·bob``, where it ran, its first line, and whether it failed."""

    author: str
    id: int
    label: str
    notebook: Optional[str] = None
    #: The cell's first line that says something.
    summary: str
    ok: bool
    started_at: str


class TeamView(Record):
    """``GET team``: every author, and the hypotheses, open surprises and latest experiments of the authors
    asked for, newest first."""

    team: bool
    authors: list[TeamAuthor]
    hypotheses: list[TeamHypothesis]
    surprises: list[TeamSurprise]
    experiments: list[TeamExperiment]


class LogbookExport(Record):
    """The whole logbook as one JSON document (``logbook export --format json``)."""

    format: Literal["logbook"] = "logbook"
    version: int = 1
    exported_at: datetime = Field(default_factory=utcnow)
    hypotheses: list[Hypothesis] = Field(default_factory=list)
    brainstorms: list[Brainstorm] = Field(default_factory=list)
    experiments: list[Experiment] = Field(default_factory=list)
    surprises: list[Surprise] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    modes: list[Mode] = Field(default_factory=list)
    sets: list[CompetingSet] = Field(default_factory=list)
    proposals: list[Proposal] = Field(default_factory=list)
    events: list[ChainEvent] = Field(
        default_factory=list,
        description="The history up to the chain head, so the export can be checked alone.",
    )
    seal: Optional[SignedHead] = Field(None, description="The newest SSH seal of the history, if any.")
    chain_head: Optional[ChainHead] = Field(
        default=None, description="The logbook's history when exported; `logbook verify` checks against it."
    )
    team: Optional[TeamView] = Field(
        default=None,
        description="In a team project: every author's records as read when exported (each author's own chain "
        "vouches for them; this export's chain covers this logbook alone).",
    )

    def shown(self) -> Shown:
        counts = (
            f"{len(self.hypotheses)} hypotheses, {len(self.experiments)} experiments, "
            f"{len(self.surprises)} surprises"
        )
        return Shown("logbook export", counts, f"exported {_when(self.exported_at)}")
