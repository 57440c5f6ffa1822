"""`logbook verify` hashing in forked workers finds exactly what it finds in one process."""

import pytest

import logbook.audit.parallel as parallel
from logbook.audit.chain import intact
from logbook.audit.parallel import Hashing, available_workers
from logbook.audit.verify import verify_logbook
from logbook.store.cell_digest import columns_digest
from tests.unit.test_verify import tamper
from tests.unit.test_verify_shortcuts import ROW, chained

EVENTS = chained([(f"2026-01-01T00:00:{n:02d}", "note.written", f"N{n}", "{}") for n in range(40)])
CELLS = [(n, *ROW[1:]) for n in range(1, 31)]
OUTPUTS = {3: [("text/plain", "ab" * 32, 4, False)], 17: [("image/png", "cd" * 32, 10, True)]}


@pytest.fixture
def workers_for_any_size(monkeypatch):
    """Workers are forked for a logbook of any size (they start at 20,000 rows otherwise)."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)


def hashed(events, workers):
    hashing = Hashing(events, CELLS, OUTPUTS, workers)
    try:
        return hashing.chain_intact(), hashing.digests()
    finally:
        hashing.close()


def test_workers_give_every_digest_in_place_and_agree_on_an_intact_chain(workers_for_any_size):
    whole, digests = hashed(EVENTS, 4)
    assert whole is True
    assert digests == {row[0]: columns_digest(row, OUTPUTS.get(row[0], ())) for row in CELLS}


@pytest.mark.parametrize("at", [0, 13, 14, 39])  # in the first, a middle and the last worker's share
def test_a_changed_event_in_any_workers_share_breaks_the_chain(workers_for_any_size, at):
    events = list(EVENTS)
    events[at] = events[at][:4] + ('{"forged":1}',) + events[at][5:]
    assert not intact(events)
    assert hashed(events, 4)[0] is False


def test_an_event_missing_between_two_shares_breaks_the_chain(workers_for_any_size):
    events = EVENTS[:13] + EVENTS[14:]  # 39 events over three workers: the cut falls at 13
    assert hashed(events, 4)[0] is False


def test_one_worker_or_a_small_logbook_hashes_in_this_process(monkeypatch):
    forks = []
    monkeypatch.setattr(parallel.os, "fork", lambda: forks.append(1) or 0)
    assert hashed(EVENTS, 1)[0] is True  # one worker: this process
    assert hashed(EVENTS, 8)[0] is True  # 70 rows, under PARALLEL_FROM
    assert forks == []


def test_a_worker_that_fails_leaves_the_hashing_to_this_process(workers_for_any_size, monkeypatch):
    monkeypatch.setattr(Hashing, "_hash", lambda self, chain, cells: 1 / 0)
    whole, digests = hashed(EVENTS, 3)
    assert whole is True and len(digests) == len(CELLS)


def test_available_workers_is_at_least_one_and_at_most_the_cap():
    assert 1 <= available_workers() <= parallel.MAX_WORKERS


@pytest.fixture
def research(store):
    from tests.kernel.test_honest_record import judge

    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    for n in range(6):
        store.add_prediction(h.id, f"score > 0.{n}", 0.8)
        judge(store, f"H1.P{n + 1}", held=n % 2 == 0)
    store.add_note("check the period")
    return store


def test_verify_with_workers_reports_what_one_process_reports(research, workers_for_any_size):
    assert verify_logbook(research, workers=3).ok
    tamper(
        research,
        "UPDATE experiments SET stdout = 'forged' WHERE id = 4",
        "UPDATE events SET payload = replace(payload, '0.8', '0.9') WHERE id = 5",
    )
    alone, spread = verify_logbook(research, workers=1), verify_logbook(research, workers=3)
    assert not alone.ok
    assert spread.problems == alone.problems
