"""Calibration you can learn from: by tag, mode, brainstorm, model and over time, with counts and warnings."""

import pytest

from logbook.cli.main import main
from logbook.rules.calibration import (
    calibration_slices,
    first_verdict_experiments,
    getting_better,
    rolling_brier,
)
from tests.unit.test_competing_sets import judge


@pytest.fixture
def judged(store):
    b = store.start_brainstorm()
    h1 = store.add_hypothesis("copying", 0.6, brainstorm_id=b.id, tags=["induction"])
    h2 = store.add_hypothesis("lone", 0.5)
    # H1: three predictions in explore, two held; H2: one in confirm, failed.
    store.set_mode("explore")
    with store.transaction():
        row = {"source": "x", "started_at": "2026-11-25T10:00:00+00:00", "duration_ms": 1.0, "ok": 1}
        tl = store.insert_experiment(
            {**row, "torch": '{"models": [{"class": "HookedTransformer", "model_name": "gpt2-small"}]}'}, []
        )
        plain = store.insert_experiment(row, [])
    for credence, held, tags, eid in [
        (0.9, True, ["quick"], tl),
        (0.8, False, None, tl),
        (0.6, True, None, plain),
    ]:
        p = store.add_prediction(h1.id, "score > 0.5", credence, tags=tags)
        judge(store, p.id, held, eid)
    store.set_mode("confirm")
    p = store.add_prediction(h2.id, "score > 0.5", 0.7)
    judge(store, p.id, False)
    judge(store, p.id, True)  # a later verdict does not count: the first one does
    return store


def test_slices_match_hand_counts(judged):
    hypotheses = judged.hypotheses()
    by_mode = {s.key: s for s in calibration_slices(hypotheses, "mode")}
    assert (by_mode["explore"].judged, by_mode["explore"].came_true) == (3, 2)
    assert by_mode["explore"].brier == pytest.approx((0.1**2 + 0.8**2 + 0.4**2) / 3)
    assert (by_mode["confirm"].judged, by_mode["confirm"].came_true) == (1, 0)
    assert by_mode["confirm"].brier == pytest.approx(0.49)
    by_tag = {s.key: s for s in calibration_slices(hypotheses, "tag")}
    assert (
        by_tag["induction"].judged == 3 and by_tag["quick"].judged == 1 and by_tag["(untagged)"].judged == 1
    )
    by_brainstorm = {s.key: s.judged for s in calibration_slices(hypotheses, "brainstorm")}
    assert by_brainstorm == {"brainstorm 1": 3, "(no brainstorm)": 1}
    assert all("too few to mean anything" in s.warning for s in by_mode.values())
    models = judged.experiment_models(first_verdict_experiments(hypotheses))
    by_model = {s.key: s.judged for s in calibration_slices(hypotheses, "model", models)}
    assert by_model == {"gpt2-small": 2, "(no model)": 2}


def test_rolling_brier_over_time(judged):
    points = rolling_brier(judged.hypotheses(), window=2)
    assert [p.index for p in points] == [1, 2, 3, 4]
    assert points[1].brier == pytest.approx((0.1**2 + 0.8**2) / 2)
    assert points[3].brier == pytest.approx((0.4**2 + 0.7**2) / 2)
    assert getting_better(points, window=2).startswith("about the same: Brier 0.325")  # 0.65/2 both times
    assert "too few" in getting_better(points, window=10)


def test_the_calibration_command(judged, logbook_db, capsys):
    assert main(["calibration", "--db", str(logbook_db), "--by", "mode", "--by", "time"]) == 0
    out = capsys.readouterr().out
    assert "| explore | 3 | 2 |" in out and "too few to mean anything" in out and "Over time" in out


def test_the_calibration_command_prints_every_slice_with_counts_and_warnings(judged, logbook_db, capsys):
    assert main(["calibration", "--db", str(logbook_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("**Overall**: 4 judged, 2 came true, Brier ")
    assert "; only 4 judged: too few to mean anything (want 10)." in out.splitlines()[0]
    for heading in ("**By tag**", "**By mode**", "**By brainstorm**", "**By model**", "**Over time**"):
        assert heading in out
    assert (
        "| induction | 3 | 2 |" in out and "| brainstorm 1 | 3 | 2 |" in out and "| gpt2-small | 2 |" in out
    )
    assert "too few to tell whether you are getting better" in out
