"""Unpredicted surprises: a cell's values that drift from its earlier runs of the same code are flagged."""

import pytest

from logbook.store import Store
from logbook.verify import verify_logbook

from .notebooks import outputs_of, run_in_order

pytestmark = pytest.mark.kernel

DRIFT_MIME = "application/vnd.logbook.surprise+json"


def drift_cards(cell) -> list[dict]:
    return [
        o["data"][DRIFT_MIME]
        for o in outputs_of(cell, "display_data")
        if DRIFT_MIME in o["data"] and o["data"][DRIFT_MIME].get("kind") == "drift"
    ]


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    """One kernel: a seeded cell re-run with other seeds, a cell that starts raising, a shape change, NaN."""
    folder = tmp_path_factory.mktemp("drift")
    db = folder / ".logbook" / "logbook.db"
    cells = [
        "import numpy as np\nimport logbook\nseed = 0\nh = logbook.hypothesis('the gap is positive', credence=0.6)",
        "rng = np.random.default_rng(seed)\ngap = 1.0 + rng.normal(0, 0.01)\nsteady = 3.0",  # 1
        "seed = 1",  # 2
        "gap = -gap  # a bug: the sign is flipped",  # 3, not the same source as 1
        "flaky = 1 / divisor",  # 4
        "divisor = 1",  # 5
        "divisor = 0",  # 6
        "acts = np.ones(width)\nacts[0] = bad",  # 7
        "width, bad = 4, 1.0",  # 8
        "width, bad = 5, 1.0",  # 9
        "width, bad = 5, float('nan')",  # 10
        "gap = 0.5 - 2 * rng.random()  # a random draw, no seed\nnoise = gap",  # 11
    ]
    order = [0, 1, 1, 1, 1, 5, 4, 4, 6, 4, 8, 7, 7, 9, 7, 10, 7]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGBOOK_DB", str(db))
        runs = run_in_order(cells, order, folder)
    with Store(db) as store:
        yield runs, store


def drifts(store, note_start=""):
    return [s for s in store.surprises("all") if s.kind == "drift" and s.note.startswith(note_start)]


def test_rerunning_an_unchanged_deterministic_cell_flags_nothing(drifted):
    runs, store = drifted
    assert all(not drift_cards(cell) for cell in runs[1:5])
    assert not drifts(store, "steady") and not drifts(store, "gap")


def test_a_cell_that_newly_raises_is_drift(drifted):
    runs, store = drifted
    (surprise,) = drifts(store, "(error)")
    assert surprise.note == "(error) newly raises ZeroDivisionError"
    assert [e.value for e in surprise.drift.earlier] == [None, None]
    assert drift_cards(runs[9])[0]["drifts"][0]["note"] == "(error) newly raises ZeroDivisionError"


def test_a_shape_change_is_drift_and_its_statistics_are_not_compared_across_it(drifted):
    _, store = drifted
    (surprise,) = drifts(store, "acts")[:1]
    assert surprise.note == "acts.shape changed shape from [4] to [5]"
    assert [e.value for e in surprise.drift.earlier] == [[4], [4]]
    assert [s.note for s in drifts(store, "acts")][1:] == ["acts.nan newly contains NaN (1)"]


def test_a_drift_surprise_is_distinct_from_a_failed_prediction_and_verifies(drifted):
    _, store = drifted
    for surprise in drifts(store):
        assert surprise.prediction_id is None and surprise.hypothesis_id is None and not surprise.manual
        assert surprise.experiment_id is not None and surprise.status.value == "open"
    assert verify_logbook(store).ok
    exported = store.export()
    assert {s.kind for s in exported.surprises} == {"drift"}
