"""Prediction expressions: refused when malformed, judged against a namespace."""

import math

import pytest

from logbook.rules.predictions import (
    PredictionSyntaxError,
    judge,
    parse_expression,
    surprisal_bits,
)


def test_names_read_by_an_expression_exclude_the_builtins_it_may_use():
    assert parse_expression("max(scores) > threshold and len(heads) == 2") == ["scores", "threshold", "heads"]
    assert parse_expression("all(flags) and min(values) > 0") == ["flags", "values"]
    assert parse_expression("cache['blocks.0.hook_pattern'].shape[0] == 1") == ["cache"]


@pytest.mark.parametrize("bad", ["", "   ", "acc >", "x = 1", "import os", "def f(): pass", "a b"])
def test_malformed_expressions_are_refused_with_the_reason(bad):
    with pytest.raises(PredictionSyntaxError) as error:
        parse_expression(bad)
    assert str(error.value)


def test_surprisal_is_minus_log2_of_the_probability_given_to_what_happened():
    assert surprisal_bits(0.9, held=False) == pytest.approx(-math.log2(0.1))
    assert surprisal_bits(0.9, held=True) == pytest.approx(-math.log2(0.9))
    assert surprisal_bits(0.5, held=False) == pytest.approx(1.0)


def test_certainty_is_clamped_so_surprisal_stays_finite():
    assert surprisal_bits(1.0, held=False) == pytest.approx(-math.log2(0.001))
    assert surprisal_bits(0.0, held=True) == pytest.approx(-math.log2(0.001))


def test_judging_reports_held_failed_missing_and_raising():
    assert judge("a > 1", ["a"], {"a": 2}).held is True
    assert judge("a > 1", ["a"], {"a": 0}).held is False
    assert judge("a > 1", ["a"], {}).missing
    raising = judge("a / 0 > 1", ["a"], {"a": 1})
    assert raising.held is None and raising.error.startswith("ZeroDivisionError")


def test_a_value_without_a_truth_is_an_error_not_a_crash():
    class Ambiguous:
        def __bool__(self):
            raise ValueError("truth value is ambiguous")

    outcome = judge("x", ["x"], {"x": Ambiguous()})
    assert outcome.error == "ValueError: truth value is ambiguous"
