"""The sidebar's change feed: which sections changed, and the pages and deltas it refetches.

``GET feed?since=R`` answers ``{revision, server_time, sections}`` as soon as
the logbook moves past revision ``R``. ``sections`` holds one opaque version
per sidebar section (mode, brainstorm, hypotheses, surprises, experiments);
the sidebar refetches only the sections whose version changed:

- ``GET feed/hypotheses?since=V``: the hypotheses changed since version ``V``
  (all of them when ``V`` is unknown);
- ``GET feed/surprises?status=open|resolved|all&limit=&offset=``: one page of
  the surprise inbox, with the totals for the badge;
- ``GET experiments/{id}/judgements``: the predictions judged in one experiment.

Versions come from cheap aggregates (``max(id)`` and counts per table) and
from the newest event per section in the logbook's event history.
"""

from __future__ import annotations

from datetime import datetime

import tornado.web
from jupyter_server.utils import url_path_join

from logbook.server.handlers import LONG_POLL_SECONDS, MAX_PAGE, LogbookHandler
from logbook.store.sections import (
    SectionVersions,
    changed_hypotheses,
    experiment_judgements,
    surprise_page,
)
from logbook.words import INBOX_FILTERS


class FeedHandler(LogbookHandler):
    """Long poll: answers when the logbook moves past revision ``since``, with every section's version."""

    @tornado.web.authenticated
    async def get(self):
        since = self.int_argument("since", -1, -1, 2**62)
        timeout = min(float(self.get_argument("timeout", LONG_POLL_SECONDS)), LONG_POLL_SECONDS)
        revision = await self.db.wait_for_change(since, max(timeout, 0.0))
        versions: SectionVersions = self.settings.setdefault("logbook_versions", SectionVersions())
        if versions.revision != revision:
            versions.versions = await self.call(versions.compute)
            versions.revision = revision
        self.send(
            {
                "revision": revision,
                "server_time": datetime.now().astimezone().isoformat(),
                "sections": versions.versions,
            }
        )


class FeedHypothesesHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        since = self.get_argument("since", "")
        self.send(await self.call(lambda store: changed_hypotheses(store, since)))


class FeedSurprisesHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self):
        status = self.get_argument("status", "all")
        if status not in INBOX_FILTERS:
            choices = f"{', '.join(INBOX_FILTERS[:-1])} or {INBOX_FILTERS[-1]}"
            raise tornado.web.HTTPError(400, f"unknown filter {status!r}; choose {choices}")
        limit = self.int_argument("limit", 50, 1, MAX_PAGE)
        offset = self.int_argument("offset", 0, 0, 2**62)
        self.send(await self.call(lambda store: surprise_page(store, status, limit, offset)))


class ExperimentJudgementsHandler(LogbookHandler):
    @tornado.web.authenticated
    async def get(self, experiment_id: str):
        self.send(await self.call(lambda store: experiment_judgements(store, int(experiment_id))))


ROUTES = [
    ("feed", FeedHandler),
    ("feed/hypotheses", FeedHypothesesHandler),
    ("feed/surprises", FeedSurprisesHandler),
    (r"experiments/(\d+)/judgements", ExperimentJudgementsHandler),
]


def feed_routes(base_url: str) -> list[tuple[str, type]]:
    return [(url_path_join(base_url, "logbook", "api", pattern), handler) for pattern, handler in ROUTES]
