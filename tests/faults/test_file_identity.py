"""The logbook file is deleted, renamed or replaced while it is open: writers follow the path, nothing is lost."""

import json
import os
import sqlite3

import pytest

from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel

pytest_plugins = ["pytest_jupyter.jupyter_server"]


def logbook_with(path, statement):
    with Store(path) as store:
        store.add_hypothesis(statement)
    return path


def write_cells(store, count):
    """Rows that stay in the WAL, not yet in the file itself."""
    with store.transaction():
        for i in range(count):
            store.insert_experiment(
                {
                    "source": f"cell_{i} = {i}",
                    "started_at": "2026-01-01T00:00:00+00:00",
                    "duration_ms": 1.0,
                    "ok": 1,
                },
                [],
            )


@pytest.mark.kernel
def test_a_kernel_whose_logbook_is_deleted_records_into_a_new_one_and_says_so(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "before = 1")[0] == "ok"
        assert execute(client, "import logbook; assert logbook.flush()")[0] == "ok"
        db.unlink()
        assert execute(client, "after = 2")[0] == "ok"
        status, printed = execute(client, "assert logbook.flush()")
        assert execute(client, "later = 3")[0] == "ok"
        assert execute(client, "assert logbook.flush()")[0] == "ok"
    assert status == "ok"
    warnings = [line for line in "".join(printed).splitlines() if line.startswith("logbook:")]
    assert len(warnings) == 1 and f"{db} was deleted" in warnings[0] and "new logbook" in warnings[0]
    with Store(db) as store:
        sources = [row[0] for row in store.db.execute("SELECT source FROM experiments")]
        assert store.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert "after = 2" in sources and "later = 3" in sources and "before = 1" not in sources


@pytest.mark.parametrize("old_file_in_use", [False, True], ids=["alone", "old-file-still-read"])
def test_a_logbook_moved_over_the_open_one_is_the_one_read_and_written_after(tmp_path, old_file_in_use):
    path = tmp_path / "logbook.db"
    other = logbook_with(tmp_path / "other.db", "from the other logbook")
    store = Store(path)
    write_cells(store, 300)
    reader = sqlite3.connect(path, isolation_level=None)
    if old_file_in_use:  # another process mid-read on the old file: its log cannot be emptied
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM experiments").fetchone()
    assert not store.replaced()
    os.replace(other, path)
    assert store.replaced()
    store.reopen()
    assert not store.replaced()
    # The old file's write-ahead log, left under this name, must not leak into the new file.
    assert [h.statement for h in store.hypotheses()] == ["from the other logbook"]
    assert store.count("experiments") == 0
    write_cells(store, 2)
    reader.close()
    store.close()
    with Store(path) as reread:
        assert reread.count("experiments") == 2 and reread.count("hypotheses") == 1
        assert reread.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_logbook_renamed_away_keeps_every_record_and_a_new_one_starts_at_the_path(tmp_path):
    path = tmp_path / "logbook.db"
    kept = tmp_path / "kept.db"
    store = Store(path)
    write_cells(store, 300)
    path.rename(kept)
    assert store.replaced()
    store.reopen()
    assert path.exists() and store.count("experiments") == 0
    store.close()
    with Store(kept) as renamed:
        assert renamed.count("experiments") == 300


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


@pytest.fixture
def server_logbook(tmp_path, monkeypatch):
    path = logbook_with(tmp_path / "server.db", "the first logbook")
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    return path


async def test_the_server_reads_the_file_now_at_the_path(server_logbook, tmp_path, jp_fetch):
    async def statements():
        response = await jp_fetch("logbook", "api", "hypotheses")
        return [h["statement"] for h in json.loads(response.body)]

    assert await statements() == ["the first logbook"]
    os.replace(logbook_with(tmp_path / "other.db", "the second logbook"), server_logbook)
    assert await statements() == ["the second logbook"]
    server_logbook.unlink()
    assert await statements() == []
    response = await jp_fetch(
        "logbook", "api", "hypotheses", method="POST", body=json.dumps({"statement": "new"})
    )
    assert response.code == 201
    with Store(server_logbook) as store:
        assert [h.statement for h in store.hypotheses()] == ["new"]
