"""The frontend's TypeScript interfaces match the REST API's published schema (docs/api-schema.json), for every route.

Each model a route answers with has the interface that carries it over the wire; every field an interface
declares is one the server sends, with the same kind of value, the same string choices, and null where the
server may send null. The interfaces in extension/lib/types.ts declare every field the server sends.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = json.loads((ROOT / "docs" / "api-schema.json").read_text())
SCHEMA = API["$defs"]
TYPES = ROOT / "extension" / "lib" / "types.ts"
SOURCES = {
    path: path.read_text()
    for path in (ROOT / "extension").rglob("*.ts")
    if "node_modules" not in path.parts and "tests" not in path.parts and not path.name.endswith(".d.ts")
}

#: Each model a reply holds and the interface that carries it over the wire (two models sent in its place
#: may share one).
INTERFACES = {
    "Status": "IStatus",
    "StatusUnavailable": "IStatus",
    "Revision": "IRevision",
    "Hypothesis": "IHypothesis",
    "Prediction": "IPrediction",
    "Verdict": "IVerdict",
    "PredictionVersion": "IPredictionVersion",
    "Surprise": "ISurprise",
    "Step": "IStep",
    "DriftMove": "IDriftMove",
    "DriftDetails": "IDriftDetails",
    "Evidence": "IEvidence",
    "ExpressionAccepted": "IExpressionAccepted",
    "ExpressionRefused": "IExpressionRefused",
    "TrustReviewReply": "ITrustReview",
    "UntrustedPrediction": "IUntrusted",
    "Trusted": "ITrusted",
    "Brainstorm": "IBrainstorm",
    "CurrentBrainstorm": "ICurrentBrainstorm",
    "ExperimentPage": "IExperimentPage",
    "ExperimentRow": "IExperimentRow",
    "LocatedSearchResults": "ISearchResults",
    "LocatedSearchGroup": "ISearchGroup",
    "LocatedSearchHit": "ISearchHit",
    "ExperimentView": "IExperiment",
    "Output": "IOutput",
    "Comparison": "IComparison",
    "ValueComparison": "IValueComparison",
    "VerdictComparison": "IVerdictComparison",
    "StatChange": "IStatChange",
    "JudgedPrediction": "IJudgement",
    "ExperimentJudgements": "IExperimentJudgements",
    "ModelCoverage": "ICoverage",
    "Pin": "IPin",
    "CellHistory": "ICellHistory",
    "CellRun": "ICellRun",
    "HistoryStep": "IHistoryStep",
    "ExpectedValues": "IExpectedValues",
    "DriftSettings": "IDriftSettings",
    "BulkAnswer": "IBulkAnswer",
    "BulkClosed": "IBulkResult",
    "BulkRefused": "IBulkResult",
    "Note": "INote",
    "ModeState": "IModeState",
    "ModeBalance": "IModeBalance",
    "Mode": "IMode",
    "ExportWritten": "IExportWritten",
    "CompetingSet": "ICompetingSet",
    "Proposal": "IProposal",
    "CalibrationSlices": "ICalibrationSlices",
    "CalibrationSlice": "ICalibrationSlice",
    "CalibrationOverTime": "ICalibrationOverTime",
    "RollingPoint": "IRollingPoint",
    "Dashboard": "IDashboard",
    "TeamView": "ITeamView",
    "TeamAuthor": "ITeamAuthor",
    "TeamHypothesis": "ITeamHypothesis",
    "TeamSurprise": "ITeamSurprise",
    "TeamRemark": "ITeamRemark",
    "TeamPrediction": "ITeamPrediction",
    "TeamExperiment": "ITeamExperiment",
    "TeammateMatches": "ITeammateMatches",
    "Remark": "IRemark",
    "DashboardChart": "IDashboardChart",
    "Feed": "IFeed",
    "HypothesesDelta": "IHypothesesDelta",
    "SurprisePage": "ISurprisePage",
    "Bundles": "IBundles",
    "BundleReady": "IBundleReady",
    "BundleMissing": "IBundleMissing",
}


def ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def reply_models(schema: dict) -> set[str]:
    """The models a reply is: itself, the items of a list of them, or each of a union."""
    if ref_name(schema):
        return {ref_name(schema)}
    if schema.get("type") == "array":
        return reply_models(schema["items"])
    return set().union(*(reply_models(option) for option in schema.get("anyOf", [])))


ROUTE_MODELS = sorted(
    {
        (f"{method} {pattern}", model)
        for pattern, methods in API["routes"].items()
        for method, entry in methods.items()
        for model in reply_models(entry["reply"])
    }
)


def interface(name: str) -> tuple[str, list[str], str]:
    """``(body, parents, file)`` of ``interface name``, wherever in extension/ it is declared."""
    pattern = re.compile(
        rf"^(?:export )?interface {name}\b(?:<[^>]*>)?(?: extends ([^{{]+))?\s*\{{\n(.*?)\n\}}", re.S | re.M
    )
    found = [(match, path) for path, text in SOURCES.items() for match in pattern.finditer(text)]
    assert len(found) == 1, f"{name} is declared {len(found)} times in extension/"
    match, path = found[0]
    parents = [parent.strip() for parent in (match.group(1) or "").split(",") if parent.strip()]
    return match.group(2), parents, path.name


def interface_fields(name: str) -> dict[str, tuple[str, bool]]:
    """The fields of ``name`` and the interfaces it extends: field -> (type text, optional)."""
    body, parents, _ = interface(name)
    fields: dict[str, tuple[str, bool]] = {}
    for parent in parents:
        fields.update(interface_fields(parent))
    for line in body.splitlines():
        field = re.match(r"  (?:readonly )?(\w+)(\??): (.*);$", line)
        if field:
            fields[field.group(1)] = (field.group(3), bool(field.group(2)))
    return fields


ALIASES = {
    match.group(1): match.group(2)
    for text in SOURCES.values()
    for match in re.finditer(r"^export type (\w+) = ([^;<]*);$", text, re.M)
}


def expand(type_text: str) -> str:
    """``type_text`` with the string-union aliases it names spelled out."""
    return re.sub(r"\b\w+\b", lambda word: ALIASES.get(word.group(0), word.group(0)), type_text)


def options(prop: dict) -> list[dict]:
    """The alternatives a property allows, references followed."""
    out = []
    for option in prop.get("anyOf", [prop]):
        name = ref_name(option)
        out.append(SCHEMA[name] if name and "enum" in SCHEMA[name] else option)
    return out


def enum_of(prop: dict) -> list[str] | None:
    """The strings a property allows; None when it allows any string or none."""
    for option in options(prop):
        if "enum" in option and all(isinstance(value, str) for value in option["enum"]):
            return option["enum"]
        if isinstance(option.get("const"), str):
            return [option["const"]]
    return None


def literals(type_text: str) -> list[str]:
    return re.findall(r"'([^']*)'", expand(type_text))


def carries(option: dict, type_text: str) -> bool:
    """Whether a TypeScript type can hold the value one schema alternative describes."""
    text = expand(type_text)
    model = ref_name(option)
    if model is not None:
        return "{" in text or "Record<" in text or INTERFACES.get(model, "?") in text or "any" in text
    kind = option.get("type")
    if kind in ("integer", "number"):
        return "number" in text or "any" in text
    if kind == "string":
        return "string" in text or "'" in text or "any" in text
    if kind == "boolean":
        return bool(re.search(r"\b(boolean|true|false|any)\b", text))
    if kind == "array":
        return "[]" in text or "[" in text or "any" in text
    if kind == "object":
        return "Record<" in text or "{" in text or "any" in text or "unknown" in text
    return True  # any value


def test_every_route_replies_with_models_the_frontend_has_an_interface_for():
    missing = sorted(f"{route}: {model}" for route, model in ROUTE_MODELS if model not in INTERFACES)
    assert not missing, f"give these replies an interface (and a line in INTERFACES): {missing}"


@pytest.mark.parametrize("model", sorted(INTERFACES))
def test_every_field_an_interface_reads_is_sent_as_that_type(model):
    name = INTERFACES[model]
    sent = {
        field: prop
        for other, shared in INTERFACES.items()
        if shared == name
        for field, prop in SCHEMA[other]["properties"].items()
    }
    for field, (type_text, _) in interface_fields(name).items():
        assert field in sent, f"{name}.{field} is not in the reply {model}"
        prop = sent[field]
        kinds = [option for option in options(prop) if option.get("type") != "null"]
        assert any(carries(option, type_text) for option in kinds), f"{name}.{field}: {type_text} vs {prop}"
        if {"type": "null"} in prop.get("anyOf", []):
            assert "null" in type_text or "any" in type_text, f"{name}.{field} may be null"
        enum = enum_of(prop)
        if enum is not None and literals(type_text):
            assert sorted(literals(type_text)) == sorted(enum), f"{name}.{field}"


@pytest.mark.parametrize(
    "model", sorted(m for m, name in INTERFACES.items() if interface(name)[2] == TYPES.name)
)
def test_the_interfaces_of_types_ts_declare_every_field_sent(model):
    name = INTERFACES[model]
    missing = set(SCHEMA[model]["properties"]) - set(interface_fields(name))
    assert not missing, f"{name} lacks {sorted(missing)}"


def test_every_model_the_table_names_is_in_the_schema():
    assert set(INTERFACES) <= set(SCHEMA), sorted(set(INTERFACES) - set(SCHEMA))
