"""A logbook written by a newer Logbook, or with a column missing: refused clearly, nothing written to it."""

import json
import sqlite3
import time

import pytest
from sqlite_utils import Database
from tornado.httpclient import HTTPClientError

from kernel_hooks.writer import Writer
from logbook.cli.main import main
from logbook.errors import LogbookIncompatible, LogbookTooNew
from logbook.store.core import Store
from logbook.store.schema import migrations

pytest_plugins = ["pytest_jupyter.jupyter_server"]

#: The newest schema version this code knows: the number of its last migration.
OURS = max(int(m.name[1:4]) for m in migrations.pending(Database(memory=True)))


def from_a_newer_logbook(path):
    """A logbook with one migration more than this code knows."""
    with Store(path) as store:
        store.add_hypothesis("written by a newer Logbook")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            ["logbook", f"m{OURS + 1:03d}_future_tables", "2027-01-01 00:00:00+00:00"],
        )
    db.close()
    return path


def with_a_renamed_column(path):
    with Store(path) as store:
        store.add_hypothesis("kept")
    rename_experiment_source(path)
    return path


def rename_experiment_source(path):
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE experiments RENAME COLUMN source TO code")
    db.commit()
    db.close()


def snapshot(path):
    return path.read_bytes(), path.stat().st_mtime_ns


def experiment(store):
    store.insert_experiment(
        {"source": "x = 1", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}, []
    )


def test_a_logbook_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    path = from_a_newer_logbook(tmp_path / "logbook.db")
    before = snapshot(path)
    with pytest.raises(LogbookTooNew) as refused:
        Store(path)
    assert str(refused.value) == (
        f"the logbook at {path} has schema version {OURS + 1} (migration m{OURS + 1:03d}_future_tables); "
        f"this Logbook knows up to version {OURS}: upgrade jupyterlab-logbook (pip install -U "
        "jupyterlab-logbook) to use it"
    )
    assert snapshot(path) == before
    assert not list(tmp_path.glob("*.damaged-*"))


def test_a_logbook_missing_a_column_is_refused_and_left_untouched(tmp_path):
    path = with_a_renamed_column(tmp_path / "logbook.db")
    before = snapshot(path)
    with pytest.raises(LogbookIncompatible) as refused:
        Store(path)
    assert "lacks experiments.source" in str(refused.value) and "upgrade jupyterlab-logbook" in str(
        refused.value
    )
    assert snapshot(path) == before


def test_the_command_line_says_which_version_to_upgrade_to(tmp_path, capsys):
    path = from_a_newer_logbook(tmp_path / "logbook.db")
    assert main(["list", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"logbook: the logbook at {path} has schema version {OURS + 1}")


def test_a_writer_on_a_newer_logbook_warns_once_and_does_not_retry(tmp_path):
    warnings = []
    writer = Writer(from_a_newer_logbook(tmp_path / "logbook.db"), warnings.append)
    writer.submit(experiment)
    assert writer.flush(timeout=10) is False
    writer.submit(experiment)
    assert writer.flush(timeout=10) is False
    writer.stop()
    assert (
        len(warnings) == 1 and f"schema version {OURS + 1}" in warnings[0] and "not recorded" in warnings[0]
    )


def test_a_writer_whose_logbook_changes_under_it_stops_retrying(tmp_path):
    warnings = []
    path = tmp_path / "logbook.db"
    writer = Writer(path, warnings.append)
    writer.submit(experiment)
    assert writer.flush(timeout=10)
    rename_experiment_source(path)
    writer.submit(experiment)
    started = time.monotonic()
    assert writer.flush(timeout=10) is False
    assert time.monotonic() - started < 5
    writer.stop()
    assert len(warnings) == 1 and "lacks experiments.source" in warnings[0] and "not recorded" in warnings[0]
    assert writer.failed


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


@pytest.fixture
def newer_server_logbook(tmp_path, monkeypatch):
    path = from_a_newer_logbook(tmp_path / "server.db")
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    return path


async def test_the_server_answers_503_with_the_reason(newer_server_logbook, jp_fetch):
    for route in ("status", "hypotheses"):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("logbook", "api", route)
        body = json.loads(refused.value.response.body)
        assert refused.value.code == 503
        assert f"schema version {OURS + 1}" in body.get("error", body.get("message"))
