"""Tensor statistics never stall an accelerator, and stay bounded for any size of tensor.

There is no accelerator here: the accelerator path is taken by flagging a CPU
(or meta) tensor as ``cuda`` and injecting the device's idle check. A meta
tensor has no data at all, so any read of it would raise.
"""

import json
import time

import pytest

from kernel_hooks.summaries import STATS_MAX_ELEMENTS, summarize
from kernel_hooks.tensor_stats import SAMPLE, plan, statistics, strided_sample
from kernel_hooks.torch_activity import collapse_keys

torch = pytest.importorskip("torch")

BUSY, IDLE = (lambda device: False), (lambda device: True)


def test_cpu_tensors_are_read_whole_up_to_the_limit_and_not_at_all_beyond():
    assert plan(torch.ones(10), STATS_MAX_ELEMENTS) == ("full", "")
    assert plan(torch.ones(STATS_MAX_ELEMENTS + 1), STATS_MAX_ELEMENTS) == ("skip", "large")
    assert statistics(torch.ones(STATS_MAX_ELEMENTS + 1), STATS_MAX_ELEMENTS) == {}


def test_a_device_tensor_is_not_read_while_its_device_is_busy():
    asked = []
    meta = torch.empty(4, 4, device="meta")
    fields = statistics(meta, STATS_MAX_ELEMENTS, device_type="cuda", idle=lambda d: asked.append(d) or False)
    assert fields == {"stats": "skipped (device busy)"} and len(asked) == 1
    assert plan(meta, STATS_MAX_ELEMENTS, device_type="cuda", idle=BUSY).path == "skip"


def test_even_a_device_scalar_waits_for_an_idle_device():
    assert statistics(torch.tensor(0.25), STATS_MAX_ELEMENTS, device_type="cuda", idle=BUSY) == {
        "stats": "skipped (device busy)"
    }
    assert statistics(torch.tensor(0.25), STATS_MAX_ELEMENTS, device_type="cuda", idle=IDLE) == {
        "value": 0.25
    }


def test_a_small_tensor_on_an_idle_device_gets_the_same_statistics_as_on_the_cpu():
    values = torch.tensor([[1.0, float("nan")], [3.0, -4.0]])
    on_device = statistics(values, STATS_MAX_ELEMENTS, device_type="cuda", idle=IDLE)
    assert on_device == statistics(values, STATS_MAX_ELEMENTS)
    assert on_device["nan"] == 1 and (on_device["min"], on_device["max"]) == (-4.0, 3.0)


def test_a_large_tensor_on_an_idle_device_is_read_through_a_strided_sample():
    values = torch.arange(4_000_000, dtype=torch.float32)
    assert plan(values, STATS_MAX_ELEMENTS, device_type="cuda", idle=IDLE).path == "sample"
    fields = statistics(values, STATS_MAX_ELEMENTS, device_type="cuda", idle=IDLE)
    assert fields["sample"] <= SAMPLE and "norm" not in fields
    assert fields["mean"] == pytest.approx(2_000_000, rel=0.01) and fields["nan"] == 0


def test_a_strided_sample_is_a_view_of_a_bounded_number_of_elements():
    contiguous = torch.zeros(1000, 1000)
    transposed = contiguous.t()
    for tensor in (contiguous, transposed):
        sample = strided_sample(tensor, 1000)
        assert sample.numel() <= 1000
        assert sample.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr()


def test_meta_sparse_and_empty_tensors_are_described_without_reading_anything():
    assert plan(torch.empty(3, device="meta"), STATS_MAX_ELEMENTS).reason == "no data to read"
    assert plan(torch.zeros(3, 3).to_sparse(), STATS_MAX_ELEMENTS).reason == "no data to read"
    assert plan(torch.zeros(0), STATS_MAX_ELEMENTS).reason == "empty"


def test_a_gigabyte_tensor_is_summarised_in_bounded_time_and_size():
    huge = torch.empty(2**28, device="meta")
    start = time.perf_counter()
    summary = summarize(huge)
    assert time.perf_counter() - start < 0.05
    assert summary["shape"] == [2**28] and len(json.dumps(summary)) < 200


def test_cache_keys_of_a_deep_model_fold_into_one_pattern_per_hook():
    keys = [f"blocks.{layer}.attn.hook_{name}" for layer in range(48) for name in ("q", "k", "pattern")]
    keys += ["hook_embed", "blocks.3.attn.heads.7", "blocks.5.attn.heads.2"]
    assert collapse_keys(keys) == [
        "blocks.{0-47}.attn.hook_q",
        "blocks.{0-47}.attn.hook_k",
        "blocks.{0-47}.attn.hook_pattern",
        "hook_embed",
        "blocks.{3,5}.attn.heads.{2,7}",
    ]
