"""The logbook on disk: one SQLite file, read and written through sqlite-utils.

:class:`Store` is the one entry point. It opens the file
(:mod:`logbook.store.connection`) and builds one part per table or concept
(:mod:`logbook.store.tables`), each given the parts it needs by name::

    store.hypotheses.add_hypothesis("the head copies the previous token")
    store.surprises()            # a part that lists its records is called
    store.search("induction")

Each part reaches another only through that part's public methods. The
store's own methods of the same names delegate to the parts, one line each.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional

from sqlite_utils import Database

from logbook.dates import Moment, moment
from logbook.errors import (
    LogbookDamaged,
    LogbookError,
    LogbookReadOnly,
    LogbookTooNew,
    NotFound,
)
from logbook.models import (
    Brainstorm,
    CellHistory,
    ChainEvent,
    ChainHead,
    CompetingSet,
    Evidence,
    Experiment,
    Hypothesis,
    HypothesisStatus,
    LogbookExport,
    Mode,
    Note,
    Pin,
    Prediction,
    PredictionKind,
    Proposal,
    ProposalStatus,
    Remark,
    ResearchMode,
    Resolution,
    SignedHead,
    Surprise,
    SurpriseStatus,
)
from logbook.paths import find_logbook, project_folder, project_path
from logbook.store.cell_record import EXPERIMENT_COLUMNS, CellRecord
from logbook.store.connection import BUSY_TIMEOUT_MS, LogbookFile
from logbook.store.seal import NAMESPACE
from logbook.store.tables.base import from_row, now, validated
from logbook.store.tables.brainstorms import Brainstorms
from logbook.store.tables.credences import Credences
from logbook.store.tables.events import Events
from logbook.store.tables.experiments import Experiments
from logbook.store.tables.history import History
from logbook.store.tables.hypotheses import Hypotheses
from logbook.store.tables.journal import Journal
from logbook.store.tables.judgements import Judgements
from logbook.store.tables.pins import Pins
from logbook.store.tables.predictions import Predictions, TrustReview
from logbook.store.tables.proposals import Proposals
from logbook.store.tables.remarks import Remarks
from logbook.store.tables.search import Search
from logbook.store.tables.sets import Sets
from logbook.store.tables.settings import Settings
from logbook.store.tables.surprises import Surprises
from logbook.store.tables.tags import Tags
from logbook.store.transactions import snapshot
from logbook.text import clean_text

__all__ = [
    "BUSY_TIMEOUT_MS",
    "EXPERIMENT_COLUMNS",
    "LogbookDamaged",
    "LogbookError",
    "LogbookReadOnly",
    "LogbookTooNew",
    "NotFound",
    "Store",
    "validated",
]


class Store:
    """Every read and write of one logbook file.

    A ``Store`` holds one connection; use one per thread. ``read_only=True``
    opens the file for reading only (a file this process may not write is
    opened so anyway): writes then raise :class:`LogbookReadOnly`.
    ``guest=True`` reads a teammate's file: read-only, and nothing is created
    beside it (see :class:`~logbook.store.connection.LogbookFile`).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        check_integrity: bool = True,
        read_only: bool = False,
        guest: bool = False,
    ):
        self.path = Path(path) if path else find_logbook()
        self.file = LogbookFile(self.path, check_integrity, read_only, guest)
        self._build_parts()

    def _build_parts(self) -> None:
        """One part per table or concept on the open file, each given the parts it needs by name."""
        db: Database = self.file.db
        self.db = db
        events = self.events = Events(db)
        self.search = Search(db)
        self.tags = Tags(db, events)
        self.settings = Settings(db, events)
        self.predictions = Predictions(db, events, read_only=self.file.read_only)
        self.experiments = Experiments(db, events, search=self.search)
        self.brainstorms = Brainstorms(db, events)
        self.surprises = Surprises(db, events, experiments=self.experiments)
        self.credences = Credences(db, events, surprises=self.surprises)
        self.hypotheses = Hypotheses(
            db,
            events,
            predictions=self.predictions,
            surprises=self.surprises,
            credences=self.credences,
            tags=self.tags,
        )
        self.sets = Sets(
            db, events, hypotheses=self.hypotheses, brainstorms=self.brainstorms, credences=self.credences
        )
        self.proposals = Proposals(db, events, predictions=self.predictions, credences=self.credences)
        self.judgements = Judgements(
            db,
            events,
            predictions=self.predictions,
            experiments=self.experiments,
            surprises=self.surprises,
            hypotheses=self.hypotheses,
            credences=self.credences,
            proposals=self.proposals,
        )
        self.journal = Journal(db, events, hypotheses=self.hypotheses, experiments=self.experiments)
        self.history = History(db, events, surprises=self.surprises, judgements=self.judgements)
        self.pins = Pins(db, events, experiments=self.experiments)
        self.remarks = Remarks(db, events, hypotheses=self.hypotheses, predictions=self.predictions)

    @property
    def read_only(self) -> bool:
        """Whether this store may not write the file."""
        return self.file.read_only

    def replaced(self) -> bool:
        """Whether the file at ``path`` is no longer the one this store opened (deleted, or another moved in)."""
        return self.file.replaced()

    def reopen(self) -> None:
        """Open the file now at ``path`` instead (a new logbook if it was deleted); raises as opening does."""
        self.file = self.file.reopen()
        self._build_parts()

    def checkpoint(self) -> bool:
        """Save the WAL into the logbook file, so a copy of that file alone has every record (see ``portable``)."""
        return self.file.checkpoint()

    def close(self) -> None:
        """Close the connection."""
        self.file.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the file."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front; it ends by sealing the head it wrote."""
        with self.events.transaction() as db:
            yield db

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one committed state of the file, so records and chain head agree."""
        with snapshot(self.db):
            yield

    def count(self, table: str) -> int:
        """How many rows ``table`` holds."""
        return self.db.table(table).count

    # -- recorder health --------------------------------------------------

    def record_error(self, context: str, message: str, traceback: str = "") -> None:
        """Keep a failure of the kernel's recording (``context`` says where) in ``recorder_errors``."""
        self.db.table("recorder_errors").insert(
            {
                "at": now(),
                "context": context,
                "message": clean_text(message),
                "traceback": clean_text(traceback),
            }
        )

    # -- the whole logbook ------------------------------------------------

    def export(self, since: Moment = None) -> LogbookExport:
        """The whole logbook, read in one snapshot, with the head of its event history.

        Notebooks are named relative to the project folder.
        """
        with self.snapshot():
            experiments = self.experiments(limit=None, newest_first=False)
            start = moment(since)
            if start is not None:
                experiments = [e for e in experiments if e.started_at >= start]
            project = project_folder(self.path)
            for e in experiments:
                e.notebook = project_path(e.notebook, project)
            head = self.chain_head()
            events = [
                from_row(ChainEvent, row)
                for row in self.db.query(
                    "SELECT id, at, kind, subject, payload, hash FROM events ORDER BY id"
                )
            ]
            return LogbookExport(
                hypotheses=self.hypotheses(),
                brainstorms=self.brainstorms(),
                experiments=experiments,
                surprises=self.surprises(),
                evidence=self.evidence(),
                notes=self.notes(),
                modes=self.modes(),
                sets=self.competing_sets(),
                proposals=self.proposals(),
                chain_head=ChainHead(**head) if head else None,
                events=events,
                seal=self.ssh_seal(),
            )

    # -- events ------------------------------------------------------

    def append_event(self, kind: str, subject: str, payload: dict[str, Any], at: str | None = None) -> str:
        """Append one event and return its hash; call inside the write transaction that makes the change."""
        return self.events.append_event(kind, subject, payload, at)

    def seal_head(self) -> None:
        """Sign the head this transaction wrote with this user's secret (:mod:`logbook.store.seal`); in the transaction."""
        self.events.seal_head()

    def ssh_seal(self) -> Optional[SignedHead]:
        """The newest SSH seal whose head the history still holds, or None."""
        return self.events.ssh_seal()

    def seal_with_ssh(self, key: Path, namespace: str = NAMESPACE) -> SignedHead:
        """Sign the head with an SSH private key (``ssh-keygen -Y sign``) and keep the signature."""
        return self.events.seal_with_ssh(key, namespace)

    def seals(self) -> list[dict[str, Any]]:
        """Every author's seal of the head: key id, author, events, hash, mac, when."""
        return self.events.seals()

    def chain_head(self) -> dict[str, Any] | None:
        """The newest event's id and hash: publish this to prove the history up to now."""
        return self.events.chain_head()

    def event_hash(self, event_id: int) -> str | None:
        """The hash of event ``event_id``, or None when the history has no such event."""
        return self.events.event_hash(event_id)

    def iter_events(self, subject: str | None = None) -> Iterator[dict[str, Any]]:
        """Events oldest first (of one ``subject`` when given), payloads decoded."""
        return self.events.iter_events(subject)

    # -- search ------------------------------------------------------

    def search_rowids(self, match: str, kind: str, limit: int, offset: int = 0) -> tuple[int, list[int]]:
        """The matches of one kind, newest first: (how many, the numbers of a page of them)."""
        return self.search.search_rowids(match, kind, limit, offset)

    # -- tags --------------------------------------------------------

    def tag(self, record_id: str, tags: Iterable[str] | str, replace: bool = False) -> list[str]:
        """Add tags to a hypothesis (``H1``) or a prediction (``H1.P2``), or ``replace`` them; returns its tags."""
        return self.tags.tag(record_id, tags, replace)

    # -- predictions -------------------------------------------------

    def add_prediction(
        self,
        hypothesis_id: str,
        expression: str,
        credence: float = 0.9,
        kind: PredictionKind | str = PredictionKind.expression,
        likelihoods: Optional[dict[str, float]] = None,
        base_rate: Optional[float] = None,
        resolve_by: Any = None,
        tags: Any = None,
    ) -> Prediction:
        """Write a prediction of a hypothesis, with its credence (P(it holds | the hypothesis))."""
        return self.predictions.add_prediction(
            hypothesis_id, expression, credence, kind, likelihoods, base_rate, resolve_by, tags
        )

    def same_prediction(
        self,
        hypothesis_id: str,
        expression: str,
        credence: float,
        kind: PredictionKind | str = PredictionKind.expression,
    ) -> Prediction | None:
        """The prediction of ``hypothesis_id`` in force (not superseded) that says exactly this, or None."""
        return self.predictions.same_prediction(hypothesis_id, expression, credence, kind)

    def update_prediction(
        self, prediction_id: str, expression: str | None = None, credence: float | None = None
    ) -> Prediction:
        """Edit a prediction's text or credence, and return the prediction that now says it."""
        return self.predictions.update_prediction(prediction_id, expression, credence)

    def prediction(self, prediction_id: str) -> Prediction:
        """The prediction with this id (``H1.P2``), with its verdicts and versions."""
        return self.predictions.prediction(prediction_id)

    def active_predictions(self) -> list[Prediction]:
        """Expression predictions of active hypotheses that are still in force, oldest first."""
        return self.predictions.active_predictions()

    def untrusted_predictions(self) -> list[Prediction]:
        """Predictions not signed by this user as they stand (written elsewhere, copied, or edited), oldest first."""
        return self.predictions.untrusted_predictions()

    def trust_review(self) -> list[TrustReview]:
        """Every untrusted prediction with why it is untrusted and the hash of what trusting it signs, oldest first."""
        return self.predictions.trust_review()

    def trust_predictions(
        self, ids: list[str], hashes: Optional[Mapping[str, str]] = None
    ) -> list[Prediction]:
        """Sign exactly the untrusted predictions ``ids`` as this user's, so kernels run them."""
        return self.predictions.trust_predictions(ids, hashes)

    def set_prediction_error(self, prediction_id: str, error: str) -> None:
        """Record that evaluating a prediction raised; call inside a transaction."""
        self.predictions.set_prediction_error(prediction_id, error)

    def set_prediction_too_slow(self, prediction_id: str, budget_s: float) -> None:
        """Record that evaluating a prediction ran past the kernel's time budget; call inside a transaction."""
        self.predictions.set_prediction_too_slow(prediction_id, budget_s)

    def judging_ahead(self, prediction_id: str, session: str, pid: int, host: str, budget_s: float) -> None:
        """Write that kernel ``session`` is about to evaluate a prediction; call inside a transaction."""
        self.predictions.judging_ahead(prediction_id, session, pid, host, budget_s)

    def judging_done(self, session: str) -> None:
        """Kernel ``session`` finished judging: remove its row; call inside a transaction."""
        self.predictions.judging_done(session)

    def judging(self) -> list[dict]:
        """The judgements in progress, or left behind by kernels that stopped, oldest first."""
        return self.predictions.judging()

    def judging_stopped(self, row: dict) -> bool:
        """Mark the prediction a stopped judgement left (a row of :meth:`judging`) too slow; call inside a transaction."""
        return self.predictions.judging_stopped(row)

    def count_due(self, at: Optional[datetime] = None) -> int:
        """How many pending predictions in force are past their resolve-by date."""
        return self.predictions.count_due(at)

    def due_predictions(self, at: Optional[datetime] = None) -> list[Prediction]:
        """Pending predictions in force whose resolve-by date has passed: the inbox shows them as due."""
        return self.predictions.due_predictions(at)

    # -- experiments -------------------------------------------------

    def store_blob(self, data: bytes) -> str:
        """Keep an output's bytes (once for the same bytes) and return their SHA-256."""
        return self.experiments.store_blob(data)

    def store_placeholder(self, sha256: str, size: int) -> str:
        """Note an output known by its hash and size only: a blob row without bytes."""
        return self.experiments.store_placeholder(sha256, size)

    def blob(self, sha256: str) -> bytes:
        """An output's bytes; :class:`NotKept` when it was too large to keep."""
        return self.experiments.blob(sha256)

    def set_record_ms(self, experiment_id: int, record_ms: float) -> None:
        """Store how long recording and judging took after a cell; call inside a transaction."""
        self.experiments.set_record_ms(experiment_id, record_ms)

    def insert_experiment(self, row: CellRecord, outputs: list[dict[str, Any]]) -> int:
        """Write one experiment and its outputs; call inside a transaction."""
        return self.experiments.insert_experiment(row, outputs)

    def outputs_trusted(self, experiment_id: int, user: Optional[str] = None) -> tuple[bool, str]:
        """Whether an experiment's rich outputs may run as yours, and why not: (trusted, reason)."""
        return self.experiments.outputs_trusted(experiment_id, user)

    def experiment(self, experiment_id: int) -> Experiment:
        """The experiment with this id, with its outputs."""
        return self.experiments.experiment(experiment_id)

    def experiment_rows(
        self, limit: int = 100, offset: int = 0, query: str | None = None
    ) -> tuple[int, list[dict]]:
        """A page of experiments, newest first, as light rows for lists: (total, rows)."""
        return self.experiments.experiment_rows(limit, offset, query)

    def search_experiments(self, text: str, limit: int = 50) -> list[Experiment]:
        """Experiments whose source, outputs or errors hold every word of ``text``, best match first."""
        return self.experiments.search_experiments(text, limit)

    def figure_kinds(self) -> set[str]:
        """The kinds of drawn figure the logbook holds (``plotly``, ``circuitsvis``)."""
        return self.experiments.figure_kinds()

    def last_experiment_id(self) -> int | None:
        """The id of the experiment recorded last, or None before the first."""
        return self.experiments.last_experiment_id()

    def experiment_models(self, experiment_ids: Iterable[int]) -> dict[int, str]:
        """The model each experiment ran, by id (see :func:`logbook.rules.calibration.model_name`); experiments without one are left out."""
        return self.experiments.experiment_models(experiment_ids)

    # -- brainstorms -------------------------------------------------

    def start_brainstorm(self, planned_seconds: int = 300, target: int = 4) -> Brainstorm:
        """Start a brainstorm; one runs at a time, so another still running is refused."""
        return self.brainstorms.start_brainstorm(planned_seconds, target)

    def finish_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """End a brainstorm now (a finished one is left as it was); time paused is not counted."""
        return self.brainstorms.finish_brainstorm(brainstorm_id)

    def discard_brainstorm(self, brainstorm_id: int) -> None:
        """Remove a finished brainstorm that wrote nothing (a notebook's brainstorm cell run again)."""
        self.brainstorms.discard_brainstorm(brainstorm_id)

    def pause_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """Pause a running brainstorm's clock (already paused: left as it is)."""
        return self.brainstorms.pause_brainstorm(brainstorm_id)

    def resume_brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """Start a paused brainstorm's clock again, adding the pause to its paused time."""
        return self.brainstorms.resume_brainstorm(brainstorm_id)

    def current_brainstorm(self) -> Brainstorm | None:
        """The brainstorm still running, or None."""
        return self.brainstorms.current_brainstorm()

    def brainstorm(self, brainstorm_id: int) -> Brainstorm:
        """The brainstorm with this id, with the hypotheses it wrote."""
        return self.brainstorms.brainstorm(brainstorm_id)

    # -- surprises ---------------------------------------------------

    def add_manual_surprise(
        self, note: str, experiment_id: int | None = None, hypothesis_id: str | None = None
    ) -> Surprise:
        """Flag a surprise by hand with a note, on an experiment (default: the last one recorded)."""
        return self.surprises.add_manual_surprise(note, experiment_id, hypothesis_id)

    def surprise_flagged(self, note: str, hypothesis_id: str | None = None) -> Surprise | None:
        """The first surprise flagged by hand with exactly this note about ``hypothesis_id``, or None."""
        return self.surprises.surprise_flagged(note, hypothesis_id)

    def surprise(self, surprise_id: int | str) -> Surprise:
        """The surprise with this id (``3`` or ``"S3"``)."""
        return self.surprises.surprise(surprise_id)

    def count_surprises(self, status: SurpriseStatus | str | None = None) -> int:
        """How many surprises have ``status`` (as :meth:`__call__` reads it)."""
        return self.surprises.count_surprises(status)

    def unread_surprises(self) -> int:
        """How many surprises are open and not yet seen: the sidebar's badge."""
        return self.surprises.unread_surprises()

    def mark_surprise_read(self, surprise_id: int | str, read: bool = True) -> Surprise:
        """Mark a surprise seen (or unseen again); only the unread badge changes."""
        return self.surprises.mark_surprise_read(surprise_id, read)

    # -- hypotheses --------------------------------------------------

    def add_hypothesis(
        self,
        statement: str,
        credence: float = 0.5,
        brainstorm_id: int | None = None,
        tags: list[str] | str | None = None,
    ) -> Hypothesis:
        """State a hypothesis with its credence (and the brainstorm that wrote it, its tags)."""
        return self.hypotheses.add_hypothesis(statement, credence, brainstorm_id, tags)

    def follow_up(
        self,
        surprise_id: int | str,
        statement: str,
        credence: float = 0.5,
        brainstorm_id: int | None = None,
        by: str | None = None,
    ) -> Hypothesis:
        """State a hypothesis that follows up a surprise, and close the surprise as ``followed_up``, at once."""
        return self.hypotheses.follow_up(surprise_id, statement, credence, brainstorm_id, by)

    def hypothesis_stating(self, statement: str) -> Hypothesis | None:
        """The first hypothesis whose statement is exactly ``statement`` (as it would be stored), or None."""
        return self.hypotheses.hypothesis_stating(statement)

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        """The hypothesis with this id (``H1``, or ``h1``), with its history and predictions."""
        return self.hypotheses.hypothesis(hypothesis_id)

    def update_credence(self, hypothesis_id: str, credence: float, reason: str = "") -> Hypothesis:
        """Change a hypothesis' credence; in a competing set the others give way in proportion (see ``set_credence``)."""
        return self.hypotheses.update_credence(hypothesis_id, credence, reason)

    def set_status(
        self,
        hypothesis_id: str,
        status: HypothesisStatus | str,
        reason: str = "",
        credence: float | None = None,
    ) -> Hypothesis:
        """Change a hypothesis' status; one rule for credence, whatever the status."""
        return self.hypotheses.set_status(hypothesis_id, status, reason, credence)

    # -- sets --------------------------------------------------------

    def create_set(
        self,
        question: str,
        hypothesis_ids: Iterable[str],
        something_else: Optional[float] = None,
        brainstorm_id: Optional[int] = None,
        reason: str = "",
    ) -> CompetingSet:
        """Group hypotheses as rival explanations of ``question``; their credences are scaled to sum to 1."""
        return self.sets.create_set(question, hypothesis_ids, something_else, brainstorm_id, reason)

    def set_from_brainstorm(
        self, brainstorm_id: int, question: str = "", something_else: Optional[float] = None
    ) -> CompetingSet:
        """The hypotheses a brainstorm wrote (those in no set yet), as one competing set."""
        return self.sets.set_from_brainstorm(brainstorm_id, question, something_else)

    def competing_set(self, set_id: int | str) -> CompetingSet:
        """The competing set with this id (``3`` or ``"C3"``), with its members' credences and history."""
        return self.sets.competing_set(set_id)

    def competing_sets(self) -> list[CompetingSet]:
        """Every competing set, oldest first."""
        return self.sets.competing_sets()

    def set_credence(
        self, hypothesis_id: str, credence: float, reason: str = "", give_way: Optional[Iterable[str]] = None
    ) -> CompetingSet:
        """Change one member's credence; the others (``give_way``: ids and/or ``"else"``) give way."""
        return self.sets.set_credence(hypothesis_id, credence, reason, give_way)

    def set_something_else(self, set_id: int | str, credence: float, reason: str = "") -> CompetingSet:
        """Change what something else holds; the members give way in proportion."""
        return self.sets.set_something_else(set_id, credence, reason)

    def add_to_set(self, set_id: int | str, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Make a hypothesis a rival in a set: it keeps its credence, and the members and something else make room."""
        return self.sets.add_to_set(set_id, hypothesis_id, reason)

    def remove_from_set(self, hypothesis_id: str, reason: str = "") -> CompetingSet:
        """Take a hypothesis out of its set: what it held goes to something else; it keeps its credence alone."""
        return self.sets.remove_from_set(hypothesis_id, reason)

    # -- proposals ---------------------------------------------------

    def propose_after_verdict(self, prediction_id: str) -> Optional[int]:
        """Propose the Bayesian update a prediction's first verdict calls for, once; call inside a transaction."""
        return self.proposals.propose_after_verdict(prediction_id)

    def propose_update(self, prediction_id: str) -> Optional[Proposal]:
        """The proposal a judged prediction calls for (made now if it was not yet); None when there is none."""
        return self.proposals.propose_update(prediction_id)

    def proposal(self, proposal_id: int | str) -> Proposal:
        """The proposal with this id (``1`` or ``"U1"``)."""
        return self.proposals.proposal(proposal_id)

    def decide_proposal(
        self,
        proposal_id: int | str,
        decision: ProposalStatus | str,
        reason: str = "",
        credences: Optional[Mapping[str, float]] = None,
    ) -> Proposal:
        """Accept, edit (``credences`` instead of the proposed ones) or reject a proposal, with a reason."""
        return self.proposals.decide_proposal(proposal_id, decision, reason, credences)

    # -- judgements --------------------------------------------------

    def add_judgement(
        self,
        *,
        held: bool,
        prediction: Prediction,
        observed: dict,
        surprisal_bits: float,
        experiment_id: int | None,
        steps: list[dict[str, str]] | None = None,
    ) -> Optional[int]:
        """Store a judged prediction: evidence if it held, a surprise if not; call inside a transaction."""
        return self.judgements.add_judgement(
            held=held,
            prediction=prediction,
            observed=observed,
            surprisal_bits=surprisal_bits,
            experiment_id=experiment_id,
            steps=steps,
        )

    def judge_by_hand(
        self, prediction_id: str, held: bool, experiment_id: int | None = None, observed: str = ""
    ) -> Surprise | Evidence:
        """Record your verdict on a prediction written in words, on the experiment it judges."""
        return self.judgements.judge_by_hand(prediction_id, held, experiment_id, observed)

    def resolve_surprise(
        self,
        surprise_id: int | str,
        action: Resolution | str,
        explanation: str = "",
        credence: Optional[float] = None,
        reason: str = "",
        by: Optional[str] = None,
    ) -> Surprise:
        """Close a surprise with one action, recording when, by whom and why, in one transaction."""
        return self.judgements.resolve_surprise(surprise_id, action, explanation, credence, reason, by)

    def evidence(self) -> list[Evidence]:
        """Every verdict that held, oldest first."""
        return self.judgements.evidence()

    # -- journal -----------------------------------------------------

    def add_note(self, text: str, experiment_id: int | None = None, hypothesis_id: str | None = None) -> Note:
        """Write a note, on a hypothesis and/or an experiment when given."""
        return self.journal.add_note(text, experiment_id, hypothesis_id)

    def note_saying(self, text: str, hypothesis_id: str | None = None) -> Note | None:
        """The first note with exactly this text about ``hypothesis_id`` (None: about none), or None."""
        return self.journal.note_saying(text, hypothesis_id)

    def notes(self, experiment_id: int | None = None) -> list[Note]:
        """Every note, oldest first; only those on experiment ``experiment_id`` when given."""
        return self.journal.notes(experiment_id)

    def comment(self, about_author: str, about_id: str, text: str) -> Remark:
        """Comment on a teammate's hypothesis or surprise (``bob``, ``H3``): kept here, shown in theirs."""
        return self.remarks.add_remark("comment", about_author, about_id, text)

    def challenge(
        self, about_author: str, about_id: str, statement: str, expression: str, credence: float = 0.9
    ) -> Remark:
        """A red-team prediction of yours against a teammate's hypothesis; ``statement`` is theirs, copied."""
        return self.remarks.challenge(about_author, about_id, statement, expression, credence)

    def follow_up_teammate(
        self, about_author: str, about_id: str, statement: str, credence: float = 0.5
    ) -> Remark:
        """A hypothesis of yours that follows up a teammate's hypothesis or surprise."""
        hypothesis = self.hypotheses.add_hypothesis(statement, credence)
        return self.remarks.add_remark("follow-up", about_author, about_id, "", hypothesis.id)

    def team_remarks(self, about_author: str | None = None) -> list[Remark]:
        """Your remarks on teammates' records, oldest first (only on ``about_author``'s when given)."""
        return self.remarks(about_author)

    def set_mode(self, mode: ResearchMode | str, started_at: datetime | None = None) -> Mode:
        """Switch research mode, from now or from ``started_at`` (the start of the cell that switched)."""
        return self.journal.set_mode(mode, started_at)

    def current_mode(self) -> ResearchMode | None:
        """The research mode switched to last, or None before the first switch."""
        return self.journal.current_mode()

    def modes(self) -> list[Mode]:
        """Every switch of research mode, oldest first."""
        return self.journal.modes()

    def mode_balance(self) -> list[dict]:
        """Experiments, run time and time spent in each research mode."""
        return self.journal.mode_balance()

    # -- history -----------------------------------------------------

    def add_drift(self, experiment_id: Optional[int], drift: dict[str, Any], bits: Optional[float]) -> int:
        """Store one run's drift as one surprise; call inside a transaction."""
        return self.history.add_drift(experiment_id, drift, bits)

    def expect_drift(self, surprise_id: int | str, by: Optional[str] = None) -> Surprise:
        """Close a drift surprise as expected: each part that moved gets an envelope of normal change."""
        return self.history.expect_drift(surprise_id, by)

    def expect_value(self, cell_key: str, name: str, envelope: Optional[float] = None) -> None:
        """Mark a value (``x``) or part (``scores[1, 3]``) of cell ``cell_key`` as expected to vary."""
        self.history.expect_value(cell_key, name, envelope)

    def unexpect_value(self, cell_key: str, name: str) -> bool:
        """Undo :meth:`expect_value`: the value is watched in that cell again. False when it was not expected."""
        return self.history.unexpect_value(cell_key, name)

    def expected_values(self) -> dict[str, set[str]]:
        """The values (and parts) expected to vary, per cell key."""
        return self.history.expected_values()

    def expected_envelopes(self) -> dict[str, dict[str, Optional[float]]]:
        """Per cell key, each value or part expected to vary with the change marked normal (None: any)."""
        return self.history.expected_envelopes()

    def earlier_runs(self, notebook: Optional[str], limit: int = 1000) -> list[tuple]:
        """The newest ``limit`` runs of ``notebook``'s cells, oldest first: (id, cell_key, source_key, error_name, names)."""
        return self.history.earlier_runs(notebook, limit)

    def cell_history(self, experiment_id: int) -> CellHistory:
        """Every run of the cell that ran as ``experiment_id``, oldest first, and what changed between them."""
        return self.history.cell_history(experiment_id)

    # -- pins --------------------------------------------------------

    def pin(self, experiment_id: int | None = None, position: int | None = None, caption: str = "") -> Pin:
        """Pin a figure: output ``position`` of ``experiment_id`` (default: the last figure recorded)."""
        return self.pins.pin(experiment_id, position, caption)

    def unpin(self, experiment_id: int, position: int) -> None:
        """Take a figure off the report; :class:`NotFound` if it is not pinned."""
        self.pins.unpin(experiment_id, position)

    # -- settings ----------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        """The value kept under ``key``, or ``default``."""
        return self.settings.setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON) under ``key``."""
        self.settings.set_setting(key, value)

    def drift_threshold(self) -> float:
        """The relative change that flags a scalar with one or two earlier runs (0.5: 50 %)."""
        return self.settings.drift_threshold()

    def set_drift_threshold(self, value: float) -> float:
        """Keep the drift threshold (a relative change above 0); returns it."""
        return self.settings.set_drift_threshold(value)
