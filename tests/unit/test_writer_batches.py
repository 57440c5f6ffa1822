"""The writer's batches: cells that follow one another are written together, and their record stays whole."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from kernel_hooks.drift import CellHistory
from kernel_hooks.jobs import ExperimentJob, FoldJob
from kernel_hooks.provenance import ExperimentHandle
from kernel_hooks.writer import MAX_DEFER_SECONDS, Writer
from logbook.audit.verify import verify_logbook
from logbook.store.cell_digest import row_digest
from logbook.store.core import Store
from logbook.store.tables.base import loads


def cell(i: int, **extra: Any) -> ExperimentJob:
    row = {
        "source": f"score_{i} = probe(layer={i})\nprint(score_{i})",
        "stdout": f"word{i}\n",
        "started_at": "2026-11-25T10:00:00+00:00",
        "duration_ms": 1.0,
        "ok": 1,
        **extra,
    }
    outputs = [{"text/plain": f"out{i}", "text/html": f"<b>{i % 3}</b>"}]
    return ExperimentJob(row, outputs, {f"score_{i}": {"type": "int", "value": i}}, {}, ExperimentHandle(i))  # type: ignore[arg-type]


def write(path: Path, jobs: list[Any]) -> list[str]:
    warnings: list[str] = []
    writer = Writer(path, warnings.append)
    try:
        for job in jobs:
            writer.submit(job)
        assert writer.flush(60)
    finally:
        writer.stop()
    return warnings


def test_cells_written_together_verify_and_are_found(logbook_db: Path) -> None:
    with Store(logbook_db) as store:
        store.add_hypothesis("an event in the chain before the cells")
    jobs = [cell(i) for i in range(120)]
    assert write(logbook_db, jobs) == []
    with Store(logbook_db) as store:
        assert verify_logbook(store).ok
        ids = [job.handle.id for job in jobs]
        assert ids == list(range(1, 121))
        for job in (jobs[0], jobs[57], jobs[119]):
            (found,) = store.search_experiments(f"word{job.handle.number}")
            assert found.id == job.handle.id
            assert found.source == job.row["source"]
            assert [o.mime for o in found.outputs] == ["text/plain", "text/html"]
            assert found.names == {f"score_{job.handle.number}": {"type": "int", "value": job.handle.number}}
            assert store.experiments.outputs_trusted(found.id)[0]
        assert len(store.search_experiments("probe", limit=500)) == 120
        events = list(store.iter_events())
        recorded = [e for e in events if e["kind"] == "experiment.recorded"]
        assert [e["subject"] for e in recorded] == [f"E{i}" for i in ids]
        row = store.db.execute("SELECT * FROM experiments WHERE id = 58").fetchone()
        columns = [d[0] for d in store.db.execute("SELECT * FROM experiments LIMIT 0").description]
        outputs = store.db.execute(
            "SELECT mime, sha256, size, truncated FROM outputs WHERE experiment_id = 58 ORDER BY position"
        ).fetchall()
        assert recorded[57]["payload"]["digest"] == row_digest(dict(zip(columns, row)), outputs)


def test_cells_of_different_shapes_in_one_batch_are_stored_as_given(logbook_db: Path) -> None:
    failed = {"ok": 0, "error_name": "ValueError", "error_value": "bad", "traceback": "tb"}
    jobs = [
        cell(0),
        cell(1, mode="explore", cell_id=None),
        cell(2, **failed),
        cell(3),
        ExperimentJob(dict(reversed(cell(4).row.items())), [], {}, {}, ExperimentHandle(4)),  # type: ignore[arg-type]
        cell(5, mode="explore"),
    ]
    assert write(logbook_db, jobs) == []
    with Store(logbook_db) as store:
        assert verify_logbook(store).ok
        stored = {e.id: e for e in store.experiments(newest_first=False)}
        assert [stored[job.handle.id].source for job in jobs] == [job.row["source"] for job in jobs]
        assert [stored[job.handle.id].mode for job in jobs] == [None, "explore", None, None, None, "explore"]
        assert stored[jobs[1].handle.id].cell_id is None
        error = stored[jobs[2].handle.id].error
        assert not stored[jobs[2].handle.id].ok and error is not None and error.name == "ValueError"
        assert stored[jobs[4].handle.id].stdout == "word4\n" and stored[jobs[4].handle.id].outputs == []


def test_a_bad_cell_spoils_none_of_the_others(logbook_db: Path) -> None:
    jobs = [cell(i) for i in range(10)]
    jobs[4] = cell(4, no_such_field="x")
    warnings = write(logbook_db, jobs)
    assert len(warnings) == 1 and "could not be written" in warnings[0]
    with Store(logbook_db) as store:
        assert verify_logbook(store).ok
        sources = [r[0] for r in store.db.execute("SELECT source FROM experiments ORDER BY id")]
        assert sources == [job.row["source"] for job in jobs if job is not jobs[4]]
        assert jobs[4].handle.id is None and jobs[5].handle.id == 5
        (error,) = store.db.execute("SELECT message FROM recorder_errors").fetchall()
        assert "no_such_field" in error[0]


def test_a_cell_folds_its_history_once_written(logbook_db: Path) -> None:
    history = CellHistory()
    job = cell(1)
    job.fold = FoldJob(history, "key", "code")
    seen = []
    history.fold = lambda cell, source: seen.append((cell, source, job.handle.id))  # type: ignore[method-assign]
    write(logbook_db, [cell(0), job, cell(2)])
    assert seen == [("key", "code", 2)]
    with Store(logbook_db) as store:
        names = store.db.execute("SELECT names FROM experiments WHERE id = 2").fetchone()[0]
        assert loads(names, {}) == {"score_1": {"type": "int", "value": 1}}


def test_handing_a_cell_over_wakes_no_thread(tmp_path: Path) -> None:
    written = threading.Event()
    writer = Writer(tmp_path / "logbook.db", print)
    try:
        assert writer.flush()
        writer.kernel_busy()
        writer.expect_reply()
        writer.submit(lambda store: written.set())
        writer.kernel_idle()
        assert not writer._wake.is_set()  # the cell's end and its record leave the writer asleep
        writer.replied()
        assert written.wait(30)
    finally:
        writer.stop()


def test_a_cell_is_written_by_the_deadline_while_the_kernel_stays_busy(tmp_path: Path) -> None:
    written = threading.Event()
    writer = Writer(tmp_path / "logbook.db", print)
    try:
        assert writer.flush()
        writer.kernel_busy()  # a long cell: never quiet
        start = time.monotonic()
        writer.submit(lambda store: written.set())
        assert written.wait(30)
        assert time.monotonic() - start >= MAX_DEFER_SECONDS - 0.01
    finally:
        writer.stop()
