"""Crash-only judging: what a kernel finished is on disk before a judgement starts, and a judgement it never ends is marked.

In process: a judgement is written ahead (the cells before it and a
``judging`` row, committed before it runs, the row removed after), and a
row left by a stopped kernel marks its prediction too slow. Through real
kernels: a prediction that would run unstoppably in C is refused before it
runs, and a kernel killed while a judgement blocks in C keeps its cells and
leaves that prediction marked too slow for the next kernel, which never
runs it.
"""

import os
import signal
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import numpy
import pytest

from kernel_hooks.judging import Ahead, TrackedPrediction, judge_all, stale, stop_stale
from kernel_hooks.provenance import Provenance
from kernel_hooks.watchdog import Watchdog
from kernel_hooks.writer import Writer
from logbook.rules.prediction_methods import mark_checks
from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel


def read_only(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def logbook_lines(printed: list[str]) -> list[str]:
    return [line for text in printed for line in text.splitlines() if line.startswith("logbook:")]


@pytest.fixture
def predicted(tmp_path):
    """A logbook with H1.P1 ``seen(x) > 0`` and a writer on it."""
    db = tmp_path / "logbook.db"
    with Store(db) as store:
        h = store.add_hypothesis("the cells before a judgement are on disk when it runs", 0.7)
        prediction = store.add_prediction(h.id, "seen(x) > 0", 0.9)
        statement = h.statement
    writer = Writer(db, lambda message: None)
    yield db, writer, TrackedPrediction(prediction, statement)
    writer.stop()


def test_a_judgement_runs_after_the_cells_before_it_and_its_own_row_are_committed(predicted):
    db, writer, tracked = predicted
    seen_on_disk = []

    def seen(x):
        with read_only(db) as connection:
            rows = connection.execute("SELECT prediction_id, session, pid FROM judging").fetchall()
            cells = connection.execute("SELECT message FROM recorder_errors").fetchall()
        seen_on_disk.append((rows, cells))
        return x

    mark_checks([seen])
    writer.kernel_busy()  # as in a cell: batches would wait for it to end
    writer.submit(lambda store: store.record_error("cell", "the cell just before", ""))
    watchdog = Watchdog(5.0, lambda key, seconds: None)
    ahead = Ahead(writer, "session-1", 5.0)
    outcome = judge_all([tracked], {"seen": seen, "x": 1}, watchdog, Provenance(), ahead=ahead)
    ahead.done()
    watchdog.stop()
    assert [j.held for j in outcome.judged] == [True]
    assert seen_on_disk == [([("H1.P1", "session-1", os.getpid())], [("the cell just before",)])]
    # The row goes after judging, urgently: the cell need not end first.
    assert writer.flush(10)
    with read_only(db) as connection:
        assert connection.execute("SELECT count(*) FROM judging").fetchone()[0] == 0


def test_a_prediction_on_values_it_cannot_hang_on_is_not_written_ahead(predicted):
    db, writer, tracked = predicted
    submitted = []

    class Watching:
        failed = stalled = None

        def submit(self, job, urgent=False):
            submitted.append(job)

        def flush(self, timeout):
            return True

    watchdog = Watchdog(5.0, lambda key, seconds: None)
    ahead = Ahead(Watching(), "session-2", 5.0)
    plain = TrackedPrediction(
        tracked.prediction.model_copy(update={"names": ["x"], "expression": "x > 0"}), ""
    )
    for bounded in (1.5, numpy.float64(1.5), numpy.ones(3), [1, 2.0], {"a": numpy.ones(2)}):
        judge_all([plain], {"x": bounded}, watchdog, Provenance(), ahead=ahead)
    assert submitted == []  # numbers, arrays and containers of them: every step is bounded, nothing to write

    class Yours:  # your own object: its methods are your code, which may never end
        def __gt__(self, other):
            return True

    judge_all([plain], {"x": Yours()}, watchdog, Provenance(), ahead=ahead)
    judge_all([plain], {"x": [Yours()]}, watchdog, Provenance(), ahead=ahead)
    watchdog.stop()
    assert len(submitted) == 2


def test_a_row_left_by_a_stopped_kernel_marks_its_prediction_too_slow_once(predicted):
    db, writer, _ = predicted
    writer.stop()
    now = datetime.now(timezone.utc)
    with Store(db) as store:
        h = store.add_hypothesis("another", 0.5)
        store.add_prediction(h.id, "y > 0", 0.5)
        store.add_prediction(h.id, "z > 0", 0.5)
        with store.transaction():
            store.judging_ahead("H1.P1", "dead", 2**22 + 17, "here", 1.0)  # its process is gone
            store.judging_ahead("H2.P1", "alive", os.getpid(), "here", 1.0)  # running now, on this machine
            store.judging_ahead("H2.P2", "elsewhere", 1, "there", 1.0)  # another machine, recently
        rows = {row["session"]: row for row in store.judging()}
        assert stale(rows["dead"], "here", now, alive=lambda pid: False)
        assert not stale(rows["alive"], "here", now)
        assert not stale(rows["elsewhere"], "here", now, alive=lambda pid: False)
        assert stale(rows["elsewhere"], "here", now + timedelta(seconds=32))  # far past its budget
        (line,) = stop_stale(store, host="here", now=now)
        assert line.startswith("prediction H1.P1 (seen(x) > 0) was being judged when its kernel stopped")
        assert "marked too slow" in line and "until you edit it" in line
        assert store.prediction("H1.P1").state.value == "too_slow"
        assert {p.id: p.state.value for p in store.active_predictions()} == {
            "H1.P1": "too_slow",
            "H2.P1": "pending",
            "H2.P2": "pending",
        }
        assert sorted(row["session"] for row in store.judging()) == ["alive", "elsewhere"]
        assert stop_stale(store, host="here", now=now) == []
        edited = store.update_prediction("H1.P1", expression="seen(x) >= 0")
        assert edited.state.value == "pending"


def test_a_flush_does_not_wait_for_the_cell_to_end(tmp_path):
    writer = Writer(tmp_path / "logbook.db", lambda message: None)
    try:
        writer.kernel_busy()
        taken = threading.Event()
        writer.submit(lambda store: taken.set())
        assert taken.wait(10)  # the writer now holds the next batch until the cell ends
        writer.submit(lambda store: store.record_error("cell", "queued while the cell runs", ""))
        begun = time.monotonic()
        assert writer.flush(10)
        assert time.monotonic() - begun < 0.9  # not the 1 s a batch may wait for a running cell
        with read_only(tmp_path / "logbook.db") as connection:
            assert connection.execute("SELECT count(*) FROM recorder_errors").fetchone()[0] == 1
    finally:
        writer.stop()


@pytest.mark.kernel
def test_a_power_the_budget_could_not_stop_is_refused_and_the_kernel_answers(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        predict = "import logbook\nh = logbook.hypothesis('big is positive')\nh.predict('big ** 10**8 > 0', credence=0.9)"
        assert execute(client, predict)[0] == "ok"
        begun = time.monotonic()
        status, printed = execute(client, "big = 12345", timeout=30)
        assert status == "ok" and time.monotonic() - begun < 10
        (line,) = logbook_lines(printed)
        assert "H1.P1 (big ** 10**8 > 0) raised PredictionRefused" in line
        assert "an integer of about 409,149,115 digits" in line and "not judged while it raises" in line
        assert (
            execute(client, "after = big + 1\nimport logbook; assert logbook.flush()", timeout=30)[0] == "ok"
        )
    with Store(db) as store:
        prediction = store.prediction("H1.P1")
        assert prediction.state.value == "error" and "100,000 digits" in prediction.error
        assert "big = 12345" in [e.source for e in store.experiments(limit=None)]


#: A check that blocks in C (``os.read`` of a pipe nobody writes): the budget cannot interrupt it.
BLOCKING_CHECK = """
import os, pathlib, logbook
_r, _w = os.pipe()
def blocker(value):
    pathlib.Path({marker!r}).write_text('judging')
    os.read(_r, 1)
    return value
logbook.checks(blocker)
h = logbook.hypothesis('the blocker returns')
h.predict('blocker(x) > 0', credence=0.9)
"""

#: The same check in a new kernel, where it counts its calls instead of blocking.
COUNTING_CHECK = """
import logbook
calls = []
def blocker(value):
    calls.append(value)
    return value
logbook.checks(blocker)
x = 1
"""


@pytest.mark.kernel
def test_a_kernel_killed_mid_judgement_keeps_its_cells_and_the_next_never_runs_that_prediction(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("LOGBOOK_PREDICTION_BUDGET_S", "60")  # the watchdog must not be what marks it
    db, marker = tmp_path / "logbook.db", tmp_path / "judging"
    with recording_kernel(db, tmp_path) as (manager, client):
        assert execute(client, BLOCKING_CHECK.format(marker=str(marker)))[0] == "ok"
        assert execute(client, "a = 1")[0] == "ok"
        assert execute(client, "b = 2")[0] == "ok"
        client.execute("x = 1")
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, "the judgement never started"
            time.sleep(0.02)
        with read_only(db) as connection:
            sources = [row[0] for row in connection.execute("SELECT source FROM experiments ORDER BY id")]
            judging = connection.execute("SELECT prediction_id, pid FROM judging").fetchall()
        assert sources[-3:] == ["a = 1", "b = 2", "x = 1"]  # on disk before the judgement began
        assert [row[0] for row in judging] == ["H1.P1"]
        manager.signal_kernel(signal.SIGKILL)
        while manager.is_alive():
            assert time.monotonic() < deadline, "the kernel outlived SIGKILL"
            time.sleep(0.02)
        with pytest.raises(ProcessLookupError):
            os.kill(judging[0][1], 0)
    with recording_kernel(db, tmp_path) as (_, client):
        begun = time.monotonic()
        status, printed = execute(client, COUNTING_CHECK, timeout=30)
        assert status == "ok" and time.monotonic() - begun < 10
        (line,) = logbook_lines(printed)
        assert "H1.P1 (blocker(x) > 0) was being judged when its kernel stopped" in line
        assert "marked too slow" in line
        status, printed = execute(
            client, "x = 2\nassert calls == [], calls\nimport logbook; assert logbook.flush()"
        )
        assert status == "ok" and logbook_lines(printed) == []
    with Store(db) as store:
        assert store.prediction("H1.P1").state.value == "too_slow"
        assert store.judging() == []
        sources = [e.source for e in store.experiments(limit=None, newest_first=False)]
        assert ["a = 1", "b = 2", "x = 1"] == sources[1:4]
