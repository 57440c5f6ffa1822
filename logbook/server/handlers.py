"""REST handlers under ``<base_url>/logbook/api/``; every one requires Jupyter's authentication.

Each handler's ``api`` names, per method, the body it takes and the reply model it answers with;
``logbook.server.routes`` lists the routes, and ``logbook schema --api`` publishes them.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Union

import tornado.web

from logbook.errors import LogbookError, LogbookUnavailable, NotFound
from logbook.models import (
    Brainstorm,
    CellHistory,
    CompetingSet,
    Evidence,
    Hypothesis,
    HypothesisStatus,
    Mode,
    Note,
    Pin,
    Prediction,
    Proposal,
    Surprise,
)
from logbook.replies import (
    BulkAnswer,
    BulkClosed,
    BulkRefused,
    BulkResult,
    Calibration,
    Comparison,
    CurrentBrainstorm,
    DriftSettings,
    ExpectedValues,
    ExperimentPage,
    ExperimentRow,
    ExperimentView,
    ExportWritten,
    ExpressionAccepted,
    ExpressionChecked,
    ExpressionRefused,
    LocatedSearchResults,
    ModeState,
    Revision,
    Status,
    StatusUnavailable,
    Trusted,
    TrustReviewReply,
    UntrustedPrediction,
)
from logbook.report.dashboard import Dashboard, DashboardCache, dashboard
from logbook.report.exporting import export_logbook, render
from logbook.report.selection import Selection
from logbook.rules.compare import compare_values, compare_verdicts
from logbook.rules.coverage import ModelCoverage
from logbook.rules.predictions import PredictionSyntaxError, expression_or_text, parse_expression
from logbook.rules.trust import TrustChanged
from logbook.server import requests as bodies
from logbook.server.base import LONG_POLL_SECONDS, MAX_PAGE, Exchange, LogbookHandler
from logbook.store.core import Store
from logbook.store.sections import experiment_judgements
from logbook.store.views import calibration, experiment_coverage, surprises_matching
from logbook.version import __version__

EXPORT_TYPES = {"json": "application/json", "md": "text/markdown", "html": "text/html"}


class StatusHandler(LogbookHandler):
    """The logbook's path, mode and counts; a 503 that says why when it cannot be read."""

    api = {"GET": Exchange(Union[Status, StatusUnavailable])}

    @tornado.web.authenticated
    async def get(self) -> None:
        def status(store: Store) -> dict:
            mode = store.current_mode()
            return {
                "version": __version__,
                "path": str(store.path),
                "mode": mode.value if mode else None,
                "hypotheses": store.count("hypotheses"),
                "experiments": store.count("experiments"),
                "surprises": store.count("surprises"),
                "unread_surprises": store.unread_surprises(),
            }

        try:
            result = await self.db.run(status)
        except Exception as error:  # noqa: BLE001 - shown in the sidebar, the server keeps working
            failure = StatusUnavailable(
                version=__version__, path=str(self.db.path), error=_describe_failure(error)
            )
            self.send(failure, 503)
            return
        self.send(Status(**result, revision=self.db.revision))


def _describe_failure(error: Exception) -> str:
    if isinstance(error, LogbookUnavailable):
        return str(error)
    return f"the logbook cannot be read ({type(error).__name__}: {error})"


class ChangesHandler(LogbookHandler):
    """Long poll: answers as soon as the logbook changes after revision ``since``."""

    api = {"GET": Exchange(Revision, long_poll=True)}

    @tornado.web.authenticated
    async def get(self) -> None:
        since = self.int_argument("since", -1, -1, 2**62)
        timeout = self.float_argument("timeout", LONG_POLL_SECONDS, 0.0, 24 * 3600.0)
        revision = await self.db.wait_for_change(since, min(timeout, LONG_POLL_SECONDS))
        self.send(Revision(revision=revision))


class HypothesesHandler(LogbookHandler):
    api = {
        "GET": Exchange(list[Hypothesis]),
        "POST": Exchange(Hypothesis, bodies.NewHypothesis, 201),
    }

    @tornado.web.authenticated
    async def get(self) -> None:
        status = self.enum_argument("status", HypothesisStatus)
        self.send(await self.call(lambda store: store.hypotheses(status)))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.NewHypothesis)
        created = await self.call(
            lambda store: store.add_hypothesis(body.statement, body.credence, body.brainstorm_id, body.tags),
            writes=True,
        )
        self.send(created)


