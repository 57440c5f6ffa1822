"""A logbook this process may only read: opened read-only, read everywhere, writes refused, never called damaged.

Root writes any file whatever its permissions, so the tests that chmod the
file run their checks in a process without root's overrides (``unprivileged``).
"""

import json
import os
import sqlite3
import subprocess

import pytest
from sqlite_utils import Database
from tornado.httpclient import HTTPClientError

from logbook.errors import LogbookReadOnly
from logbook.store.core import Store
from logbook.store.schema import migrations
from tests.faults.unprivileged import run_python

pytest_plugins = ["pytest_jupyter.jupyter_server"]


def make_logbook(path):
    with Store(path) as store:
        store.add_hypothesis("readable")
        with store.transaction():
            store.insert_experiment(
                {"source": "x = 1", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1},
                [],
            )
    return path


@pytest.fixture
def read_only_file(tmp_path):
    path = make_logbook(tmp_path / "logbook.db")
    path.chmod(0o444)
    yield path
    path.chmod(0o644)


@pytest.fixture
def read_only_folder(tmp_path):
    path = make_logbook(tmp_path / "shared" / "logbook.db")
    path.parent.chmod(0o555)
    yield path
    path.parent.chmod(0o755)


def test_a_store_opened_read_only_reads_and_refuses_writes(tmp_path):
    path = make_logbook(tmp_path / "logbook.db")
    before = path.read_bytes()
    with Store(path, read_only=True) as store:
        assert store.read_only
        with pytest.raises(LogbookReadOnly) as refused:
            store.add_hypothesis("refused")
        assert str(refused.value).startswith(f"the logbook at {path} is read-only: nothing was written")
        assert [h.statement for h in store.hypotheses()] == ["readable"] and store.count("experiments") == 1
    assert path.read_bytes() == before


def test_a_read_only_logbook_that_needs_upgrading_says_so(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    migrations.apply(Database(old), stop_before="m002_lookup_indexes")
    old.close()
    with pytest.raises(LogbookReadOnly, match="needs upgrading .*m002_lookup_indexes.* but is read-only"):
        Store(path, read_only=True)


def test_no_logbook_is_made_to_be_opened_read_only(tmp_path):
    with pytest.raises(
        LogbookReadOnly, match="there is no logbook at .*none can be made: it was opened read-only"
    ):
        Store(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


READ_AND_TRY_TO_WRITE = """
import sys
from logbook.cli import main
from logbook.errors import LogbookReadOnly
from logbook.store import Store

path = sys.argv[1]
assert main(["list", "--db", path]) == 0
assert main(["export", "--db", path, "--format", "md"]) == 0
with Store(path) as store:
    assert store.read_only
    try:
        store.add_hypothesis("refused")
    except LogbookReadOnly as error:
        print("refused:", error)
"""


@pytest.mark.parametrize("where", ["read_only_file", "read_only_folder"])
def test_the_command_line_reads_a_logbook_it_may_not_write(where, request):
    path = request.getfixturevalue(where)
    before = path.read_bytes()
    result = run_python(READ_AND_TRY_TO_WRITE, str(path))
    assert result.returncode == 0, result.stderr
    assert "H1" in result.stdout and "readable" in result.stdout and "x = 1" in result.stdout
    assert f"refused: the logbook at {path} is read-only" in result.stdout
    assert "damaged" not in result.stdout + result.stderr
    assert not list(path.parent.glob("*.damaged-*")) and path.read_bytes() == before


RECORD = """
import sys
from pathlib import Path
from kernel_hooks.writer import Writer

warnings = []
writer = Writer(Path(sys.argv[1]), warnings.append)
for _ in range(2):
    writer.submit(lambda store: store.add_hypothesis("refused"))
    print(writer.flush(timeout=10))
writer.stop()
print(warnings)
"""


def test_a_kernel_writer_on_a_read_only_logbook_warns_once(read_only_file):
    result = run_python(RECORD, str(read_only_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "False",
        "False",
        str([f"the logbook at {read_only_file} is read-only: cells are not recorded"]),
    ]


def test_a_new_logbook_in_a_read_only_folder_is_refused_clearly(read_only_folder):
    path = read_only_folder.parent / "other.db"
    code = "import sys\nfrom logbook.store.core import Store\nStore(sys.argv[1])"
    result = run_python(code, str(path))
    assert (
        "LogbookReadOnly: there is no logbook at" in result.stderr
        and "its folder is read-only" in result.stderr
    )
    assert not path.exists()


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


@pytest.fixture
def unwritable_server_logbook(tmp_path, monkeypatch):
    """A logbook this very process may not write: chmod, or for root the immutable attribute."""
    path = make_logbook(tmp_path / "server.db")
    if os.geteuid() != 0:
        path.chmod(0o444)
        undo = ["chmod", "644", str(path)]
    elif subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        undo = ["chattr", "-i", str(path)]
    else:
        pytest.skip("running as root where files cannot be made immutable")
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    yield path
    subprocess.run(undo, check=True)


async def test_the_server_reads_it_and_refuses_writes(unwritable_server_logbook, jp_fetch):
    hypotheses = await jp_fetch("logbook", "api", "hypotheses")
    assert [h["statement"] for h in json.loads(hypotheses.body)] == ["readable"]
    status = await jp_fetch("logbook", "api", "status")
    assert json.loads(status.body)["experiments"] == 1
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("logbook", "api", "hypotheses", method="POST", body=json.dumps({"statement": "no"}))
    assert refused.value.code == 503 and "is read-only" in json.loads(refused.value.response.body)["message"]
