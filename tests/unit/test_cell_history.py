"""A cell's history and its drift surprises, through the store, the exports, the verifier and the REST API."""

import json

import pytest

from logbook.audit.verify import verify_export, verify_logbook
from logbook.models import LogbookExport
from logbook.report.exporting import render
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401 - the server fixtures

pytest_plugins = ["pytest_jupyter.jupyter_server"]

KEY = "analysis.ipynb#cell-7"


def run(store, source, names, ok=True, outputs=(), at="2026-01-01T00:00:00+00:00", key=KEY):
    """Record one run of the cell ``key`` as the kernel does."""
    with store.transaction():
        return store.insert_experiment(
            {
                "source": source,
                "started_at": at,
                "duration_ms": 1.0,
                "ok": int(ok),
                "error_name": None if ok else "ZeroDivisionError",
                "notebook": "analysis.ipynb",
                "cell_id": "cell-7",
                "cell_key": key,
                "source_key": source.split("#")[0].strip(),
                "names": json.dumps(names),
            },
            list(outputs),
        )


def text_output(text):
    return {"mime": "text/plain", "data": text.encode(), "size": len(text), "truncated": False}


def drift(store, experiment_id, name="score", change="changed sign", earlier=((1, 0.4),)):
    record = {
        "name": name,
        "part": "",
        "change": change,
        "value": -0.3,
        "earlier": [{"experiment_id": e, "value": v} for e, v in earlier],
        "hypotheses": ["H1"],
        "cell_key": KEY,
    }
    with store.transaction():
        return store.add_drift(experiment_id, record, None)


@pytest.fixture
def history(store):
    h = store.add_hypothesis("the score is positive", credence=0.6)
    p = store.add_prediction(h.id, "score > 0", credence=0.8)
    first = run(
        store, "score = f(seed)", {"score": {"type": "float", "value": 0.4}}, outputs=[text_output("0.4")]
    )
    with store.transaction():
        store.add_judgement(held=True, prediction=p, observed={}, surprisal_bits=0.3, experiment_id=first)
    second = run(
        store,
        "score = f(seed)  # again",
        {"score": {"type": "float", "value": -0.3}},
        outputs=[text_output("-0.3")],
    )
    with store.transaction():
        store.add_judgement(held=False, prediction=p, observed={}, surprisal_bits=2.3, experiment_id=second)
    third = run(
        store,
        "score = g(seed)",
        {"score": {"type": "float", "value": -0.3}, "extra": {"type": "int", "value": 1}},
    )
    run(store, "other = 1", {}, key="analysis.ipynb#cell-8")
    sid = drift(store, second)
    return store, (first, second, third), sid


def test_the_runs_of_a_cell_are_linked_by_its_key_oldest_first(history):
    store, ids, _ = history
    cell = store.cell_history(ids[0])
    assert [r.experiment_id for r in cell.runs] == list(ids)
    assert (cell.notebook, cell.cell_id) == ("analysis.ipynb", "cell-7")
    assert [r.drift for r in cell.runs] == [0, 1, 0]


def test_each_step_has_a_source_diff_changed_values_outputs_and_flipped_verdicts(history):
    store, ids, _ = history
    first, second = store.cell_history(ids[0]).steps
    assert first.same_source and first.source_diff.splitlines()[3:] == [
        "-score = f(seed)",
        "+score = f(seed)  # again",
    ]
    assert [(v.name, v.old["value"], v.new["value"]) for v in first.values] == [("score", 0.4, -0.3)]
    assert first.outputs[0].old.size == 3 and first.outputs[0].new.size == 4
    assert [(f.prediction_id, f.old, f.new) for f in first.flipped] == [("H1.P1", "held", "failed")]
    assert not second.same_source and [v.name for v in second.values] == ["extra"]
    assert [(o.old.mime, o.new) for o in second.outputs] == [("text/plain", None)]


def test_a_drift_surprise_is_not_a_failed_prediction(history):
    store, ids, sid = history
    surprise = store.surprise(sid)
    assert (surprise.kind, surprise.prediction_id, surprise.hypothesis_id) == ("drift", None, None)
    assert surprise.note == "score changed sign" and surprise.drift.earlier[0].value == 0.4
    assert repr(surprise) == f"S{sid}  score changed sign  (drift; open, unread)"
    failed = [s for s in store.surprises() if s.kind == "prediction"]
    assert [s.prediction_id for s in failed] == ["H1.P1"]
    with pytest.raises(Exception, match="not about a hypothesis"):
        store.resolve_surprise(sid, "refuted", reason="no")


