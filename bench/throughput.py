"""Cells recorded per second, sustained, and the logbook's size per 10,000 cells.

    python bench/throughput.py [--cells 10000]

An in-process IPython shell with the extension loaded runs typical small
cells (an assignment, a print, a result) as fast as it can; the clock stops
when the last one is on disk. The same cells without the extension give the
baseline, so the ratio is the cost of recording them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

CELL = "value_{i} = {i} * 2\nprint('step', {i})\nvalue_{i} / 3"


def run_cells(shell, cells: int) -> float:
    start = time.perf_counter()
    for i in range(cells):
        shell.run_cell(CELL.format(i=i % 500), store_history=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=10_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # IPython's output-cache notice
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "logbook.db"
        os.environ["LOGBOOK_DB"] = str(db)
        from IPython.testing.globalipapp import start_ipython

        import logbook
        from logbook.store.core import Store

        shell = start_ipython()
        shell.display_pub.publish = lambda *a, **k: None  # keep the terminal quiet
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            baseline = run_cells(shell, args.cells)
            shell.run_line_magic("load_ext", "kernel_hooks")
            recorded = run_cells(shell, args.cells)
            flush_start = time.perf_counter()
            assert logbook.flush(timeout=600)
            recorded += time.perf_counter() - flush_start
            shell.run_line_magic("unload_ext", "kernel_hooks")
        with Store(db) as store:
            count = store.count("experiments")
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size
    print(f"Sustained recording ({args.cells} cells: assignment, print, result)")
    print(f"  without hooks   {args.cells / baseline:9.0f} cells/s")
    print(
        f"  with hooks      {args.cells / recorded:9.0f} cells/s  (all {count} on disk)   ratio {recorded / baseline:5.2f}"
    )
    print(f"  logbook size    {size / count * 10_000 / 1e6:9.2f} MB per 10,000 cells")


if __name__ == "__main__":
    main()
