"""Cells run through a real kernel with the extension loaded are recorded in full."""

import base64
import json

import pytest
from tornado.httpclient import HTTPClientError

from kernel_hooks.surprise_display import SURPRISE_MIME
from logbook.errors import NotKept
from logbook.report.markdown import markdown_report
from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

pytestmark = pytest.mark.kernel
pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One notebook exercising every kind of record; returns (notebook, store rows)."""
    folder = tmp_path_factory.mktemp("kernel")
    db = folder / ".logbook" / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(
            [
                "import logbook\nh = logbook.hypothesis('the loss goes below 0.1', credence=0.8)\n"
                "h.predict('loss < 0.1', credence=0.9)\n"
                "g = logbook.hypothesis('accuracy is high', credence=0.6)\n"
                "g.predict('accuracy > 0.5', credence=0.75)\nlogbook.mode('red-team')",
                "print('training...')\nloss = 0.42\naccuracy = 0.9\nloss",
                "import sys\nprint('warning text', file=sys.stderr)",
                f"from IPython.display import Image, HTML, display\n"
                f"display(Image(data=__import__('base64').b64decode('{TINY_PNG}')))\n"
                "display(HTML('<b>bold</b>'))",
                "def broken():\n    raise ValueError('bad value')\nbroken()",
                "import torch\nweights = torch.tensor([[1.0, -2.0], [3.0, float('nan')]])",
                "%surprise the attention pattern looks off",
            ],
            folder,
        )
    with Store(db) as store:
        yield notebook, store


def test_every_cell_is_an_experiment_with_source_count_and_timing(recorded):
    notebook, store = recorded
    experiments = store.experiments(limit=None, newest_first=False)
    assert [e.source for e in experiments] == [cell.source for cell in notebook.cells[1:]]
    assert [e.execution_count for e in experiments] == list(range(2, 9))
    assert all(e.duration_ms >= 0 for e in experiments)
    # The cell that switched to red-team belongs to red-team, and so do the cells after it.
    assert [e.mode.value for e in experiments[:2]] == ["red-team", "red-team"]


def test_stdout_stderr_and_results_are_recorded(recorded):
    _, store = recorded
    experiments = store.experiments(limit=None, newest_first=False)
    assert experiments[1].stdout == "training...\n"
    assert experiments[2].stderr == "warning text\n"
    result = experiments[1].outputs
    assert [o.mime for o in result] == ["text/plain"]
    assert store.blob(result[0].sha256) == b"0.42"


def test_images_and_html_are_recorded_as_outputs(recorded):
    _, store = recorded
    display_cell = store.experiments(limit=None, newest_first=False)[3]
    mimes = [o.mime for o in display_cell.outputs]
    assert "image/png" in mimes and "text/html" in mimes
    png = next(o for o in display_cell.outputs if o.mime == "image/png")
    assert store.blob(png.sha256) == base64.b64decode(TINY_PNG)


def test_errors_keep_name_value_and_traceback(recorded):
    _, store = recorded
    failed = store.experiments(limit=None, newest_first=False)[4]
    assert not failed.ok
    assert (failed.error.name, failed.error.value) == ("ValueError", "bad value")
    assert "broken()" in failed.error.traceback


def test_assigned_names_are_summarized(recorded):
    _, store = recorded
    experiments = store.experiments(limit=None, newest_first=False)
    assert experiments[1].names["loss"] == {"type": "float", "value": 0.42}
    weights = experiments[5].names["weights"]
    assert (weights["shape"], weights["dtype"], weights["nan"], weights["min"], weights["max"]) == (
        [2, 2],
        "float32",
        1,
        -2.0,
        3.0,
    )


def test_a_contradicted_prediction_becomes_one_surprise_with_its_surprisal(recorded):
    notebook, store = recorded
    surprises = [s for s in store.surprises() if not s.manual]
    assert len(surprises) == 1
    surprise = surprises[0]
    assert (surprise.hypothesis_id, surprise.prediction, surprise.credence) == ("H1", "loss < 0.1", 0.9)
    assert surprise.observed == {"loss": {"type": "float", "value": 0.42}}
    assert surprise.surprisal_bits == pytest.approx(3.321928, abs=1e-5)
    assert store.experiment(surprise.experiment_id).source.startswith("print('training...')")
    assert store.prediction("H1.P1").state.value == "failed"


def test_the_surprise_is_displayed_under_its_cell(recorded):
    notebook, _ = recorded
    displays = outputs_of(notebook.cells[2], "display_data")
    assert len(displays) == 1
    payload = displays[0]["data"][SURPRISE_MIME]
    assert payload["prediction"] == "loss < 0.1" and payload["hypothesis_id"] == "H1"
    assert "3.32 bits" in displays[0]["data"]["text/plain"]


def test_a_prediction_that_held_becomes_evidence(recorded):
    _, store = recorded
    evidence = store.evidence()
    assert [(e.hypothesis_id, e.prediction) for e in evidence] == [("H2", "accuracy > 0.5")]
    assert evidence[0].observed["accuracy"]["value"] == 0.9


def test_a_manual_surprise_links_to_the_previous_experiment(recorded):
    _, store = recorded
    manual = [s for s in store.surprises() if s.manual]
    assert [s.note for s in manual] == ["the attention pattern looks off"]
    assert store.experiment(manual[0].experiment_id).source.startswith("import torch")


def test_the_recorder_reported_no_errors_of_its_own(recorded):
    _, store = recorded
    assert store.count("recorder_errors") == 0


NINE_MB = 9 * 1024 * 1024


@pytest.fixture(scope="module")
def nested(tmp_path_factory):
    """Cells that run cells of their own, and an image too large to keep."""
    folder = tmp_path_factory.mktemp("nested")
    db = folder / "logbook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(
            [
                "import logbook\nh = logbook.hypothesis('the inner and outer cells both count')\n"
                "h.predict('e == 5')\nh.predict('d == 4')",
                "%%capture captured\nprint('hidden')\nc = 3",
                "get_ipython().run_cell('d = 4')\ne = 5",
                "import base64, hashlib, os\nfrom IPython.display import display\n"
                f"big = b'\\x89PNG\\r\\n\\x1a\\n' + os.urandom({NINE_MB})\n"
                "display({'image/png': base64.b64encode(big).decode()}, raw=True)\n"
                "big_sha = hashlib.sha256(big).hexdigest()",
                "logbook.note('the plot was too large to keep')",
            ],
            folder,
        )
    with Store(db) as store:
        yield notebook, store, store.experiments(limit=None, newest_first=False)


def test_a_capture_cell_keeps_its_own_count_and_its_magic_line(nested):
    notebook, _, experiments = nested
    capture = experiments[1]
    assert capture.source == "%%capture captured\nprint('hidden')\nc = 3"
    assert capture.execution_count == notebook.cells[2].execution_count == 3
    assert capture.names["c"] == {"type": "int", "value": 3}


def test_a_cell_running_another_is_one_experiment_with_both_sources_names(nested):
    notebook, store, experiments = nested
    assert [e.source for e in experiments] == [cell.source for cell in notebook.cells[1:]]
    outer = experiments[2]
    assert outer.execution_count == 4 and set(outer.names) == {"d", "e"}
    assert {(e.prediction, e.experiment_id) for e in store.evidence()} == {
        ("e == 5", outer.id),
        ("d == 4", outer.id),
    }


def test_an_image_too_large_to_keep_is_stored_by_its_real_hash_and_size(nested):
    _, store, experiments = nested
    shown = experiments[3]
    (image,) = [o for o in shown.outputs if o.mime == "image/png"]
    assert image.sha256 == shown.names["big_sha"]["value"]
    assert (image.size, image.truncated) == (NINE_MB + 8, True)
    row = store.db.execute("SELECT data, size FROM blobs WHERE sha256 = ?", [image.sha256]).fetchone()
    assert row == (None, NINE_MB + 8)
    with pytest.raises(NotKept, match="not kept: too large"):
        store.blob(image.sha256)
    assert f"Image output not kept: too large ({NINE_MB + 8} bytes" in markdown_report(store)


@pytest.fixture
def server_db(tmp_path, monkeypatch):
    """The logbook the server reads: set before the server starts."""
    db = tmp_path / "server-logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(db))
    return db


async def test_the_output_endpoint_says_an_image_was_not_kept(server_db, jp_fetch):
    db = server_db
    with Store(db) as store, store.transaction():
        store.insert_experiment(
            {"source": "plot()", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1},
            [{"mime": "image/png", "data": None, "sha256": "ab" * 32, "size": NINE_MB, "truncated": True}],
        )
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("logbook", "api", "outputs", "ab" * 32, params={"mime": "image/png"})
    assert refused.value.code == 404
    assert f"not kept: too large ({NINE_MB} bytes)" in json.loads(refused.value.response.body)["message"]
