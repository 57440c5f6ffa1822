"""Two experiments side by side: the value comparison (logbook.rules.compare) and the route experiments/compare."""

import doctest
import json

from logbook.rules import compare
from logbook.rules.compare import compare_value, compare_values, compare_verdicts, with_weights
from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401 - the server fixtures

pytest_plugins = ["pytest_jupyter.jupyter_server"]

KEY = "seeds.ipynb#cell-1"


def tensor(mean, shape=(4,), **more):
    return {
        "type": "torch.Tensor",
        "shape": list(shape),
        "dtype": "float32",
        "device": "cpu",
        "nan": 0,
        "min": -1.0,
        "max": 1.0,
        "mean": mean,
        "norm": 2.0,
        **more,
    }


def run(store, source, names, at="2026-01-01T00:00:00+00:00", key=KEY, outputs=()):
    with store.transaction():
        return store.insert_experiment(
            {
                "source": source,
                "started_at": at,
                "duration_ms": 1.0,
                "ok": 1,
                "notebook": "seeds.ipynb",
                "cell_id": "cell-1",
                "cell_key": key,
                "names": json.dumps(names),
            },
            list(outputs),
        )


def test_the_module_example_runs():
    assert doctest.testmod(compare).failed == 0


def model(fingerprint, variable="seed_model"):
    """A cell's torch activity that ran one model, held in ``variable``, with these weights."""
    identity = {"class": "TransformerBridge", "parameters": 41728, "fingerprint": fingerprint}
    return {"models": [{"class": "TransformerBridge", "identity": identity, "variable": variable}]}


MODULE = {"type": "TransformerBridge", "parameters": 41728, "training": False, "config": {"n_layers": 2}}


def test_a_model_trained_again_under_the_same_name_is_changed_by_its_weights():
    old = with_weights({"seed_model": MODULE, "seed": {"type": "int", "value": 0}}, model("weights:48301973"))
    new = with_weights({"seed_model": MODULE, "seed": {"type": "int", "value": 1}}, model("weights:64662ec3"))
    v = compare_value("seed_model", old["seed_model"], new["seed_model"])
    assert v.change == "changed" and v.differs == ["fingerprint"]
    (weights,) = [s for s in v.stats if s.stat == "fingerprint"]
    assert (weights.old, weights.new, weights.changed) == ("weights:48301973", "weights:64662ec3", True)
    # The same weights again: the same value; a model held by another name leaves this one as it was.
    assert compare_value("seed_model", old["seed_model"], old["seed_model"]).change == "same"
    assert with_weights({"seed_model": MODULE}, model("weights:1", variable="other")) == {
        "seed_model": MODULE
    }
    assert with_weights({"seed_model": MODULE}, None) == {"seed_model": MODULE}


def test_a_change_from_float_noise_has_no_percentage():
    v = compare_value("centred", tensor(1.863e-9, min=-3.0, max=3.0), tensor(3.725e-9, min=-3.0, max=3.0))
    (mean,) = [s for s in v.stats if s.stat == "mean"]
    assert mean.changed and mean.delta is not None and mean.relative is None
    moved = compare_value("acts", tensor(0.125), tensor(0.5))
    assert [s.relative for s in moved.stats if s.stat == "mean"] == [3.0]


def test_a_statistic_that_moved_says_by_how_much_and_the_rest_stay_unchanged():
    v = compare_value("acts", tensor(0.125), tensor(0.5))
    assert v.change == "changed" and not v.shape_changed and not v.kind_changed
    by_stat = {s.stat: s for s in v.stats}
    assert [s.stat for s in v.stats] == ["min", "max", "mean", "norm", "nan"]
    assert (by_stat["mean"].changed, by_stat["mean"].delta, by_stat["mean"].relative) == (True, 0.375, 3.0)
    assert not by_stat["norm"].changed and by_stat["norm"].delta == 0.0
    assert v.differs == ["mean"]


def test_shape_kind_added_removed_and_values_that_are_not_numbers():
    v = compare_value("acts", tensor(0.1), tensor(0.1, shape=(8,), dtype="float16"))
    assert v.shape_changed and v.kind_changed and v.differs == ["dtype", "shape"]
    names = compare_values(
        {
            "gone": {"type": "int", "value": 1},
            "same": {"type": "int", "value": 2},
            "s": {"type": "str", "value": "a"},
        },
        {
            "same": {"type": "int", "value": 2},
            "new": {"type": "float", "value": 0.5},
            "s": {"type": "str", "value": "b"},
        },
    )
    assert [(n.name, n.change) for n in names] == [
        ("same", "same"),
        ("new", "added"),
        ("s", "changed"),
        ("gone", "removed"),
    ]
    text = names[2].stats[0]
    assert (text.old, text.new, text.changed, text.delta, text.relative) == ("a", "b", True, None, None)
    # No change relative to zero, and nothing finite from NaN: a delta only between two finite numbers.
    assert compare_value("z", {"value": 0}, {"value": 2}).stats[0].relative is None
    assert compare_value("n", {"value": "nan"}, {"value": 1.0}).stats[0].delta is None
    assert compare_value("b", {"value": True}, {"value": False}).stats[0].delta is None


