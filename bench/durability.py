"""Durability: kill -9 the kernel after N cells; how many reached the logbook?

    python bench/durability.py [--seconds 3] [--rounds 3]

Cells run back to back through a real kernel for a few seconds; the kernel is
killed with SIGKILL the moment the last reply arrives. Every cell that finished more than
one second before the kill must be in the logbook; the figure also shows how
many of the very last ones made it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kernels import kernel, run  # noqa: E402


def one_round(seconds: float, folder: Path) -> tuple[int, int, int, int]:
    db = folder / "logbook.db"
    if db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "LOGBOOK_DB": str(db)}
    finished: list[float] = []
    with kernel(env, str(folder)) as (manager, client):
        run(client, "%load_ext kernel_hooks")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            run(client, f"cell_{len(finished)} = {len(finished)}")
            finished.append(time.monotonic())
        killed_at = time.monotonic()
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
    from logbook.store.core import Store

    with Store(db) as store:
        stored = {
            int(row[0].split("_")[1].split(" ")[0])
            for row in store.db.execute("SELECT source FROM experiments WHERE source LIKE 'cell_%'")
        }
    old_enough = [i for i, t in enumerate(finished) if killed_at - t > 1.0]
    return len(finished), len(stored), len([i for i in old_enough if i in stored]), len(old_enough)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"Durability: kill -9 after {args.seconds:g} s of back-to-back cells")
    lost_old = 0
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.rounds):
            cells, stored, old_stored, old = one_round(args.seconds, Path(folder))
            lost_old += old - old_stored
            print(
                f"  round {r + 1}: {stored}/{cells} cells in the logbook; "
                f"{old_stored}/{old} of those that finished >1 s before the kill; "
                f"{cells - stored} lost, {old - old_stored} of them older than 1 s"
            )
    verdict = "met" if lost_old == 0 else "NOT met"
    print(f"Goal (no cell that finished over 1 s before the kill is lost): {lost_old} lost, {verdict}")


if __name__ == "__main__":
    main()
