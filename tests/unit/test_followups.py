"""Acting on a surprise from the inbox: a follow-up hypothesis, verdicts in words on a chosen cell."""

import pytest

import logbook
from logbook.audit.verify import verify_logbook
from logbook.report.exporting import render
from logbook.store.core import LogbookError, Store


def failed_prediction(store, statement="layer 1 copies"):
    h = store.add_hypothesis(statement, 0.7)
    p = store.add_prediction(h.id, "copy_score > 0.5", 0.8)
    with store.transaction():
        sid = store.add_judgement(
            held=False, prediction=p, observed={}, surprisal_bits=2.32, experiment_id=None
        )
    return store.surprise(sid)


def experiment(store, source="score = 0.1") -> int:
    with store.transaction():
        return store.insert_experiment(
            {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}, []
        )


def test_a_follow_up_links_the_new_hypothesis_and_closes_the_surprise_at_once(store):
    surprise = failed_prediction(store)
    followed = store.follow_up(surprise.id, "  the spike comes from one bad batch ", 0.4, by="ana")
    assert (followed.id, followed.statement, followed.credence) == (
        "H2",
        "the spike comes from one bad batch",
        0.4,
    )
    assert followed.follows == "S1" and store.hypothesis("H2").follows == "S1"
    closed = store.surprise(1)
    assert (closed.status.value, closed.resolution.value, closed.resolved_by) == (
        "acted_on",
        "followed_up",
        "ana",
    )
    assert closed.explanation == "H2: the spike comes from one bad batch"
    # Both in one transaction: the stated event and the closing share their time.
    (stated,) = [e for e in store.iter_events("H2") if e["kind"] == "hypothesis.stated"]
    assert stated["payload"]["follows"] == "S1"
    (resolved,) = [e for e in store.iter_events("S1") if e["kind"] == "surprise.resolved"]
    assert resolved["payload"]["resolution"] == "followed_up" and resolved["at"] == stated["at"]
    # The hypothesis it came from keeps its belief.
    assert store.hypothesis("H1").credence == 0.7 and len(store.hypothesis("H1").history) == 1
    assert verify_logbook(store).ok


def test_a_surprise_is_followed_up_once(store):
    surprise = failed_prediction(store)
    first = store.follow_up(surprise.id, "a bad batch", 0.4)
    assert store.follow_up("S1", "a bad batch", 0.4).id == first.id  # a re-run cell
    with pytest.raises(LogbookError, match="resolved once"):
        store.follow_up("S1", "something else entirely")
    assert [h.id for h in store.hypotheses()] == ["H1", "H2"]
    other = failed_prediction(store, "layer 2 copies")
    store.resolve_surprise(other.id, "dismissed")
    with pytest.raises(LogbookError, match=r"already resolved \(dismissed"):
        store.follow_up(other.id, "another")
    # Closing as followed_up without stating a hypothesis is refused.
    third = failed_prediction(store, "layer 3 copies")
    with pytest.raises(LogbookError, match="use follow_up"):
        store.resolve_surprise(third.id, "followed_up", reason="x")
    with pytest.raises(LogbookError, match="invalid hypothesis"):
        store.follow_up(third.id, "   ")
    assert store.surprise(third.id).resolution is None


def test_a_flag_without_a_hypothesis_can_be_followed_up(store):
    flagged = store.add_manual_surprise("loss spikes at step 300")
    followed = store.follow_up(flagged.id, "a bad batch at step 300", 0.3)
    assert followed.follows == f"S{flagged.id}"
    assert store.surprise(flagged.id).status.value == "acted_on"


def test_follows_travels_in_exports_and_reports_and_verifies(store, tmp_path):
    surprise = failed_prediction(store)
    store.follow_up(surprise.id, "a bad batch", 0.4)
    exported = store.export()
    assert [h.follows for h in exported.hypotheses] == [None, "S1"]
    assert exported.surprises[0].resolution.value == "followed_up"
    report = render(store, "md")
    assert "following up" in report and "S1" in report
    assert "Acted on: followed up with a new hypothesis" in report
    path = tmp_path / "log.json"
    path.write_text(render(store, "json"))
    from logbook.audit.verify import load_export, verify_export

    assert verify_export(load_export(path)).ok
    # A follows changed behind the logbook's back is caught.
    store.db.execute("UPDATE hypotheses SET follows = 'S9' WHERE id = 'H2'")
    assert not verify_logbook(store).ok


def test_an_explanation_ending_a_sentence_gets_one_full_stop(store):
    surprise = failed_prediction(store)
    store.resolve_surprise(surprise.id, "explained", explanation="a corrupted shard.")
    other = failed_prediction(store, "layer 2 copies")
    store.resolve_surprise(other.id, "explained", explanation="seed noise")
    report = render(store, "md")
    assert "a corrupted shard." in report and ".." not in report.replace("...", "")
    assert "seed noise." in report


def test_a_verdict_in_words_names_its_experiment_and_what_was_seen(store):
    h = store.add_hypothesis("head 1.4 is needed", 0.6)
    store.add_prediction(h.id, "ablating it breaks copying", 0.75, "text")
    chosen = experiment(store, "ablate(4)")
    experiment(store, "later = 1")
    surprise = store.judge_by_hand("H1.P1", held=False, experiment_id=chosen, observed=" copying survives ")
    assert surprise.experiment_id == chosen
    assert surprise.observed == {"observed": {"type": "str", "len": 16, "value": "copying survives"}}
    (judged,) = [e for e in store.iter_events("H1.P1") if e["kind"] == "prediction.judged"]
    assert judged["payload"]["experiment_id"] == chosen
    assert verify_logbook(store).ok
    # Without an experiment, the last one; without words, nothing observed.
    h2 = store.add_hypothesis("head 1.5 is not needed", 0.6)
    store.add_prediction(h2.id, "ablating it changes nothing", 0.6, "text")
    evidence = store.judge_by_hand("H2.P1", held=True)
    assert evidence.experiment_id == store.last_experiment_id() and evidence.observed == {}


def test_a_verdict_on_an_unknown_experiment_is_refused_and_records_nothing(store):
    h = store.add_hypothesis("head 1.4 is needed", 0.6)
    store.add_prediction(h.id, "ablating it breaks copying", 0.75, "text")
    with pytest.raises(LogbookError, match="no experiment 42"):
        store.judge_by_hand("H1.P1", held=False, experiment_id=42)
    assert store.prediction("H1.P1").state.value == "pending" and store.surprises() == []


def test_the_python_api_judges_on_an_experiment_and_follows_up(logbook_db):
    h = logbook.hypothesis("head 1.4 is needed", credence=0.6)
    h.predict(text="ablating it breaks copying", credence=0.75)
    with Store(logbook_db) as store:
        chosen = experiment(store)
    surprise = logbook.judge("H1.P1", held=False, experiment=chosen, observed="copying survives")
    assert surprise.experiment_id == chosen and surprise.observed["observed"]["value"] == "copying survives"
    with pytest.raises(LogbookError, match="no experiment 99"):
        logbook.judge("H1.P1", held=True, experiment=99)
    handle = logbook.get(f"S{surprise.id}")
    followed = handle.follow_up("another head backs it up", credence=0.5)
    assert isinstance(followed, logbook.HypothesisHandle)
    assert (followed.id, followed.credence) == ("H2", 0.5)
    assert handle.status == "acted_on" and handle.resolution == "followed_up"
    assert logbook.get(f"S{surprise.id}").follow_up("another head backs it up").id == "H2"
