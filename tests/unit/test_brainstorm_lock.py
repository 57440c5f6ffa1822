"""One brainstorm runs at a time, however many processes or threads start one together."""

import threading

import pytest

from logbook.errors import LogbookError
from logbook.store.core import Store


def test_a_second_brainstorm_waits_for_the_first_to_finish(store):
    first = store.start_brainstorm()
    with pytest.raises(LogbookError, match=f"brainstorm {first.id} is still running: finish it first"):
        store.start_brainstorm()
    store.finish_brainstorm(first.id)
    assert store.start_brainstorm().id == first.id + 1


def race(stores):
    """Every store starts a brainstorm at the same moment; returns each one's id or refusal."""
    ready = threading.Barrier(len(stores))
    outcomes = []

    def start(store):
        ready.wait()
        try:
            outcomes.append(store.start_brainstorm().id)
        except LogbookError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_connections_racing_leave_exactly_one_brainstorm_running(logbook_db):
    stores = [Store(logbook_db), Store(logbook_db)]
    for _ in range(5):
        outcomes = race(stores)
        started = [outcome for outcome in outcomes if isinstance(outcome, int)]
        assert len(started) == 1, outcomes
        assert outcomes.count(f"brainstorm {started[0]} is still running: finish it first") == 1
        running = stores[0].db.execute("SELECT id FROM brainstorms WHERE finished_at IS NULL").fetchall()
        assert running == [(started[0],)]
        stores[0].finish_brainstorm(started[0])
    for store in stores:
        store.close()
