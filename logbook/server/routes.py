"""Every route of the REST API under ``<base_url>/logbook/api/``, and what each method takes and answers.

The one table the server mounts, ``logbook schema --api`` publishes, and the authentication and fuzz
tests walk: a route added here is served, documented and tested.
"""

from __future__ import annotations

from dataclasses import dataclass

from jupyter_server.utils import url_path_join

from logbook.server import beliefs, bundles, experiments, export, feed, handlers, surprises, team
from logbook.server.base import Exchange, LogbookHandler

#: The methods a handler may answer, as HTTP names them.
METHODS = ("GET", "POST", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    """One route: its pattern under ``logbook/api/`` (a regular expression) and its handler."""

    pattern: str
    handler: type[LogbookHandler]

    @property
    def methods(self) -> dict[str, Exchange]:
        """Each method the route answers, and what it takes and answers."""
        return dict(self.handler.api)


#: Every route, module by module.
ROUTES: list[Route] = [
    Route(pattern, handler)
    for module in (handlers, experiments, surprises, export, beliefs, feed, bundles, team)
    for pattern, handler in module.ROUTES
]


def route_table(base_url: str) -> list[tuple[str, type[LogbookHandler]]]:
    """The routes as tornado mounts them, under ``<base_url>/logbook/api/``."""
    return [(url_path_join(base_url, "logbook", "api", route.pattern), route.handler) for route in ROUTES]
