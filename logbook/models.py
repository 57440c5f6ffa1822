"""The records a logbook holds, as pydantic models.

These models are the single definition of every record: the store writes and
reads them, the JSON export is built from them and its schema is generated
from them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Credence = Annotated[float, Field(ge=0.0, le=1.0, description="A probability between 0 and 1.")]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


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


class CredenceChange(Record):
    """One point of a hypothesis' credence history."""

    credence: Credence
    reason: str = ""
    at: datetime = Field(default_factory=utcnow)


class Prediction(Record):
    """A testable consequence of a hypothesis, with the credence it was given.

    An ``expression`` prediction is a Python expression evaluated in the
    kernel after each cell that assigns one of its ``names``; a ``text``
    prediction is judged by hand.
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


class Hypothesis(Record):
    id: str
    statement: str = Field(min_length=1)
    credence: Credence = 0.5
    status: HypothesisStatus = HypothesisStatus.active
    created_at: datetime = Field(default_factory=utcnow)
    brainstorm_id: Optional[int] = None
    history: list[CredenceChange] = Field(default_factory=list)
    predictions: list[Prediction] = Field(default_factory=list)


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


class Output(Record):
    """One display output of a cell; its bytes live once, keyed by ``sha256``.

    ``sha256`` and ``size`` are those of the full output. A ``truncated`` text
    output keeps its first part; a ``truncated`` image keeps no bytes at all.
    """

    mime: str
    sha256: str
    size: int
    truncated: bool = False


class ErrorInfo(Record):
    name: str
    value: str
    traceback: str = ""


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


class Judgement(Record):
    """What a prediction met: the values observed, in which experiment, and how surprising it was."""

    id: int
    hypothesis_id: Optional[str] = None
    prediction_id: Optional[str] = None
    prediction: Optional[str] = None
    observed: dict[str, Any] = Field(default_factory=dict)
    credence: Optional[float] = None
    surprisal_bits: Optional[float] = None
    experiment_id: Optional[int] = None
    created_at: datetime = Field(default_factory=utcnow)


class Surprise(Judgement):
    """A result that contradicted a prediction, or a flag raised by hand."""

    manual: bool = False
    note: str = ""
    status: Literal["unread", "read", "explained"] = "unread"


class Evidence(Judgement):
    """A result that bore out a prediction."""

    hypothesis_id: str


class Note(Record):
    id: int
    text: str
    experiment_id: Optional[int] = None
    hypothesis_id: Optional[str] = None
    created_at: datetime = Field(default_factory=utcnow)


class Mode(Record):
    """A switch of research mode; it holds until the next one."""

    id: int
    mode: ResearchMode
    started_at: datetime = Field(default_factory=utcnow)


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
