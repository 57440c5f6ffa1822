"""What noting cache reads costs: one ``ActivationCache`` access, patched and not, in the same run.

    python bench/coverage_reads.py [--accesses 200000] [--rounds 15]

Coverage counts an activation as looked at when a cell reads it from a cache,
so the recorder wraps ``ActivationCache.__getitem__``, ``items`` and
``values`` (a set add per access; names are resolved when the cell ends). This
measures, in one process and in alternating rounds so all see the same load:
the unpatched class (the baseline), the patched class between cells (the
recorder idle) and the patched class inside a cell (recording). Accesses: a
full key (``cache['blocks.0.attn.hook_pattern']``), a shorthand
(``cache['pattern', 0]``), one pass over ``cache.items()`` and
``cache.stack_activation('pattern')``. Then the time the end of a cell spends
turning the reads into names. Prints the median per access and the ratio to the
baseline of the same round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel_hooks.torch_activity import TorchActivity  # noqa: E402

CASES = {
    "cache['blocks.0.attn.hook_pattern']": lambda cache: cache["blocks.0.attn.hook_pattern"],
    "cache['pattern', 0]": lambda cache: cache["pattern", 0],
    "for k, v in cache.items() (per item)": None,  # timed per item yielded, below
    "cache.stack_activation('pattern')": lambda cache: cache.stack_activation("pattern"),
}


def _build():
    import torch
    from transformer_lens.model_bridge import TransformerBridge

    model = TransformerBridge.boot_native(
        dict(n_layers=4, d_model=64, n_heads=4, d_head=16, d_vocab=50, n_ctx=32, act_fn="relu", seed=0)
    )
    tokens = torch.randint(0, 50, (1, 16), generator=torch.Generator().manual_seed(0))
    _, cache = model.run_with_cache(tokens)
    return model, cache


def _per_access(case: str, cache, accesses: int) -> float:
    """Seconds per access for ``case``."""
    if CASES[case] is None:
        items = len(cache)
        passes = max(1, accesses // items)
        start = time.perf_counter()
        for _ in range(passes):
            for _key, _value in cache.items():
                pass
        return (time.perf_counter() - start) / (passes * items)
    access = CASES[case]
    n = accesses if "stack" not in case else max(1, accesses // 100)
    start = time.perf_counter()
    for _ in range(n):
        access(cache)
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accesses", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    model, cache = _build()
    activity = TorchActivity()
    times: dict[str, dict[str, list[float]]] = {case: {} for case in CASES}
    ending: list[float] = []
    for _ in range(args.rounds):
        for condition in ("unpatched", "patched, between cells", "patched, in a cell"):
            if condition == "unpatched":
                activity.unpatch_libraries()
            else:
                activity.patch_libraries()
            if condition == "patched, in a cell":
                activity.start({"model": model, "cache": cache})
            for case in CASES:
                times[case].setdefault(condition, []).append(_per_access(case, cache, args.accesses))
            if condition == "patched, in a cell":
                start = time.perf_counter()
                record = activity.stop()
                ending.append(time.perf_counter() - start)
                assert record["cache_reads"][0]["keys"], "the reads were recorded"
    activity.unpatch_libraries()

    print(f"ActivationCache access, median of {args.rounds} rounds (ratio: to unpatched, same round, median)")
    for case, by in times.items():
        base = by["unpatched"]
        print(f"  {case}")
        for condition, values in by.items():
            ratio = statistics.median(v / b for v, b in zip(values, base))
            print(f"    {condition:24s} {statistics.median(values) * 1e9:9.0f} ns   ratio {ratio:.2f}")
    print(
        f"  end of a cell that read {len(cache)} keys of one cache (resolving names, describing the model): "
        f"median {statistics.median(ending) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
