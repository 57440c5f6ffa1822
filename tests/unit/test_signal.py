"""Signal, not noise: one surprise per failure streak, the values that decided it, one drift per run."""

import json

import pytest

from logbook.audit.verify import verify_logbook
from logbook.report.exporting import render
from logbook.rules.calibration import first_verdicts
from logbook.rules.predictions import judge as evaluate


def judge(store, prediction_id, held, experiment_id=None, steps=None):
    with store.transaction():
        return store.add_judgement(
            held=held,
            prediction=store.prediction(prediction_id),
            observed={"score": {"type": "float", "value": 0.3}},
            surprisal_bits=2.32,
            experiment_id=experiment_id,
            steps=steps,
        )


@pytest.fixture
def predicted(store):
    """H1.P1 ``score > 0.5`` at credence 0.8."""
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    store.add_prediction(h.id, "score > 0.5", 0.8)
    return store


def test_a_prediction_that_fails_again_adds_a_run_to_its_surprise_not_a_new_one(predicted):
    ids = [judge(predicted, "H1.P1", held=False) for _ in range(3)]
    assert ids == [1, 1, 1]
    (surprise,) = predicted.surprises("all")
    assert surprise.runs == 3 and surprise.last_at > surprise.created_at
    assert [(v.held, v.count) for v in predicted.prediction("H1.P1").verdicts] == [(False, 3)]
    assert verify_logbook(predicted).problems == []


def test_a_closed_surprise_stays_closed_while_the_failure_repeats(predicted):
    judge(predicted, "H1.P1", held=False)
    predicted.resolve_surprise(1, "explained", explanation="seed effect")
    judge(predicted, "H1.P1", held=False)
    (surprise,) = predicted.surprises("all")
    assert (surprise.status.value, surprise.runs) == ("explained", 2)
    assert predicted.unread_surprises() == 0


def test_a_flip_from_held_to_failed_opens_a_new_surprise(predicted):
    for held in (False, True, False):
        judge(predicted, "H1.P1", held=held)
    assert sorted(s.id for s in predicted.surprises("open")) == [1, 2]
    assert [(v.held, v.count) for v in predicted.prediction("H1.P1").verdicts] == [
        (False, 1),
        (True, 1),
        (False, 1),
    ]


def test_calibration_still_counts_the_first_verdict_only(predicted):
    for _ in range(4):
        judge(predicted, "H1.P1", held=False)
    judge(predicted, "H1.P1", held=True)
    predictions = [p for h in predicted.hypotheses() for p in h.predictions]
    assert predictions[0].first_verdict == "failed"
    assert first_verdicts(predictions) == [(0.8, False)]


def test_a_verdict_keeps_the_values_that_decided_it_in_the_store_the_export_and_the_history(predicted):
    steps = [{"text": "score.max()", "value": "0.3"}, {"text": "0.3 > 0.5", "value": "False"}]
    judge(predicted, "H1.P1", held=False, steps=steps)
    surprise = predicted.surprise(1)
    assert [(s.text, s.value) for s in surprise.steps] == [("score.max()", "0.3"), ("0.3 > 0.5", "False")]
    exported = json.loads(render(predicted, "json"))
    assert exported["surprises"][0]["steps"] == steps
    assert "score.max() → 0.3" in render(predicted, "md")
    predicted.db.execute("UPDATE surprises SET steps = ? WHERE id = 1", [json.dumps([steps[1]])])
    assert any("steps differ" in p for p in verify_logbook(predicted).problems)


def test_editing_a_streaks_run_count_is_caught_by_verify(predicted):
    for _ in range(3):
        judge(predicted, "H1.P1", held=False)
    predicted.db.execute("UPDATE surprises SET runs = 1 WHERE id = 1")
    assert any("runs differ" in p for p in verify_logbook(predicted).problems)


@pytest.mark.parametrize(
    ("expression", "steps", "held"),
    [
        ("scores.max() > 0.5", [("scores.max()", "0.3"), ("0.3 > 0.5", "False")], False),
        ("0 < x < 2", [("x", "3"), ("0 < 3 < 2", "False")], False),
        (
            "scores.mean() > 0.1 and x < 2",
            [
                ("scores.mean()", "0.15"),
                ("0.15 > 0.1", "True"),
                ("x", "3"),
                ("3 < 2", "False"),
                ("scores.mean() > 0.1 and x < 2", "False"),
            ],
            False,
        ),
        (
            "abs(scores[1, 0] - 0.3) < 1e-3",
            [("abs(scores[1, 0] - 0.3)", "0.0"), ("0.0 < 1e-3", "True")],
            True,
        ),
        ("not flag", [("flag", "False"), ("not flag", "True")], True),
    ],
)
def test_the_steps_read_as_pytest_shows_a_failing_assert(expression, steps, held):
    torch = pytest.importorskip("torch")
    namespace = {"scores": torch.tensor([[0.1, 0.2], [0.3, 0.0]]), "x": 3, "flag": False}
    judgement = evaluate(expression, [], namespace)
    assert judgement.held is held
    assert [(s.text, s.value) for s in judgement.steps] == steps


