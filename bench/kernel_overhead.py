"""Hook overhead per cell: real kernel round trips and in-process run_cell, with vs without.

    python bench/kernel_overhead.py [--cells 1000]

Kernel: two kernels, one with ``%load_ext kernel_hooks``, run the same trivial
cells in alternating blocks so both see the same machine load.
In process: one IPython shell runs blocks of cells with the extension
unloaded and loaded in turn.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kernels import describe, kernel, run  # noqa: E402

BLOCK = 50


def kernel_round_trips(cells: int, folder: str) -> dict[str, list[float]]:
    env = {**os.environ, "LOGBOOK_DB": str(Path(folder) / "kernel.db")}
    times: dict[str, list[float]] = {"without": [], "with": []}
    with kernel(env, folder) as (_, plain), kernel(env, folder) as (_, hooked):
        run(hooked, "%load_ext kernel_hooks")
        for warmup in range(20):
            run(plain, f"x = {warmup}")
            run(hooked, f"x = {warmup}")
        for block in range(cells // BLOCK):
            for label, client in (("without", plain), ("with", hooked)) if block % 2 == 0 else (
                ("with", hooked), ("without", plain)
            ):
                for i in range(BLOCK):
                    times[label].append(run(client, f"x = {block * BLOCK + i}"))
        run(hooked, "import logbook; assert logbook.flush()")
    return times


def in_process(cells: int, folder: str) -> dict[str, list[float]]:
    os.environ["LOGBOOK_DB"] = str(Path(folder) / "inprocess.db")
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    times: dict[str, list[float]] = {"without": [], "with": []}
    loaded = False
    for warmup in range(50):
        shell.run_cell(f"x = {warmup}", store_history=True)
    for block in range(2 * cells // BLOCK):
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
    return times


def report(title: str, times: dict[str, list[float]], unit: float, unit_name: str) -> None:
    without, with_ = describe(times["without"]), describe(times["with"])
    print(f"{title} ({len(times['with'])} cells each)")
    for stat in ("median", "p99"):
        a, b = without[stat] * unit, with_[stat] * unit
        print(f"  {stat:6}  without {a:8.3f} {unit_name}   with {b:8.3f} {unit_name}   "
              f"added {b - a:+7.3f} {unit_name}   ratio {b / a:5.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        report("Kernel round trip, trivial cell", kernel_round_trips(args.cells, folder), 1000, "ms")
        report("In-process run_cell, trivial cell", in_process(args.cells, folder), 1000, "ms")


if __name__ == "__main__":
    main()
