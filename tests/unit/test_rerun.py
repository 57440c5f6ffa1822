"""Re-running a notebook records the runs again, not the beliefs: the Python API's calls are idempotent."""

import pytest
from IPython.lib.pretty import pretty

import logbook
from logbook.rules.calibration import first_verdicts
from logbook.store.core import LogbookError, Store


def judge(db, prediction_id, held):
    """One run of the measuring cell: a verdict on the prediction, as the kernel records it."""
    with Store(db) as store, store.transaction():
        prediction = store.prediction(prediction_id)
        store.add_judgement(
            held=held, prediction=prediction, observed={}, surprisal_bits=1.0, experiment_id=None
        )


def events(db) -> int:
    with Store(db) as store:
        return store.count("events")


def test_stating_a_hypothesis_again_returns_it_and_says_so_once(logbook_db, capsys):
    first = logbook.hypothesis("head 1.0 copies", credence=0.6)
    assert capsys.readouterr().out == ""
    again = logbook.hypothesis("head 1.0 copies ", credence=0.9)
    assert capsys.readouterr().out == "logbook: H1 already exists; using it\n"
    assert (again.id, again.credence) == (first.id, 0.6)
    assert [h.id for h in logbook.hypotheses()] == ["H1"]
    assert logbook.hypothesis("head 1.0 copies tokens").id == "H2"


def test_the_same_prediction_again_returns_the_one_in_force(logbook_db):
    h = logbook.hypothesis("head 1.0 copies")
    written = h.predict("copy_score > 0.5", credence=0.8)
    assert h.predict("copy_score > 0.5", credence=0.8).id == written.id
    assert h.predict("copy_score > 0.5", credence=0.7).id == "H1.P2"  # another credence is another prediction
    assert h.predict(text="copy_score > 0.5", credence=0.8).id == "H1.P3"  # words are judged by hand
    with Store(logbook_db) as store:
        revised = store.update_prediction("H1.P1", credence=0.8)  # unchanged: still in force
        assert revised.id == "H1.P1"
    judge(logbook_db, "H1.P1", held=True)
    with Store(logbook_db) as store:
        assert store.update_prediction("H1.P1", expression="copy_score > 0.6").id == "H1.P4"
    assert h.predict("copy_score > 0.5", credence=0.8).id == "H1.P5"  # H1.P1 was superseded


def test_an_update_already_in_the_history_changes_nothing(logbook_db, capsys):
    h = logbook.hypothesis("head 1.0 copies", credence=0.7)
    h.update(credence=0.3, reason="copy score only 0.12")
    before = events(logbook_db)
    capsys.readouterr()
    h.update(credence=0.3, reason="copy score only 0.12")
    assert (
        capsys.readouterr().out
        == "logbook: H1 already records credence 0.30 for this reason; nothing changed\n"
    )
    assert events(logbook_db) == before
    h.update(credence=0.3, reason="and again on a varied period")
    assert [(c.credence, c.reason) for c in h.history] == [
        (0.7, "stated"),
        (0.3, "copy score only 0.12"),
        (0.3, "and again on a varied period"),
    ]


def test_an_update_run_again_after_a_later_change_says_what_the_credence_is_now(logbook_db, capsys):
    h = logbook.hypothesis("head 1.0 copies", credence=0.7)
    h.update(credence=0.3, reason="copy score only 0.12")
    h.update(credence=0.2, reason="the ablation agrees")
    capsys.readouterr()
    h.update(credence=0.3, reason="copy score only 0.12")  # the notebook's cell, run again
    assert capsys.readouterr().out == (
        "logbook: H1 already records credence 0.30 for this reason (a later change made it 0.20); nothing changed\n"
    )
    assert logbook.get("H1").credence == 0.2


def test_refuting_a_refuted_hypothesis_changes_nothing_and_says_so(logbook_db, capsys):
    h = logbook.hypothesis("head 1.0 copies", credence=0.7)
    h.refute("ablation changes nothing")
    before = events(logbook_db)
    capsys.readouterr()
    assert h.refute("ablation changes nothing", credence=0.1).status == "refuted"
    assert capsys.readouterr().out == "logbook: H1 is already refuted; nothing changed\n"
    assert events(logbook_db) == before
    assert [c.credence for c in logbook.get("H1").history] == [0.7, 0.0]