class HypothesisHandler(LogbookHandler):
    api = {"GET": Exchange(Hypothesis), "PATCH": Exchange(Hypothesis, bodies.HypothesisChange)}

    @tornado.web.authenticated
    async def get(self, hypothesis_id: str) -> None:
        self.send(await self.call(lambda store: store.hypothesis(hypothesis_id)))

    @tornado.web.authenticated
    async def patch(self, hypothesis_id: str) -> None:
        body = self.body(bodies.HypothesisChange)
        if body.credence is None and body.status is None:
            raise tornado.web.HTTPError(400, "nothing to change: give a credence and/or a status")

        def change(store: Store) -> Hypothesis:
            updated = store.hypothesis(hypothesis_id)
            # Refuting twice is refused (409): a refutation is recorded once.
            if body.status is not None and (
                body.status != updated.status or body.status is HypothesisStatus.refuted
            ):
                return store.set_status(hypothesis_id, body.status, body.reason, body.credence)
            if body.credence is not None:
                updated = store.update_credence(hypothesis_id, body.credence, body.reason)
            return updated

        self.send(await self.call(change, writes=True))


class PredictionsHandler(LogbookHandler):
    api = {"POST": Exchange(Prediction, bodies.NewPrediction, 201)}

    @tornado.web.authenticated
    async def post(self, hypothesis_id: str) -> None:
        body = self.body(bodies.NewPrediction)

        def add(store: Store) -> Prediction:
            words, kind = expression_or_text(body.expression, body.text)
            return store.add_prediction(
                hypothesis_id,
                words,
                body.credence,
                kind,
                likelihoods=body.likelihoods,
                base_rate=body.base_rate,
                resolve_by=body.resolve_by,
                tags=body.tags,
            )

        self.send(await self.call(add, writes=True))


class PredictionHandler(LogbookHandler):
    api = {"PATCH": Exchange(Prediction, bodies.PredictionChange)}

    @tornado.web.authenticated
    async def patch(self, prediction_id: str) -> None:
        body = self.body(bodies.PredictionChange)
        updated = await self.call(
            lambda store: store.update_prediction(prediction_id, body.expression, body.credence), writes=True
        )
        self.send(updated)


class VerdictHandler(LogbookHandler):
    """Your verdict on a prediction written in words: ``{"held": false}`` makes a surprise."""

    api = {"POST": Exchange(Union[Surprise, Evidence], bodies.HandVerdict, 201)}

    @tornado.web.authenticated
    async def post(self, prediction_id: str) -> None:
        body = self.body(bodies.HandVerdict)
        self.send(
            await self.call(
                lambda store: store.judge_by_hand(
                    prediction_id, body.held, experiment_id=body.experiment_id, observed=body.observed
                ),
                writes=True,
            )
        )


class CheckExpressionHandler(LogbookHandler):
    """Checks a prediction expression without saving it: ``{"ok": true, "names": [...]}`` or the reason."""

    api = {"POST": Exchange(ExpressionChecked, bodies.ExpressionCheck)}

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ExpressionCheck)
        try:
            self.send(ExpressionAccepted(names=parse_expression(body.expression)))
        except PredictionSyntaxError as error:
            self.send(ExpressionRefused(error=str(error)))


class TrustHandler(LogbookHandler):
    """GET lists the predictions not signed by this user, each with why and the ``hash`` of what it shows.

    POST ``{"ids": [...], "hashes": {id: hash}}`` signs exactly those, each
    only as it was shown: if any changed since (its hash differs), the answer
    is 409 naming it and nothing is signed.
    """

    api = {"GET": Exchange(TrustReviewReply), "POST": Exchange(Trusted, bodies.TrustPredictions)}

    @tornado.web.authenticated
    async def get(self) -> None:
        def untrusted(store: Store) -> TrustReviewReply:
            return TrustReviewReply(
                predictions=[
                    UntrustedPrediction(
                        **r.prediction.model_dump(),
                        statement=r.statement or "",
                        refusal=r.refusal,
                        reasons=r.reasons,
                        hash=r.hash,
                    )
                    for r in store.trust_review()
                ]
            )

        self.send(await self.call(untrusted))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.TrustPredictions)

        def trust(store: Store) -> list[Prediction] | TrustChanged:
            try:
                return store.trust_predictions(body.ids, body.hashes)
            except TrustChanged as changed:
                return changed

        trusted = await self.call(trust, writes=True)
        if isinstance(trusted, TrustChanged):
            raise tornado.web.HTTPError(409, str(trusted))
        self.send(Trusted(trusted=trusted))