def test_verdicts_pair_by_prediction_held_to_failed_first():
    def judged(pid, verdict, at="1"):
        return {
            "prediction_id": pid,
            "hypothesis_id": pid.split(".")[0],
            "prediction": f"{pid} expr",
            "statement": "s",
            "verdict": verdict,
            "created_at": at,
        }

    old = [
        judged("H1.P1", "held"),
        judged("H1.P2", "failed"),
        judged("H2.P1", "held"),
        judged("H3.P1", "held"),
        {"prediction_id": None, "verdict": "failed", "created_at": "1"},
    ]  # a flag by hand: no prediction
    new = [
        judged("H2.P1", "held"),
        judged("H1.P2", "held"),
        judged("H1.P1", "held", "1"),
        judged("H1.P1", "failed", "2"),
        judged("H4.P1", "failed"),
    ]
    rows = compare_verdicts(old, new)
    assert [(r.prediction_id, r.old, r.new, r.change) for r in rows] == [
        ("H1.P1", "held", "failed", "held_to_failed"),  # its last verdict in the new run counts
        ("H1.P2", "failed", "held", "failed_to_held"),
        ("H3.P1", "held", None, "only_old"),
        ("H4.P1", None, "failed", "only_new"),
        ("H2.P1", "held", "held", "same"),
    ]
    assert rows[0].expression == "H1.P1 expr" and rows[0].hypothesis_id == "H1"


async def test_the_route_answers_both_experiments_their_judgements_and_what_changed(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        h = store.add_hypothesis("the mean stays small", credence=0.6)
        p = store.add_prediction(h.id, "acts.mean() < 0.3", credence=0.8)
        text = {"mime": "text/plain", "data": b"0.125", "size": 5, "truncated": False}
        old = run(
            store,
            "seed = 0\nacts = make(seed)",
            {"acts": tensor(0.125), "seed": {"type": "int", "value": 0}},
            outputs=[text],
        )
        with store.transaction():
            store.add_judgement(held=True, prediction=p, observed={}, surprisal_bits=0.3, experiment_id=old)
        new = run(
            store, "seed = 1\nacts = make(seed)", {"acts": tensor(0.5), "seed": {"type": "int", "value": 1}}
        )
        with store.transaction():
            store.add_judgement(held=False, prediction=p, observed={}, surprisal_bits=2.3, experiment_id=new)
        other = run(store, "x = 1", {}, key="seeds.ipynb#cell-2")

    status, body = await api("GET", "experiments/compare", old=str(old), new=str(new))
    assert status == 200
    assert (body["old"]["id"], body["new"]["id"]) == (old, new)
    assert body["old"]["source"].startswith("seed = 0") and body["new"]["lab_path"] == "seeds.ipynb"
    assert body["old"]["outputs"][0]["size"] == 5 and body["new"]["outputs"] == []
    assert body["same_cell"] and not body["same_source"]
    assert [j["verdict"] for j in body["old_judgements"]] == ["held"]
    assert [j["verdict"] for j in body["new_judgements"]] == ["failed"]
    acts, seed = body["values"]
    assert (acts["name"], acts["change"]) == ("acts", "changed")
    (mean,) = [s for s in acts["stats"] if s["stat"] == "mean"]
    assert (mean["old"], mean["new"], mean["delta"]) == (0.125, 0.5, 0.375)
    assert seed["stats"] == [
        {"stat": "value", "old": 0, "new": 1, "changed": True, "delta": 1.0, "relative": None}
    ]
    assert body["verdicts"] == [
        {
            "prediction_id": "H1.P1",
            "hypothesis_id": "H1",
            "expression": "acts.mean() < 0.3",
            "statement": "the mean stays small",
            "old": "held",
            "new": "failed",
            "change": "held_to_failed",
        }
    ]

    # Two cells apart: not the same cell; "#" before an id is allowed, as people write them.
    status, apart = await api("GET", "experiments/compare", old=f"#{old}", new=str(other))
    assert status == 200 and not apart["same_cell"]
    assert [(v["name"], v["change"]) for v in apart["values"]] == [("acts", "removed"), ("seed", "removed")]


async def test_a_missing_or_bad_id_is_a_clear_error(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        first = run(store, "x = 1", {})
    status, error = await api("GET", "experiments/compare", old=str(first), new="999")
    assert status == 404 and error["message"] == "no experiment 999 in this logbook"
    status, error = await api("GET", "experiments/compare", old="seven", new=str(first))
    assert status == 400 and "the old experiment id must be a whole number" in error["message"]
    status, error = await api("GET", "experiments/compare", old=str(first))
    assert status == 400 and "say which two experiments to compare" in error["message"]
    status, error = await api("GET", "experiments/compare", old=str(first), new=str(first))
    assert status == 400 and error["message"] == f"choose two different experiments: both are #{first}"
