"""A logbook is one portable file: idle kernels and closing stores save the WAL into it, snapshots are one file,
and a copy that left its WAL behind says so instead of becoming a fresh logbook."""

import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest

from kernel_hooks.writer import Writer
from logbook.audit.verify import verify_logbook
from logbook.cli.main import main
from logbook.errors import LogbookError, LogbookUnavailable
from logbook.store.core import Store
from logbook.store.portable import SNAPSHOT_APPLICATION_ID, is_snapshot, write_snapshot


def hypotheses_in_file_alone(path, tmp_path):
    """The hypotheses a colleague sees when given only ``path`` (no -wal, no -shm)."""
    alone = tmp_path / "copied" / "logbook.db"
    alone.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, alone)
    with Store(alone) as copy:
        return [h.statement for h in copy.hypotheses()]


def recorded_in_file_alone(path, tmp_path):
    """What a kernel's writer recorded, as a colleague given only ``path`` sees it."""
    alone = tmp_path / "copied" / "logbook.db"
    alone.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, alone)
    with Store(alone) as copy:
        return [row["message"] for row in copy.db.query("SELECT message FROM recorder_errors ORDER BY id")]


def test_an_idle_writer_saves_its_records_into_the_file_itself(logbook_db, tmp_path):
    reader = Store(logbook_db)  # another process with the file open, as the server always is
    writer = Writer(logbook_db, on_warning=pytest.fail)
    try:
        writer.submit(lambda store: store.record_error("cell 1", "recorded by the kernel"))
        assert writer.flush()
        assert writer.saved_in_file.wait(30)
        assert recorded_in_file_alone(logbook_db, tmp_path) == ["recorded by the kernel"]
    finally:
        writer.stop()
        reader.close()


def test_a_closing_store_leaves_every_record_in_the_file(logbook_db, tmp_path):
    server = Store(logbook_db)  # stays open: SQLite alone would not checkpoint while it does
    with Store(logbook_db) as kernel:
        kernel.db.execute("PRAGMA wal_autocheckpoint = 0")
        kernel.add_hypothesis("Induction heads form at step 400", 0.5)
    try:
        assert hypotheses_in_file_alone(logbook_db, tmp_path) == ["Induction heads form at step 400"]
    finally:
        server.close()


def test_a_copy_without_its_wal_says_so_and_is_left_as_it_was(logbook_db, tmp_path):
    writer = Store(logbook_db)
    writer.db.execute("PRAGMA wal_autocheckpoint = 0")
    writer.add_hypothesis("Everything is in the WAL", 0.5)
    copy = tmp_path / "colleague" / "logbook.db"
    copy.parent.mkdir()
    shutil.copyfile(logbook_db, copy)  # the main file alone, taken before any checkpoint
    before = copy.read_bytes()
    try:
        with pytest.raises(LogbookUnavailable, match=r"logbook\.db-wal, which is not beside it"):
            Store(copy)
        assert copy.read_bytes() == before
        assert not (copy.parent / "logbook.db-wal").exists()
    finally:
        writer.close()
    # With its WAL beside it, the same copy opens with everything.
    shutil.copyfile(logbook_db, copy)
    with Store(copy) as opened:
        assert [h.statement for h in opened.hypotheses()] == ["Everything is in the WAL"]


def test_a_snapshot_is_one_consistent_file_that_verifies(store, logbook_db, tmp_path):
    for n in range(20):
        store.add_hypothesis(f"hypothesis {n}", 0.5)
    out = tmp_path / "share" / "snapshot.db"
    out.parent.mkdir()
    copy = write_snapshot(store.db, logbook_db, out)
    assert copy.path == out and copy.bytes == out.stat().st_size
    assert not (tmp_path / "share" / "snapshot.db-wal").exists()
    assert [p.name for p in out.parent.iterdir()] == ["snapshot.db"]
    assert is_snapshot(out)
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    with Store(out) as snap:
        assert len(snap.hypotheses()) == 20
        assert verify_logbook(snap).ok