def test_dismissing_drift_as_expected_explains_it_and_marks_the_name(history):
    store, ids, sid = history
    closed = store.expect_drift(sid, by="ada")
    assert (closed.status.value, closed.resolution.value, closed.resolved_by) == (
        "explained",
        "explained",
        "ada",
    )
    assert store.expected_values() == {KEY: {"score"}}
    assert store.cell_history(ids[0]).expected == ["score"]
    failed = next(s for s in store.surprises() if s.kind == "prediction")
    with pytest.raises(Exception, match="is not drift"):
        store.expect_drift(failed.id)


def test_drift_is_in_the_history_of_events_and_in_every_export(history):
    store, _, sid = history
    store.expect_drift(sid)
    assert verify_logbook(store).ok, verify_logbook(store).problems
    kinds = [e["kind"] for e in store.iter_events()]
    assert "surprise.drifted" in kinds and "cell.expected" in kinds
    exported = LogbookExport.model_validate_json(render(store, "json"))
    assert verify_export(exported, store).ok
    assert {s.kind for s in exported.surprises} == {"drift", "prediction"}
    markdown = render(store, "md")
    assert "drift, score changed sign" in markdown and "[H1](#h1) reads this name" in markdown


def test_the_drift_threshold_is_a_logbook_setting(store):
    assert store.drift_threshold() == 0.5
    assert store.set_drift_threshold(0.2) == 0.2 and store.drift_threshold() == 0.2
    with pytest.raises(Exception, match="relative change above 0"):
        store.set_drift_threshold(0)


async def test_the_api_serves_a_cells_history_and_dismisses_drift_as_expected(api, logbook_file):  # noqa: F811
    from logbook.store.core import Store

    with Store(logbook_file) as store:
        first = run(store, "score = f(seed)", {"score": {"type": "float", "value": 0.4}})
        second = run(store, "score = f(seed)", {"score": {"type": "float", "value": -0.3}})
        sid = drift(store, second, earlier=((first, 0.4),))
    status, history = await api("GET", f"experiments/{second}/history")
    assert status == 200 and [r["experiment_id"] for r in history["runs"]] == [first, second]
    assert history["steps"][0]["values"][0]["new"]["value"] == -0.3
    status, surprises = await api("GET", "surprises")
    assert [(s["kind"], s["drift"]["name"]) for s in surprises] == [("drift", "score")]
    status, closed = await api("POST", f"surprises/{sid}/expected")
    assert status == 200 and closed["status"] == "explained"
    status, expected = await api("POST", "expected", {"cell_key": KEY, "name": "timing"})
    assert expected == {
        "cell_key": KEY,
        "expected": ["score", "timing"],
        "expected_envelopes": [
            {"label": "score", "envelope": pytest.approx(0.7)},  # how far it moved: 0.4 -> -0.3
            {"label": "timing", "envelope": None},  # marked before it moved: never flagged
        ],
    }
    status, undone = await api("DELETE", "expected", cell_key=KEY, label="score")
    assert status == 200 and undone["expected"] == ["timing"]
    assert (await api("DELETE", "expected", cell_key=KEY, label="score"))[0] == 404
    assert (await api("GET", "experiments/999/history"))[0] == 404


async def test_the_api_reads_and_sets_the_drift_threshold(api):  # noqa: F811
    assert await api("GET", "settings") == (200, {"drift_threshold": 0.5})
    assert await api("POST", "settings", {"drift_threshold": 0.25}) == (200, {"drift_threshold": 0.25})
    status, error = await api("POST", "settings", {"drift_threshold": -1})
    assert status == 400 and "relative change above 0" in json.dumps(error)


def test_the_python_api_reads_a_history_and_closes_drift_as_expected(store):
    import logbook

    first = run(store, "score = f(seed)", {"score": {"type": "float", "value": 0.4}})
    second = run(store, "score = f(seed)", {"score": {"type": "float", "value": -0.3}})
    sid = drift(store, second, earlier=((first, 0.4),))
    assert [r.experiment_id for r in logbook.history().runs] == [first, second]
    assert logbook.history(first).steps[0].values[0].new == {"type": "float", "value": -0.3}
    closed = logbook.get(f"S{sid}").expected()
    assert (closed.kind, closed.status, closed.explanation) == (
        "drift",
        "explained",
        "score: changes of this size are expected here",
    )
