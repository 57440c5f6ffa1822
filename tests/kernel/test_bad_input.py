"""Hostile cells and predictions: recorded faithfully, never breaking the kernel."""

import pytest

from logbook.store.core import Store
from tests.support.notebooks import outputs_of, run_notebook

pytestmark = pytest.mark.kernel

FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    db = folder / "logbook.db"
    cells = [
        # 1: predictions, one of them raising when evaluated
        "import logbook\nh = logbook.hypothesis('ratio stays finite', credence=0.6)\n"
        "h.predict('total / count > 1', credence=0.7)",
        "total, count = 5, 0",
        "total = 6",
        "count = 2",
        # 5: refused when written
        "h.predict('total >', credence=0.5)",
        # 6: unserialisable values and outputs
        "class Hostile:\n"
        "    def __repr__(self): raise RuntimeError('no repr')\n"
        "    def _repr_html_(self): raise RuntimeError('no html')\n"
        "hostile = Hostile()\nhostile",
        # 7: 50 MB printed, 50 MB as the result
        f"print('x' * {FIFTY_MB})\nbig = 'y' * {FIFTY_MB}\nbig",
        # 8: raw bytes on the process's stdout, and bytes given to a text stream
        "import os, sys\nos.write(1, b'\\xff\\xfe\\x00raw')\nsys.stdout.write(b'\\xff')",
        # 9: text that is not valid UTF-8 (lone surrogates), printed and assigned
        "weird = b'caf\\xe9 \\xff'.decode('utf-8', 'surrogateescape')\nprint(weird)\nweird",
        # 10: an export onto the logbook itself, refused
        "logbook.export('logbook.db', format='json')",
        # 11: the kernel still works
        "after = 'still fine'\nprint(after)",
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        notebook = run_notebook(cells, folder, timeout=300)
    with Store(db) as store:
        yield notebook, store, store.experiments(limit=None, newest_first=False)


def test_a_raising_prediction_is_recorded_as_an_error_and_reported_once(run):
    notebook, store, _ = run
    prediction = store.prediction("H1.P1")
    warnings = [
        cell_index
        for cell_index, cell in enumerate(notebook.cells)
        for o in outputs_of(cell, "stream")
        if "H1.P1" in o.get("text", "") and "raised ZeroDivisionError" in o.get("text", "")
    ]
    assert warnings == [2]  # the cell that assigned count = 0, and no other
    # Once count is fixed the prediction is judged normally: 6 / 2 > 1 holds.
    assert prediction.state.value == "held"
    assert [e.prediction_id for e in store.evidence()] == ["H1.P1"]


def test_an_unparsable_prediction_is_refused_when_written(run):
    notebook, store, _ = run
    (error,) = outputs_of(notebook.cells[5], "error")
    assert error["ename"] == "PredictionSyntaxError" and "not a Python expression" in error["evalue"]
    assert [p.id for p in store.hypothesis("H1").predictions] == ["H1.P1"]


def test_unserialisable_values_are_summarized_by_type(run):
    _, _, experiments = run
    hostile = experiments[5]
    assert hostile.names["hostile"]["type"] == "Hostile"
    assert hostile.names["hostile"]["repr"].startswith("<Hostile")


def test_fifty_megabyte_outputs_are_capped_and_marked(run):
    _, store, experiments = run
    big = experiments[6]
    assert big.ok
    assert len(big.stdout) < 300 * 1024 and "more characters not kept" in big.stdout
    (result,) = big.outputs
    assert result.truncated and result.size > FIFTY_MB
    assert len(store.blob(result.sha256)) <= 1024 * 1024
    assert big.names["big"]["len"] == FIFTY_MB


def test_bytes_on_stdout_do_not_disturb_recording(run):
    _, _, experiments = run
    binary = experiments[7]
    assert not binary.ok and binary.error.name == "TypeError"


def test_text_that_is_not_utf8_is_kept_visibly(run):
    _, _, experiments = run
    weird = experiments[8]
    assert "caf\\udce9" in weird.stdout
    assert weird.names["weird"]["value"].startswith("caf")


def test_an_export_onto_the_logbook_is_refused_and_the_logbook_kept(run):
    notebook, store, _ = run
    (error,) = outputs_of(notebook.cells[10], "error")
    assert error["ename"] == "ExportRefused"
    assert error["evalue"] == "will not overwrite logbook.db: it is not a Logbook export"
    assert store.hypothesis("H1").statement == "ratio stays finite"


def test_the_kernel_keeps_working_and_recording(run):
    notebook, store, experiments = run
    assert experiments[-1].stdout == "still fine\n"
    assert len(experiments) == len(notebook.cells) - 1
    assert store.count("recorder_errors") == 0
