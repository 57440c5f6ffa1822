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
    schemas, generated = GenerateJsonSchema(ref_template="#/$defs/{model}").generate_definitions(inputs)
    definitions: dict[str, Any] = {str(name): schema for name, schema in generated.items()}
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
    _every_field_sent(routes, definitions)
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


def _refs(schema: Any) -> set[str]:
    """The names of the definitions ``schema`` refers to directly."""
    if isinstance(schema, dict):
        found = {schema["$ref"].rsplit("/", 1)[-1]} if "$ref" in schema else set()
        return found.union(*(_refs(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_refs(value) for value in schema))
    return set()


def _reachable(roots: set[str], definitions: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _refs(definitions[name])
    return seen


def _every_field_sent(routes: dict[str, dict[str, Any]], definitions: dict[str, Any]) -> None:
    """Mark every property of a reply model required: a reply sends all its fields, defaults included.

    (Definitions a body also uses keep pydantic's own list: a body may leave out a field with a default.)
    """
    entries = [entry for methods in routes.values() for entry in methods.values()]
    replies = _reachable(set().union(*(_refs(entry["reply"]) for entry in entries)), definitions)
    bodies = _reachable(set().union(*(_refs(entry.get("body", {})) for entry in entries)), definitions)
    for name in replies - bodies:
        properties = definitions[name].get("properties")
        if properties:
            definitions[name]["required"] = sorted(properties)
