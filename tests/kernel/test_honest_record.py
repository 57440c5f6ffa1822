"""An honest record: judged predictions are final, every verdict is kept, and the first one counts."""

import pytest

from logbook.errors import LogbookError
from logbook.store.core import Store
from tests.support.notebooks import run_notebook


def judge(store, prediction_id, held, experiment_source="score = 0.1"):
    """Judge a prediction after a new experiment, as the kernel does."""
    with store.transaction():
        experiment = store.insert_experiment(
            {
                "source": experiment_source,
                "started_at": "2026-11-25T10:00:00+00:00",
                "duration_ms": 1.0,
                "ok": 1,
            },
            [],
        )
        return store.add_judgement(
            held=held,
            prediction=store.prediction(prediction_id),
            observed={"score": {"type": "float", "value": 0.1}},
            surprisal_bits=1.0,
            experiment_id=experiment,
        )


@pytest.fixture
def failed(store):
    """H1.P1 `score > 0.5` at credence 0.8, failed once."""
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    store.add_prediction(h.id, "score > 0.5", 0.8)
    judge(store, "H1.P1", held=False)
    return store


def test_editing_a_judged_prediction_writes_a_new_one_that_revises_it(failed):
    old = failed.prediction("H1.P1")
    new = failed.update_prediction("H1.P1", expression="score > 0.05")
    assert (new.id, new.expression, new.revises, new.state.value) == (
        "H1.P2",
        "score > 0.05",
        "H1.P1",
        "pending",
    )
    assert new.created_at > old.verdicts[0].at
    kept = failed.prediction("H1.P1")
    assert (kept.expression, kept.state.value, kept.superseded_by) == ("score > 0.5", "failed", "H1.P2")
    assert kept.created_at == old.created_at and kept.verdicts == old.verdicts
    assert [s.prediction for s in failed.surprises()] == ["score > 0.5"]


def test_a_new_credence_for_a_judged_prediction_is_a_new_version_too(failed):
    new = failed.update_prediction("H1.P1", credence=0.3)
    assert (new.id, new.expression, new.credence) == ("H1.P2", "score > 0.5", 0.3)
    assert failed.prediction("H1.P1").credence == 0.8


def test_an_unchanged_edit_of_a_judged_prediction_writes_nothing(failed):
    assert failed.update_prediction("H1.P1", expression=" score > 0.5 ", credence=0.8).id == "H1.P1"
    assert [p.id for p in failed.hypothesis("H1").predictions] == ["H1.P1"]


def test_a_superseded_prediction_is_kept_as_it_was(failed):
    failed.update_prediction("H1.P1", expression="score > 0.05")
    with pytest.raises(LogbookError, match="revised as H1.P2"):
        failed.update_prediction("H1.P1", expression="score > 0.01")
    assert judge(failed, "H1.P1", held=True) is None
    assert [p.id for p in failed.active_predictions()] == ["H1.P2"]
    assert len(failed.prediction("H1.P1").verdicts) == 1


def test_before_its_first_verdict_a_prediction_is_edited_in_place_and_keeps_its_history(store):
    h = store.add_hypothesis("head 0.1 copies tokens")
    store.add_prediction(h.id, "score > 0.5", 0.8)
    store.update_prediction("H1.P1", expression="score > 0.4")
    edited = store.update_prediction("H1.P1", credence=0.7)
    assert (edited.id, edited.expression, edited.credence) == ("H1.P1", "score > 0.4", 0.7)
    assert [(v.expression, v.credence) for v in edited.history] == [
        ("score > 0.5", 0.8),
        ("score > 0.4", 0.8),
        ("score > 0.4", 0.7),
    ]
    assert edited.history[0].at == edited.created_at < edited.history[1].at <= edited.history[2].at


def test_every_verdict_is_kept_and_the_first_one_stays(failed):
    judge(failed, "H1.P1", held=False)
    judge(failed, "H1.P1", held=True)
    p = failed.prediction("H1.P1")
    assert (p.state.value, p.first_verdict) == ("held", "failed")
    assert [(v.held, v.count) for v in p.verdicts] == [(False, 2), (True, 1)]
    failed_runs, held_run = p.verdicts
    assert (failed_runs.record, failed_runs.last_record, held_run.record) == (
        "surprises/1",
        "surprises/1",  # failing again is the same surprise, one run longer
        "evidence/1",
    )
    assert (failed_runs.experiment_id, failed_runs.last_experiment_id, held_run.experiment_id) == (1, 2, 3)
    assert failed_runs.at < failed_runs.last_at < held_run.at == held_run.last_at


def test_a_prediction_in_words_judged_twice_keeps_both_verdicts(store):
    h = store.add_hypothesis("the pattern is a stripe")
    store.add_prediction(h.id, "an off-diagonal stripe", 0.7, kind="text")
    store.judge_by_hand("H1.P1", held=True)
    store.judge_by_hand("H1.P1", held=False)
    p = store.prediction("H1.P1")
    assert (p.first_verdict, p.state.value, [v.held for v in p.verdicts]) == ("held", "failed", [True, False])
    revised = store.update_prediction("H1.P1", expression="a faint off-diagonal stripe")
    with pytest.raises(LogbookError, match="judge H1.P2"):
        store.judge_by_hand("H1.P1", held=True)
    assert store.judge_by_hand(revised.id, held=True).prediction_id == "H1.P2"


def test_listing_hypotheses_reads_all_verdicts_in_one_query(store):
    for n in range(5):
        h = store.add_hypothesis(f"hypothesis {n}")
        for k in range(4):
            store.add_prediction(h.id, f"score_{k} > {n}")
            judge(store, f"{h.id}.P{k + 1}", held=bool(k % 2))
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    listed = store.hypotheses()
    store.db.conn.set_trace_callback(None)
    assert sum(v.count for h in listed for p in h.predictions for v in p.verdicts) == 20
    assert sum("FROM evidence" in s for s in statements) == 1
    assert sum("FROM predictions" in s for s in statements) <= 3


def test_edits_and_new_versions_are_events(failed):
    failed.update_prediction("H1.P1", expression="score > 0.05")
    kinds = [(e["kind"], e["subject"]) for e in failed.iter_events()][-2:]
    assert kinds == [("prediction.written", "H1.P2"), ("prediction.superseded", "H1.P1")]
    written = list(failed.iter_events("H1.P2"))[0]["payload"]
    assert written["revises"] == "H1.P1"


@pytest.mark.kernel
def test_the_kernel_judges_the_new_version_and_leaves_the_old_one_alone(logbook_db, tmp_path):
    run_notebook(
        [
            "import logbook\nh = logbook.hypothesis('the loss goes below 0.1')\nh.predict('loss < 0.1', 0.9)",
            "loss = 0.42",
            "from logbook.api import session\n"
            "session.store().update_prediction('H1.P1', 'loss < 0.5')\nsession.changed()",
            "loss = 0.43",
        ],
        tmp_path,
    )
    with Store(logbook_db) as store:
        old, new = store.hypothesis("H1").predictions
        assert (old.state.value, len(old.verdicts), old.superseded_by) == ("failed", 1, "H1.P2")
        assert (new.state.value, new.first_verdict, new.revises) == ("held", "held", "H1.P1")