class BrainstormsHandler(LogbookHandler):
    """GET lists the brainstorms; POST starts one (one runs at a time: the store refuses a second)."""

    api = {
        "GET": Exchange(list[Brainstorm]),
        "POST": Exchange(Brainstorm, bodies.NewBrainstorm, 201),
    }

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(lambda store: store.brainstorms()))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.NewBrainstorm)
        self.send(
            await self.call(
                lambda store: store.start_brainstorm(body.planned_seconds, body.target), writes=True
            )
        )


def server_time() -> str:
    """The server's clock, with its time zone, for timers that must not trust the browser's."""
    return datetime.now().astimezone().isoformat()


class CurrentBrainstormHandler(LogbookHandler):
    api = {"GET": Exchange(CurrentBrainstorm)}

    @tornado.web.authenticated
    async def get(self) -> None:
        current = await self.call(lambda store: store.current_brainstorm())
        self.send(CurrentBrainstorm(brainstorm=current, server_time=server_time()))


class BrainstormHandler(LogbookHandler):
    api = {"POST": Exchange(Brainstorm, bodies.BrainstormAction)}

    @tornado.web.authenticated
    async def post(self, brainstorm_id: str) -> None:
        bid = self.record_id(brainstorm_id, "brainstorm")
        body = self.body(bodies.BrainstormAction)
        actions = {
            "pause": lambda store: store.pause_brainstorm(bid),
            "resume": lambda store: store.resume_brainstorm(bid),
            "finish": lambda store: store.finish_brainstorm(bid),
        }
        self.send(await self.call(actions[body.action], writes=True))


def lab_path(notebook: Optional[str], root: Path) -> Optional[str]:
    """A recorded notebook path as JupyterLab names it (relative to the server root), if it is inside."""
    if not notebook:
        return None
    path = Path(notebook)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


class ExperimentsHandler(LogbookHandler):
    api = {"GET": Exchange(ExperimentPage)}

    @tornado.web.authenticated
    async def get(self) -> None:
        limit = self.int_argument("limit", 100, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        query = self.get_argument("q", "").strip() or None
        total, rows = await self.call(lambda store: store.experiment_rows(limit, offset, query))
        root = self.project_root
        experiments = [ExperimentRow(**row, lab_path=lab_path(row["notebook"], root)) for row in rows]
        self.send(ExperimentPage(total=total, offset=offset, experiments=experiments))


class SearchHandler(LogbookHandler):
    """``GET search?q=words[&kind=surprise...][&limit=5][&offset=0]``: the whole logbook, grouped by kind."""

    api = {"GET": Exchange(LocatedSearchResults)}

    @tornado.web.authenticated
    async def get(self) -> None:
        query = self.get_argument("q", "")
        kinds = self.get_arguments("kind") or None
        limit = self.int_argument("limit", 5, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        found = (await self.call(lambda store: store.search(query, kinds, limit, offset))).model_dump()
        for group in found["groups"]:
            for hit in group["hits"]:
                hit["lab_path"] = lab_path(hit["notebook"], self.project_root)
        self.send(found)


class ExperimentHandler(LogbookHandler):
    api = {"GET": Exchange(ExperimentView)}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        root = self.project_root
        self.send(await self.call(lambda store: experiment_view(store, eid, root)))


def experiment_view(store: Store, experiment_id: int, root: Path) -> ExperimentView:
    """An experiment as the experiment routes send it: with its path in JupyterLab and whether its outputs run."""
    experiment = store.experiment(experiment_id)
    # Kernels record as the system user the server runs as: that is who "you" are here.
    trusted, why = store.outputs_trusted(experiment_id)
    return ExperimentView(
        **experiment.model_dump(),
        lab_path=lab_path(experiment.notebook, root),
        outputs_trusted=trusted,
        outputs_untrusted_why=why,
    )


class CompareHandler(LogbookHandler):
    """Two experiments side by side: ``?old=3&new=7``.

    Answers both experiments (as ``experiments/{id}`` does), the predictions
    judged on each, and what changed from ``old`` to ``new``: every assigned
    value with its statistics old → new (``logbook.rules.compare``) and every
    prediction's verdict on each, a held → failed first. An id that is not in
    the logbook is a 404 that names it.
    """

    api = {"GET": Exchange(Comparison)}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw = {key: self.get_argument(key, "").strip().removeprefix("#") for key in ("old", "new")}
        if not raw["old"] or not raw["new"]:
            raise tornado.web.HTTPError(400, "say which two experiments to compare: ?old=3&new=7")
        old_id = self.record_id(raw["old"], "old experiment")
        new_id = self.record_id(raw["new"], "new experiment")
        if old_id == new_id:
            raise tornado.web.HTTPError(400, f"choose two different experiments: both are #{old_id}")
        root = self.project_root

        def compare(store: Store) -> Comparison:
            old, new = experiment_view(store, old_id, root), experiment_view(store, new_id, root)
            old_judged = experiment_judgements(store, old_id).judgements
            new_judged = experiment_judgements(store, new_id).judgements
            return Comparison(
                old=old,
                new=new,
                old_judgements=old_judged,
                new_judgements=new_judged,
                same_cell=old.cell_key is not None and old.cell_key == new.cell_key,
                same_source=old.source == new.source,
                values=compare_values(old.names, new.names),
                verdicts=compare_verdicts(
                    [j.model_dump() for j in old_judged], [j.model_dump() for j in new_judged]
                ),
            )

        self.send(await self.call(compare))


class CoverageHandler(LogbookHandler):
    """Where the notebook has not looked in the models an experiment ran (``logbook.rules.coverage``)."""

    api = {"GET": Exchange(list[ModelCoverage])}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: experiment_coverage(store, eid)))


