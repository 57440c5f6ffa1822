"""The store is built of parts, one per table or concept, that reach each other only through public methods."""

import ast
import inspect
from pathlib import Path

import pytest

from logbook.errors import LogbookError
from logbook.models import Prediction, Surprise
from logbook.store.cell_record import EXPERIMENT_COLUMNS, CellRecord, ErrorFields
from logbook.store.core import Store
from logbook.store.tables.base import from_row
from logbook.store.tables.part import Part

ROOT = Path(__file__).resolve().parents[2]
#: The store's own modules: its parts and the store that builds them.
SOURCES = sorted((ROOT / "logbook" / "store" / "tables").glob("*.py")) + [
    ROOT / "logbook" / "store" / "core.py"
]
PARTS = [
    "events",
    "search",
    "tags",
    "settings",
    "predictions",
    "experiments",
    "brainstorms",
    "surprises",
    "credences",
    "hypotheses",
    "sets",
    "proposals",
    "judgements",
    "journal",
    "history",
    "pins",
]


def private_reaches(path: Path) -> list[str]:
    """Each ``x._name`` in ``path`` where ``x`` is anything but ``self`` or ``cls``: another object's private."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_part_reaches_into_another_parts_privates():
    assert [reach for path in SOURCES for reach in private_reaches(path)] == []


def test_the_store_is_composed_not_mixed_in(store):
    assert Store.__bases__ == (object,)
    for name in PARTS:
        assert isinstance(getattr(store, name), Part) or name in ("events", "search"), name
    # Each part is built once and shared: the hypotheses read predictions through the store's own part.
    assert store.hypotheses.predictions is store.predictions
    assert store.judgements.hypotheses is store.hypotheses


def test_every_public_method_of_the_store_and_its_parts_says_what_it_does(store):
    undocumented = [
        f"{type(owner).__name__}.{name}"
        for owner in [store, *(getattr(store, part) for part in PARTS)]
        for name, member in inspect.getmembers(type(owner), inspect.isfunction)
        if (not name.startswith("_") or name == "__call__") and not inspect.getdoc(member)
    ]
    assert undocumented == []


def test_a_part_that_lists_its_records_is_called_and_still_adds_them(store):
    store.hypotheses.add_hypothesis("the head copies the previous token", 0.6)
    assert [h.id for h in store.hypotheses()] == ["H1"]
    assert store.hypotheses(status="refuted") == []


def test_reopening_builds_the_parts_on_the_new_connection(store):
    store.add_hypothesis("kept", 0.5)
    store.reopen()
    assert store.hypotheses.db is store.db
    assert [h.statement for h in store.hypotheses()] == ["kept"]


def test_a_cell_record_is_one_shape_for_kernel_table_and_model(store):
    columns = set(store.db["experiments"].columns_dict) - {"id"}
    assert set(EXPERIMENT_COLUMNS) == columns
    assert set(ErrorFields.__annotations__) <= set(CellRecord.__annotations__)
    record: CellRecord = {
        "source": "1 / 0",
        "started_at": "2026-01-01T00:00:00+00:00",
        "duration_ms": 2.0,
        "ok": 0,
        "error_name": "ZeroDivisionError",
        "error_value": "division by zero",
        "names": '{"x": {"type": "int"}}',
    }
    experiment = store.experiment(store.insert_experiment(record, []))
    assert (experiment.ok, experiment.error.name, experiment.names) == (
        False,
        "ZeroDivisionError",
        {"x": {"type": "int"}},
    )


def test_a_row_becomes_a_model_by_its_field_types():
    row = {
        "id": "H1.P1",
        "hypothesis_id": "H1",
        "seq": 1,  # no field: left out
        "expression": "x > 0",
        "names": '["x"]',  # list[str]: JSON text decoded
        "likelihoods": None,  # NULL for a field that takes no None: its default
        "tags": "",
        "error": None,  # Optional: kept as None
    }
    prediction = from_row(Prediction, row, trusted=True)
    assert (prediction.names, prediction.likelihoods, prediction.tags, prediction.trusted) == (
        ["x"],
        {},
        [],
        True,
    )
    surprise = from_row(Surprise, {"id": 3, "drift": '{"name": "x", "change": "changed sign"}', "runs": None})
    assert (surprise.drift.name, surprise.runs, surprise.kind) == ("x", 1, "prediction")


def test_an_unknown_proposal_status_is_refused_with_the_choices(store):
    with pytest.raises(LogbookError, match="unknown proposal status '0'; choose one of proposed"):
        store.proposals(status="0")
