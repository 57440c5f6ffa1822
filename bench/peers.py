"""The same records written through Logbook, MLflow (local SQLite tracking) and wandb (offline).

    python bench/peers.py [--records 1000] [--rounds 11]

Each record is one executed cell: a metric, the cell's source and its stdout.
Logbook is measured on its kernel path (a background writer batching
transactions, timed until everything is on disk) and writing one transaction
per record. MLflow logs ``log_metric`` + ``log_text`` into a fresh
``sqlite:///`` tracking store; wandb logs one ``wandb.log`` per record in
offline mode, timed through ``wandb.finish()``.

Logbook's kernel path and wandb are measured in alternated rounds, each in a
fresh folder, after one round that warms both up and is not counted (wandb's
first records in a process are its slowest); the figures are the medians of
the rounds, with each round's rate. wandb's rate has two modes here, some
4,900-6,500 records/s in most rounds and 14,000-15,700/s in about one round
in four, which one a round falls in changing from round to round: one round
proves little either way, and the median of five moved with whether two or
three of them fell in the fast mode; eleven give a steady median. The last line says whether the
kernel path is at least ``GOAL`` times as fast as wandb offline on the
medians, and the time per record the goal allows; the line before it says
how much of the writer's time per record SQLite's statements alone take.

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
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Optional

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


class _TimedConnection:
    """A connection that adds up the time its statements take (binding, running, index and trigger upkeep)."""

    def __init__(self, conn: Any):
        self._conn = conn
        self.seconds = 0.0

    def _timed(self, method: str, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return getattr(self._conn, method)(*args)
        finally:
            self.seconds += time.perf_counter() - start

    def execute(self, *args: Any) -> Any:
        return self._timed("execute", *args)

    def executemany(self, *args: Any) -> Any:
        return self._timed("executemany", *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def logbook_statements(folder: Path, n: int) -> tuple[float, float]:
    """The writer's work for ``n`` records in one transaction, and the part of it spent in SQLite's statements."""
    from logbook.store.core import Store

    with Store(folder / "statements.db") as store:
        store.events.prepare_seal()
        records = [cell_job(i).record() for i in range(n)]
        timed = _TimedConnection(store.db.conn)
        store.db.conn = timed  # type: ignore[assignment]
        start = time.perf_counter()
        with store.transaction():
            store.experiments.insert_experiments(records)
        elapsed = time.perf_counter() - start
        store.db.conn = timed._conn
        return elapsed, timed.seconds


def rate_range(n: int, seconds: list[float]) -> str:
    rates = sorted(n / s for s in seconds)
    return f"{n / statistics.median(seconds):9.0f} records/s (rounds {rates[0]:,.0f}-{rates[-1]:,.0f})"


def each_round(n: int, seconds: list[float]) -> str:
    """Every round's rate, in the order run."""
    return "rounds: " + " ".join(f"{n / s:,.0f}" for s in seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument(
        "--rounds", type=int, default=11, help="alternated rounds of Logbook and wandb, after one to warm up"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    n = args.records
    kernel_path: list[float] = []
    wandb: list[float] = []
    others: dict[str, Optional[float]] = {}
    missing: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as top:
        # Each one starts without garbage left by the one before to collect (a full collection takes
        # tens of ms after the imports). The first round warms both up (imports, first records) and is not counted.
        for round_ in range(args.rounds + 1):
            folder = Path(top) / f"round-{round_}"
            folder.mkdir()
            gc.collect()
            seconds = logbook_kernel_path(folder, n)
            if round_:
                kernel_path.append(seconds)
            if "wandb" in missing:
                continue
            gc.collect()
            try:
                seconds = wandb_offline(folder, n)
            except ImportError as error:
                missing["wandb"] = str(error)
                continue
            if round_:
                wandb.append(seconds)
        folder = Path(top) / "others"
        folder.mkdir()
        gc.collect()
        others["Logbook, one transaction per record"] = logbook_per_record(folder, n)
        gc.collect()
        try:
            others["MLflow, log_metric + log_text, sqlite"] = mlflow_local(folder, n)
        except ImportError as error:
            others["MLflow, log_metric + log_text, sqlite"] = None
            missing["MLflow, log_metric + log_text, sqlite"] = str(error)
        gc.collect()
        writer_seconds, statement_seconds = logbook_statements(folder, n)
    baseline = statistics.median(kernel_path)
    print(f"Writing {n} cell records (metric + source + stdout); medians of {args.rounds} alternated rounds")
    print(f"  {'Logbook, kernel path (batched writer)':42}  {rate_range(n, kernel_path)}")
    print(f"    {each_round(n, kernel_path)}")
    if wandb:
        print(
            f"  {'wandb, offline, wandb.log':42}  {rate_range(n, wandb)}   ratio {statistics.median(wandb) / baseline:5.1f}"
        )
        print(f"    {each_round(n, wandb)}")
    else:
        print(f"  {'wandb, offline, wandb.log':42}  not installed ({missing['wandb']})")
    for name, seconds in others.items():
        if seconds is None:
            print(f"  {name:42}  not installed ({missing[name]})")
        else:
            print(f"  {name:42}  {n / seconds:9.0f} records/s   ratio {seconds / baseline:7.1f}  (one run)")
    per_record = 1e6 / n
    print(
        f"Logbook's writer, one transaction of {n}: {writer_seconds * per_record:.1f} µs a record,"
        f" {statement_seconds * per_record:.1f} µs of it in SQLite's statements (row, search index, chain event)"
    )
    if not wandb:
        print(f"Goal (kernel path at least {GOAL}x wandb offline): not measured, wandb is not installed")
        return
    ratios = sorted(w / k for w, k in zip(wandb, kernel_path))
    ratio = statistics.median(wandb) / baseline
    budget = statistics.median(wandb) / GOAL * per_record
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(
        f"Goal (kernel path at least {GOAL}x wandb offline): {ratio:.1f}x on the medians"
        f" (rounds {ratios[0]:.1f}-{ratios[-1]:.1f}x, {min(wandb) / baseline:.1f}x against wandb's fastest round),"
        f" {verdict}; {GOAL}x is {budget:.1f} µs a record"
    )


if __name__ == "__main__":
    main()
