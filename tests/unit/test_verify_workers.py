"""`logbook verify` with a worker beside it finds exactly what it finds in one process."""

import os
import threading

import pytest

import logbook.audit.parallel as parallel
import logbook.audit.verify as verify
from logbook.audit.parallel import available_workers
from logbook.audit.verify import verify_logbook
from logbook.store.core import Store
from tests.kernel.test_honest_record import judge
from tests.unit.test_verify import tamper


@pytest.fixture
def research(store):
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    for n in range(6):
        store.add_prediction(h.id, f"score > 0.{n}", 0.8)
        judge(store, f"H1.P{n + 1}", held=n % 2 == 0)
    store.add_note("check the period")
    return store


@pytest.fixture
def forks(monkeypatch):
    """A worker is forked for a logbook of any size (it starts at 20,000 events otherwise); its pid is kept.

    The suite's own idle threads (a chart renderer's reader) hold nothing the worker needs, so they do
    not stop the fork here as a running server's would.
    """
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    pids, fork = [], os.fork

    def counted():
        pid = fork()
        pids.append(pid)
        return pid

    monkeypatch.setattr(parallel.os, "fork", counted)
    return pids


@pytest.fixture
def alone(monkeypatch):
    """Every check made in one process, counted: the worker's answer was no, or none."""
    calls, check = [], verify._check
    monkeypatch.setattr(verify, "_check", lambda *args: calls.append(1) or check(*args))
    return calls


def events(store):
    return store.chain_head()["events"]


def test_an_intact_logbook_is_checked_by_the_worker_and_this_process_together(research, forks, alone):
    result = verify_logbook(research, workers=2)
    assert result.ok and result.events == events(research)
    assert result.head == research.chain_head()["hash"]
    assert result.sealed_by and len(forks) == 1 and alone == []


def test_the_event_at_the_split_is_replayed_wherever_the_split_falls(research, forks, alone, monkeypatch):
    total = events(research)
    for split in range(1, total + 1):
        monkeypatch.setattr(parallel, "worker_share", lambda _, split=split: split)
        assert verify_logbook(research, workers=2).ok, f"split at event {split}"
    assert len(forks) == total and alone == []


def judged_event(store, kind="prediction.judged"):
    return store.db.execute("SELECT min(id) FROM events WHERE kind = ?", [kind]).fetchone()[0]


TAMPERING = {
    "an event in the worker's share": lambda s: (
        f"UPDATE events SET payload = replace(payload, '0.8', '0.9') WHERE id = {judged_event(s)}"
    ),
    "an event in this process's share": lambda s: (
        f"UPDATE events SET at = '2020-01-01' WHERE id = {events(s)}"
    ),
    "the event at the split": lambda s: f"UPDATE events SET subject = 'H9' WHERE id = {events(s) // 2}",
    "an event removed at the split": lambda s: f"DELETE FROM events WHERE id = {events(s) // 2 + 1}",
    "a cell's output": lambda s: "UPDATE experiments SET stdout = 'forged' WHERE id = 4",
    "an evidence record": lambda s: "UPDATE evidence SET observed = '{}' WHERE id = 1",
    "a cell's recorded digest": lambda s: (
        f"UPDATE events SET payload = '{{}}' WHERE id = {judged_event(s, 'experiment.recorded')}"
    ),
}


@pytest.mark.parametrize("change", TAMPERING, ids=list(TAMPERING))
def test_a_change_anywhere_is_reported_as_one_process_reports_it(research, forks, monkeypatch, change):
    monkeypatch.setattr(parallel, "worker_share", lambda total: total // 2)
    tamper(research, TAMPERING[change](research))
    by_one, by_two = verify_logbook(research, workers=1), verify_logbook(research, workers=2)
    assert not by_one.ok
    assert by_two.problems == by_one.problems and by_two.events == by_one.events


def test_a_cell_recorded_while_the_worker_reads_does_not_upset_the_check(
    research, logbook_db, forks, alone, monkeypatch
):
    start = parallel.start_is_intact

    def record_first(*args):  # runs in the worker, after this process read its snapshot's counts
        with Store(logbook_db) as other:
            judge(other, "H1.P1", held=True)
        return start(*args)

    monkeypatch.setattr(parallel, "start_is_intact", record_first)
    before = events(research)
    result = verify_logbook(research, workers=2)
    assert result.ok and result.events == before and alone == []
    assert events(research) > before  # the cell is there, for the next check


def test_a_teammates_file_at_rest_is_checked_with_nothing_made_beside_it(research, logbook_db, forks, alone):
    research.close()
    folder = sorted(path.name for path in logbook_db.parent.iterdir())
    with Store(logbook_db, guest=True) as guest:
        assert verify_logbook(guest, workers=2).ok
    assert len(forks) == 1 and alone == []
    assert sorted(path.name for path in logbook_db.parent.iterdir()) == folder


def test_a_worker_that_fails_leaves_the_check_to_this_process(research, forks, alone, monkeypatch):
    monkeypatch.setattr(parallel, "start_is_intact", lambda *args: 1 / 0)
    assert verify_logbook(research, workers=2).ok
    assert len(forks) == 1 and alone == [1]


def test_an_error_in_this_process_leaves_no_worker_behind(research, forks, monkeypatch):
    def broken(store):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify, "_table_records", broken)
    with pytest.raises(KeyboardInterrupt):
        verify_logbook(research, workers=2)
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # the worker was stopped and reaped
        os.waitpid(forks[0], os.WNOHANG)


def test_no_worker_inside_a_transaction_or_for_a_small_logbook(research, forks, monkeypatch):
    with research.transaction():  # its writes are not yet in the file the worker would read
        assert verify_logbook(research, workers=2).ok
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 20_000)
    assert verify_logbook(research, workers=2).ok
    assert forks == []


def test_no_fork_beside_another_thread():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.can_fork() is False
    finally:
        stop.set()
        other.join()


def test_available_workers_is_at_least_one_and_at_most_the_cap():
    assert 1 <= available_workers() <= parallel.MAX_WORKERS
