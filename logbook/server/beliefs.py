"""The beliefs' routes: competing sets and their members, proposed updates, predictions due,
calibration and the dashboard."""

from __future__ import annotations

import asyncio
import time

import tornado.web

from logbook.errors import LogbookError
from logbook.models import CompetingSet, Prediction, Proposal
from logbook.paths import team_folder
from logbook.replies import Calibration
from logbook.report.dashboard import Dashboard, DashboardCache, dashboard
from logbook.report.team_dashboard import TeammateCaches, is_teammate, team_charts, teammate_dashboard
from logbook.server import requests as bodies
from logbook.server.base import Exchange, LogbookHandler
from logbook.store.core import Store
from logbook.store.views import calibration


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
        self.send(await self.call(lambda store: store.proposals(status or None, now=True)))


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
    client sent come without their spec. In a team project the reply names every author and adds the Team chart;
    ``author=NAME`` asks for that teammate's dashboard instead, read from their file."""

    api = {"GET": Exchange(Dashboard)}

    @tornado.web.authenticated
    async def get(self) -> None:
        have = [key for key in self.get_argument("have", "").split(",") if key][:1000]
        author = self.get_argument("author", "").strip()
        path = self.db.path
        if author and is_teammate(path, author):
            caches = self.settings.setdefault("logbook_teammate_dashboards", TeammateCaches())
            self.send(await self.call_aside(lambda: teammate_dashboard(path, author, have, caches)))
            return
        cache = self.settings.setdefault("logbook_dashboard", DashboardCache())
        # Kept up to date after changes from now on.
        self.settings["logbook_dashboard_asked"] = time.monotonic()
        own = self.call(lambda store: dashboard(store, have, cache))
        if team_folder(path) is None:
            self.send(await own)
            return
        # Your charts on the database thread, the team's from the teammates' files beside it.
        reply, (authors, team) = await asyncio.gather(own, self.call_aside(lambda: team_charts(path)))
        wanted = set(have)
        team = [c.model_copy(update={"spec": None}) if c.key in wanted else c for c in team]
        self.send(reply.model_copy(update={"charts": [*team, *reply.charts], "authors": authors}))


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
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
