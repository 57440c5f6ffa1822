"""Export time and file size for a logbook of 10,000 experiments.

    python bench/export_size.py [--experiments 10000]

A synthetic logbook (20 hypotheses with predictions, every 50th experiment
judged, a PNG and text output on each judged one) is exported as JSON,
Markdown and HTML. The baseline is reading the whole logbook into the models
(``Store.export()``), which every format starts from. HTML is timed twice:
the first export renders its charts (a credence chart per hypothesis,
calibration, modes); the second finds them in the chart cache beside the
logbook, as every later export of a logbook whose charts have not changed.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from logbook.exporting import render
from logbook.store import Store

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def fill(store: Store, experiments: int) -> None:
    predictions = []
    for i in range(20):
        h = store.add_hypothesis(
            f"hypothesis {i}: head {i % 4} in layer {i % 2} does something", 0.5 + i / 50
        )
        predictions.append(store.add_prediction(h.id, f"score_{i} > 0.5", 0.6 + (i % 4) / 10))
    start = datetime.now(timezone.utc)
    with store.transaction():
        for n in range(experiments):
            judged = n % 50 == 0
            outputs = []
            if judged:
                text = f"score = {n / experiments:.3f}".encode()
                outputs = [
                    {"mime": "text/plain", "data": text, "size": len(text), "truncated": False},
                    {
                        "mime": "image/png",
                        "data": PNG + n.to_bytes(4, "big"),
                        "size": len(PNG) + 4,
                        "truncated": False,
                    },
                ]
            eid = store.insert_experiment(
                {
                    "source": f"score_{n % 20} = run_probe(model, layer={n % 2}, head={n % 4})\nprint(score_{n % 20})",
                    "started_at": (start + timedelta(seconds=n)).isoformat(),
                    "duration_ms": 12.5,
                    "ok": 1,
                    "stdout": f"{n / experiments:.3f}\n",
                    "names": json.dumps({f"score_{n % 20}": {"type": "float", "value": n / experiments}}),
                    "mode": ("confirm", "red-team", "explore")[n % 3],
                },
                outputs,
            )
            if judged:
                p = predictions[(n // 50) % 20]
                store.add_judgement(
                    held=n % 100 == 0, prediction=p, observed={}, surprisal_bits=1.0, experiment_id=eid
                )


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / ".logbook" / "logbook.db") as store:
        fill(store, args.experiments)
        _, baseline = timed(store.export)
        print(
            f"Export of {args.experiments} experiments ({store.count('surprises')} surprises, "
            f"{store.count('evidence')} pieces of evidence)"
        )
        print(f"  {'read the logbook (baseline)':22}  {baseline:6.2f} s")
        runs = [
            ("json", "json"),
            ("md", "md"),
            ("html", "html (charts rendered)"),
            ("html", "html (charts cached)"),
        ]
        for fmt, label in runs:
            text, took = timed(lambda fmt=fmt: render(store, fmt))
            print(
                f"  {label:22}  {took:6.2f} s  ratio {took / baseline:5.2f}   {len(text.encode()) / 1e6:7.2f} MB"
            )


if __name__ == "__main__":
    main()
