"""Summaries and records at scale: time taken and JSON size for three large things.

    python bench/summaries_scale.py

* the ActivationCache of a 48-layer model (thousands of keys): its summary, and
  the torch activity recorded for the cell that built it;
* a 1 GiB tensor: on the CPU (metadata only), through the accelerator path
  (flagged as a device tensor on an idle device: a strided sample), and on
  CUDA for real when torch sees a GPU;
* a 7-billion-parameter Llama built on the meta device: its summary and its
  identity (name, config, parameter count, fingerprint of names and shapes).
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

import torch

from kernel_hooks.model_identity import identify
from kernel_hooks.summaries import STATS_MAX_ELEMENTS, summarize
from kernel_hooks.tensor_stats import statistics
from kernel_hooks.torch_activity import TorchActivity


def measure(label: str, make: Callable[[], Any], repeats: int = 3) -> None:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = make()
        times.append(time.perf_counter() - start)
    size = len(json.dumps(result))
    print(f"  {label:58} {min(times) * 1000:9.2f} ms   {size:8,} bytes JSON")


def deep_cache() -> None:
    from transformer_lens.model_bridge import TransformerBridge

    model = TransformerBridge.boot_native(
        dict(
            n_layers=48,
            d_model=16,
            n_heads=2,
            d_head=8,
            d_mlp=32,
            d_vocab=50,
            n_ctx=16,
            act_fn="relu",
            seed=0,
        )
    )
    tokens = torch.randint(0, 50, (1, 8), generator=torch.Generator().manual_seed(0))
    activity = TorchActivity()
    activity.start(namespace={"model": model})
    _, cache = model.run_with_cache(tokens)
    recorded = activity.stop()
    activity.unpatch_libraries()
    keys = list(cache.keys())
    print(f"ActivationCache of a 48-layer model: {len(keys):,} keys")
    measure("summary of the cache", lambda: summarize(cache))
    print(f"  {'the key names in full (for comparison)':58} {'':12}   {len(json.dumps(keys)):8,} bytes JSON")
    print(
        f"  {'torch activity recorded for the cell':58} {'':12}   {len(json.dumps(recorded)):8,} bytes JSON"
    )


def gigabyte() -> None:
    print("A 1 GiB float32 tensor")
    huge = torch.empty(2**28)
    measure("on the CPU: metadata only", lambda: summarize(huge))
    huge.fill_(0.5)
    measure(
        "accelerator path on an idle device (simulated on the CPU)",
        lambda: statistics(huge, STATS_MAX_ELEMENTS, device_type="cuda", idle=lambda device: True),
    )
    measure(
        "accelerator path on a busy device (simulated on the CPU)",
        lambda: statistics(huge, STATS_MAX_ELEMENTS, device_type="cuda", idle=lambda device: False),
    )
    huge.set_(torch.empty(0))  # give the gigabyte back before the next case
    if torch.cuda.is_available():
        device = torch.randn(2**28, device="cuda")
        torch.cuda.synchronize()
        measure(f"on {torch.cuda.get_device_name()} (idle)", lambda: summarize(device))
        busy = lambda: [device.mul_(1.0) for _ in range(20)] and summarize(device)  # noqa: E731
        measure("on the GPU while 20 passes over it are still queued", busy)
    else:
        print("  (no CUDA device: the real device case is skipped)")


def seven_billion() -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    with torch.device("meta"):
        model = LlamaForCausalLM(LlamaConfig())
    print(
        f"A Llama of {sum(p.numel() for p in model.parameters()) / 1e9:.2f} billion parameters on the meta device"
    )
    measure("summary of the model object", lambda: summarize(model))
    measure("its identity (first time, then cached)", lambda: identify(model), repeats=1)
    measure("its identity, cached", lambda: identify(model))


def main() -> None:
    print(f"torch {torch.__version__}, CUDA {'available' if torch.cuda.is_available() else 'not available'}")
    deep_cache()
    gigabyte()
    seven_billion()


if __name__ == "__main__":
    main()
