"""What comparing a cell with its earlier runs (drift) adds per cell: 50 earlier runs, 50 assigned names.

    python bench/drift.py [--calls 5000] [--cells 300]

In process: the comparison the recorder makes after each cell (its cell key
and source key, :meth:`CellHistory.compare` and folding the run into the
history) for a cell assigning 45 scalars and 5 small arrays, with 50 earlier
runs of the same code, timed call by call. None of the values drifts, the
common case.

Round trip: two hooked kernels run the same 50-name cell in alternating
blocks. In one the cell's code is the same each time, so each run is compared
with its 50+ earlier runs; in the other each run's code differs (a trailing
statement), so there is nothing to compare it with. Reported: the round trip
and the time the kernel spent recording after each cell (``record_ms``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _kernels import describe, kernel, run  # noqa: E402

from kernel_hooks.drift import CellHistory, Run, cell_key, source_key  # noqa: E402
from kernel_hooks.summaries import summarize  # noqa: E402
from logbook.store.core import Store  # noqa: E402

NAMES = 50
EARLIER = 50
BLOCK = 25
SOURCE = "\n".join(
    [f"v{k} = 1.0 + 0.001 * (({{i}} * 7 + {k}) % 10)" for k in range(NAMES - 5)]
    + [f"a{k} = np.full(4, 1.0 + 0.001 * ({{i}} % 10))" for k in range(5)]
)


def summaries(i: int) -> dict:
    import numpy as np

    namespace: dict = {"np": np}
    exec(SOURCE.format(i=i), namespace)
    return {
        name: summarize(value) for name, value in namespace.items() if name[0] in "va" and name[1:].isdigit()
    }


def in_process(calls: int) -> list[float]:
    history, keys = CellHistory(), {}
    source = SOURCE.format(i="i")
    runs = [summaries(i) for i in range(EARLIER + 10)]
    code = source_key(source)
    key = cell_key("analysis.ipynb", "cell-1", code)
    for i in range(EARLIER):
        history.add(key, code, Run(i, runs[i], None))
    times, folds = [], []
    for n in range(calls):
        names = runs[EARLIER + n % 10]
        start = time.perf_counter()
        code = keys.get(source) or keys.setdefault(source, source_key(source))
        key = cell_key("analysis.ipynb", "cell-1", code)
        found = history.compare(key, code, names, None, 0.5)
        history.note(key, code, Run(n, names, None))
        middle = time.perf_counter()
        history.fold(key, code)  # the writer thread's part
        folds.append(time.perf_counter() - middle)
        times.append(middle - start)
        assert not found, found
    return times, folds


def round_trips(cells: int, folder: Path) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    times: dict[str, list[float]] = {"without": [], "with": []}
    recorded: dict[str, list[float]] = {}
    dbs = {label: folder / label / ".logbook" / "logbook.db" for label in times}
    cell = "import numpy as np\n" + SOURCE
    with (
        kernel({**os.environ, "LOGBOOK_DB": str(dbs["with"])}, str(folder)) as (_, compared),
        kernel({**os.environ, "LOGBOOK_DB": str(dbs["without"])}, str(folder)) as (_, alone),
    ):
        clients = {"with": compared, "without": alone}
        for client in clients.values():
            run(client, "%load_ext kernel_hooks")
        # ``with`` runs the same code every time; ``without`` a different code each time.
        source = {
            "with": lambda i: cell.replace("{i}", str(i)),
            "without": lambda i: cell.replace("{i}", str(i)) + f"\n_ = {i}",
        }
        for i in range(EARLIER):
            for label, client in clients.items():
                run(client, source[label](i))
        for number in range(cells // BLOCK):
            order = ("with", "without") if number % 2 == 0 else ("without", "with")
            for label in order:
                for i in range(BLOCK):
                    times[label].append(run(clients[label], source[label](EARLIER + number * BLOCK + i)))
        for client in clients.values():
            run(client, "import logbook; assert logbook.flush()")
    for label, db in dbs.items():
        with Store(db) as store:
            rows = store.db.execute(
                "SELECT record_ms FROM experiments WHERE source LIKE 'import numpy%' ORDER BY id"
            )
            recorded[label] = [ms / 1000 for (ms,) in rows.fetchall() if ms is not None][EARLIER:]
        with Store(db) as store:
            drift = store.db.execute("SELECT count(*) FROM surprises WHERE kind = 'drift'").fetchone()[0]
            print(f"  drift surprises in the '{label}' kernel: {drift}")
    return times, recorded


def show(title: str, times: dict[str, list[float]]) -> None:
    without, with_ = describe(times["without"]), describe(times["with"])
    print(f"{title} ({len(times['with'])} cells each)")
    for stat in ("median", "p99"):
        a, b = without[stat] * 1000, with_[stat] * 1000
        print(
            f"  {stat:6}  nothing to compare {a:8.3f} ms   50 earlier runs {b:8.3f} ms   added {b - a:+7.3f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--cells", type=int, default=300)
    args = parser.parse_args()
    kernel_part, writer_part = (describe(times) for times in in_process(args.calls))
    print(f"in process, {NAMES} names, {EARLIER} earlier runs ({args.calls} calls), per cell:")
    for label, stats in (("kernel thread (compare)", kernel_part), ("writer thread (fold in)", writer_part)):
        print(f"  {label}: median {stats['median'] * 1e6:.1f} µs, p99 {stats['p99'] * 1e6:.1f} µs")
    if args.cells:
        with tempfile.TemporaryDirectory() as folder:
            times, recorded = round_trips(args.cells, Path(folder))
        show("kernel round trip", times)
        show("recording after the cell (record_ms)", recorded)


if __name__ == "__main__":
    main()
