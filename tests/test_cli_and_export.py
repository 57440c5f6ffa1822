"""The logbook command line and the JSON export."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from logbook.cli import main
from logbook.exporting import export_schema
from logbook.models import LogbookExport

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def filled(store):
    h = store.add_hypothesis("heads in layer 1 copy", 0.7)
    p = store.add_prediction(h.id, "copy_score > 0.5", 0.8)
    with store.transaction():
        eid = store.insert_experiment(
            {
                "source": "copy_score = measure(model)",
                "started_at": "2026-01-01T00:00:00+00:00",
                "duration_ms": 3.0,
                "ok": 1,
                "names": '{"copy_score": {"type": "float", "value": 0.1}}',
            },
            [],
        )
        store.add_judgement(
            held=False,
            prediction=p,
            observed={"copy_score": {"type": "float", "value": 0.1}},
            surprisal_bits=2.32,
            experiment_id=eid,
        )
    store.add_note("layer 0 looks positional")
    return store


def test_json_export_has_every_section_and_validates_against_the_models(filled, capsys):
    out = Path("log.json")  # in the project folder, the working folder here
    assert main(["export", "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    LogbookExport.model_validate(data)
    assert [h["id"] for h in data["hypotheses"]] == ["H1"]
    assert data["hypotheses"][0]["predictions"][0]["expression"] == "copy_score > 0.5"
    assert [c["credence"] for c in data["hypotheses"][0]["history"]] == [0.7]
    (surprise,) = data["surprises"]
    assert {
        k: surprise[k] for k in ("hypothesis_id", "prediction", "surprisal_bits", "experiment_id", "manual")
    } == {
        "hypothesis_id": "H1",
        "prediction": "copy_score > 0.5",
        "surprisal_bits": 2.32,
        "experiment_id": 1,
        "manual": False,
    }
    assert surprise["observed"] == {"copy_score": {"type": "float", "value": 0.1}}
    assert [n["text"] for n in data["notes"]] == ["layer 0 looks positional"]
    assert data["brainstorms"] == [] and data["evidence"] == []


def test_export_from_python_writes_the_same_document(filled):
    import logbook

    path = logbook.export("via-api.json", format="json")
    assert json.loads(path.read_text())["surprises"][0]["hypothesis_id"] == "H1"


def test_the_documented_schema_is_the_generated_one():
    assert (ROOT / "docs" / "export-schema.json").read_text() == export_schema()


def test_list_and_search(filled, capsys):
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "H1" in listing and "copy_score > 0.5" in listing and "2.32 bits" in listing
    assert main(["search", "measure"]) == 0
    assert "copy_score = measure(model)" in capsys.readouterr().out
    assert main(["search", "nothing-like-this"]) == 1


def test_a_missing_logbook_is_a_clear_error(tmp_path, capsys):
    assert main(["list", "--db", str(tmp_path / "none.db")]) == 2
    assert "no logbook at" in capsys.readouterr().err


def test_an_unknown_format_is_refused_by_the_parser(filled):
    result = subprocess.run(
        [sys.executable, "-m", "logbook.cli", "export", "--format", "pdf"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "invalid choice: 'pdf'" in result.stderr
