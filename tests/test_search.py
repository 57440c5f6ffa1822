"""Full-text search covers what a cell ran, printed and showed, and the errors it raised."""

import sqlite3

from sqlite_utils import Database

from logbook.cli import main
from logbook.schema import migrations
from logbook.store import Store

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "<cell>", line 3, in normalise_logits\n'
    "ZeroDivisionError: division by zero\n"
)


def failed_cell(source="ratio = normalise_logits(x)", **extra) -> dict:
    return {
        "source": source,
        "started_at": "2026-01-01T00:00:00+00:00",
        "duration_ms": 1.0,
        "ok": 0,
        "error_name": "ZeroDivisionError",
        "error_value": "division by zero",
        "traceback": TRACEBACK,
        **extra,
    }


def test_errors_are_found_by_name_message_and_traceback(store):
    with store.transaction():
        clean = {
            k: v for k, v in failed_cell().items() if k not in ("error_name", "error_value", "traceback")
        }
        store.insert_experiment({**clean, "ok": 1}, [])
        store.insert_experiment(failed_cell(), [])
        store.insert_experiment(failed_cell("warn()", ok=1, stderr="RuntimeWarning: overflow in exp"), [])
    assert [e.id for e in store.search("ZeroDivisionError")] == [2, 3]
    assert [e.id for e in store.search("division by zero")] == [2, 3]
    assert [e.id for e in store.search("normalise_logits line 3")] == [2, 3]
    assert [e.id for e in store.search("RuntimeWarning")] == [3]
    total, rows = store.experiment_rows(query="zerodivisionerror")
    assert total == 2 and [r["id"] for r in rows] == [3, 2]


def test_search_on_the_command_line_finds_errors(store, capsys):
    with store.transaction():
        store.insert_experiment(failed_cell(), [])
    assert main(["search", "ZeroDivisionError"]) == 0
    assert "ratio = normalise_logits(x)" in capsys.readouterr().out


def test_an_older_logbook_is_reindexed_with_its_errors(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m009_search_errors")
    old["experiments"].insert(failed_cell())
    old.close()
    with Store(path) as store:
        assert [e.source for e in store.search("ZeroDivisionError")] == ["ratio = normalise_logits(x)"]
        with store.transaction():
            store.insert_experiment(failed_cell("second()"), [])
            store.db.execute("UPDATE experiments SET error_name = 'KeyError' WHERE id = 1")
            store.db.execute("DELETE FROM experiments WHERE id = 2")
        # The triggers keep the index in step with inserts, updates and deletes.
        assert [e.id for e in store.search("KeyError")] == [1]
        assert store.search("second") == []