class PinsHandler(LogbookHandler):
    """The pinned figures of an experiment: GET lists them, POST pins one, DELETE ?position= unpins it."""

    api = {
        "GET": Exchange(list[Pin]),
        "POST": Exchange(Pin, bodies.NewPin, 201),
        "DELETE": Exchange(list[Pin]),
    }

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.pins(eid)))

    @tornado.web.authenticated
    async def post(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        body = self.body(bodies.NewPin)
        self.send(await self.call(lambda store: store.pin(eid, body.position, body.caption), writes=True))

    @tornado.web.authenticated
    async def delete(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        position = self.int_argument("position", 0, 0, bodies.MAX_ID)

        def unpin(store: Store) -> list[Pin]:
            store.unpin(eid, position)
            return store.pins(eid)

        self.send(await self.call(unpin, writes=True))


class HistoryHandler(LogbookHandler):
    """Every run of the cell an experiment ran, oldest first, and what changed between each and the next."""

    api = {"GET": Exchange(CellHistory)}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: store.cell_history(eid)))


class ExpectedValuesHandler(LogbookHandler):
    """``{"cell_key", "name"}``: the name is expected to vary in that cell and is not flagged as drift there."""

    api = {
        "POST": Exchange(ExpectedValues, bodies.ExpectedValue),
        "DELETE": Exchange(ExpectedValues, bodies.UnexpectedValue),
    }

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ExpectedValue)

        def expect(store: Store) -> ExpectedValues:
            store.expect_value(body.cell_key, body.name, body.envelope)
            return expected_in(store, body.cell_key)

        self.send(await self.call(expect, writes=True))

    @tornado.web.authenticated
    async def delete(self) -> None:
        """Undo an expected value: ``{"cell_key", "label"}`` as the body or as query arguments."""
        if not self.request.body:
            self.request.body = json.dumps(
                {key: self.get_query_argument(key, "") for key in ("cell_key", "label")}
            ).encode()
        body = self.body(bodies.UnexpectedValue)

        def unexpect(store: Store) -> ExpectedValues:
            if not store.unexpect_value(body.cell_key, body.label):
                raise NotFound(f"{body.label} is not expected to vary in that cell")
            return expected_in(store, body.cell_key)

        self.send(await self.call(unexpect, writes=True))


def expected_in(store: Store, cell_key: str) -> ExpectedValues:
    """What is expected to vary in one cell, as the expected routes answer."""
    envelopes = store.expected_envelopes().get(cell_key, {})
    return ExpectedValues(
        cell_key=cell_key,
        expected=sorted(envelopes),
        expected_envelopes=[{"label": k, "envelope": v} for k, v in sorted(envelopes.items())],
    )


