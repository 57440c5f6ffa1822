"""Compact summaries of assigned values."""

import math

import numpy as np
import pytest

from kernel_hooks.summaries import STATS_MAX_ELEMENTS, summarize

torch = pytest.importorskip("torch")


def test_small_tensors_get_shape_dtype_device_and_statistics():
    t = torch.tensor([[1.0, float("nan")], [3.0, -4.0]])
    s = summarize(t)
    assert s["shape"] == [2, 2] and s["dtype"] == "float32" and s["device"] == "cpu"
    assert s["nan"] == 1 and s["min"] == -4.0 and s["max"] == 3.0
    assert s["mean"] == pytest.approx(0.0) and s["norm"] == pytest.approx(math.sqrt(26))


def test_large_tensors_get_only_their_metadata():
    s = summarize(torch.zeros(STATS_MAX_ELEMENTS + 1))
    assert s["shape"] == [STATS_MAX_ELEMENTS + 1] and "mean" not in s


def test_scalars_arrays_and_modules():
    assert summarize(torch.tensor(2.5))["value"] == 2.5
    assert summarize(np.arange(4.0))["max"] == 3.0
    linear = summarize(torch.nn.Linear(3, 2))
    assert linear["parameters"] == 8 and linear["type"].endswith("Linear")


def test_objects_that_misbehave_are_summarized_without_raising():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no repr for you")

    s = summarize(Hostile())
    assert s["type"] == "test_summaries.Hostile" or s["type"].endswith("Hostile")


def test_long_strings_and_containers_are_cut_short():
    assert len(summarize("x" * 10_000)["value"]) == 200
    assert summarize(list(range(10_000)))["len"] == 10_000
    assert len(summarize(list(range(10_000)))["repr"]) < 100
