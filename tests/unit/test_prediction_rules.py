"""A prediction is an expression that looks at notebook names, never a program: refused when written, fenced when run."""

import pytest

from logbook.errors import LogbookError
from logbook.rules.predictions import PredictionSyntaxError, judge, parse_expression


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("1 + 1 == 2", "reads no notebook name"),
        ("len('abc') == 3", "reads no notebook name"),
        ("__import__('os').system('id') != 0 or True", "the name __import__"),
        ("x.__class__ is int", "the name __class__"),
        ("x.__class__.__base__.__subclasses__()", "the name __"),
        ("(n := x) > 0", "assignment expression (:=)"),
        ("(lambda: x)() > 0", "a lambda"),
        ("[v for v in values] == []", "comprehension or generator expression"),
        ("all(v > 0 for v in values)", "loops, without bound over an iterator"),
        ("{k: 1 for k in keys} == {}", "comprehension"),
        ("{v for v in values} == set()", "comprehension"),
        ("eval(code)", "the builtin eval()"),
        ("exec(code) is None", "the builtin exec()"),
        ("open(path).read() == ''", "the builtin open()"),
        ("getattr(x, name) == 1", "the builtin getattr()"),
        ("type(x) is int", "the builtin type()"),
        ("globals()['x'] == 1 and x", "the builtin globals()"),
        ("next(it) > 0", "the builtin next()"),
        ("sink.append(len(sink)) or True", ".append() changes its object in place"),
        ("seen.add(x) or True", ".add() changes its object"),
        ("cache.update(x) is None", ".update()"),
        ("weights.add_(1).sum() > 0", ".add_() changes its object"),
        ("grad.zero_() is None", ".zero_()"),
        ("'{0.__class__}'.format(x) != ''", ".format()"),
        ("handlers[0](x)", "a call of a computed function"),
        ("max(scores, key=len) > 0", "key= in max(): a callable passed as a value"),
        ("sorted(x, key=abs) == x", "key= in sorted()"),
        ("len(x) == len(len)", "the builtin len used as a value"),
        ("f(*args) > 0", "unpacking with *"),
        ("f(**kwargs) > 0", "unpacking with **"),
        ("{**d} == d", "unpacking with **"),
        ("arr.sum(out=other) > 0", "out= writes into an existing value"),
        ("check(lst.pop) > 0", ".pop, a method that changes its object, used as a value"),
        ("check(t.add_) > 0", ".add_, a method that changes its object"),
        ("gen.send(None) > 0", ".send() changes its object"),
        ("f'{x:{width}}' != ''", "a format spec computed from values"),
        ("f'{x:.100000f}' != ''", "a format width or precision of 100000"),
        ("'%s' % x == '1'", "printf-style % formatting"),
    ],
)
def test_what_a_prediction_may_not_contain_is_refused_with_the_reason(expression, reason):
    with pytest.raises(PredictionSyntaxError) as error:
        parse_expression(expression)
    assert str(error.value).startswith("not allowed in a prediction: ")
    assert reason in str(error.value)


def test_a_refused_prediction_is_a_logbook_error_not_a_value_error():
    with pytest.raises(LogbookError) as error:
        parse_expression("loss >")
    assert isinstance(error.value, PredictionSyntaxError) and not isinstance(error.value, ValueError)
    assert str(error.value).startswith("not a Python expression")


def test_a_loop_refusal_suggests_what_to_write_instead():
    with pytest.raises(PredictionSyntaxError, match=r"\(scores > 0\)\.all\(\), min\(scores\) > 0"):
        parse_expression("all(s > 0 for s in scores)")


def test_await_and_yield_are_refused():
    with pytest.raises(PredictionSyntaxError, match="await: a prediction is judged at once"):
        parse_expression("(await x) > 0")
    with pytest.raises(PredictionSyntaxError, match="yield: a prediction is one expression"):
        parse_expression("(yield x) > 0")


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("(scores > 0).all()", ["scores"]),
        ("min(scores) > 0 and all(flags)", ["scores", "flags"]),
        ("isinstance(x, float) and round(x, 2) == 0.12", ["x"]),
        ("abs(loss - target) < 1e-3", ["loss", "target"]),
        ("sorted(heads)[:2] == [(1, 0), (1, 1)]", ["heads"]),
        ("cache['blocks.0.hook_pattern'].shape[0] == 1", ["cache"]),
        ("model.cfg.n_layers == 2 and f'{x:.1f}' == '0.1'", ["model", "x"]),
        ("input.shape[-1] == 10", ["input"]),
        ("metric(logits, labels) > 0.5", ["metric", "logits", "labels"]),
        ("x in range(10)", ["x"]),
        ("scores.sort().values[0] > 0", ["scores"]),  # allowed on tensors, refused on lists when judged
        ("isinstance(x, (int, float)) and f'{x:.3f}' != ''", ["x"]),
        ("torch.ones(1, 12).allclose(probs)", ["torch", "probs"]),
    ],
)
def test_what_a_prediction_may_contain(expression, names):
    assert parse_expression(expression) == names


def test_an_expression_runs_in_a_scope_of_its_own_and_leaves_the_namespace_alone():
    namespace = {"x": 2, "secret": "kept"}
    assert judge("x > 1", ["x"], namespace).held is True
    assert namespace == {"x": 2, "secret": "kept"}
    # Names it does not read are out of its reach, and so are all but the allowed builtins.
    assert judge("x > 1 and isinstance(x, int)", ["x"], namespace).held is True


def test_only_the_allowed_builtins_exist_when_it_runs():
    namespace = {"code": "1"}
    # Written before the rules, or by hand into the file: refused again when judged, never run.
    outcome = judge("eval(code) == 1", ["code"], namespace)
    assert outcome.held is None and outcome.error.startswith(
        "PredictionSyntaxError: not allowed in a prediction"
    )
    # A builtin it may not use is a notebook name: absent, so the prediction waits.
    assert judge("len(print) > 0 and x", ["x"], {"x": 1}).missing
    # A callable handed over is refused, whatever it is.
    keyed = judge("sorted([2, 1], key=print) == [1, 2] and x", ["x"], {"x": 1})
    assert "key= in sorted(): a callable passed as a value" in keyed.error


def test_a_mutating_expression_stored_without_the_rules_is_not_run():
    sink: list[int] = []
    outcome = judge("sink.append(len(sink)) or True", ["sink"], {"sink": sink})
    assert sink == [] and outcome.error and "changes its object in place" in outcome.error


def test_range_is_bounded():
    assert judge("sum(range(n)) == 45", ["n"], {"n": 10}).held is True
    outcome = judge("sum(range(n)) > 0", ["n"], {"n": 10**9})
    assert (
        outcome.error
        == "ValueError: range() in a prediction spans at most 1,000,000 numbers, not 1,000,000,000"
    )
