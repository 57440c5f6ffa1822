"""The route table names what every route takes and answers, and docs/api-schema.json publishes it."""

import json
from pathlib import Path

import pytest

from logbook.cli.main import main
from logbook.server.api_schema import api_schema
from logbook.server.base import LogbookHandler
from logbook.server.routes import METHODS, ROUTES

ROOT = Path(__file__).resolve().parents[2]


def test_the_published_api_schema_is_the_generated_one():
    assert (ROOT / "docs" / "api-schema.json").read_text() == api_schema()


def test_logbook_schema_api_prints_it(capsys):
    assert main(["schema", "--api"]) == 0
    assert capsys.readouterr().out == api_schema()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.pattern)
def test_every_method_a_handler_answers_is_in_the_table(route):
    answered = {
        method
        for method in METHODS
        if getattr(route.handler, method.lower()) is not getattr(LogbookHandler, method.lower())
    }
    assert answered and answered == set(route.methods), route.handler.__name__


def test_every_json_reply_has_a_schema():
    routes = json.loads(api_schema())["routes"]
    assert set(routes) == {route.pattern for route in ROUTES}
    for pattern, methods in routes.items():
        for method, entry in methods.items():
            reply = entry["reply"]
            assert "media" in reply or "$ref" in reply or "type" in reply or "anyOf" in reply, (
                pattern,
                method,
            )
