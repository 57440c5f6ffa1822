"""What recording costs the model itself: forward passes in process, run_with_cache cells through kernels.

    python bench/model_overhead.py [--passes 20] [--repeats 41] [--cells 100] [--gpt2-cells 40]

In process, one IPython shell times ``passes`` forward passes inside one cell
(the loop alone, timed in the cell) of a 500-layer toy model and of the demo
model, four ways in rotation: without Logbook, with Logbook, with a pre- and
post-hook on every module call (the global module hooks Logbook used to
install during each cell, for reference), and without Logbook again (the
noise floor: how far apart two identical runs come out on this machine). On the CPU, torch runs on one thread
and the loop is timed in that thread's CPU time, which other processes on a
shared machine do not inflate; on CUDA, in wall-clock time to a synchronised
device.

Kernels: ``run_with_cache`` cells on the demo model and on a 12-layer
GPT-2-shaped model, in a kernel with ``%load_ext kernel_hooks`` and an
identical kernel without, alternating blocks so both see the same load; median
and p99 of the round trips, the median CPU time of the kernel's main thread per
cell (which other processes on a shared machine do not inflate), and what the
slowest 1% of cells in each kernel ran into: a full collection of the cyclic garbage collector (generation 2), or a
batch of the recorder's writer thread.

Models and tokens go to CUDA when torch sees a GPU, else the CPU: the first
line printed says which.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kernels import describe, kernel, run  # noqa: E402

BLOCK = 10


def say(*args: object) -> None:
    """Print to the real stdout: the in-process shell may still be wrapping ``sys.stdout``."""
    print(*args, file=sys.__stdout__, flush=True)


DEVICE = (
    "device = 'cuda' if torch.cuda.is_available() else 'cpu'\n"
    "torch.set_num_threads(1) if device == 'cpu' else None\n"
)
SYNC = "torch.cuda.synchronize() if device == 'cuda' else None\n"

TOY = (
    "import time, torch\n"
    + DEVICE
    + (
        "toy = torch.nn.Sequential(*[torch.nn.Linear(16, 16) for _ in range(500)]).to(device)\n"
        "x = torch.randn(1, 16, device=device)\n"
        "model, inputs = toy, x\n"
    )
)
DEMO = (
    "import time, torch\nfrom transformer_lens.model_bridge import TransformerBridge\n"
    + DEVICE
    + (
        "demo = TransformerBridge.boot_native(dict(n_layers=2, d_model=64, n_heads=4, d_head=16, d_vocab=50,\n"
        "    n_ctx=32, attn_only=True, act_fn='relu', normalization_type=None, seed=0, device=device)).to(device)\n"
        "tokens = torch.randint(0, 50, (8, 30), generator=torch.Generator().manual_seed(0)).to(device)\n"
        "model, inputs = demo, tokens\n"
    )
)
GPT2 = (
    "import torch\nfrom transformer_lens.model_bridge import TransformerBridge\n"
    + DEVICE
    + (
        "gpt2 = TransformerBridge.boot_native(dict(n_layers=12, d_model=768, n_heads=12, d_head=64, d_mlp=3072,\n"
        "    d_vocab=50257, n_ctx=1024, act_fn='gelu_new', normalization_type='LN', seed=0, device=device)).to(device)\n"
        "tokens = torch.randint(0, 50257, (1, 32), generator=torch.Generator().manual_seed(0)).to(device)\n"
    )
)
DEMO_KERNEL = DEMO.replace("model, inputs = demo, tokens\n", "")
LOOP = (
    "import kernel_hooks\n"
    "recorder = kernel_hooks.active_recorder()\n"
    "recorder.flush() if recorder is not None else None  # the last cell's record is written first\n"
    "with torch.no_grad():\n"
    "    model(inputs)\n" + "    " + SYNC + "    start, cpu = time.perf_counter(), time.thread_time()\n"
    "    for _ in range({passes}):\n"
    "        model(inputs)\n" + "    " + SYNC + "    elapsed = time.perf_counter() - start\n"
    "    elapsed = time.thread_time() - cpu if device == 'cpu' else elapsed\n"
)
GLOBAL_HOOKS = (
    "depth = [0]\n"
    "def before(module, args):\n"
    "    depth[0] += 1\n"
    "def after(module, args, output):\n"
    "    depth[0] -= 1\n"
    "hooks = torch.nn.modules.module\n"
    "handles = [hooks.register_module_forward_pre_hook(before),\n"
    "           hooks.register_module_forward_hook(after, always_call=True)]\n"
    "try:\n" + "".join(f"    {line}\n" for line in LOOP.splitlines()) + "finally:\n"
    "    for handle in handles:\n"
    "        handle.remove()\n"
)
WATCH = """
import gc, json, time
import kernel_hooks
full_collections, cell_spans, writer_spans = [], [], []
def _watch(phase, info, _clock=[0.0]):
    if info["generation"] == 2:
        if phase == "start":
            _clock[0] = time.perf_counter()
        else:
            full_collections.append((_clock[0], time.perf_counter()))