def test_judging_with_steps_evaluates_the_prediction_once():
    calls = []

    class Counter:
        def max(self):
            calls.append(1)
            return 0.3

    judgement = evaluate("c.max() > 0.5", ["c"], {"c": Counter()})
    assert judgement.held is False and len(calls) == 1
    assert [(s.text, s.value) for s in judgement.steps] == [("c.max()", "0.3"), ("0.3 > 0.5", "False")]


def test_library_code_that_imports_lazily_runs_as_in_the_notebook():
    torch = pytest.importorskip("torch")
    numpy = pytest.importorskip("numpy")
    namespace = {"t": torch.tensor([[0.1, 0.2], [0.3, 0.0038]]), "a": numpy.arange(4.0)}
    assert evaluate("t.max() > 0.5", ["t"], namespace).held is False
    assert evaluate("t.softmax(-1).sum(-1).allclose(t.new_ones(2))", ["t"], namespace).held is True
    assert evaluate("a.mean() == 1.5", ["a"], namespace).held is True


def drift_move(label_part, change, value, earlier, bits=None, cell_key="nb.ipynb#c1"):
    return {
        "name": "scores",
        "part": label_part,
        "change": change,
        "value": value,
        "earlier": [{"experiment_id": 1, "value": v} for v in earlier],
        "hypotheses": [],
        "cell_key": cell_key,
        "bits": bits,
    }


def test_one_run_that_moved_many_values_is_one_drift_surprise_listing_them(store):
    moves = [
        drift_move("[1, 3]", "changed sign", -0.2, [0.2, 0.21]),
        drift_move("[0, 0]", "moved 80% from its earlier runs", 0.9, [0.5, 0.5]),
    ]
    with store.transaction():
        store.add_drift(2, {**moves[0], "moves": moves}, None)
    (surprise,) = store.surprises("all")
    assert [m.label for m in surprise.drift.moves] == ["scores[1, 3]", "scores[0, 0]"]
    assert surprise.note == "scores[1, 3] changed sign; scores[0, 0] moved 80% from its earlier runs"
    assert verify_logbook(store).problems == []


def test_expected_drift_sets_an_envelope_per_part_and_can_be_undone(store):
    moves = [
        drift_move("[1, 3]", "changed sign", -0.2, [0.2, 0.2]),
        drift_move(".shape", "changed shape", [3], [[2]]),
    ]
    with store.transaction():
        store.add_drift(2, {**moves[0], "moves": moves}, None)
    closed = store.expect_drift(1)
    assert closed.status.value == "explained"
    assert store.expected_envelopes() == {
        "nb.ipynb#c1": {"scores[1, 3]": pytest.approx(0.4), "scores.shape": None}
    }
    assert store.unexpect_value("nb.ipynb#c1", "scores[1, 3]") is True
    assert store.expected_envelopes() == {"nb.ipynb#c1": {"scores.shape": None}}
    assert store.unexpect_value("nb.ipynb#c1", "scores[1, 3]") is False
    kinds = [e["kind"] for e in store.iter_events("nb.ipynb#c1")]
    assert kinds == ["cell.expected", "cell.expected", "cell.unexpected"]


def test_an_nnsight_saved_value_is_judged_as_in_the_notebook():
    torch = pytest.importorskip("torch")
    nnsight = pytest.importorskip("nnsight")
    net = nnsight.NNsight(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)))
    with net.trace(torch.ones(1, 4)):
        hidden = net[1].output.save()
    judgement = evaluate("hidden.min() >= 0", ["hidden"], {"hidden": hidden})
    assert judgement.held is True and judgement.steps[-1].text.endswith(">= 0")


def test_a_surprise_that_fails_again_keeps_its_first_values_and_its_latest_beside_them(predicted):
    first = [{"text": "score", "value": "0.3"}, {"text": "0.3 > 0.5", "value": "False"}]
    latest = [{"text": "score", "value": "0.2"}, {"text": "0.2 > 0.5", "value": "False"}]
    judge(predicted, "H1.P1", held=False, steps=first)
    judge(predicted, "H1.P1", held=False, steps=latest)
    surprise = predicted.surprise(1)
    assert [s.value for s in surprise.steps] == ["0.3", "False"]
    assert [s.value for s in surprise.last_steps] == ["0.2", "False"]
    assert verify_logbook(predicted).ok
    predicted.db.execute("UPDATE surprises SET last_steps = ? WHERE id = 1", [json.dumps(first)])
    assert any("last_steps differ" in p for p in verify_logbook(predicted).problems)


def test_a_surprise_failing_again_moves_the_inboxs_version(predicted):
    from logbook.store.sections import SectionVersions

    versions = SectionVersions()
    judge(predicted, "H1.P1", held=False)
    before = versions.compute(predicted)["surprises"]
    judge(predicted, "H1.P1", held=False)
    assert versions.compute(predicted)["surprises"] != before