class ExpectedDriftHandler(LogbookHandler):
    """Dismiss a drift surprise as expected: it is explained and its value is not flagged again in its cell."""

    api = {"POST": Exchange(Surprise)}

    @tornado.web.authenticated
    async def post(self, surprise_id: str) -> None:
        sid = self.record_id(surprise_id, "surprise")
        by = self.user_name()
        self.send(await self.call(lambda store: store.expect_drift(sid, by=by), writes=True))


class SettingsHandler(LogbookHandler):
    """The logbook's settings: ``drift_threshold``, the relative change that flags a value with few earlier runs."""

    api = {"GET": Exchange(DriftSettings), "POST": Exchange(DriftSettings, bodies.Settings)}

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(lambda store: DriftSettings(drift_threshold=store.drift_threshold())))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.Settings)
        self.send(
            await self.call(
                lambda store: DriftSettings(drift_threshold=store.set_drift_threshold(body.drift_threshold)),
                writes=True,
            )
        )


class OutputHandler(LogbookHandler):
    """An output's bytes. Only images are served as themselves; all else as inert plain text."""

    api = {"GET": Exchange(None, media="image/png, image/jpeg or text/plain")}

    @tornado.web.authenticated
    async def get(self, sha256: str) -> None:
        data = await self.call(lambda store: store.blob(sha256))
        mime = self.get_argument("mime", "text/plain")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        self.finish(
            data,
            set_content_type=mime if mime in ("image/png", "image/jpeg") else "text/plain; charset=utf-8",
        )


class SurprisesHandler(LogbookHandler):
    """``?status=open|explained|acted_on|resolved|all`` (default all), most surprising first."""

    api = {"GET": Exchange(list[Surprise])}

    @tornado.web.authenticated
    async def get(self) -> None:
        status = self.get_argument("status", "all")
        self.send(await self.call(lambda store: store.surprises(status)))


class SurpriseHandler(LogbookHandler):
    """``{"read": true}`` marks a surprise seen; ``{"action": ...}`` closes it, in the user's name."""

    api = {"PATCH": Exchange(Surprise, bodies.SurpriseChange)}

    @tornado.web.authenticated
    async def patch(self, surprise_id: str) -> None:
        sid = self.record_id(surprise_id, "surprise")
        body = self.body(bodies.SurpriseChange)
        if body.read is None and body.action is None:
            raise tornado.web.HTTPError(400, "nothing to change: give read or an action")
        by = self.user_name()

        def change(store: Store) -> Surprise:
            if body.action is None:
                return store.mark_surprise_read(sid, bool(body.read))
            # Closing a surprise also marks it read.
            return store.resolve_surprise(
                sid,
                body.action,
                explanation=body.explanation,
                credence=body.credence,
                reason=body.reason,
                by=by,
            )

        self.send(await self.call(change, writes=True))


class FollowUpHandler(LogbookHandler):
    """``{"statement", "credence"}``: a new hypothesis that follows up the surprise, which closes as followed up."""

    api = {"POST": Exchange(Hypothesis, bodies.FollowUp, 201)}

    @tornado.web.authenticated
    async def post(self, surprise_id: str) -> None:
        sid = self.record_id(surprise_id, "surprise")
        body = self.body(bodies.FollowUp)
        by = self.user_name()
        created = await self.call(
            lambda store: store.follow_up(sid, body.statement, body.credence, body.brainstorm_id, by=by),
            writes=True,
        )
        self.send(created)


class BulkTriageHandler(LogbookHandler):
    """``{"ids", "action", "explanation"}``: close each surprise on its own; the answer says, per id, how it went.

    ``{"closed": 2, "already": 0, "refused": 1, "results": [{"id": 3, "ok": true, "surprise": {...}},
    {"id": 5, "ok": false, "error": "S5 was already resolved ..."}]}``. One surprise refused leaves the
    others closed.
    """

    api = {"POST": Exchange(BulkAnswer, bodies.BulkTriage)}

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.BulkTriage)
        explanation = body.explanation.strip()
        if body.action == "explained" and not explanation:
            raise tornado.web.HTTPError(400, "say what explains them: the explanation is empty")
        by = self.user_name()

        def close_each(store: Store) -> BulkAnswer:
            results: list[BulkResult] = []
            counts = {"closed": 0, "already": 0, "refused": 0}
            for sid in dict.fromkeys(body.ids):
                try:
                    before = store.surprise(sid)
                    after = store.resolve_surprise(sid, body.action, explanation=explanation, by=by)
                except LogbookUnavailable:
                    raise  # the logbook itself cannot be written: a 503 for all, not a refusal of one
                except LogbookError as error:
                    counts["refused"] += 1
                    results.append(BulkRefused(id=sid, error=str(error)))
                    continue
                already = before.resolution is not None
                counts["already" if already else "closed"] += 1
                results.append(BulkClosed(id=sid, already=already, surprise=after))
            return BulkAnswer(**counts, results=results)

        self.send(await self.call(close_each, writes=True))


