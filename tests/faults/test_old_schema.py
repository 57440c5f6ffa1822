"""A logbook written by an older version migrates on open, keeping every record."""

import sqlite3

from sqlite_utils import Database

from logbook.store.core import Store
from logbook.store.schema import migrations


def test_a_first_version_logbook_gains_the_new_indexes_and_keeps_its_records(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m002_lookup_indexes")
    old["hypotheses"].insert(
        {
            "id": "H1",
            "seq": 1,
            "statement": "kept",
            "credence": 0.4,
            "status": "active",
            "created_at": "2026-01-01T00:00:00+00:00",
        }
    )
    old["surprises"].insert(
        {
            "hypothesis_id": "H1",
            "observed": "{}",
            "created_at": "2026-01-01T00:00:00+00:00",
            "manual": 1,
            "note": "odd",
            "status": "unread",
        }
    )
    assert [m.name for m in migrations.applied(old)] == ["m001_initial"]
    old.close()

    with Store(path) as store:
        assert [m.name for m in migrations.applied(store.db)] == [m.name for m in migrations._migrations]
        assert store.hypothesis("H1").statement == "kept"
        assert store.surprises()[0].note == "odd"
        indexed = {tuple(index.columns) for index in store.db["surprises"].indexes}
        assert ("status",) in indexed and ("hypothesis_id",) in indexed
