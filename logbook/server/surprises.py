"""The surprise inbox's routes: the list, marking read and closing one or many, following one up,
dismissing a drift as expected, and finding the surprises a card stands for."""

from __future__ import annotations

from typing import Any

import tornado.web

from logbook.errors import LogbookError, LogbookUnavailable
from logbook.models import Hypothesis, Surprise
from logbook.replies import BulkAnswer, BulkClosed, BulkRefused, BulkResult
from logbook.server import requests as bodies
from logbook.server.base import Exchange, LogbookHandler
from logbook.store.core import Store
from logbook.store.views import surprises_matching


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


class ExpectedDriftHandler(LogbookHandler):
    """Dismiss a drift surprise as expected: it is explained and its value is not flagged again in its cell."""

    api = {"POST": Exchange(Surprise)}

    @tornado.web.authenticated
    async def post(self, surprise_id: str) -> None:
        sid = self.record_id(surprise_id, "surprise")
        by = self.user_name()
        self.send(await self.call(lambda store: store.expect_drift(sid, by=by), writes=True))


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
    ("surprises", SurprisesHandler),
    ("surprises/bulk", BulkTriageHandler),
    ("surprises/lookup", SurpriseLookupHandler),
    (r"surprises/(\d+)", SurpriseHandler),
    (r"surprises/(\d+)/expected", ExpectedDriftHandler),
    (r"surprises/(\d+)/follow-up", FollowUpHandler),
]
