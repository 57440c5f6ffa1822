"""The sidebar's change feed: which sections changed, and the pages and deltas it refetches.

``GET feed?since=R`` answers ``{revision, server_time, sections}`` as soon as
the logbook moves past revision ``R``. ``sections`` holds one opaque version
per sidebar section (mode, brainstorm, hypotheses, surprises, experiments);
the sidebar refetches only the sections whose version changed:

- ``GET feed/hypotheses?since=V``: the hypotheses changed since version ``V``
  (all of them when ``V`` is unknown);
- ``GET feed/surprises?status=open|resolved|all&limit=&offset=``: one page of
  the surprise inbox, with the totals for the badge;
- ``GET experiments/{id}/judgements``: the predictions judged in one experiment;
- ``GET team?author=``: in a team project, every author and their records (the ``team`` version
  moves when a teammate writes to their own file).

Versions come from cheap aggregates (``max(id)`` and counts per table) and
from the newest event per section in the logbook's event history.
"""

from __future__ import annotations

import tornado.web

from logbook.replies import ExperimentJudgements, Feed, FeedSections, HypothesesDelta, SurprisePage
from logbook.server.base import LONG_POLL_SECONDS, MAX_PAGE, Exchange, LogbookHandler
from logbook.server.handlers import server_time
from logbook.store.sections import SectionVersions, changed_hypotheses, experiment_judgements, surprise_page
from logbook.team.view import team_version
from logbook.words import INBOX_FILTERS


class FeedHandler(LogbookHandler):
    """Long poll: answers when the logbook moves past revision ``since``, with every section's version."""

    api = {"GET": Exchange(Feed, long_poll=True)}

    @tornado.web.authenticated
    async def get(self) -> None:
        since = self.int_argument("since", -1, -1, 2**62)
        timeout = self.float_argument("timeout", LONG_POLL_SECONDS, 0.0, 24 * 3600.0)
        revision = await self.db.wait_for_change(since, min(timeout, LONG_POLL_SECONDS))
        versions: SectionVersions = self.settings.setdefault("logbook_versions", SectionVersions())
        if versions.revision != revision:
            versions.versions = await self.call(
                lambda store: {
                    **versions.compute(store),
                    "team": team_version(store.path, self.db.team_checks),
                }
            )
            versions.revision = revision
        self.send(
            Feed(revision=revision, server_time=server_time(), sections=FeedSections(**versions.versions))
        )


class FeedHypothesesHandler(LogbookHandler):
    api = {"GET": Exchange(HypothesesDelta)}

    @tornado.web.authenticated
    async def get(self) -> None:
        since = self.get_argument("since", "")
        self.send(await self.call(lambda store: changed_hypotheses(store, since)))


class FeedSurprisesHandler(LogbookHandler):
    api = {"GET": Exchange(SurprisePage)}

    @tornado.web.authenticated
    async def get(self) -> None:
        status = self.get_argument("status", "all")
        if status not in INBOX_FILTERS:
            choices = f"{', '.join(INBOX_FILTERS[:-1])} or {INBOX_FILTERS[-1]}"
            raise tornado.web.HTTPError(400, f"unknown filter {status!r}; choose {choices}")
        limit = self.int_argument("limit", 50, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        self.send(await self.call(lambda store: surprise_page(store, status, limit, offset)))


class ExperimentJudgementsHandler(LogbookHandler):
    api = {"GET": Exchange(ExperimentJudgements)}

    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        eid = self.record_id(experiment_id, "experiment")
        self.send(await self.call(lambda store: experiment_judgements(store, eid)))


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
    ("feed", FeedHandler),
    ("feed/hypotheses", FeedHypothesesHandler),
    ("feed/surprises", FeedSurprisesHandler),
    (r"experiments/(\d+)/judgements", ExperimentJudgementsHandler),
]