def test_a_snapshot_taken_while_another_process_writes_holds_every_committed_record(logbook_db, tmp_path):
    with Store(logbook_db) as first:
        first.add_hypothesis("before the writer started", 0.5)
    writes = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom logbook.store.core import Store\nwith Store(sys.argv[1]) as s:\n"
            "    print('ready', flush=True)\n"
            "    for n in range(400):\n        s.add_hypothesis(f'written during the snapshot {n}', 0.5)\n",
            str(logbook_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writes.stdout.readline().strip() == "ready"
        with Store(logbook_db) as store:
            before = len(store.hypotheses())
            write_snapshot(store.db, logbook_db, tmp_path / "during.db")
    finally:
        assert writes.wait(120) == 0
    with Store(tmp_path / "during.db") as snap:
        statements = [h.statement for h in snap.hypotheses()]
        assert verify_logbook(snap).ok
    assert len(statements) >= before and "before the writer started" in statements
    # What the snapshot holds is a prefix of the history: no record without the ones before it.
    numbers = [int(s.rsplit(" ", 1)[1]) for s in statements if s.startswith("written during")]
    assert numbers == list(range(len(numbers)))


def test_a_snapshot_replaces_only_an_earlier_snapshot(store, logbook_db, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"my own database, not a snapshot")
    with pytest.raises(LogbookError, match="not a Logbook snapshot: nothing was written"):
        write_snapshot(store.db, logbook_db, notes)
    assert notes.read_bytes() == b"my own database, not a snapshot"
    with pytest.raises(LogbookError, match="is the logbook itself"):
        write_snapshot(store.db, logbook_db, logbook_db)
    with pytest.raises(LogbookError, match="is a folder"):
        write_snapshot(store.db, logbook_db, tmp_path)

    out = tmp_path / "snap.db"
    write_snapshot(store.db, logbook_db, out)
    store.add_hypothesis("added after the first snapshot", 0.4)
    write_snapshot(store.db, logbook_db, out)
    with Store(out) as snap:
        assert [h.statement for h in snap.hypotheses()] == ["added after the first snapshot"]
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == SNAPSHOT_APPLICATION_ID
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".snap")) == []


def test_logbook_snapshot_on_the_command_line(store, logbook_db, tmp_path, capsys):
    store.add_hypothesis("shared with a colleague", 0.7)
    out = tmp_path / "for-ana.db"
    assert main(["snapshot", str(out), "--db", str(logbook_db)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert main(["snapshot", str(logbook_db), "--db", str(logbook_db)]) != 0
    assert "is the logbook itself" in capsys.readouterr().err
    with Store(out) as snap:
        assert [h.statement for h in snap.hypotheses()] == ["shared with a colleague"]


def test_writing_never_waits_for_the_idle_save(logbook_db, tmp_path):
    """A reader holding an old state keeps part of the WAL; the writer goes on and saves the rest later."""
    reader = Store(logbook_db)
    reader.db.execute("BEGIN")
    reader.db.execute("SELECT count(*) FROM hypotheses").fetchone()
    writer = Writer(logbook_db, on_warning=pytest.fail)
    done = threading.Event()
    try:
        writer.submit(lambda store: store.record_error("cell 1", "written while a reader held the old state"))
        writer.submit(lambda store: done.set())
        assert writer.flush() and done.is_set()
        reader.db.conn.rollback()
        assert writer.saved_in_file.wait(30)
        assert recorded_in_file_alone(logbook_db, tmp_path) == ["written while a reader held the old state"]
    finally:
        writer.stop()
        reader.close()


def test_a_new_logbook_appears_at_its_path_whole(logbook_db, monkeypatch):
    """While one process makes a new logbook, another finds no file there or a whole logbook, never an empty one;
    the first to finish is the logbook both use, and no draft is left beside it."""
    from logbook.store import schema

    apply = schema.migrations.apply
    seen_meanwhile = []

    def migrate_while_another_opens(db, *args, **kwargs):
        if not seen_meanwhile:
            seen_meanwhile.append(logbook_db.exists())
            with Store(logbook_db) as other:
                other.add_hypothesis("made by the other process", 0.5)
        return apply(db, *args, **kwargs)

    monkeypatch.setattr(schema.migrations, "apply", migrate_while_another_opens)
    with Store(logbook_db) as first:
        assert [h.statement for h in first.hypotheses()] == ["made by the other process"]
    assert seen_meanwhile == [False]
    assert sorted(p.name for p in logbook_db.parent.iterdir()) == ["logbook.db"]


def test_where_the_file_system_makes_no_hard_links_a_new_logbook_is_made_in_place(logbook_db, monkeypatch):
    import errno
    import os

    def no_links(source, target):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    with Store(logbook_db) as store:
        store.add_hypothesis("Induction heads form at step 400", 0.5)
    with Store(logbook_db) as again:
        assert [h.statement for h in again.hypotheses()] == ["Induction heads form at step 400"]
    assert sorted(p.name for p in logbook_db.parent.iterdir()) == ["logbook.db"]


def made_with_its_tables_in_the_wal(path):
    """A logbook as Logbook made them before a new one was linked in whole: everything, its tables too, in its WAL."""
    from sqlite_utils import Database

    from logbook.store import connection

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    connection._prepare(Database(conn), path, check=False, read_only=False)
    return conn


def test_a_copy_of_a_file_whose_tables_are_in_its_wal_says_so_too(logbook_db, tmp_path):
    maker = made_with_its_tables_in_the_wal(logbook_db)
    try:
        copy = tmp_path / "colleague" / "logbook.db"
        copy.parent.mkdir()
        shutil.copyfile(logbook_db, copy)
        with pytest.raises(LogbookUnavailable, match=r"logbook\.db-wal, which is not beside it"):
            Store(copy)
    finally:
        maker.close()
