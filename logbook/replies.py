"""The replies of the REST API that are no record of their own: pages, deltas, views and summaries.

Each route of ``logbook.server.routes`` names the model it answers with (a record of
``logbook.models``, a list of them, or one of these); ``logbook schema --api`` publishes
them all, and the frontend's types are checked against that schema.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from logbook.models import (  # noqa: F401 - the team view's models are replies too
    Brainstorm,
    ExpectedEnvelope,
    Experiment,
    Hypothesis,
    Prediction,
    SearchGroup,
    SearchHit,
    SearchResults,
    Step,
    Surprise,
    TeamAuthor,
    TeamExperiment,
    TeamHypothesis,
    TeamPrediction,
    TeamRemark,
    TeamSurprise,
    TeamView,
)
from logbook.rules.compare import ValueComparison, VerdictComparison
from logbook.words import InboxFilter


class Reply(BaseModel):
    """A reply sends exactly its fields: a field the model does not name is an error, not lost."""

    model_config = ConfigDict(extra="forbid")


class Status(Reply):
    """``GET status``: the logbook's path, the research mode and the counts the sidebar heads."""

    version: str
    path: str
    mode: Optional[str] = None
    hypotheses: int
    experiments: int
    surprises: int
    unread_surprises: int
    revision: int


class StatusUnavailable(Reply):
    """``GET status`` when the logbook cannot be read (a 503): why, in words."""

    version: str
    path: str
    error: str


class Revision(Reply):
    """``GET changes``: the logbook's revision once it moved past the one asked about."""

    revision: int


class FeedSections(Reply):
    """One opaque version per sidebar section; a section whose version changed is refetched."""

    mode: str
    brainstorm: str
    hypotheses: str
    surprises: str
    experiments: str
    beliefs: str
    #: Teammates' files as last seen (size and time of each file and its WAL): "" outside a team project.
    team: str = ""


class Feed(Reply):
    """``GET feed``: the revision, the server's clock, and every section's version."""

    revision: int
    server_time: str
    sections: FeedSections


class HypothesesDelta(Reply):
    """``GET feed/hypotheses``: the hypotheses changed since a version, or (``full``) all of them."""

    version: str
    full: bool
    hypotheses: list[Hypothesis]


class SurprisePage(Reply):
    """``GET feed/surprises``: one page of the inbox under a filter, with the totals for the badge."""

    status: InboxFilter
    offset: int
    total: int
    unread: int
    surprises: list[Surprise]


class JudgedPrediction(Reply):
    """A prediction judged in an experiment: held (a row of ``evidence``) or failed (of ``surprises``)."""

    id: int
    verdict: Literal["held", "failed"]
    table: Literal["evidence", "surprises"]
    hypothesis_id: Optional[str] = None
    prediction_id: Optional[str] = None
    prediction: Optional[str] = None
    statement: Optional[str] = None
    observed: dict = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    credence: Optional[float] = None
    surprisal_bits: Optional[float] = None
    experiment_id: Optional[int] = None
    created_at: str


class ExperimentJudgements(Reply):
    """``GET experiments/{id}/judgements``: its judged predictions, oldest first."""

    experiment_id: int
    judgements: list[JudgedPrediction]


class ExpressionAccepted(Reply):
    """``POST predictions/check`` of a prediction: the names it reads."""

    ok: Literal[True] = True
    names: list[str]


class ExpressionRefused(Reply):
    """``POST predictions/check`` of what is no prediction: why."""

    ok: Literal[False] = False
    error: str


ExpressionChecked = Union[ExpressionAccepted, ExpressionRefused]


class UntrustedPrediction(Prediction):
    """A prediction waiting for trust: its hypothesis' statement, why it is untrusted, and what signing it signs."""

    statement: str = Field("", description="The statement of the hypothesis it predicts.")
    refusal: Optional[str] = None
    reasons: list[str] = Field(default_factory=list)
    hash: str


class TrustReviewReply(Reply):
    """``GET trust``: every prediction this user has not signed."""

    predictions: list[UntrustedPrediction]


class Trusted(Reply):
    """``POST trust``: the predictions now signed."""

    trusted: list[Prediction]


class CurrentBrainstorm(Reply):
    """``GET brainstorms/current``: the brainstorm running (if any) and the server's clock, for its timer."""

    brainstorm: Optional[Brainstorm] = None
    server_time: str


class LineMatch(Reply):
    """The line of a record a search matched, and where the words are in it."""

    field: str
    line: int
    text: str
    marks: list[tuple[int, int]] = Field(default_factory=list)


