"""The same records written through Logbook, MLflow (local SQLite tracking) and wandb (offline).

    python bench/peers.py [--records 1000]

Each record is one executed cell: a metric, the cell's source and its stdout.
Logbook is measured on its kernel path (a background writer batching
transactions, timed until everything is on disk) and writing one transaction
per record. MLflow logs ``log_metric`` + ``log_text`` into a fresh
``sqlite:///`` tracking store; wandb logs one ``wandb.log`` per record in
offline mode, timed through ``wandb.finish()``. Ratios are against Logbook's
kernel path, measured in the same run; the last line says whether the kernel
path is at least ``GOAL`` times as fast as wandb offline.

The kernel path submits the job the kernel submits after each cell
(:class:`kernel_hooks.jobs.ExperimentJob`, its names' summaries serialised in
the writer) and writes the full record: the row, its search index entry, and
its event in the hash chain.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from kernel_hooks.jobs import ExperimentJob
from kernel_hooks.provenance import ExperimentHandle

#: How many times faster than wandb offline Logbook's kernel path is meant to be.
GOAL = 10


def record(i: int) -> tuple[float, str, str]:
    source = f"score_{i} = probe(model, layer={i % 2}, head={i % 4})\nprint(score_{i})"
    return i / 1000.0, source, f"{i / 1000.0:.3f}\n"


def row(i: int) -> dict:
    score, source, stdout = record(i)
    return {
        "source": source,
        "stdout": stdout,
        "started_at": "2026-11-25T10:00:00+00:00",
        "duration_ms": 3.0,
        "ok": 1,
        "names": f'{{"score_{i}": {{"type": "float", "value": {score}}}}}',
    }


def cell_job(i: int) -> Any:
    """The job the kernel hands its writer after a cell: the cell's row, its outputs and its names' summaries."""
    fields = row(i)
    names = {f"score_{i}": {"type": "float", "value": i / 1000.0}}
    del fields["names"]
    return ExperimentJob(fields, [], names, {}, ExperimentHandle(i))  # type: ignore[arg-type]


def logbook_kernel_path(folder: Path, n: int) -> float:
    from kernel_hooks.writer import Writer

    writer = Writer(folder / "kernel-path.db", on_warning=print)
    writer.flush()
    start = time.perf_counter()
    for i in range(n):
        writer.submit(cell_job(i))
    assert writer.flush(600)
    elapsed = time.perf_counter() - start
    writer.stop()
    return elapsed


def logbook_per_record(folder: Path, n: int) -> float:
    from logbook.store.core import Store

    with Store(folder / "per-record.db") as store:
        start = time.perf_counter()
        for i in range(n):
            with store.transaction():
                store.insert_experiment(row(i), [])
        return time.perf_counter() - start


def mlflow_local(folder: Path, n: int) -> float:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow.db'}")
    experiment = mlflow.create_experiment("bench", artifact_location=(folder / "mlartifacts").as_uri())
    with mlflow.start_run(experiment_id=experiment):
        start = time.perf_counter()
        for i in range(n):
            score, source, stdout = record(i)
            mlflow.log_metric("score", score, step=i)
            mlflow.log_text(source + "\n# stdout\n" + stdout, f"cells/{i}.py")
        return time.perf_counter() - start


def wandb_offline(folder: Path, n: int) -> float:
    import wandb

    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    run = wandb.init(project="bench", dir=str(folder), settings=wandb.Settings(console="off"))
    start = time.perf_counter()
    for i in range(n):
        score, source, stdout = record(i)
        run.log({"score": score, "source": source, "stdout": stdout}, step=i)
    run.finish()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    n = args.records
    results = {}
    missing: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        # Each one starts without garbage left by the one before to collect (a full collection takes
        # tens of ms after the imports).
        gc.collect()
        results["Logbook, kernel path (batched writer)"] = logbook_kernel_path(folder, n)
        gc.collect()
        results["Logbook, one transaction per record"] = logbook_per_record(folder, n)
        for name, fn in (
            ("MLflow, log_metric + log_text, sqlite", mlflow_local),
            ("wandb, offline, wandb.log", wandb_offline),
        ):
            gc.collect()
            try:
                results[name] = fn(folder, n)
            except ImportError as error:
                results[name] = None
                missing[name] = str(error)
    baseline = results["Logbook, kernel path (batched writer)"]
    print(f"Writing {n} cell records (metric + source + stdout)")
    for name, seconds in results.items():
        if seconds is None:
            print(f"  {name:42}  not installed ({missing[name]})")
        else:
            print(
                f"  {name:42}  {n / seconds:9.0f} records/s   {seconds:7.2f} s   ratio {seconds / baseline:7.1f}"
            )
    wandb = results["wandb, offline, wandb.log"]
    if wandb is None:
        print(f"Goal (kernel path at least {GOAL}x wandb offline): not measured, wandb is not installed")
    else:
        ratio = wandb / baseline
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"Goal (kernel path at least {GOAL}x wandb offline): {ratio:.1f}x, {verdict}")


if __name__ == "__main__":
    main()
