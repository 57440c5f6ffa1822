"""The logbook command line and the JSON export."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logbook.cli.main import main
from logbook.models import LogbookExport
from logbook.report.exporting import export_schema, render

ROOT = Path(__file__).resolve().parents[2]


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
    assert "L1: copy_score = «measure»(model)" in capsys.readouterr().out
    assert main(["search", "nothing-like-this"]) == 1


def test_a_missing_logbook_is_a_clear_error(tmp_path, capsys):
    assert main(["list", "--db", str(tmp_path / "none.db")]) == 2
    assert "no logbook at" in capsys.readouterr().err


def test_an_unknown_format_is_refused_by_the_parser(filled):
    result = subprocess.run(
        [sys.executable, "-m", "logbook.cli", "export", "--format", "pdf"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "invalid choice: 'pdf'" in result.stderr


def test_surprises_are_listed_by_status_on_the_command_line(filled, capsys):
    assert main(["surprises"]) == 0
    assert "S1" in capsys.readouterr().out
    filled.resolve_surprise(1, "explained", explanation="copy_score was measured on layer 0", by="ada")
    assert main(["surprises"]) == 0
    assert "no open surprises" in capsys.readouterr().err
    assert main(["surprises", "--status", "resolved"]) == 0
    listing = capsys.readouterr().out
    assert "explained" in listing and "by ada" in listing and "measured on layer 0" in listing


def test_an_unknown_status_is_refused_by_the_parser(filled, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["surprises", "--status", "unread"])
    assert refused.value.code == 2 and "invalid choice: 'unread'" in capsys.readouterr().err


def test_an_unknown_hypothesis_id_exits_2_with_a_message(filled, capsys, tmp_path):
    assert main(["export", "--hypothesis", "H99"]) == 2
    assert capsys.readouterr().err.strip() == "logbook: no hypothesis H99 in this logbook"
    import logbook

    with pytest.raises(logbook.LogbookError, match="no hypothesis H99 in this logbook"):
        logbook.export("x.md", format="md", hypotheses=["H1", "H99"])


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC for this test, so dates read as local time compare with UTC records."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    "since, until, kept",
    [
        ("2026-01-01", None, 1),
        ("2026-01-02", None, 0),
        (None, "2025-12-31", 0),
        (None, "2026-01-01", 1),  # a bare date includes that whole day
        ("2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", 1),
    ],
)
def test_since_and_until_take_dates_the_same_way_everywhere(
    filled, tmp_path, capsys, utc, since, until, kept
):
    import logbook

    # The experiment started at 2026-01-01T00:00 UTC.
    args = [a for flag, v in (("--since", since), ("--until", until)) if v for a in (flag, v)]
    assert main(["export", "--format", "json", *args]) == 0
    assert len(json.loads(capsys.readouterr().out)["experiments"]) == kept
    path = logbook.export("log.json", since=since, until=until)
    assert len(json.loads(path.read_text())["experiments"]) == kept


def test_python_takes_dates_and_naive_datetimes_as_local_time(filled, tmp_path):
    from datetime import date, datetime

    import logbook
    from logbook.dates import moment

    assert moment(date(2026, 1, 1)) == moment("2026-01-01") == moment(datetime(2026, 1, 1))
    assert moment(datetime(2026, 1, 1)).utcoffset() == datetime(2026, 1, 1).astimezone().utcoffset()
    with pytest.raises(logbook.LogbookError, match="not a date or time: 'yesterday'"):
        logbook.export("x.json", since="yesterday")
    with pytest.raises(logbook.LogbookError, match="is after until"):
        logbook.export("x.json", since=date(2026, 2, 1), until=date(2026, 1, 1))


def test_a_bad_date_on_the_command_line_is_refused_by_the_parser(filled, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["export", "--since", "last week"])
    assert refused.value.code == 2 and "not a date or time: 'last week'" in capsys.readouterr().err


def test_exports_name_notebooks_relative_to_the_project(store, tmp_path):
    project = store.path.parent.parent
    with store.transaction():
        for notebook in (project / "analysis" / "heads.ipynb", tmp_path / "elsewhere.ipynb"):
            eid = store.insert_experiment(
                {
                    "source": "x = 1",
                    "notebook": str(notebook),
                    "started_at": "2026-01-01T00:00:00+00:00",
                    "duration_ms": 1.0,
                    "ok": 1,
                },
                [],
            )
    store.add_note("look here", experiment_id=eid - 1)
    exported = [e["notebook"] for e in json.loads(render(store, "json"))["experiments"]]
    assert exported == ["analysis/heads.ipynb", "../elsewhere.ipynb"]
    for fmt in ("md", "html"):
        text = render(store, fmt)
        assert str(project) not in text and "heads.ipynb" in text


def test_a_reader_that_stops_early_ends_the_listing_quietly(store):
    for n in range(600):  # far more than a pipe holds, so the listing is still writing when the reader stops
        h = store.add_hypothesis(
            f"head {n} copies the token {n} positions back, in every layer we looked at", 0.5
        )
        store.add_prediction(h.id, f"copy_score_{n} > 0.5", 0.8)
    listing = subprocess.Popen(
        [sys.executable, "-m", "logbook.cli", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert listing.stdout.readline().startswith(b"Logbook ")
    listing.stdout.close()  # as `logbook list | head -1` does
    assert listing.wait(timeout=60) == 1
    assert listing.stderr.read() == b""