class ExperimentRow(Reply):
    """An experiment as a list shows it: light, its source cut short."""

    id: int
    started_at: str
    duration_ms: float
    ok: bool
    error_name: Optional[str] = None
    notebook: Optional[str] = None
    lab_path: Optional[str] = None
    cell_id: Optional[str] = None
    execution_count: Optional[int] = None
    mode: Optional[str] = None
    source: str
    match: Optional[LineMatch] = None


class ExperimentPage(Reply):
    """``GET experiments``: one page, newest first, and how many there are."""

    total: int
    offset: int
    experiments: list[ExperimentRow]


class LocatedSearchHit(SearchHit):
    """A search hit with its notebook as JupyterLab names it."""

    lab_path: Optional[str] = None


class LocatedSearchGroup(SearchGroup):
    hits: list[LocatedSearchHit] = Field(default_factory=list)  # type: ignore[assignment]


class TeammateMatches(Reply):
    """What a search found in one teammate's logbook: how many records, and the best of each kind."""

    author: str
    total: int
    hits: list[SearchHit]


class LocatedSearchResults(SearchResults):
    """``GET search``: what a search of the whole logbook found, grouped by kind; in a team project, what it
    found in each teammate's logbook too (on the first page only)."""

    groups: list[LocatedSearchGroup] = Field(default_factory=list)  # type: ignore[assignment]
    teammates: list[TeammateMatches] = Field(default_factory=list)


class ExperimentView(Experiment):
    """``GET experiments/{id}``: an experiment, its notebook as JupyterLab names it, and whether its outputs run."""

    lab_path: Optional[str] = None
    outputs_trusted: bool
    outputs_untrusted_why: str = ""


class Comparison(Reply):
    """``GET experiments/compare``: two experiments side by side, and what changed from old to new."""

    old: ExperimentView
    new: ExperimentView
    old_judgements: list[JudgedPrediction]
    new_judgements: list[JudgedPrediction]
    same_cell: bool
    same_source: bool
    values: list[ValueComparison]
    verdicts: list[VerdictComparison]


class ExpectedValues(Reply):
    """The expected routes' reply: what is expected to vary in one cell, and by how much."""

    cell_key: str
    expected: list[str]
    expected_envelopes: list[ExpectedEnvelope]


class DriftSettings(Reply):
    """``GET``/``POST settings``: the relative change that flags a value with few earlier runs."""

    drift_threshold: float


class BulkClosed(Reply):
    """A surprise a bulk action closed, or found closed already (``already``), as it now is."""

    id: int
    ok: Literal[True] = True
    already: bool
    surprise: Surprise


class BulkRefused(Reply):
    """A surprise a bulk action could not close, and why."""

    id: int
    ok: Literal[False] = False
    error: str


BulkResult = Union[BulkClosed, BulkRefused]


class BulkAnswer(Reply):
    """``POST surprises/bulk``: the counts, and how each surprise went."""

    closed: int
    already: int
    refused: int
    results: list[BulkResult]


class ModeBalance(Reply):
    """Experiments, run time and time spent in one research mode."""

    mode: str
    experiments: int
    run_seconds: float
    mode_seconds: Optional[float] = None


class ModeState(Reply):
    """``GET mode``: the research mode in force and the balance between modes."""

    mode: Optional[str] = None
    balance: list[ModeBalance]


class ExportWritten(Reply):
    """``POST export``: the file written, relative to the project folder, and its size."""

    path: str
    bytes: int


class CalibrationSlice(Reply):
    """The calibration of the first verdicts that share one value of a dimension."""

    dimension: str
    key: str
    judged: int
    came_true: int
    brier: float
    mean_credence: float
    warning: Optional[str] = None


class CalibrationSlices(Reply):
    """``GET calibration?by=tag|mode|brainstorm|model``: one slice per value, most judged first."""

    by: str
    slices: list[CalibrationSlice]


class RollingPoint(Reply):
    """The Brier score of the last first verdicts (up to the window) as of the ``index``-th one."""

    at: str
    index: int
    judged: int
    brier: float


class CalibrationOverTime(Reply):
    """``GET calibration?by=time``: the rolling Brier score, and whether it is getting better, in words."""

    by: Literal["time"]
    points: list[RollingPoint]
    summary: str


Calibration = Union[CalibrationOverTime, CalibrationSlices]


class BundleReady(Reply):
    """One kind's figure script: its package's version, its digest, its size, where it is served (public,
    relative to the server's base URL), and whether the logbook holds a figure of this kind."""

    version: Optional[str] = None
    digest: str
    bytes: int
    script: str
    recorded: bool


class BundleMissing(Reply):
    """Why one kind's figures cannot be drawn, and what to install."""

    missing: str


Bundle = Union[BundleReady, BundleMissing]


class Bundles(Reply):
    """``GET bundles``: the script that draws each kind of figure, or why there is none."""

    plotly: Bundle
    circuitsvis: Bundle
