"""A cloned project's logbook runs nothing in a real kernel until its predictions are reviewed and trusted here."""

import asyncio

import nbformat
import pytest
from nbclient import NotebookClient

from logbook.cli.main import main
from logbook.rules import trust
from logbook.store.core import Store
from tests.server import test_routes as test_server
from tests.support.notebooks import outputs_of, run_notebook

pytest_plugins = ["pytest_jupyter.jupyter_server"]
# The server tests' fixtures: a Jupyter server with Logbook, its logbook file, and api(method, path, body).
jp_server_config, logbook_file, api = test_server.jp_server_config, test_server.logbook_file, test_server.api
pytestmark = pytest.mark.kernel

UNTRUSTED_LINE = "not trusted and will not run; review them with `logbook trust`"


@pytest.fixture(autouse=True)
def here(tmp_path, monkeypatch):
    """This machine's secret, kept in the test's folder (kernels inherit it)."""
    path = tmp_path / "home" / "logbook_secret"
    monkeypatch.setenv(trust.ENV_VAR, str(path))
    return path


def run_as_the_server_does(folder, cells):
    """Run ``cells`` in a kernel started in ``folder`` with the hooks loaded as Jupyter's server loads them."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        allow_errors=True,
        extra_arguments=["--ext=kernel_hooks"],
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return notebook


def stderr_of(cell) -> str:
    return "".join(o["text"] for o in outputs_of(cell, "stream") if o["name"] == "stderr")


def test_a_cloned_project_runs_none_of_its_predictions_until_they_are_trusted(tmp_path, monkeypatch, here):
    folder = tmp_path / "cloned"
    db = folder / ".logbook" / "logbook.db"
    marker = tmp_path / "owned"
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "their-machine" / "logbook_secret"))
    with Store(db) as store:
        h = store.add_hypothesis("x is positive", 0.6)
        store.add_prediction(h.id, "x > 0", 0.8)  # valid, but signed by their secret
        store.db["predictions"].insert(
            {
                "id": "H1.P2",
                "hypothesis_id": "H1",
                "seq": 2,
                "kind": "expression",
                "expression": f"__import__('os').system('touch {marker}') != 0 or True",
                "names": "[]",
                "credence": 0.9,
                "created_at": "2026-01-01T00:00:00+00:00",
                "state": "pending",
            }
        )
    monkeypatch.setenv(trust.ENV_VAR, str(here))

    notebook = run_as_the_server_does(folder, ["x = 1"])
    assert not marker.exists()
    assert f"logbook: 2 predictions in this logbook are {UNTRUSTED_LINE}" in stderr_of(notebook.cells[0])
    with Store(db) as store:
        assert store.count("experiments") == 1
        assert [(p.state.value, p.trusted) for p in store.hypothesis("H1").predictions] == [
            ("pending", False),
            ("pending", False),
        ]
        assert store.evidence() == [] and store.surprises() == []

    assert main(["trust", "--db", str(db), "--yes"]) == 0

    notebook = run_as_the_server_does(folder, ["x = 1"])
    assert not marker.exists()
    assert f"logbook: 1 prediction in this logbook is {UNTRUSTED_LINE}" in stderr_of(notebook.cells[0])
    with Store(db) as store:
        assert [(p.id, p.state.value, p.trusted) for p in store.hypothesis("H1").predictions] == [
            ("H1.P1", "held", True),
            ("H1.P2", "pending", False),
        ]
        assert [e.prediction_id for e in store.evidence()] == ["H1.P1"]


async def test_a_prediction_added_through_the_api_is_judged_in_a_kernel(api, logbook_file, tmp_path):
    await api("POST", "hypotheses", {"statement": "the loss is low", "credence": 0.5})
    status, created = await api(
        "POST", "hypotheses/H1/predictions", {"expression": "loss < 0.1", "credence": 0.8}
    )
    assert status == 201 and created["trusted"] is True

    # A thread of its own (not to_thread, which would hand it this test's event loop).
    notebook = await asyncio.get_running_loop().run_in_executor(None, run_notebook, ["loss = 0.5"], tmp_path)
    assert UNTRUSTED_LINE not in stderr_of(notebook.cells[1])
    with Store(logbook_file) as store:
        assert store.prediction("H1.P1").state.value == "failed"
        (surprise,) = store.surprises()
        assert (surprise.prediction_id, surprise.surprisal_bits) == ("H1.P1", pytest.approx(2.321928))


def test_a_trusted_prediction_whose_names_were_edited_is_not_watched(tmp_path, monkeypatch):
    """Names decide when a prediction is judged: edited by hand, it would be silenced or judged at the wrong time."""
    folder = tmp_path / "project"
    db = folder / ".logbook" / "logbook.db"
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    with Store(db) as store:
        h = store.add_hypothesis("x and y are positive", 0.6)
        store.add_prediction(h.id, "x > 0", 0.8)
        store.add_prediction(h.id, "y > 0", 0.8)
        assert all(p.trusted for p in store.hypothesis("H1").predictions)
        store.db.execute("""UPDATE predictions SET names = '["y"]' WHERE id = 'H1.P1'""")  # silenced
        store.db.execute("""UPDATE predictions SET names = '["x"]' WHERE id = 'H1.P2'""")  # judged on x

    notebook = run_as_the_server_does(folder, ["x = 1"])
    assert f"logbook: 2 predictions in this logbook are {UNTRUSTED_LINE}" in stderr_of(notebook.cells[0])
    with Store(db) as store:
        assert [(p.id, p.state.value, p.trusted) for p in store.hypothesis("H1").predictions] == [
            ("H1.P1", "pending", False),
            ("H1.P2", "pending", False),
        ]
        assert store.evidence() == [] and store.surprises() == []
        assert [r.reasons for r in store.trust_review()] == [["names changed"], ["names changed"]]
