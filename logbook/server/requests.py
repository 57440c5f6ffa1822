"""The bodies the REST API accepts, validated by pydantic before anything is written."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from logbook.dates import moment
from logbook.errors import LogbookError
from logbook.models import Credence, HypothesisStatus, ResearchMode, Resolution

Text = Field(min_length=1, max_length=2_000_000)
#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=0, le=MAX_ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewHypothesis(Body):
    statement: str = Text
    credence: Credence = 0.5
    brainstorm_id: Optional[RecordId] = None
    tags: Optional[list[Annotated[str, Field(max_length=200)]]] = Field(None, max_length=1000)


class Tags(Body):
    """Tags to add to a hypothesis or a prediction, or (``replace``) its tags from now on."""

    tags: list[Annotated[str, Field(max_length=200)]] = Field(max_length=1000)
    replace: bool = False


class HypothesisChange(Body):
    credence: Optional[Credence] = None
    reason: str = Field("", max_length=100_000)
    status: Optional[HypothesisStatus] = None


class NewPrediction(Body):
    expression: Optional[str] = Field(None, min_length=1, max_length=100_000)
    text: Optional[str] = Field(None, min_length=1, max_length=100_000)
    credence: Credence = 0.9
    likelihoods: Optional[dict[str, Credence]] = None
    base_rate: Optional[Credence] = None
    resolve_by: Optional[str] = Field(None, max_length=64)
    tags: Optional[list[Annotated[str, Field(max_length=200)]]] = None


class PredictionChange(Body):
    expression: Optional[str] = Field(None, min_length=1, max_length=100_000)
    credence: Optional[Credence] = None


class HandVerdict(Body):
    """A verdict on a prediction in words: on which experiment (default: the last one), and what was seen."""

    held: bool
    experiment_id: Optional[RecordId] = None
    observed: str = Field("", max_length=100_000)


class ExpressionCheck(Body):
    expression: str = Field(max_length=100_000)


class NewBrainstorm(Body):
    planned_seconds: int = Field(300, ge=5, le=4 * 3600)
    target: int = Field(4, ge=1, le=100)


class BrainstormAction(Body):
    action: Literal["pause", "resume", "finish"]


class NewNote(Body):
    text: str = Text
    hypothesis_id: Optional[str] = None
    experiment_id: Optional[RecordId] = None


class NewPin(Body):
    position: int = Field(ge=0, le=MAX_ID)
    caption: str = Field("", max_length=10_000)


class ModeSwitch(Body):
    mode: ResearchMode


class SurpriseChange(Body):
    """Mark a surprise read (``{"read": true}``), close it with an action, or both."""

    read: Optional[bool] = None
    action: Optional[Resolution] = None
    explanation: str = Field("", max_length=100_000)
    reason: str = Field("", max_length=100_000)
    credence: Optional[Credence] = None


class FollowUp(Body):
    """A hypothesis stated to follow up a surprise, which closes the surprise as followed up."""

    statement: str = Text
    credence: Credence = 0.5
    brainstorm_id: Optional[RecordId] = None


class BulkTriage(Body):
    """Close many surprises with one action, each on its own: ``explained`` (one text for all) or ``dismissed``."""

    ids: list[RecordId] = Field(min_length=1, max_length=10_000)
    action: Literal["explained", "dismissed"]
    explanation: str = Field("", max_length=100_000)


class TrustPredictions(Body):
    """Sign these predictions, each as ``GET trust`` showed it: ``hashes`` maps each id to the hash it was shown with."""

    ids: list[Annotated[str, Field(max_length=100)]] = Field(min_length=1, max_length=10_000)
    hashes: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(pattern="^[0-9a-f]{64}$")]] = (
        Field(max_length=10_000)
    )


class ExportToFile(Body):
    """Where and what to export.

    ``since``/``until`` are read as ``logbook.export`` reads them: without a
    time zone they are local time, and a bare date as ``until`` includes that
    day. ``hypotheses`` left out means all of them. An earlier export at
    ``path`` is overwritten only with ``replace`` (else a 409).
    """

    path: str = Field(min_length=1, max_length=4096)
    format: Literal["json", "md", "html"] = "html"
    since: Optional[str] = Field(None, max_length=64)
    until: Optional[str] = Field(None, max_length=64)
    hypotheses: Optional[list[Annotated[str, Field(max_length=64)]]] = Field(
        None, min_length=1, max_length=10_000
    )
    title: Optional[str] = Field(None, max_length=300)
    replace: bool = False

    @field_validator("since", "until")
    @classmethod
    def _a_moment(cls, value: Optional[str]) -> Optional[str]:
        try:
            moment(value)
        except LogbookError as error:
            raise ValueError(str(error)) from None
        return value


class ExpectedValue(Body):
    """A value or part (``scores[1, 3]``) expected to vary in one cell (its ``cell_key``).

    With ``envelope``, changes up to ten times it are quiet there; without, it is not flagged there at all.
    """

    cell_key: str = Field(min_length=1, max_length=10_000)
    name: str = Field(min_length=1, max_length=1_000)
    envelope: Optional[float] = Field(None, ge=0, allow_inf_nan=False)


class UnexpectedValue(Body):
    """Undo an expected value: ``label`` (a value or part) is watched in the cell ``cell_key`` again."""

    cell_key: str = Field(min_length=1, max_length=10_000)
    label: str = Field(min_length=1, max_length=1_000)


class Settings(Body):
    """The logbook's own settings (Settings → Logbook in JupyterLab sends them)."""

    drift_threshold: float


class NewSet(Body):
    question: str = Field(min_length=1, max_length=100_000)
    hypothesis_ids: list[Annotated[str, Field(pattern=r"^[Hh]\d+$")]] = Field(default_factory=list)
    something_else: Optional[Credence] = None
    brainstorm_id: Optional[RecordId] = None
    reason: str = Field("", max_length=100_000)


class SetMember(Body):
    """A hypothesis that joins a set as a rival: it keeps its credence, the others make room."""

    hypothesis_id: str = Field(pattern=r"^[Hh]\d+$")
    reason: str = Field("", max_length=100_000)


class SetCredence(Body):
    """One member's (or, with ``hypothesis_id`` "else", something else's) new credence; ``give_way`` names who gives way."""

    hypothesis_id: str = Field(pattern=r"^([Hh]\d+|else)$")
    credence: Credence
    reason: str = Field("", max_length=100_000)
    give_way: Optional[list[Annotated[str, Field(pattern=r"^([Hh]\d+|else)$")]]] = None


class ProposalDecision(Body):
    decision: Literal["accepted", "edited", "rejected"]
    reason: str = Field("", max_length=100_000)
    credences: Optional[dict[str, Credence]] = None


class NewTeamRemark(Body):
    """A comment, a challenge or a follow-up on a teammate's record (``author`` ``bob``, ``id`` ``H3``), written
    in your own logbook: a comment's words or a follow-up's statement in ``text``; a challenge's prediction in
    ``expression``, with its ``credence``."""

    kind: Literal["comment", "challenge", "follow-up"]
    author: str = Field(min_length=1, max_length=200)
    id: str = Field(min_length=2, max_length=20)
    text: str = Field("", max_length=20000)
    expression: str = Field("", max_length=5000)
    credence: float = Field(0.9, ge=0.0, le=1.0)
