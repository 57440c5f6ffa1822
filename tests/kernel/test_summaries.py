"""Compact summaries of assigned values."""

import json
import math
import time

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


class Sleepy:
    """Every method a summary might call takes a long time."""

    def __repr__(self):
        time.sleep(5)
        return "sleepy"

    __str__ = __repr__

    def __len__(self):
        time.sleep(5)
        return 1


class SleepyList(list):
    def __len__(self):
        time.sleep(5)
        return 0

    def __iter__(self):
        time.sleep(5)
        return iter([])

    def __getitem__(self, index):
        time.sleep(5)

    def __repr__(self):
        time.sleep(5)
        return "[]"


class SleepyDict(dict):
    def __len__(self):
        time.sleep(5)
        return 0

    def items(self):
        time.sleep(5)
        return []


class SleepyStr(str):
    def __len__(self):
        time.sleep(5)
        return 0

    def __getitem__(self, index):
        time.sleep(5)


HOSTILE = {
    "object": Sleepy(),
    "list subclass": SleepyList([1, Sleepy()]),
    "dict subclass": SleepyDict(a=Sleepy()),
    "str subclass": SleepyStr("hello"),
    "list of objects": [Sleepy()] * 100,
    "object array": np.array([Sleepy()] * 3, dtype=object),
    "one-object array": np.array([Sleepy(), None], dtype=object)[:1],
    "30 MB string array": np.array(["x" * 30_000_000]),
    "30 MB of strings": np.array(["y" * 1000] * 30_000),
    "huge int": 10**5000,
    "long bytes": b"z" * 10_000_000,
    "long dict keys": {"k" * 100_000: "v" * 100_000},
    "deep nesting": [[[[[["deep"] * 50] * 50] * 50]]],
    "numpy string scalar": np.str_("w" * 10_000_000),
    "structured dtype": np.zeros(2, dtype=[(f"field{i}", "f8") for i in range(500)]),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_summaries_call_no_user_code_and_stay_small(name):
    begun = time.monotonic()
    summary = summarize(HOSTILE[name])
    assert time.monotonic() - begun < 1.0
    assert "error" not in summary and len(json.dumps(summary)) < 600, summary


def test_unknown_types_are_summarized_by_their_name_alone():
    name = f"{__name__}.Sleepy"
    assert summarize(Sleepy()) == {"type": name, "repr": f"<{name} object>"}
    assert summarize([Sleepy(), 1.5, "a"])["repr"] == f"[<{name}>, 1.5, 'a']"
    assert summarize(SleepyList([1, 2]))["len"] == 2
    assert summarize(SleepyStr("hello")) == {"type": f"{__name__}.SleepyStr", "len": 5, "value": "hello"}
    assert summarize(np.array(["x" * 30_000_000]))["value"] == "x" * 200


def test_a_small_dict_keeps_its_numbers_and_small_tensors_by_key():
    torch = pytest.importorskip("torch")
    summary = summarize(
        {"clean": 2.5, "heads": torch.tensor([0.1, -0.2]), "big": torch.zeros(1000), "f": print}
    )
    assert summary["items"].keys() == {"'clean'", "'heads'"}
    assert summary["items"]["'heads'"]["values"] == [pytest.approx(0.1), pytest.approx(-0.2)]
    assert "items" not in summarize({i: i for i in range(20)})  # more than a glance: its repr only