class SurpriseLookupHandler(LogbookHandler):
    """The surprises a card under a cell stands for, newest first (any status, at most 20).

    ``?id=3``, ``?prediction_id=H1.P2`` (or ``hypothesis_id`` and ``prediction``), or ``?note=...`` for a
    flag or a drift; ``experiment_id`` narrows it to one cell run.
    """

    api = {"GET": Exchange(list[Surprise])}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw_id = self.get_argument("id", "")
        if raw_id:
            sid = self.record_id(raw_id.removeprefix("S"), "surprise")
            self.send(await self.call(lambda store: [store.surprise(sid)]))
            return
        raw_experiment = self.get_argument("experiment_id", "")
        fields: dict[str, Any] = {
            "prediction_id": self.get_argument("prediction_id", "") or None,
            "hypothesis_id": self.get_argument("hypothesis_id", "") or None,
            "prediction": self.get_argument("prediction", "") or None,
            "note": self.get_argument("note", "") or None,
            "experiment_id": self.record_id(raw_experiment, "experiment") if raw_experiment else None,
        }
        if not (fields["prediction_id"] or fields["prediction"] or fields["note"]):
            raise tornado.web.HTTPError(400, "say which surprise: give prediction_id, prediction or note")
        self.send(await self.call(lambda store: surprises_matching(store, fields)))


class NotesHandler(LogbookHandler):
    """GET lists the notes (``?experiment_id=`` those on one experiment); POST writes one."""

    api = {"GET": Exchange(list[Note]), "POST": Exchange(Note, bodies.NewNote, 201)}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw = self.get_argument("experiment_id", "")
        experiment_id = self.record_id(raw, "experiment") if raw else None
        self.send(await self.call(lambda store: store.notes(experiment_id)))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.NewNote)
        created = await self.call(
            lambda store: store.add_note(body.text, body.experiment_id, body.hypothesis_id), writes=True
        )
        self.send(created)


class ModeHandler(LogbookHandler):
    api = {"GET": Exchange(ModeState), "POST": Exchange(Mode, bodies.ModeSwitch, 201)}

    @tornado.web.authenticated
    async def get(self) -> None:
        def mode(store: Store) -> ModeState:
            current = store.current_mode()
            return ModeState(mode=current.value if current else None, balance=store.mode_balance())

        self.send(await self.call(mode))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ModeSwitch)
        self.send(await self.call(lambda store: store.set_mode(body.mode), writes=True))


class ExportHandler(LogbookHandler):
    """GET downloads the log; POST writes it to a file inside the project folder."""

    api = {
        "GET": Exchange(None, media="application/json, text/markdown or text/html"),
        "POST": Exchange(ExportWritten, bodies.ExportToFile, 201),
    }

    def _selection(
        self, since: Optional[str], until: Optional[str], ids: Optional[list[str]]
    ) -> Optional[Selection]:
        """The part of the logbook asked for, None for all of it; a range that ends before it starts is a 400."""
        try:
            return Selection.of(since, until, ids)
        except LogbookError as error:
            raise tornado.web.HTTPError(400, str(error)) from None

    @tornado.web.authenticated
    async def get(self) -> None:
        fmt = self.get_argument("format", "html")
        if fmt not in EXPORT_TYPES:
            raise tornado.web.HTTPError(400, f"unknown format {fmt!r}; choose json, md or html")
        ids = self.get_arguments("hypothesis") or None
        selection = self._selection(self.get_argument("since", None), self.get_argument("until", None), ids)
        title = self.get_argument("title", None)
        text = await self.call(lambda store: render(store, fmt, selection, title))
        self.set_header("Content-Disposition", f'attachment; filename="research-log.{fmt}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        self.finish(text, set_content_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8")

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ExportToFile)
        selection = self._selection(body.since, body.until, body.hypotheses)
        root = self.project_root.resolve()
        written = await self.call(
            lambda store: export_logbook(
                store,
                root / body.path,
                body.format,
                selection,
                root=root,
                title=body.title,
                replace=body.replace,
            )
        )
        size = os.stat(written, follow_symlinks=False).st_size  # the file written, never what a link names
        self.send(ExportWritten(path=written.relative_to(root).as_posix(), bytes=size))


