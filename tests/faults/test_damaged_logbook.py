"""A truncated or corrupted logbook: a clear error everywhere, a copy kept, nothing overwritten."""

import json
import os

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython
from tornado.httpclient import HTTPClientError

import kernel_hooks
from logbook.cli.main import main
from logbook.store.core import LogbookDamaged, Store
from tests.faults.unprivileged import run_python

pytest_plugins = ["pytest_jupyter.jupyter_server"]


def damaged_by_garbage(path):
    path.write_bytes(b"this is not a database, just bytes " * 200)
    return path


def damaged_by_truncation(path):
    with Store(path) as store:
        with store.transaction():
            for i in range(3000):
                store.insert_experiment(
                    {
                        "source": f"x_{i} = {'y' * 200}",
                        "started_at": "2026-01-01T00:00:00+00:00",
                        "duration_ms": 1.0,
                        "ok": 1,
                    },
                    [],
                )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    return path


@pytest.mark.parametrize("damage", [damaged_by_garbage, damaged_by_truncation])
def test_opening_a_damaged_logbook_explains_and_keeps_a_copy(tmp_path, damage):
    path = damage(tmp_path / "logbook.db")
    original = path.read_bytes()
    with pytest.raises(LogbookDamaged) as refused:
        Store(path)
    message = str(refused.value)
    assert "is damaged" in message and "A copy is kept at" in message and ".recover" in message
    copies = list(tmp_path.glob("logbook.db.damaged-*"))
    assert len(copies) == 1 and copies[0].read_bytes()[: len(original)] == original
    assert path.read_bytes() == original
    with pytest.raises(LogbookDamaged):
        Store(path)
    assert len(list(tmp_path.glob("logbook.db.damaged-*"))) == 1


def test_the_command_line_says_so(tmp_path, capsys):
    path = damaged_by_garbage(tmp_path / "logbook.db")
    assert main(["list", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("logbook: the logbook at") and "is damaged" in err


def test_the_kernel_warns_once_and_cells_still_run(tmp_path, monkeypatch, capsys):
    path = damaged_by_garbage(tmp_path / "logbook.db")
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "kernel_hooks")
    try:
        kernel_hooks.active_recorder().flush()
        assert shell.run_cell("a = 1", store_history=True).success
        assert shell.run_cell("b = 2", store_history=True).success
    finally:
        shell.run_line_magic("unload_ext", "kernel_hooks")
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("logbook:")]
    assert len(warnings) == 1 and "is damaged" in warnings[0] and "not recorded" in warnings[0]


@pytest.fixture
def damaged_server_logbook(tmp_path, monkeypatch):
    path = damaged_by_garbage(tmp_path / "server.db")
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    return path


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


async def test_the_server_reports_it_and_jupyter_keeps_working(damaged_server_logbook, jp_fetch):
    with pytest.raises(HTTPClientError) as status:
        await jp_fetch("logbook", "api", "status")
    assert status.value.code == 503
    assert "is damaged" in json.loads(status.value.response.body)["error"]
    with pytest.raises(HTTPClientError) as listing:
        await jp_fetch("logbook", "api", "hypotheses")
    assert listing.value.code == 503 and "is damaged" in json.loads(listing.value.response.body)["message"]
    contents = await jp_fetch("api", "contents")
    assert contents.code == 200
    assert os.path.exists(damaged_server_logbook)


def test_a_damaged_logbook_in_a_read_only_folder_is_still_called_damaged(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = damaged_by_garbage(folder / "logbook.db")
    folder.chmod(0o555)
    try:
        result = run_python("import sys\nfrom logbook.store.core import Store\nStore(sys.argv[1])", str(path))
    finally:
        folder.chmod(0o755)
    assert f"LogbookDamaged: the logbook at {path} is damaged" in result.stderr
    assert "No copy could be kept beside it (Permission denied)" in result.stderr
    assert "Traceback" in result.stderr and "PermissionError" not in result.stderr
