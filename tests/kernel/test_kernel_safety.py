"""The user's time stays the user's: interrupts, slow predictions and hostile values, through real kernels."""

import json
import threading
import time

import pytest

from kernel_hooks.watchdog import BUDGET_ENV, DEFAULT_BUDGET_S, PredictionTooSlow, Watchdog, budget_from_env
from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel

pytestmark = pytest.mark.kernel

#: A prediction ``slow > 0`` whose ``__gt__`` loops in Python for up to ``seconds`` and counts its calls.
SLOW_CLASS = """
import pathlib, time
class Slow:
    calls = 0
    def __init__(self, seconds=20.0, marker=None):
        self.seconds, self.marker = seconds, marker
    def __gt__(self, other):
        Slow.calls += 1
        if self.marker:
            pathlib.Path(self.marker).write_text('judging')
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            pass
        return True
"""
PREDICT = "import logbook\nh = logbook.hypothesis('slow is positive')\nh.predict('slow > 0', credence=0.9)"


def logbook_lines(printed: list[str]) -> list[str]:
    return [line for text in printed for line in text.splitlines() if line.startswith("logbook:")]


def state_of(db, prediction_id: str) -> str:
    with Store(db) as store:
        return store.prediction(prediction_id).state.value


def run_and_interrupt(manager, client, code: str, started, timeout: float = 30):
    """Run ``code``, interrupt the kernel once ``started()`` is true; returns (status, printed, seconds)."""
    begun = time.monotonic()
    msg_id = client.execute(code)
    deadline = begun + timeout
    while not started():
        assert time.monotonic() < deadline, "the cell never reached the point to interrupt"
        time.sleep(0.02)
    manager.interrupt_kernel()
    printed: list[str] = []
    while True:
        message = client.get_iopub_msg(timeout=max(deadline - time.monotonic(), 1))
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            printed.append("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=10)
    return reply["content"]["status"], printed, time.monotonic() - begun


def test_an_interrupt_while_judging_keeps_the_cell_and_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGBOOK_PREDICTION_BUDGET_S", "60")
    db, marker = tmp_path / "logbook.db", tmp_path / "judging"
    with recording_kernel(db, tmp_path) as (manager, client):
        assert execute(client, SLOW_CLASS + PREDICT)[0] == "ok"
        status, printed, seconds = run_and_interrupt(
            manager, client, f"slow = Slow(marker={str(marker)!r})", marker.exists
        )
        assert status == "ok" and seconds < 15
        assert not any("Error in callback" in text or "Traceback" in text for text in printed), printed
        (warning,) = logbook_lines(printed)
        assert "interrupt" in warning and "H1.P1" in warning and "recorded" in warning
        assert execute(client, "after = 1\nimport logbook; assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        sources = [e.source for e in store.experiments(limit=None, newest_first=False)]
        assert f"slow = Slow(marker={str(marker)!r})" in sources
        (message,) = [r["message"] for r in store.db.query("SELECT message FROM recorder_errors")]
        assert "interrupt stopped judging at H1.P1" in message


def test_a_prediction_past_its_budget_is_stopped_marked_and_reported_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGBOOK_PREDICTION_BUDGET_S", "0.5")
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, SLOW_CLASS + PREDICT)[0] == "ok"
        begun = time.monotonic()
        status, printed = execute(client, "slow = Slow(seconds=30)")
        assert status == "ok" and time.monotonic() - begun < 10
        (warning,) = logbook_lines(printed)
        assert "H1.P1" in warning and "longer than 0.5 s" in warning and "until you edit it" in warning
        # The writer stores the mark on its own, without a flush from the kernel.
        deadline = time.monotonic() + 10
        while state_of(db, "H1.P1") != "too_slow":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status, printed = execute(client, "slow = Slow(seconds=30)\nafter = Slow.calls")
        assert status == "ok" and logbook_lines(printed) == []
        assert execute(client, "assert Slow.calls == 1, Slow.calls")[0] == "ok"


#: ``__gt__`` spends about ``seconds`` in one call to C that holds the interpreter (no Python loop to stop).
C_LOOP_CLASS = """
import time
def _sum_size(seconds):
    n, took = 10**5, 0.0
    while took < seconds / 4:
        n *= 2
        start = time.perf_counter(); sum(range(n)); took = time.perf_counter() - start
    return int(n * seconds / took)
class Slow:
    calls = 0
    size = _sum_size(1.5)
    def __gt__(self, other):
        Slow.calls += 1
        return sum(range(Slow.size)) > 0
"""


def test_a_new_kernel_never_evaluates_a_prediction_a_c_loop_made_too_slow(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGBOOK_PREDICTION_BUDGET_S", "0.2")
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, C_LOOP_CLASS + PREDICT)[0] == "ok"
        status, printed = execute(client, "slow = Slow()")
        assert status == "ok" and "longer than 0.2 s" in logbook_lines(printed)[0]
        assert execute(client, "assert Slow.calls == 1\nimport logbook; assert logbook.flush()")[0] == "ok"
    assert state_of(db, "H1.P1") == "too_slow"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, C_LOOP_CLASS)[0] == "ok"
        begun = time.monotonic()
        status, printed = execute(client, "slow = Slow()")
        assert status == "ok" and time.monotonic() - begun < 1.0 and logbook_lines(printed) == []
        assert execute(client, "assert Slow.calls == 0, Slow.calls")[0] == "ok"


