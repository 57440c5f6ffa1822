"""The frontend's TypeScript interfaces (extension/lib/types.ts) match the export schema of the models."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "export-schema.json").read_text())["$defs"]
TYPES = (ROOT / "extension" / "lib" / "types.ts").read_text()

# Each model of the schema and the interface that carries it over the wire.
INTERFACES = {
    "Prediction": "IPrediction",
    "Hypothesis": "IHypothesis",
    "Surprise": "ISurprise",
    "Verdict": "IVerdict",
    "PredictionVersion": "IPredictionVersion",
    "Brainstorm": "IBrainstorm",
    "Experiment": "IExperiment",
    "Output": "IOutput",
}


def interface_fields(name: str) -> dict[str, str]:
    """The fields of ``interface name { ... }`` as field -> type text (top-level lines only)."""
    match = re.search(rf"export interface {name}\b[^{{]*\{{\n(.*?)\n\}}", TYPES, re.S)
    assert match, f"no interface {name} in types.ts"
    fields = {}
    for line in match.group(1).splitlines():
        field = re.match(r"  (\w+)\??: (.*);$", line)
        if field:
            fields[field.group(1)] = field.group(2)
    return fields


def enum_of(prop: dict) -> list[str] | None:
    """The string values a schema property allows, following $ref and anyOf; None when not an enum."""
    for option in prop.get("anyOf", [prop]):
        ref = option.get("$ref", "")
        target = SCHEMA[ref.rsplit("/", 1)[-1]] if ref else option
        if "enum" in target:
            return target["enum"]
    return None


def literals(type_text: str) -> list[str]:
    return re.findall(r"'([^']*)'", type_text)


@pytest.mark.parametrize("model", sorted(INTERFACES))
def test_every_schema_property_is_a_field(model):
    fields = interface_fields(INTERFACES[model])
    missing = set(SCHEMA[model]["properties"]) - set(fields)
    assert not missing, f"{INTERFACES[model]} lacks {sorted(missing)}"


@pytest.mark.parametrize("model", sorted(INTERFACES))
def test_string_unions_equal_the_schema_enums(model):
    fields = interface_fields(INTERFACES[model])
    for name, prop in SCHEMA[model]["properties"].items():
        enum = enum_of(prop)
        if enum is not None:
            assert sorted(literals(fields[name])) == sorted(enum), f"{INTERFACES[model]}.{name}"


def test_nullable_properties_are_nullable_fields():
    for model, interface in INTERFACES.items():
        fields = interface_fields(interface)
        for name, prop in SCHEMA[model]["properties"].items():
            if {"type": "null"} in prop.get("anyOf", []):
                assert "null" in fields[name], f"{interface}.{name} may be null"


def test_the_parser_sees_a_wrong_union():
    """The check above would fail on a union that lost a state."""
    assert sorted(literals("'pending' | 'held'")) != sorted(
        enum_of(SCHEMA["Prediction"]["properties"]["state"])
    )