class SetsHandler(LogbookHandler):
    api = {
        "GET": Exchange(list[CompetingSet]),
        "POST": Exchange(CompetingSet, bodies.NewSet, 201),
    }

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(lambda store: store.competing_sets()))

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.NewSet)

        def create(store: Store) -> CompetingSet:
            if not body.hypothesis_ids and body.brainstorm_id is not None:
                return store.set_from_brainstorm(body.brainstorm_id, body.question, body.something_else)
            return store.create_set(
                body.question, body.hypothesis_ids, body.something_else, body.brainstorm_id, body.reason
            )

        self.send(await self.call(create, writes=True))


class SetHandler(LogbookHandler):
    api = {"GET": Exchange(CompetingSet), "POST": Exchange(CompetingSet, bodies.SetCredence)}

    @tornado.web.authenticated
    async def get(self, set_id: str) -> None:
        sid = self.record_id(set_id, "set")
        self.send(await self.call(lambda store: store.competing_set(sid)))

    @tornado.web.authenticated
    async def post(self, set_id: str) -> None:
        sid = self.record_id(set_id, "set")
        body = self.body(bodies.SetCredence)

        def change(store: Store) -> CompetingSet:
            if body.hypothesis_id == "else":
                return store.set_something_else(sid, body.credence, body.reason)
            member = store.hypothesis(body.hypothesis_id)
            if member.set_id != sid:
                raise LogbookError(f"{member.id} is not in C{sid}")
            return store.set_credence(member.id, body.credence, body.reason, body.give_way)

        self.send(await self.call(change, writes=True))


class TagsHandler(LogbookHandler):
    """POST ``{"tags": [...], "replace": false}``: tags for a hypothesis or a prediction (they slice calibration);
    answers the hypothesis or prediction as it now is."""

    api = {"POST": Exchange(Union[Hypothesis, Prediction], bodies.Tags)}

    @tornado.web.authenticated
    async def post(self, record_id: str) -> None:
        body = self.body(bodies.Tags)

        def tag(store: Store) -> Hypothesis | Prediction:
            store.tag(record_id, body.tags, body.replace)
            return store.prediction(record_id) if "." in record_id else store.hypothesis(record_id)

        self.send(await self.call(tag, writes=True))


class SetMembersHandler(LogbookHandler):
    """POST ``{"hypothesis_id", "reason"}``: the hypothesis joins the set as a rival; the others make room."""

    api = {"POST": Exchange(CompetingSet, bodies.SetMember)}

    @tornado.web.authenticated
    async def post(self, set_id: str) -> None:
        sid = self.record_id(set_id, "set")
        body = self.body(bodies.SetMember)
        self.send(
            await self.call(lambda store: store.add_to_set(sid, body.hypothesis_id, body.reason), writes=True)
        )


class SetMemberHandler(LogbookHandler):
    """DELETE ``?reason=``: the member leaves the set; what it held goes to something else."""

    api = {"DELETE": Exchange(CompetingSet)}

    @tornado.web.authenticated
    async def delete(self, set_id: str, hypothesis_id: str) -> None:
        sid = self.record_id(set_id, "set")
        reason = self.get_argument("reason", "")

        def leave(store: Store) -> CompetingSet:
            if len(reason) > 100_000:
                raise LogbookError("the reason is longer than 100,000 characters")
            member = store.hypothesis(hypothesis_id)
            if member.set_id != sid:
                raise LogbookError(f"{member.id} is not in C{sid}")
            return store.remove_from_set(member.id, reason)

        self.send(await self.call(leave, writes=True))


class ProposalsHandler(LogbookHandler):
    api = {"GET": Exchange(list[Proposal])}

    @tornado.web.authenticated
    async def get(self) -> None:
        status = self.get_argument("status", None)
        self.send(await self.call(lambda store: store.proposals(status or None)))


