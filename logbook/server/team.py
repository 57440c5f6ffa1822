"""``GET team``: in a team project, every author's file and state, and the records of the authors asked for;
``POST team/remarks``: a comment, a challenge or a follow-up on a teammate's record, written in your logbook."""

from __future__ import annotations

import tornado.web

from logbook.models import Remark
from logbook.replies import TeamView
from logbook.server import requests as bodies
from logbook.server.base import Exchange, LogbookHandler
from logbook.team.remarks import write_remark
from logbook.team.view import team_view


class TeamHandler(LogbookHandler):
    """Every author (``author=ana,bob`` keeps those authors' records only); ``team`` is false outside a team."""

    api = {"GET": Exchange(TeamView)}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw = self.get_argument("author", "")
        authors = [name for name in raw.split(",") if name] or None
        path, checks = self.db.path, self.db.team_checks
        self.send(
            await self.call_aside(lambda: team_view(path, authors, check_integrity=False, checks=checks))
        )


class TeamRemarksHandler(LogbookHandler):
    """Write a comment, a challenge or a follow-up on a teammate's record, in your own logbook."""

    api = {"POST": Exchange(Remark, body=bodies.NewTeamRemark, status=201)}

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.NewTeamRemark)
        self.send(
            await self.call(
                lambda store: write_remark(
                    store, body.kind, body.author, body.id, body.text, body.expression, body.credence
                ),
                writes=True,
            )
        )


ROUTES: list[tuple[str, type[LogbookHandler]]] = [("team", TeamHandler), ("team/remarks", TeamRemarksHandler)]
