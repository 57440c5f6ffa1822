"""The honest record: a judgement links to the cell that made its values, and a mode to the cell that set it."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from logbook.report.markdown import markdown_report
from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel

pytestmark = pytest.mark.kernel


def wait_in_kernel(client, condition: str, timeout: float = 20) -> None:
    """Poll ``condition`` in the kernel with silent requests, which run no cell hooks and record nothing."""
    deadline = time.monotonic() + timeout
    while True:
        reply = client.execute_interactive(
            f"assert {condition}", silent=True, timeout=timeout, output_hook=lambda msg: None
        )
        if reply["content"]["status"] == "ok":
            return
        assert time.monotonic() < deadline, f"never true in the kernel: {condition}"
        time.sleep(0.05)


def by_source(store: Store) -> dict:
    return {e.source: e for e in store.experiments(limit=None)}


def test_a_prediction_added_elsewhere_links_to_the_cell_that_assigned_its_name(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "score = 0.3")[0] == "ok"
        with Store(db) as store:  # as the sidebar does, through the server
            store.add_hypothesis("the score is high", 0.6)
            store.add_prediction("H1", "score > 0.5", 0.8)
        wait_in_kernel(client, "'H1.P1' in __import__('kernel_hooks').active_recorder().predictions")
        status, printed = execute(client, "x = 1")
        assert status == "ok"
        assert execute(client, "import logbook; assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        cells = by_source(store)
        (surprise,) = store.surprises()
        assert surprise.experiment_id == cells["score = 0.3"].id
        assert surprise.observed == {"score": {"type": "float", "value": 0.3}}
        assert "| H1.P1 `score > 0.5` | 0.80 | failed | written after the result |" in markdown_report(store)


def test_a_prediction_written_in_the_kernel_is_judged_at_once_on_the_values_it_finds(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "import logbook\nh = logbook.hypothesis('the score is low')")[0] == "ok"
        assert execute(client, "score = 0.3")[0] == "ok"
        predict = (
            "h.predict('score < 0.5', credence=0.8)\n"
            "from logbook.store.core import Store\nassert logbook.flush()\n"
            "with Store(logbook.logbook_path()) as s:\n    judged_at_once = s.count('evidence')"
        )
        assert execute(client, predict)[0] == "ok"
        assert execute(client, "%predict -c 0.7 H1: score > 0.1\nassert logbook.flush()")[0] == "ok"
        assert execute(client, "assert judged_at_once == 1, judged_at_once")[0] == "ok"
    with Store(db) as store:
        cells = by_source(store)
        assert [(e.prediction_id, e.experiment_id) for e in store.evidence()] == [
            ("H1.P1", cells["score = 0.3"].id),
            ("H1.P2", cells["score = 0.3"].id),
        ]
        report = markdown_report(store)
        assert "| H1.P1 `score < 0.5` | 0.80 | held | written after the result |" in report


def test_written_before_means_the_prediction_existed_before_its_cell_started(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "import logbook\nh = logbook.hypothesis('scores are high')")[0] == "ok"
        assert execute(client, "h.predict('early > 0.5')")[0] == "ok"
        assert execute(client, "early = 0.9")[0] == "ok"
        assert execute(client, "same = 0.9\nh.predict('same > 0.5')")[0] == "ok"
        assert execute(client, "assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        cells = by_source(store)
        same_cell = cells["same = 0.9\nh.predict('same > 0.5')"]
        late = store.prediction("H1.P2")
        assert [(e.prediction_id, e.experiment_id) for e in store.evidence()] == [
            ("H1.P1", cells["early = 0.9"].id),
            ("H1.P2", same_cell.id),
        ]
        assert same_cell.started_at < late.created_at
        report = markdown_report(store)
        assert "| H1.P1 `early > 0.5` | 0.90 | held | written before the result |" in report
        assert "| H1.P2 `same > 0.5` | 0.90 | held | written after the result |" in report


def test_a_mode_belongs_to_the_cell_that_sets_it(tmp_path):
    db = tmp_path / "logbook.db"
    cells = [
        "import logbook, time\nbefore = 1",
        "logbook.mode('red-team')\ntime.sleep(0.3)",
        "attack = 2\ntime.sleep(0.2)",
        "time.sleep(0.2)\n%mode confirm",
        "check = 3",
    ]
    with recording_kernel(db, tmp_path) as (_, client):
        for cell in cells:
            assert execute(client, cell)[0] == "ok"
        assert execute(client, "assert logbook.flush()")[0] == "ok"
    with Store(db) as store:
        experiments = store.experiments(limit=len(cells), newest_first=False)
        switches = store.modes()
        balance = {entry["mode"]: entry for entry in store.mode_balance()}
    assert [e.mode.value if e.mode else None for e in experiments] == [
        None,
        "red-team",
        "red-team",
        "confirm",
        "confirm",
    ]
    assert [(m.mode.value, m.started_at) for m in switches] == [
        ("red-team", experiments[1].started_at),
        ("confirm", experiments[3].started_at),
    ]
    # Every experiment ran wholly within a period of the mode it is listed under.
    for e in experiments:
        ended = e.started_at + timedelta(milliseconds=e.duration_ms)
        in_force = [m.mode.value for m in switches if m.started_at <= e.started_at]
        after = [m for m in switches if e.started_at < m.started_at < ended]
        assert (in_force[-1] if in_force else None) == (e.mode.value if e.mode else None)
        assert after == []
    red_team_run = sum(e.duration_ms for e in experiments[1:3]) / 1000
    assert balance["red-team"]["run_seconds"] == pytest.approx(red_team_run)
    assert red_team_run <= balance["red-team"]["mode_seconds"]
    assert balance["red-team"]["mode_seconds"] == pytest.approx(
        (switches[1].started_at - switches[0].started_at).total_seconds()
    )


def test_a_mode_switch_starts_at_the_time_given_but_never_before_the_last_switch(store):
    cell_start = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    first = store.set_mode("red-team", started_at=cell_start)
    assert first.started_at == cell_start
    earlier = store.set_mode("confirm", started_at=cell_start - timedelta(minutes=5))
    assert earlier.started_at == cell_start
    assert [e["payload"] for e in store.iter_events()] == [
        {"mode": "red-team", "started_at": cell_start.isoformat()},
        {"mode": "confirm", "started_at": cell_start.isoformat()},
    ]


def test_a_prediction_too_slow_to_evaluate_is_marked_until_edited(store):
    store.add_hypothesis("slow", 0.5)
    store.add_prediction("H1", "slow > 0", 0.9)
    with store.transaction():
        store.set_prediction_too_slow("H1.P1", 1.0)
    marked = store.prediction("H1.P1")
    assert marked.state.value == "too_slow" and "longer than 1 s" in marked.error
    assert [e["kind"] for e in store.iter_events("H1.P1")][-1] == "prediction.too_slow"
    assert store.update_prediction("H1.P1", expression="slow >= 0").state.value == "pending"
