"""The research record's routes: status and changes, hypotheses, predictions and their tags, trust,
brainstorms, notes and the research mode."""

from __future__ import annotations

from datetime import datetime
from typing import Union

import tornado.web

from logbook.errors import LogbookUnavailable
from logbook.models import (
    Brainstorm,
    Evidence,
    Hypothesis,
    HypothesisStatus,
    Mode,
    Note,
    Prediction,
    Surprise,
)
from logbook.replies import (
    CurrentBrainstorm,
    ExpressionAccepted,
    ExpressionChecked,
    ExpressionRefused,
    ModeState,
    Revision,
    Status,
    StatusUnavailable,
    Trusted,
    TrustReviewReply,
    UntrustedPrediction,
)
from logbook.rules.predictions import PredictionSyntaxError, expression_or_text, parse_expression
from logbook.rules.trust import TrustChanged
from logbook.server import requests as bodies
from logbook.server.base import LONG_POLL_SECONDS, Exchange, LogbookHandler
from logbook.store.core import Store
from logbook.version import __version__


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
    ("notes", NotesHandler),
    ("mode", ModeHandler),
]
