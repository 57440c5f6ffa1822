"""API latency for list and search as the logbook grows: 1,000, 10,000 and 100,000 experiments.

    python bench/api_latency.py [--sizes 1000 10000 100000]

For each size a logbook is filled (50 hypotheses, the experiments, a surprise
every 100), served by JupyterLab on 127.0.0.1, and each request is timed 30
times; the figure is the median. Ratios are against the smallest logbook, so
they show how cost grows with size. The logbook's file size is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logbook.store.core import Store  # noqa: E402
from tests.support.lab_server import jupyter_lab  # noqa: E402

REQUESTS = {
    "newest 100 experiments": "logbook/api/experiments?limit=100",
    "experiments page at the end": "logbook/api/experiments?limit=100&offset={last}",
    "search 'head'": "logbook/api/experiments?q=head&limit=100",
    "search a rare word": "logbook/api/experiments?q=needle&limit=100",
    "hypotheses": "logbook/api/hypotheses",
    "surprises": "logbook/api/surprises",
}


def fill(path: Path, count: int) -> None:
    with Store(path) as store:
        for h in range(50):
            hypothesis = store.add_hypothesis(f"head {h % 4} in layer {h % 2} matters ({h})", 0.5)
            store.add_prediction(hypothesis.id, f"score_{h} > 0.5", 0.7)
        predictions = [p for h in store.hypotheses() for p in h.predictions]
        with store.transaction():
            for i in range(count):
                word = " needle" if i % 997 == 0 else ""
                eid = store.insert_experiment(
                    {
                        "source": f"score_{i % 50} = probe(model, layer={i % 2}, head={i % 4}){word}",
                        "stdout": f"{i / count:.4f}\n",
                        "started_at": "2026-11-25T10:00:00+00:00",
                        "duration_ms": 3.0,
                        "ok": 1,
                        "notebook": "analysis.ipynb",
                    },
                    [],
                )
                if i % 100 == 0:
                    store.add_judgement(
                        held=False,
                        prediction=predictions[i % 50],
                        observed={},
                        surprisal_bits=1.5,
                        experiment_id=eid,
                    )


def measure(lab, path: str) -> float:
    times = []
    for _ in range(30):
        start = time.perf_counter()
        lab.api("GET", path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    table: dict[int, dict[str, float]] = {}
    sizes: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in args.sizes:
            root = Path(folder) / f"project-{count}"
            (root / ".logbook").mkdir(parents=True)
            db = root / ".logbook" / "logbook.db"
            fill(db, count)
            with Store(db) as store:
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            sizes[count] = db.stat().st_size / 1e6
            with jupyter_lab(root, {}) as lab:
                table[count] = {
                    name: measure(lab, path.format(last=max(count - 100, 0)))
                    for name, path in REQUESTS.items()
                }
    smallest = args.sizes[0]
    print("API latency, median of 30 requests (ms), through JupyterLab on 127.0.0.1")
    print(
        f"  {'request':30}"
        + "".join(f"{count:>12,}" for count in args.sizes)
        + f"   ratio {args.sizes[-1]:,}/{smallest:,}"
    )
    for name in REQUESTS:
        cells = "".join(f"{table[count][name]:12.1f}" for count in args.sizes)
        print(f"  {name:30}{cells}   {table[args.sizes[-1]][name] / table[smallest][name]:8.1f}")
    print(f"  {'logbook file (MB)':30}" + "".join(f"{sizes[count]:12.1f}" for count in args.sizes))


if __name__ == "__main__":
    main()
