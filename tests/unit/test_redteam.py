"""Red-teaming: when a hypothesis is going well, predictions keep their mode, and the report counts the attempts."""

from logbook.models import Hypothesis, Prediction
from logbook.report.markdown import markdown_report
from logbook.rules.redteam import (
    calibration_by_mode,
    going_well,
    going_well_reason,
    red_team_tally,
)


def _hypothesis(credence=0.5, verdicts=(), status="active"):
    predictions = [
        Prediction(id=f"H1.P{i}", hypothesis_id="H1", expression="x > 0", first_verdict=v)
        for i, v in enumerate(verdicts, 1)
    ]
    return Hypothesis(id="H1", statement="s", credence=credence, status=status, predictions=predictions)


def test_a_hypothesis_is_going_well_from_credence_0_8():
    assert going_well_reason(_hypothesis(0.8)) == "credence 0.80"
    assert not going_well(_hypothesis(0.79))


def test_three_held_predictions_and_none_failed_is_going_well():
    assert going_well_reason(_hypothesis(0.5, ["held"] * 3)) == "3 predictions held, none failed"
    assert not going_well(_hypothesis(0.5, ["held"] * 2 + [None]))
    assert not going_well(_hypothesis(0.5, ["held"] * 3 + ["failed"]))


def test_only_active_hypotheses_are_offered_for_red_teaming():
    assert not going_well(_hypothesis(0.95, status="supported"))
    assert not going_well(_hypothesis(0.95, status="refuted"))


def test_the_store_serves_the_reason_with_the_hypothesis(store):
    h = store.add_hypothesis("Head 1.2 is an induction head", credence=0.6)
    assert store.hypothesis(h.id).going_well is None
    store.update_credence(h.id, 0.85, "the pattern looks right")
    assert store.hypothesis(h.id).going_well == "credence 0.85"
    assert [x.going_well for x in store.hypotheses()] == ["credence 0.85"]


def test_a_prediction_keeps_the_mode_it_was_written_in(store):
    h = store.add_hypothesis("Head 1.2 is an induction head", credence=0.85)
    before = store.add_prediction(h.id, "score > 0.5")
    store.set_mode("red-team")
    red = store.add_prediction(h.id, "ablated_loss > 2 * loss")
    store.set_mode("explore")
    assert (before.mode, store.prediction(red.id).mode.value) == (None, "red-team")
    written = [e for e in store.iter_events(red.id) if e["kind"] == "prediction.written"]
    assert written[0]["payload"]["mode"] == "red-team"


def test_the_report_counts_red_team_predictions_survived_and_failed_and_calibration_by_mode(store):
    h = store.add_hypothesis("Head 1.2 is an induction head", credence=0.85)
    store.set_mode("confirm")
    confirming = store.add_prediction(h.id, "score is high", credence=0.9, kind="text")
    store.set_mode("red-team")
    survived = store.add_prediction(h.id, "ablating 1.2 drops the score", credence=0.7, kind="text")
    failed = store.add_prediction(h.id, "another seed has the head too", credence=0.8, kind="text")
    store.add_prediction(h.id, "a shuffled baseline shows nothing", credence=0.6, kind="text")
    for pid, held in ((confirming.id, True), (survived.id, True), (failed.id, False)):
        store.judge_by_hand(pid, held)
    tally = red_team_tally(store.hypothesis(h.id))
    assert (tally.survived, tally.failed, tally.pending) == (1, 1, 1)
    modes = calibration_by_mode(store.hypothesis(h.id).predictions)
    assert modes["confirm"][:2] == (1, 1) and modes["red-team"][:2] == (2, 1)
    report = markdown_report(store)
    assert "Red team" in report and f"| [{h.id}](#{h.id.lower()}) | 1 | 1 | 1 |" in report
    assert "| red-team | 2 | 1 | 0.50 | 0.75 |" in report
    overview = report[: report.index('<a id="hypotheses">')]
    assert "Red team: 2 judged red-team predictions, 1 survived and 1 failed" in overview