class ProposalHandler(LogbookHandler):
    api = {"POST": Exchange(Proposal, bodies.ProposalDecision)}

    @tornado.web.authenticated
    async def post(self, proposal_id: str) -> None:
        pid = self.record_id(proposal_id, "proposal")
        body = self.body(bodies.ProposalDecision)
        self.send(
            await self.call(
                lambda store: store.decide_proposal(pid, body.decision, body.reason, body.credences),
                writes=True,
            )
        )


class DueHandler(LogbookHandler):
    api = {"GET": Exchange(list[Prediction])}

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(lambda store: store.due_predictions()))


class CalibrationHandler(LogbookHandler):
    """GET calibration?by=tag|mode|brainstorm|model: slices with their counts and warnings; by=time: rolling Brier."""

    api = {"GET": Exchange(Calibration)}

    @tornado.web.authenticated
    async def get(self) -> None:
        by = self.get_argument("by", "mode")
        window = self.int_argument("window", 10, 1, 10_000)
        self.send(await self.call(lambda store: calibration(store, by, window)))


class DashboardHandler(LogbookHandler):
    """GET dashboard?have=KEY,KEY: every chart as a Vega-Lite spec (``logbook.report.dashboard``); charts whose key the
    client sent come without their spec."""

    api = {"GET": Exchange(Dashboard)}

    @tornado.web.authenticated
    async def get(self) -> None:
        have = [key for key in self.get_argument("have", "").split(",") if key][:1000]
        cache = self.settings.setdefault("logbook_dashboard", DashboardCache())
        # Kept up to date after changes from now on.
        self.settings["logbook_dashboard_asked"] = time.monotonic()
        self.send(await self.call(lambda store: dashboard(store, have, cache)))


#: Each route under ``<base_url>/logbook/api/``: its pattern and its handler.
ROUTES: list[tuple[str, type[LogbookHandler]]] = [
    ("status", StatusHandler),
    ("changes", ChangesHandler),
    ("hypotheses", HypothesesHandler),
    (r"hypotheses/(H\d+)", HypothesisHandler),
    (r"hypotheses/(H\d+)/predictions", PredictionsHandler),
    ("predictions/check", CheckExpressionHandler),
    (r"predictions/(H\d+\.P\d+)", PredictionHandler),
    (r"predictions/(H\d+\.P\d+)/verdict", VerdictHandler),
    (r"hypotheses/(H\d+)/tags", TagsHandler),
    (r"predictions/(H\d+\.P\d+)/tags", TagsHandler),
    ("trust", TrustHandler),
    ("brainstorms", BrainstormsHandler),
    ("brainstorms/current", CurrentBrainstormHandler),
    (r"brainstorms/(\d+)", BrainstormHandler),
    ("experiments", ExperimentsHandler),
    ("search", SearchHandler),
    ("experiments/compare", CompareHandler),
    (r"experiments/(\d+)", ExperimentHandler),
    (r"experiments/(\d+)/coverage", CoverageHandler),
    (r"experiments/(\d+)/pins", PinsHandler),
    (r"experiments/(\d+)/history", HistoryHandler),
    ("expected", ExpectedValuesHandler),
    ("settings", SettingsHandler),
    (r"outputs/([0-9a-f]{64})", OutputHandler),
    ("surprises", SurprisesHandler),
    ("surprises/bulk", BulkTriageHandler),
    ("surprises/lookup", SurpriseLookupHandler),
    (r"surprises/(\d+)", SurpriseHandler),
    (r"surprises/(\d+)/expected", ExpectedDriftHandler),
    (r"surprises/(\d+)/follow-up", FollowUpHandler),
    ("notes", NotesHandler),
    ("mode", ModeHandler),
    ("export", ExportHandler),
    ("sets", SetsHandler),
    (r"sets/(\d+)", SetHandler),
    (r"sets/(\d+)/members", SetMembersHandler),
    (r"sets/(\d+)/members/([Hh]\d+)", SetMemberHandler),
    ("proposals", ProposalsHandler),
    (r"proposals/(\d+)", ProposalHandler),
    ("predictions/due", DueHandler),
    ("calibration", CalibrationHandler),
    ("dashboard", DashboardHandler),
]
