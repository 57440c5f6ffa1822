"""The JSON Schema of the REST API: per route and method, the body it takes and the reply it answers.

Generated from the route table and the models it names; ``logbook schema --api`` prints it and
``docs/api-schema.json`` holds it. The frontend's types are checked against it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from logbook.server.base import adapter
from logbook.server.routes import ROUTES


def api_schema_document() -> dict[str, Any]:
    """``{"routes": {pattern: {method: {"status", "reply", "body", "long_poll"}}}, "$defs": {...}}``.

    A reply that is no JSON (an output's bytes, an export, a script) is ``{"media": ...}`` instead of a schema.
    """
    inputs: list[Any] = []
    for route in ROUTES:
        for method, exchange in route.methods.items():
            if exchange.reply is not None:
                inputs.append(
                    ((route.pattern, method, "reply"), "serialization", adapter(exchange.reply).core_schema)
                )
            if exchange.body is not None:
                body = TypeAdapter(exchange.body).core_schema
                inputs.append(((route.pattern, method, "body"), "validation", body))
    schemas, definitions = GenerateJsonSchema(ref_template="#/$defs/{model}").generate_definitions(inputs)
    routes: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        for method, exchange in route.methods.items():
            entry: dict[str, Any] = {"status": exchange.status}
            if exchange.long_poll:
                entry["long_poll"] = True
            if exchange.reply is None:
                entry["reply"] = {"media": exchange.media}
            else:
                entry["reply"] = schemas[((route.pattern, method, "reply"), "serialization")]
            if exchange.body is not None:
                entry["body"] = schemas[((route.pattern, method, "body"), "validation")]
            routes.setdefault(route.pattern, {})[method] = entry
    return {
        "title": "Logbook REST API",
        "description": "Every route under <base_url>/logbook/api/: per method, the body it takes and the reply "
        "it answers with. Generated from logbook/server/routes.py; print it with `logbook schema --api`.",
        "routes": routes,
        "$defs": definitions,
    }


def api_schema() -> str:
    """The API's JSON Schema as ``docs/api-schema.json`` holds it."""
    return json.dumps(api_schema_document(), indent=2, sort_keys=True) + "\n"
