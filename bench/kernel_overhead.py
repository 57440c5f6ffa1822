"""Hook overhead per cell: real kernel round trips and in-process run_cell, with vs without.

    python bench/kernel_overhead.py [--cells 2000] [--heavy-cells 100] [--gpt2-cells 40] [--rounds 10]

Kernel: two kernels, one with ``%load_ext kernel_hooks``, run the same cells
in alternating blocks so both see the same machine load; the one without the
hooks imports the same modules first (:data:`SAME_IMPORTS`). Five workloads:
trivial cells, trivial cells that three predictions watch, cells whose result
is a 1 MB string, and ``run_with_cache`` cells on the demo model and on a
12-layer GPT-2-shaped model (on CUDA when torch sees a GPU). For the trivial
cell a third kernel without the hooks takes its turn too: its ratio to the
first ("noise floor") is how far two identical kernels differ in the run; the
trivial cells are shared among ``--rounds`` sets of fresh kernels and pooled,
since each kernel keeps its threads' placement on the cores (and a few
percent of speed either way) for its life. For each, the
time the hooked kernel spent recording and judging after its cells (``record_ms``, stored with each experiment) is read
back from its logbook.
In process: one IPython shell runs blocks of trivial cells with the extension
unloaded and loaded in turn, and the recorder's own time around each cell
(its ``pre_run_cell`` and ``post_run_cell`` together) is timed alone, which
the machine's load moves far less than the difference of two medians. The last lines say whether the trivial cell meets
its goals (round trip at most 1.03x the median and 1.10x the p99 without
hooks, under 0.05 ms added in process); the ratios swing with the machine's
load, so run it on a quiet machine, more than once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kernels import describe, kernel, run  # noqa: E402

from logbook.store.core import Store  # noqa: E402

BLOCK = 50


TL_SETUP = """
import torch
from transformer_lens.model_bridge import TransformerBridge
model = TransformerBridge.boot_native(dict(n_layers=2, d_model=64, n_heads=4, d_head=16, d_vocab=50,
                                           n_ctx=32, attn_only=True, act_fn="relu", seed=0))
tokens = torch.randint(0, 50, (8, 30), generator=torch.Generator().manual_seed(0))
"""
GPT2_SETUP = """
import torch
from transformer_lens.model_bridge import TransformerBridge
device = "cuda" if torch.cuda.is_available() else "cpu"
model = TransformerBridge.boot_native(dict(n_layers=12, d_model=768, n_heads=12, d_head=64, d_mlp=3072,
    d_vocab=50257, n_ctx=1024, act_fn="gelu_new", normalization_type="LN", seed=0, device=device)).to(device)