def test_summaries_call_no_slow_user_code_and_stay_small(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        setup = (
            "import time, numpy as np\n"
            "class SlowRepr:\n"
            "    def __repr__(self): time.sleep(2); return 'slow'\n"
            "    def __len__(self): time.sleep(2); return 1\n"
            "    def __str__(self): time.sleep(2); return 'slow'\n"
        )
        assert execute(client, setup)[0] == "ok"
        begun = time.monotonic()
        assert execute(client, "obj = SlowRepr()\nitems = [SlowRepr(), 1]")[0] == "ok"
        assert time.monotonic() - begun < 2.0  # one call to __repr__, __len__ or __str__ would take 2 s
        assert (
            execute(client, "words = np.array(['x' * 30_000_000])\nmany = np.array(['y' * 1000] * 30_000)")[0]
            == "ok"
        )
        assert execute(client, "import logbook; assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        slow_cell, arrays_cell = store.experiments(limit=2, newest_first=False, offset=1)
    assert slow_cell.names["obj"] == {"type": "SlowRepr", "repr": "<SlowRepr object>"}
    assert slow_cell.names["items"]["repr"] == "[<SlowRepr>, 1]"
    for name in ("words", "many"):
        assert len(json.dumps(arrays_cell.names[name])) < 400, arrays_cell.names[name]
    assert arrays_cell.names["words"]["value"].startswith("xxx")


def test_recording_time_is_stored_beside_the_cells_own_duration(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, SLOW_CLASS + PREDICT)[0] == "ok"
        assert execute(client, "import time\ntime.sleep(0.3)")[0] == "ok"
        assert execute(client, "slow = Slow(seconds=0.4)")[0] == "ok"
        assert execute(client, "import logbook; assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        setup, sleeping, judged = store.experiments(limit=3, newest_first=False)
    assert sleeping.duration_ms >= 300 and sleeping.record_ms is not None and sleeping.record_ms < 300
    # Judging the prediction took 0.4 s after the cell: counted as recording time, not as the cell's.
    assert judged.duration_ms < 300 and judged.record_ms >= 400
    assert setup.record_ms is not None


def test_one_watchdog_thread_stops_python_loops_and_leaves_nothing_pending():
    stopped = []
    watchdog = Watchdog(0.2, lambda key, seconds: stopped.append(key))
    before = threading.active_count()

    def loop():
        while True:
            pass

    begun = time.monotonic()
    with pytest.raises(PredictionTooSlow):
        watchdog.run("H1.P1", loop)
    assert time.monotonic() - begun < 5 and stopped == ["H1.P1"]
    for _ in range(1000):
        assert watchdog.run("H1.P2", lambda: 42) == 42
    assert sum(range(10**6)) > 0  # no stray exception lands after an evaluation
    assert threading.active_count() == before + 1 and stopped == ["H1.P1"]
    watchdog.stop()
    assert threading.active_count() == before


def test_the_budget_comes_from_the_environment_and_bad_values_say_so(monkeypatch):
    warnings = []
    monkeypatch.setenv(BUDGET_ENV, "2.5")
    assert budget_from_env(warnings.append) == 2.5
    for bad in ("soon", "-1", "0", "inf"):
        monkeypatch.setenv(BUDGET_ENV, bad)
        assert budget_from_env(warnings.append) == DEFAULT_BUDGET_S
    assert len(warnings) == 4 and all(BUDGET_ENV in w and "positive number" in w for w in warnings)
