"""Values become strict JSON that SQLite can store, whatever they hold."""

import json
from pathlib import Path

import pytest

from logbook.text import describe_observed, to_json


def test_plain_values_are_standard_json():
    value = {"loss": 0.25, "shape": (2, 3), "names": ["a", "é"], "ok": True, "none": None, 1: "key"}
    assert json.loads(to_json(value)) == {
        "loss": 0.25,
        "shape": [2, 3],
        "names": ["a", "é"],
        "ok": True,
        "none": None,
        "1": "key",
    }


def test_what_json_cannot_hold_becomes_text():
    class Opaque:
        def __repr__(self):
            return "<opaque>"

    value = {"nan": float("nan"), "inf": [float("-inf")], "object": Opaque(), "deep": {"x": float("nan")}}
    assert json.loads(to_json(value)) == {
        "nan": "nan",
        "inf": ["-inf"],
        "object": "<opaque>",
        "deep": {"x": "nan"},
    }


def test_lone_surrogates_are_escaped_so_the_text_is_utf8():
    weird = b"caf\xe9".decode("utf-8", "surrogateescape")
    text = to_json({weird: weird})
    text.encode("utf-8")
    assert json.loads(text) == {"caf\\udce9": "caf\\udce9"}


def test_observed_floats_keep_looking_like_floats():
    observed = {
        "entropy": {"type": "float", "value": 2.0},
        "loss": {"type": "float", "value": 0.123456},
        "tokens": {"type": "float", "value": 12345.0},
        "count": {"type": "int", "value": 2},
        "pattern": {"type": "Tensor", "dtype": "float32", "shape": [1, 12], "mean": 1.0},
    }
    assert describe_observed(observed) == (
        "entropy = 2.0, loss = 0.1235, tokens = 1.234e+04, count = 2, pattern = float32 [1, 12] mean 1.0"
    )


CASES = json.loads((Path(__file__).resolve().parents[1] / "support" / "observed_text_cases.json").read_text())


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["text"] or "nothing")
def test_observed_values_read_as_the_sidebar_writes_them(case):
    """The same cases hold the sidebar's describeObserved (extension/tests/format.test.ts) to this text."""
    assert describe_observed(case["observed"]) == case["text"]