tokens = torch.randint(0, 50257, (1, 32), generator=torch.Generator().manual_seed(0)).to(device)
"""
PREDICTIONS = """
import logbook
h = logbook.hypothesis("x stays a small non-negative number")
h.predict("x >= 0")
h.predict("x < 10 ** 9")
h.predict("x != -1")
"""
#: name: (setup for both kernels, setup for the hooked kernel only, the cell; how many cells: "cells",
#: "heavy" or "gpt2")
WORKLOADS = {
    "trivial cell (x = i)": ("", "", "x = {i}", "cells"),
    "trivial cell, 3 predictions on x": ("", PREDICTIONS, "x = {i}", "cells"),
    "1 MB result": ("", "", "'x' * (1024 * 1024 - {i})", "heavy"),
    "TransformerLens run_with_cache, demo model": (
        TL_SETUP,
        "",
        "logits, cache = model.run_with_cache(tokens)",
        "heavy",
    ),
    "TransformerLens run_with_cache, 12-layer GPT-2-shaped model (124M parameters)": (
        GPT2_SETUP,
        "",
        "logits, cache = model.run_with_cache(tokens)",
        "gpt2",
    ),
}
WARMUP = 10
#: What the kernels without the hooks run first: the modules the extension loads, without loading it. Loading
#: anything heavy (these 0.3 s of imports; torch, in research) leaves a kernel a few percent slower per round
#: trip for its life, the way its threads come to be placed on the cores (a plain kernel after
#: ``sum(range(3 * 10**7))`` shows it too), so a kernel that never ran anything would be compared with one
#: that loaded the extension, not with one that only lacks the hooks.
SAME_IMPORTS = "import kernel_hooks, kernel_hooks.recorder"
#: Ends the source of each warm-up cell, so its record is left out of the recording times.
WARMUP_MARK = "  # warm-up"
#: The goals for a trivial cell: round-trip ratios (median, p99) and the in-process cost in ms.
MEDIAN_GOAL, P99_GOAL, IN_PROCESS_GOAL_MS = 1.03, 1.10, 0.05


def kernel_round_trips(
    cells: int, db: Path, setup: str, hooked_setup: str, cell: str, floor: bool = False, rounds: int = 1
) -> dict[str, list[float]]:
    """Round trips of ``cell`` in a kernel without the hooks and one with them, in alternating blocks.

    With ``floor``, a second kernel without the hooks takes its turn too
    ("again"): how far two identical kernels differ in this run. With
    ``rounds``, the cells are shared among that many sets of fresh kernels,
    one set after another, and pooled: how a kernel's threads happen to be
    placed on the cores moves its round trips by a few percent for its whole
    life, so one set alone measures its placement as much as the hooks.
    """
    labels = ["without", "with", "again"] if floor else ["without", "with"]
    times: dict[str, list[float]] = {label: [] for label in labels}
    for round_ in range(rounds):
        share = cells // rounds + (1 if round_ < cells % rounds else 0)
        for label, kept in _one_round(share, db, setup, hooked_setup, cell, labels).items():
            times[label].extend(kept)
    return times


def _one_round(
    cells: int, db: Path, setup: str, hooked_setup: str, cell: str, labels: list[str]
) -> dict[str, list[float]]:
    env = {**os.environ, "LOGBOOK_DB": str(db)}
    folder = str(db.parent)
    times: dict[str, list[float]] = {label: [] for label in labels}
    block = min(BLOCK, max(cells // 4, 1))
    with contextlib.ExitStack() as stack:
        clients = {label: stack.enter_context(kernel(env, folder))[1] for label in labels}
        hooked = clients["with"]
        run(hooked, "%load_ext kernel_hooks")
        for client in clients.values():
            if client is not hooked:
                run(client, SAME_IMPORTS)
        if hooked_setup:
            run(hooked, hooked_setup)
        for client in clients.values():
            if setup:
                run(client, setup, timeout=300)
            for warmup in range(WARMUP):
                run(client, cell.format(i=warmup) + WARMUP_MARK)
        # The writer's first batch (its first statements on a new connection) is part of starting, not of a cell.
        run(hooked, "import logbook; assert logbook.flush()")
        for number in range(cells // block):
            # Each kernel goes first, second and last in turn.
            shift = number % len(labels)
            for label in labels[shift:] + labels[:shift]:
                for i in range(block):
                    times[label].append(run(clients[label], cell.format(i=number * block + i)))
        run(hooked, "import logbook; assert logbook.flush()")
    return times


def recording_times(db: Path, cell: str) -> list[float]:
    """Seconds the hooked kernel spent recording and judging after each measured cell."""
    with Store(db) as store:
        rows = store.db.execute("SELECT source, record_ms FROM experiments ORDER BY id").fetchall()
    prefix = cell.split("{")[0]
    measured = [
        ms
        for source, ms in rows
        if source.startswith(prefix) and WARMUP_MARK not in source and ms is not None
    ]
    return [ms / 1000 for ms in measured]


def in_process(cells: int, folder: str) -> tuple[dict[str, list[float]], list[float]]:
    """Seconds per trivial cell without and with the hooks, and the recorder's own seconds around each hooked cell."""
    os.environ["LOGBOOK_DB"] = str(Path(folder) / "inprocess.db")
    from IPython.testing.globalipapp import get_ipython, start_ipython

    from kernel_hooks.recorder import Recorder

    own: dict[str, list[float]] = {"pre_run_cell": [], "post_run_cell": []}
    for name, kept in own.items():
        setattr(Recorder, name, _timed(getattr(Recorder, name), kept))
    shell = start_ipython() or get_ipython()
    times: dict[str, list[float]] = {"without": [], "with": []}
    loaded = False
    for warmup in range(50):
        shell.run_cell(f"x = {warmup}", store_history=True)
    for block in range(max(2 * cells // BLOCK, 2)):
        want = block % 2 == 1
        if want != loaded:
            shell.run_line_magic("load_ext" if want else "unload_ext", "kernel_hooks")
            loaded = want
        label = "with" if loaded else "without"
        for i in range(BLOCK):
            start = time.perf_counter()
            shell.run_cell(f"x = {i}", store_history=True)
            times[label].append(time.perf_counter() - start)
    if loaded:
        shell.run_line_magic("unload_ext", "kernel_hooks")
    return times, [a + b for a, b in zip(own["pre_run_cell"], own["post_run_cell"])]


def _timed(method: Any, kept: list[float]) -> Any:
    def timed(self: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            kept.append(time.perf_counter() - start)

    return timed


def report_recording(title: str, seconds: list[float]) -> None:
    stats = describe(seconds)
    print(
        f"  record_ms (after the cell, hooked kernel, {len(seconds)} cells)   "
        f"median {stats['median'] * 1000:.3f} ms   p99 {stats['p99'] * 1000:.3f} ms"
    )


def report(
    title: str, times: dict[str, list[float]], unit: float, unit_name: str, rounds: int = 1
) -> dict[str, tuple[float, float]]:
    """Print the median and p99 with and without hooks (and the noise floor, when measured); returns each stat's (added, ratio)."""
    without, with_ = describe(times["without"]), describe(times["with"])
    again = describe(times["again"]) if times.get("again") else None
    sets = f", {rounds} sets of fresh kernels" if rounds > 1 else ""
    print(f"{title} ({len(times['with'])} cells each{sets})")
    found = {}
    for stat in ("median", "p99"):
        a, b = without[stat] * unit, with_[stat] * unit
        floor = f"   noise floor {again[stat] * unit / a:5.3f}" if again else ""
        print(
            f"  {stat:6}  without {a:8.3f} {unit_name}   with {b:8.3f} {unit_name}   "
            f"added {b - a:+7.3f} {unit_name}   ratio {b / a:5.3f}{floor}"
        )
        found[stat] = (b - a, b / a)
    return found


def goal(text: str, value: float, limit: float, shown: str) -> None:
    print(f"Goal ({text} <= {limit:g}): {shown}, {'met' if value <= limit else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--heavy-cells", type=int, default=100)
    parser.add_argument("--gpt2-cells", type=int, default=40)
    parser.add_argument(
        "--rounds", type=int, default=10, help="sets of fresh kernels the trivial cells are shared among"
    )
    args = parser.parse_args()
    counts = {"cells": args.cells, "heavy": args.heavy_cells, "gpt2": args.gpt2_cells}
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        for number, (name, (setup, hooked_setup, cell, count)) in enumerate(WORKLOADS.items()):
            cells = counts[count]
            if not cells:
                continue
            db = Path(folder) / f"kernel-{number}.db"
            rounds = args.rounds if number == 0 else 1
            times = kernel_round_trips(cells, db, setup, hooked_setup, cell, floor=number == 0, rounds=rounds)
            found = report(f"Kernel round trip, {name}", times, 1000, "ms", rounds)
            report_recording(name, recording_times(db, cell))
            if number == 0:
                trivial = found
        times, own = in_process(args.cells, folder)
        inproc = report("In-process run_cell, trivial cell", times, 1000, "ms")
        print(
            f"  the recorder's own time around each cell (pre_run_cell + post_run_cell, {len(own)} cells)"
            f"   median {statistics.median(own) * 1e6:.1f} µs"
        )
    if args.cells:
        median, p99 = trivial["median"][1], trivial["p99"][1]
        goal("trivial cell round trip, median ratio", median, MEDIAN_GOAL, f"{median:.3f}")
        goal("trivial cell round trip, p99 ratio", p99, P99_GOAL, f"{p99:.3f}")
        added = inproc["median"][0]
        goal("in-process cost per trivial cell, ms", added, IN_PROCESS_GOAL_MS, f"{added:+.3f} ms")


if __name__ == "__main__":
    main()
