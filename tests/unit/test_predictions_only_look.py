"""A prediction only looks: each way found to change the notebook or reach the system is refused, the notebook kept.

Every case is judged in-process against real objects (a tensor, an array, a
deque, a set, a list, a dict, a torch model, a generator, the os module),
through :func:`logbook.rules.predictions.judge`, which checks a stored prediction
again (one written under older rules) before it runs it and guards what only
the values show as it runs. Each case asserts the reason and that every
object is as it was.
"""

import collections
import copy
import os

import numpy as np
import pytest

import logbook
from logbook.errors import LogbookError
from logbook.rules.prediction_methods import allowed_method
from logbook.rules.predictions import PredictionSyntaxError, judge, parse_expression

torch = pytest.importorskip("torch")


def _numbers(n):
    yield from range(n)


@pytest.fixture
def notebook():
    """A notebook's namespace of real objects, and a way to see what each holds now."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 2))
    model.eval()
    names = {
        "d": {"k": 1, "j": 2},
        "lst": [3, 1, 2],
        "t": torch.tensor([1.0, 2.0, 3.0]),
        "arr": np.arange(4.0),
        "dq": collections.deque([1, 2, 3]),
        "s": {1, 2, 3},
        "model": model,
        "hook": lambda module, inputs, output: None,
        "gen": _numbers(3),
        "os": os,
        "cmd": "touch pwned",
        "x": 3,
        "big": 12345,
        "counts": collections.defaultdict(int, {"a": 1}),
        "pairs": [_numbers(2)],
        "held": {"gen": _numbers(2)},
        "torch": torch,
        "np": np,
    }

    def state():
        return {
            "d": dict(names["d"]),
            "lst": list(names["lst"]),
            "t": names["t"].tolist(),
            "arr": names["arr"].tolist(),
            "dq": list(names["dq"]),
            "s": set(names["s"]),
            "training": model.training,
            "hooks": len(model[0]._forward_hooks),
            "weights": copy.deepcopy(model.state_dict()),
            "gen": names["gen"].gi_frame.f_lasti if names["gen"].gi_frame else None,
            "pairs": names["pairs"][0].gi_frame.f_lasti,
            "held": names["held"]["gen"].gi_frame.f_lasti,
            "counts": dict(names["counts"]),
        }

    return names, state


def same(before, after):
    weights = before.pop("weights"), after.pop("weights")
    return before == after and all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


#: The cases found, and a word of the reason each is refused with.
FOUND = [
    ("min(['k'], key=d.pop) is None", "key= in min(): a callable passed as a value"),
    ("sorted([1, 2], key=lst.append) is None", "key= in sorted()"),
    ("max([1.0], key=t.add_) is not None", "key= in max()"),
    ("arr.fill(7) is None", ".fill() changes its object in place"),
    ("arr.put([0], [99]) is None", ".put() changes its object in place"),
    ("dq.popleft() == 1", ".popleft() changes its object in place"),
    ("s.difference_update({1}) is None", ".difference_update() changes its object"),
    ("model.train(False) is not None", ".train() changes its object"),
    ("model.register_forward_hook(hook) is not None", ".register_forward_hook() changes its object"),
    ("len(list(gen)) > 0", "gen: an iterator (generator): reading it would advance it"),
    ("os.getpid() > 0", "os: the module os: a prediction reaches only the modules torch, numpy and math"),
    ("sorted([cmd], key=os.system) is None", "key= in sorted()"),
    ("sorted([x], key='{0.secret}'.format) is None", "key= in sorted()"),
]

#: Ways round the write-time rules that only the values show, refused as the prediction runs.
AT_RUN_TIME = [
    ("lst.sort() is None", "sort() is not a method a prediction may call on a list"),
    ("arr.sort() is None", "sort() is not a method a prediction may call on a numpy.ndarray"),
    ("arr.sum(0, None, arr) > 0", "sum() takes at most 2 positional arguments"),
    ("arr.clip(0, 1, arr).sum() > 0", "clip() takes at most 2 positional arguments"),
    ("np.abs(arr, arr).sum() > 0", "abs() takes at most 1 positional argument"),
    (
        "model.cpu() is model",
        "cpu() is not a method a prediction may call on a torch.nn.modules.container.Sequential",
    ),
    ("model.half() is model", "half() is not a method a prediction may call on a torch.nn"),
    ("x in gen", "gen: an iterator"),
    ("torch.os.getpid() > 0", "torch.os: the module os"),
    ("torch.manual_seed(0) is None", "torch.manual_seed() is not one of the torch functions"),
    ("counts['missing'] == 0", "'missing' is not in this defaultdict, and reading it would add it"),
    ("dict(pairs) == {}", "an iterator (generator)"),
    ("len(d.get) > 0", "d.get: a method (get), used as a value: a callable may only be called"),
    ("len(list(held.get('gen'))) > 0", "held.get('gen'): an iterator (generator)"),
    ("hook(x) is None", "hook: a function (<lambda>) not marked as a check"),
    ("lst is not hook", "hook: a function (<lambda>), used as a value"),
]


@pytest.mark.parametrize(("expression", "reason"), FOUND + AT_RUN_TIME)
def test_each_way_to_change_the_notebook_is_refused_and_the_notebook_is_left_as_it_was(
    notebook, expression, reason
):
    names, state = notebook
    before = state()
    judgement = judge(expression, [], names)
    assert judgement.held is None and judgement.error is not None, judgement
    assert "not allowed in a prediction" in judgement.error and reason in judgement.error, judgement.error
    assert same(before, state())
    assert not os.path.exists("pwned")


@pytest.mark.parametrize(("expression", "reason"), FOUND[:9] + FOUND[11:])
def test_what_the_text_alone_shows_is_refused_when_written(expression, reason):
    with pytest.raises(PredictionSyntaxError, match="not allowed in a prediction") as error:
        parse_expression(expression)
    assert reason in str(error.value)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("big ** 10**8 > 0", "an integer of about 409,149,115 digits"),
        ("pow(big, 10**8) > 0", "an integer of about"),
        ("big << 10**9 > 0", "an integer of about"),
        ("(big ** 20000) * (big ** 20000) > 0", "an integer of about 163,6"),
        ("round(big, -10**8) == 0", "an integer of about 100,000,000 digits"),
        ("len('x' * big * big) > 0", "a repetition making 152,399,025 items"),
        ("len([0] * 10**10) > x", "a repetition making 10,000,000,000 items"),
        ("len(range(big ** 2)) > 0", "range() in a prediction spans at most 1,000,000 numbers"),
        ("torch.ones(10**6, 10**6).sum() > 0", "it would make 1,000,000,000,000 elements"),
        ("torch.zeros((10**5, 10**5)).sum() > 0", "it would make 10,000,000,000 elements"),
        ("np.full((10**5, 10**5), 1.0).sum() > 0", "it would make 10,000,000,000 elements"),
        ("torch.arange(10**12).sum() > 0", "it would make 1,000,000,000,000 elements"),
        ("np.linspace(0, 1, 10**10).sum() > 0", "it would make 10,000,000,000 elements"),
        ("torch.eye(10**6).sum() > 0", "it would make 1,000,000,000,000 elements"),
        ("t.new_ones(10**5, 10**5).sum() > 0", "it would make 10,000,000,000 elements"),
        ("torch.stack([wide] * 10**4).sum() > 0", "it would make 100,000,000 elements"),
        ("(wide[:, None] * wide[None, :]).sum() > 0", "it would make 100,000,000 elements"),
        ("(wide[:, None] == wide[None, :]).sum() > 0", "it would make 100,000,000 elements"),
        ("grid[torch.zeros(10**5, dtype=torch.long)].sum() > 0", "it would make 100,000,000 elements"),
        ("(square @ square).sum() > 0", "a matrix product of 8,000,000,000,000 multiply-adds"),
        ("sum([lst], []) == lst", "a sum of sequences copies them again for every item"),
        ("'%s' % x == '3'", "printf-style % formatting"),
        ("f'{x:1000000000}' != ''", "a format width or precision of 1000000000"),
    ],
)
def test_what_the_budget_could_not_stop_is_bounded_before_it_runs(expression, reason):
    names = {
        "big": 12345,
        "t": torch.ones(3),
        "lst": [1],
        "x": 3,
        "wide": torch.ones(10**4),
        "grid": torch.ones(1000, 1000),
        "square": torch.empty(20_000, 20_000, device="meta"),
        "torch": torch,
        "np": np,
    }
    judgement = judge(expression, [], names)
    assert judgement.error is not None and reason in judgement.error, judgement


def test_what_a_researcher_predicts_still_holds_or_fails_as_it_should():
    a, b = torch.tensor([[0.1, 0.9], [0.6, 0.4]]), np.arange(6.0).reshape(2, 3)
    names = {
        "scores": a,
        "arr": b,
        "lst": [3, 1, 2],
        "d": {"k": 1},
        "s": "abc",
        "x": 3,
        "torch": torch,
        "np": np,
        "counts": collections.Counter("a"),
    }
    held = [
        "scores.max() > 0.5",
        "scores.sort(dim=-1).values[:, -1].min() > 0.5",  # a tensor's sort makes new tensors
        "scores.softmax(-1).sum(-1).allclose(torch.ones(2))",
        "scores.argmax(-1).tolist() == [1, 0]",
        "scores.topk(1).indices.flatten().tolist() == [1, 0]",
        "torch.isclose(scores.sum(), torch.tensor(2.0))",
        "scores.abs().mean().item() == 0.5",
        "scores.to('cpu').detach().clone().numpy().shape == (2, 2)",
        "np.linalg.norm(arr) > 0 and arr.mean(0).tolist() == [1.5, 2.5, 3.5]",
        "sorted(lst) == [1, 2, 3] and lst.index(3) == 0 and lst.count(1) == 1",
        "d.get('k') == 1 and list(d.keys()) == ['k'] and len(d.items()) == 1",
        "s.startswith('a') and s.upper() == 'ABC' and s.split('b') == ['a', 'c']",
        "isinstance(x, (int, float)) and 0 < x < 5 and x ** 2 == 9",
        "isinstance(d, dict) and isinstance(range(x), range) and dict(d) == d and sum(range(x)) == 3",
        "(scores[:, None] * scores[None, :]).shape == (2, 2, 2)",
        "f'{x:.2f}' == '3.00'",
        "len(list(counts.elements())) == 1",  # an iterator a method makes is new: reading it changes nothing
    ]
    for expression in held:
        judgement = judge(expression, parse_expression(expression), names)
        assert judgement.held is True, (expression, judgement)
    assert names["lst"] == [3, 1, 2] and torch.equal(names["scores"], a)


def test_your_own_functions_run_once_marked_as_checks_and_only_then():
    calls = []

    def margin(logits):
        calls.append(1)
        return float(logits.max() - logits.min())

    names = {"margin": margin, "logits": torch.tensor([0.0, 2.0])}
    refused = judge("margin(logits) > 1", ["margin", "logits"], names)
    assert "margin: a function (margin) not marked as a check" in refused.error and calls == []
    assert logbook.checks(margin) is margin
    assert judge("margin(logits) > 1", ["margin", "logits"], names).held is True and calls == [1]
    # A check is called, never handed over or read; and what it is given is guarded like the rest.
    assert "a check may only be called" in judge("margin(logits) > margin", [], names).error
    names["d"] = {"k": 1}
    assert "d.get: a method (get), used as a value" in judge("margin(d.get) > 0", [], names).error

    def margin_again(logits):  # the same name bound to another function is not a check
        return 0.0

    names["margin"] = margin_again
    assert "not marked as a check" in judge("margin(logits) > 1", [], names).error
    with pytest.raises(LogbookError, match="a check is a function you wrote"):
        logbook.checks(os)


def test_your_own_types_methods_are_allowed_by_name():
    class Result:
        def __init__(self):
            self.calls = 0

        def max(self):
            return 0.7

        def score(self):
            self.calls += 1
            return 0.9

    result = Result()
    assert (
        judge("result.max() > 0.5", [], {"result": result}).held is True
    )  # a read's name, on a type no table knows
    refused = judge("result.score() > 0.5", [], {"result": result})
    assert "score() is not a method a prediction may call" in refused.error and result.calls == 0
    assert "logbook.allow_methods() adds your own" in refused.error
    logbook.allow_methods(Result, ["score"])
    assert judge("result.score() > 0.5", [], {"result": result}).held is True and result.calls == 1
    logbook.allow_methods("Named", "score")
    named = type("Named", (), {"score": lambda self: 1.0})()
    assert allowed_method(named, "score")[0] is True
    with pytest.raises(LogbookError, match=r"\.pop\(\) changes its object in place"):
        logbook.allow_methods("Named", ["pop"])
    with pytest.raises(LogbookError, match="not a method name"):
        logbook.allow_methods("Named", ["score()"])


def test_a_cache_is_read_by_key_and_its_listed_methods():
    cache_module = pytest.importorskip("transformer_lens.ActivationCache")
    cache = cache_module.ActivationCache(
        {"blocks.0.hook_resid_post": torch.ones(1, 2, 4), "blocks.1.hook_resid_post": torch.ones(1, 2, 4)},
        model=None,
    )
    names = {"cache": cache}
    assert judge("cache['blocks.0.hook_resid_post'].shape[-1] == 4", [], names).held is True
    assert judge("len(list(cache.keys())) == 2", [], names).held is True
    refused = judge("cache.remove_batch_dim() is None", [], names)
    assert ".remove_batch_dim() changes its object" in refused.error
    moved = judge(
        "cache.to('cpu') is cache", [], names
    )  # a cache's to() moves it in place; a tensor's makes a copy
    assert "to() is not a method a prediction may call on a transformer_lens" in moved.error
    assert set(cache.keys()) == {"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"}
