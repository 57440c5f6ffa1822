"""The SQLite store: hypotheses, predictions, experiments, search, and the file itself."""

import sqlite3
import threading

import pytest

from logbook.paths import find_logbook
from logbook.rules.predictions import PredictionSyntaxError
from logbook.store.core import LogbookError, NotFound, Store
from logbook.store.schema import migrations


def experiment_row(source: str, **extra) -> dict:
    return {"source": source, "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1, **extra}


def test_hypotheses_get_short_sequential_ids(store):
    assert [store.add_hypothesis(s, 0.6).id for s in ("a", "b", "c")] == ["H1", "H2", "H3"]
    assert store.hypothesis("h2").statement == "b"


def test_credence_history_keeps_every_change_with_its_reason(store):
    h = store.add_hypothesis("layer 0 copies", 0.7)
    store.update_credence(h.id, 0.4, "ablation barely hurt")
    refuted = store.set_status(h.id, "refuted", "patching showed otherwise")
    assert [(c.credence, c.reason) for c in refuted.history] == [
        (0.7, "stated"),
        (0.4, "ablation barely hurt"),
        (0.0, "patching showed otherwise"),
    ]
    assert refuted.status.value == "refuted"
    assert refuted.history[0].at <= refuted.history[-1].at


def test_invalid_credence_is_refused_with_a_clear_message(store):
    with pytest.raises(LogbookError, match="credence"):
        store.add_hypothesis("x", 1.5)
    assert store.count("hypotheses") == 0


def test_predictions_are_numbered_per_hypothesis_and_know_their_names(store):
    h = store.add_hypothesis("x", 0.5)
    p1 = store.add_prediction(h.id, "loss < 0.1", 0.8)
    p2 = store.add_prediction(h.id, "heads attend to previous token", 0.6, kind="text")
    assert (p1.id, p1.names, p2.id, p2.names) == ("H1.P1", ["loss"], "H1.P2", [])
    assert [p.id for p in store.active_predictions()] == ["H1.P1"]


def test_an_unparsable_prediction_is_refused_and_nothing_is_stored(store):
    h = store.add_hypothesis("x", 0.5)
    with pytest.raises(PredictionSyntaxError, match="not a Python expression"):
        store.add_prediction(h.id, "loss <", 0.8)
    assert store.count("predictions") == 0


def test_a_prediction_for_an_unknown_hypothesis_is_refused(store):
    with pytest.raises(NotFound, match="H9"):
        store.add_prediction("H9", "x", 0.5)


def test_predictions_of_refuted_hypotheses_are_no_longer_watched(store):
    h = store.add_hypothesis("x", 0.5)
    store.add_prediction(h.id, "a > 0", 0.9)
    store.set_status(h.id, "refuted")
    assert store.active_predictions() == []


def test_experiments_are_searchable_by_source_and_output(store):
    with store.transaction():
        store.insert_experiment(experiment_row("model.run_with_cache(tokens)"), [])
        store.insert_experiment(
            experiment_row("print(x)", stdout="induction score 0.93", output_text="attention pattern"), []
        )
    assert [e.source for e in store.search_experiments("run_with_cache")] == ["model.run_with_cache(tokens)"]
    assert [e.source for e in store.search_experiments("induction")] == ["print(x)"]
    assert [e.source for e in store.search_experiments("attention")] == ["print(x)"]
    assert store.search_experiments('"; DROP TABLE experiments; --') == []


def test_identical_outputs_are_stored_once(store):
    png = b"\x89PNG fake image bytes"
    output = {"mime": "image/png", "data": png, "size": len(png), "truncated": False}
    with store.transaction():
        first = store.insert_experiment(experiment_row("a"), [output])
        second = store.insert_experiment(experiment_row("b"), [output])
    assert store.count("blobs") == 1
    assert store.experiment(first).outputs[0].sha256 == store.experiment(second).outputs[0].sha256
    assert store.blob(store.experiment(second).outputs[0].sha256) == png


def test_the_file_uses_wal_and_records_its_migrations(logbook_db):
    with Store(logbook_db) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = [m.name for m in migrations.applied(store.db)]
        assert applied[:3] == ["m001_initial", "m002_lookup_indexes", "m003_events"]
        assert applied == sorted(applied)
    with Store(logbook_db) as reopened:
        assert migrations.pending(reopened.db) == []


def test_two_writers_never_hand_out_the_same_id(logbook_db):
    ids: list[str] = []

    def add_many():
        with Store(logbook_db) as own:
            for i in range(20):
                ids.append(own.add_hypothesis(f"h{i}", 0.5).id)

    threads = [threading.Thread(target=add_many) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids, key=lambda i: int(i[1:])) == [f"H{n}" for n in range(1, 61)]


def test_modes_and_manual_surprises(store):
    assert store.current_mode() is None
    store.set_mode("red-team")
    assert store.current_mode().value == "red-team"
    with pytest.raises(LogbookError, match="confirm, red-team, explore"):
        store.set_mode("yolo")
    with store.transaction():
        eid = store.insert_experiment(experiment_row("x = 1"), [])
    flagged = store.add_manual_surprise("why is layer 0 doing this")
    assert (flagged.manual, flagged.experiment_id, flagged.surprisal_bits) == (True, eid, None)


def test_the_logbook_is_found_upward_like_git(tmp_path, monkeypatch):
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    (tmp_path / ".logbook").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_logbook(deep) == tmp_path.resolve() / ".logbook" / "logbook.db"


def test_without_a_logbook_a_new_one_goes_at_the_git_root(tmp_path, monkeypatch):
    monkeypatch.delenv("LOGBOOK_DB", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "notebooks").mkdir()
    assert find_logbook(tmp_path / "notebooks") == tmp_path.resolve() / ".logbook" / "logbook.db"


def test_logbook_db_overrides_the_search(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGBOOK_DB", str(tmp_path / "elsewhere.db"))
    assert find_logbook(tmp_path) == (tmp_path / "elsewhere.db").resolve()


def test_predictions_in_words_are_judged_by_hand(store):
    h = store.add_hypothesis("heads in layer 1 attend to the previous copy", 0.6)
    words = store.add_prediction(h.id, "the attention pattern shows an off-diagonal stripe", 0.8, kind="text")
    failed = store.judge_by_hand(words.id, held=False)
    assert (failed.prediction, failed.surprisal_bits) == (words.expression, pytest.approx(2.321928))
    assert store.prediction(words.id).state.value == "failed"
    expression = store.add_prediction(h.id, "stripe > 0.5", 0.8)
    with pytest.raises(LogbookError, match="judged after each cell"):
        store.judge_by_hand(expression.id, held=True)


def test_every_change_of_belief_appends_a_chained_event(store):
    h = store.add_hypothesis("Head 0.1 copies", credence=0.6)
    store.add_prediction(h.id, "score > 0.5", credence=0.8)
    store.update_credence(h.id, 0.4, "weak score")
    store.set_mode("red-team")
    events = list(store.iter_events())
    assert [e["kind"] for e in events] == [
        "hypothesis.stated",
        "prediction.written",
        "hypothesis.credence",
        "mode.switched",
    ]
    assert events[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(events, events[1:]))
    assert store.chain_head() == {"events": 4, "hash": events[-1]["hash"]}


def test_the_event_history_cannot_be_updated_or_deleted(store):
    store.add_hypothesis("Head 0.1 copies")
    for sql in ("UPDATE events SET kind = 'x'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql)
