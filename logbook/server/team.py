"""``GET team``: in a team project, every author's file and state, and the records of the authors asked for."""

from __future__ import annotations

import tornado.web

from logbook.replies import TeamView
from logbook.server.base import Exchange, LogbookHandler
from logbook.team.view import team_view


class TeamHandler(LogbookHandler):
    """Every author (``author=ana,bob`` keeps those authors' records only); ``team`` is false outside a team."""

    api = {"GET": Exchange(TeamView)}

    @tornado.web.authenticated
    async def get(self) -> None:
        raw = self.get_argument("author", "")
        authors = [name for name in raw.split(",") if name] or None
        self.send(await self.call(lambda store: team_view(store.path, authors, check_integrity=False)))


ROUTES: list[tuple[str, type[LogbookHandler]]] = [("team", TeamHandler)]
