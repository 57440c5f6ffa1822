"""Every route of the server's route table as a request a test can send: a path with example ids filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from logbook.server.base import Exchange
from logbook.server.routes import ROUTES

#: Example values for a pattern's groups, tried in order: the first its group matches fills it.
SAMPLES = ("1", "H1", "H1.P1", "0" * 64, "plotly")
GROUP = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Call:
    """One method of one route, as a request: ``path`` under ``logbook/api/``."""

    method: str
    pattern: str
    path: str
    exchange: Exchange

    @property
    def body_fields(self) -> list[str]:
        return list(self.exchange.body.model_fields) if self.exchange.body is not None else []

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def fill(pattern: str, numeric: Optional[str] = None) -> str:
    """``pattern`` with each group replaced by an example it matches (a numeric id by ``numeric``, if given)."""

    def example(group: re.Match) -> str:
        if numeric is not None and group.group(1) == r"\d+":
            return numeric
        for sample in SAMPLES:
            if re.fullmatch(group.group(1), sample):
                return sample
        raise AssertionError(f"no example matches ({group.group(1)}) in {pattern}: add one to SAMPLES")

    return GROUP.sub(example, pattern)


def calls() -> list[Call]:
    """Every method of every route in the server's route table."""
    found = []
    for route in ROUTES:
        path = fill(route.pattern)
        assert re.fullmatch(route.pattern, path), (route.pattern, path)
        found += [Call(method, route.pattern, path, exchange) for method, exchange in route.methods.items()]
    return found


def id_calls() -> list[Call]:
    """Every method of every route with a numeric id in its path, ``{}`` where the id goes."""
    return [
        Call(method, route.pattern, fill(route.pattern, "{}"), exchange)
        for route in ROUTES
        if r"(\d+)" in route.pattern
        for method, exchange in route.methods.items()
    ]