gc.callbacks.append(_watch)
def _started(*_):
    cell_spans.append([time.perf_counter(), 0.0, time.thread_time(), 0.0])
def _finished(*_):
    if cell_spans:
        cell_spans[-1][1], cell_spans[-1][3] = time.perf_counter(), time.thread_time()
get_ipython().events.register("pre_run_cell", _started)
get_ipython().events.register("post_run_cell", _finished)
if kernel_hooks.active_recorder() is not None:
    _writer = kernel_hooks.active_recorder().writer
    _write = _writer._write
    def _timed_write(store, batch):
        start = time.perf_counter()
        try:
            return _write(store, batch)
        finally:
            writer_spans.append((start, time.perf_counter()))
    _writer._write = _timed_write
"""
WATCHED = "gc.callbacks.remove(_watch); print(json.dumps([full_collections, cell_spans, writer_spans]))"


def in_process(setup: str, passes: int, repeats: int, folder: str) -> dict[str, list[float]]:
    """Seconds per ``passes`` forward passes for each way of running them, in rotation."""
    os.environ["LOGBOOK_DB"] = str(Path(folder) / "inprocess.db")
    from IPython.testing.globalipapp import get_ipython, start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_cell(setup)
    loaded = False
    times: dict[str, list[float]] = {
        "without": [],
        "with Logbook": [],
        "global module hooks": [],
        "without, again": [],
    }
    order = list(times)
    for repeat in range(repeats):
        for label in order[repeat % len(order) :] + order[: repeat % len(order)]:
            want = label == "with Logbook"
            if want != loaded:
                shell.run_line_magic("load_ext" if want else "unload_ext", "kernel_hooks")
                loaded = want
            code = (GLOBAL_HOOKS if label == "global module hooks" else LOOP).format(passes=passes)
            result = shell.run_cell(code)
            if not result.success:
                raise RuntimeError(f"cell failed: {result.error_in_exec}")
            times[label].append(shell.user_ns["elapsed"])
    if loaded:
        shell.run_line_magic("unload_ext", "kernel_hooks")
    shell.run_cell("del model, inputs")
    return times


def kernel_cells(setup: str, cell: str, cells: int, folder: str) -> tuple[dict[str, list[float]], dict]:
    env = {**os.environ, "LOGBOOK_DB": str(Path(folder) / "kernel.db")}
    times: dict[str, list[float]] = {"without": [], "with": []}
    watched = {}
    with kernel(env, folder) as (_, plain), kernel(env, folder) as (_, hooked):
        run(hooked, "%load_ext kernel_hooks")
        for client in (plain, hooked):
            run(client, setup, timeout=600)
            for _ in range(5):
                run(client, cell, timeout=300)
            run(client, WATCH)
        for number in range(max(cells // BLOCK, 1)):
            pairs = (("without", plain), ("with", hooked))
            for label, client in pairs if number % 2 == 0 else pairs[::-1]:
                for _ in range(BLOCK):
                    times[label].append(run(client, cell, timeout=300))
        for label, client in (("without", plain), ("with", hooked)):
            watched[label] = _watched(client, len(times[label]))
        run(hooked, "import logbook; assert logbook.flush()")
    return times, watched


def _watched(client, cells: int) -> dict[str, list]:
    """What the kernel saw during the timed cells: full collections, the cells, the writer's batches."""
    printed: list[str] = []

    def keep(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    client.execute_interactive(WATCHED, output_hook=keep)
    collections, spans, writes = json.loads("".join(printed))
    return {"gc": collections, "cells": spans[:cells], "writer": writes}


def _overlaps(span: list[float], intervals: list[list[float]]) -> bool:
    return any(start < span[1] and end > span[0] for start, end, *_ in intervals)


def report_in_process(title: str, times: dict[str, list[float]]) -> None:
    """Medians, and the median of the ratios of cells run side by side in one rotation."""
    base = times["without"]
    say(f"{title} ({len(base)} cells each)")
    for label, values in times.items():
        paired = statistics.median(value / alone for value, alone in zip(values, base))
        say(f"  {label:20} median {statistics.median(values):8.4f} s   paired ratio {paired:5.3f}")


def report_kernel(title: str, times: dict[str, list[float]], watched: dict) -> None:
    """Median and p99, and what the slowest 1% of cells ran into: a full collection, a writer batch."""
    without, with_ = describe(times["without"]), describe(times["with"])
    say(f"{title} ({len(times['with'])} cells each)")
    for stat in ("median", "p99"):
        a, b = without[stat] * 1000, with_[stat] * 1000
        say(
            f"  {stat:6}  without {a:9.2f} ms   with {b:9.2f} ms   added {b - a:+8.2f} ms   ratio {b / a:5.3f}"
        )
    cpu = {
        label: statistics.median(end - start for *_, start, end in watched[label]["cells"]) for label in times
    }
    say(
        f"  kernel CPU per cell, median: without {cpu['without'] * 1000:.2f} ms, with {cpu['with'] * 1000:.2f} ms "
        f"(ratio {cpu['with'] / cpu['without']:5.3f}; the kernel's main thread, from the cell to the end of recording)"
    )
    for label in ("without", "with"):
        seen = watched[label]
        slowest = sorted(range(len(seen["cells"])), key=lambda i: times[label][i])[
            -max(len(seen["cells"]) // 100, 1) :
        ]
        in_gc = sum(_overlaps(seen["cells"][i], seen["gc"]) for i in slowest)
        in_writer = sum(_overlaps(seen["cells"][i], seen["writer"]) for i in slowest)
        overall = sum(_overlaps(span, seen["writer"]) for span in seen["cells"])
        longest = max((end - start for start, end in seen["gc"]), default=0.0) * 1000
        say(
            f"  {label:7}: {len(seen['gc'])} full GC collections (longest {longest:.1f} ms); slowest "
            f"{len(slowest)} cells: {in_gc} during a full collection, {in_writer} during a writer batch "
            f"(cells during a writer batch overall: {overall} of {len(seen['cells'])})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--gpt2-cells", type=int, default=40)
    parser.add_argument("--skip-kernels", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args()
    import torch

    say(f"device: {'cuda (' + torch.cuda.get_device_name() + ')' if torch.cuda.is_available() else 'cpu'}")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        for title, setup in (
            () if args.skip_in_process else (("500-layer toy model", TOY), ("demo model", DEMO))
        ):
            start = time.perf_counter()
            times = in_process(setup, args.passes, args.repeats, folder)
            report_in_process(f"In process, {args.passes} forward passes of the {title}", times)
            say(f"  ({time.perf_counter() - start:.0f} s)")
        if args.skip_kernels:
            return
        cell = "logits, cache = {}.run_with_cache(tokens)"
        for title, setup, name, cells in (
            ("demo model", DEMO_KERNEL, "demo", args.cells),
            ("12-layer GPT-2-shaped model", GPT2, "gpt2", args.gpt2_cells),
        ):
            if cells:
                times, watched = kernel_cells(setup, cell.format(name), cells, folder)
                report_kernel(f"Kernel round trip, run_with_cache on the {title}", times, watched)


if __name__ == "__main__":
    main()