def test_closing_a_surprise_the_same_way_again_changes_nothing_another_way_is_refused(logbook_db, capsys):
    h = logbook.hypothesis("head 1.0 copies")
    h.predict("copy_score > 0.5")
    judge(logbook_db, "H1.P1", held=False)
    logbook.get("S1").explain("a seed effect")
    before = events(logbook_db)
    capsys.readouterr()
    assert logbook.get("S1").explain("a seed effect").status == "explained"
    assert capsys.readouterr().out == "logbook: S1 is already closed as explained; nothing changed\n"
    assert events(logbook_db) == before
    with pytest.raises(LogbookError, match=r"S1 was already resolved \(explained.*cannot also be dismissed"):
        logbook.get("S1").dismiss("not worth it")


def test_a_note_a_flag_and_a_mode_again_change_nothing(logbook_db, capsys):
    logbook.mode("confirm")
    logbook.surprise("head 0.1 attends to BOS")
    logbook.note("try a varied period")
    before = events(logbook_db)
    capsys.readouterr()
    assert logbook.mode("confirm") == "confirm"
    assert logbook.surprise("head 0.1 attends to BOS").id == 1
    assert capsys.readouterr().out == "logbook: S1 already flags this; using it\n"
    assert logbook.note("try a varied period").id == 1
    assert events(logbook_db) == before
    assert logbook.mode("explore") == "explore" and events(logbook_db) == before + 1


def test_a_brainstorm_run_again_with_nothing_new_is_not_kept(logbook_db, capsys):
    for _ in range(2):
        with logbook.brainstorm(minutes=1, target=2):
            logbook.hypothesis("head 1.0 is an induction head")
            logbook.hypothesis("layer 0 copies by position")
    printed = capsys.readouterr().out.splitlines()
    assert (
        printed[-1] == "brainstorm: nothing new, H1, H2 are from brainstorm 1; not kept as another brainstorm"
    )
    with Store(logbook_db) as store:
        assert [(b.id, b.hypothesis_ids) for b in store.brainstorms()] == [(1, ["H1", "H2"])]
        assert store.current_brainstorm() is None
        assert [h.id for h in store.hypotheses()] == ["H1", "H2"]


def test_a_brainstorm_run_again_with_a_new_hypothesis_keeps_only_that_one(logbook_db):
    with logbook.brainstorm(minutes=1, target=2):
        logbook.hypothesis("head 1.0 is an induction head")
    with logbook.brainstorm(minutes=1, target=2):
        logbook.hypothesis("head 1.0 is an induction head")
        logbook.hypothesis("layer 0 copies by position")
    with Store(logbook_db) as store:
        assert [b.hypothesis_ids for b in store.brainstorms()] == [["H1"], ["H2"]]


def test_a_brainstorm_that_stated_nothing_at_all_is_kept_as_written(logbook_db, capsys):
    with logbook.brainstorm(minutes=1, target=3):
        pass
    assert capsys.readouterr().out.startswith("brainstorm 1: 0 of 3 hypotheses in ")
    with Store(logbook_db) as store:
        assert [b.hypothesis_ids for b in store.brainstorms()] == [[]]


def test_only_a_finished_brainstorm_that_names_nothing_can_be_discarded(logbook_db):
    with Store(logbook_db) as store:
        running = store.start_brainstorm(60, 2)
        with pytest.raises(LogbookError, match="still running"):
            store.discard_brainstorm(running.id)
        store.add_hypothesis("head 1.0 copies", 0.5, running.id)
        store.finish_brainstorm(running.id)
        with pytest.raises(LogbookError, match="it is kept"):
            store.discard_brainstorm(running.id)
        empty = store.start_brainstorm(60, 2)
        store.finish_brainstorm(empty.id)
        store.discard_brainstorm(empty.id)
        assert [b.id for b in store.brainstorms()] == [running.id]


def test_a_prediction_judged_again_keeps_its_first_verdict_and_counts_once(logbook_db):
    h = logbook.hypothesis("head 1.0 copies")
    for run in range(3):  # the measuring cell run three times, the prediction cell before each
        h.predict("copy_score > 0.5", credence=0.8)
        judge(logbook_db, "H1.P1", held=run > 0)
    (prediction,) = logbook.get("H1").predictions
    assert prediction.first_verdict == "failed"
    assert [(v.held, v.count) for v in prediction.verdicts] == [(False, 1), (True, 2)]
    assert first_verdicts([prediction]) == [(0.8, False)]


def test_a_mode_and_an_export_show_as_one_readable_line(logbook_db):
    switched = logbook.mode("red-team")
    assert pretty(switched) == repr(switched) == "mode: red-team"
    assert switched == "red-team" and f"{switched}" == "red-team"
    written = logbook.export("log.json")
    assert pretty(written) == f"wrote {written}"
    assert written.name == "log.json" and written.read_text().startswith("{")
