"""`logbook snapshot` of a 100,000-experiment logbook while a kernel-like process writes, and nothing lost.

    python bench/snapshot.py [--cells 100000]

The logbook is filled as ``bench/verify.py`` fills it. A second process then
records one experiment per transaction, as fast as it can, for the whole
measurement. The snapshot is timed against a plain copy of the file and its
WAL taken in the same run (which, taken while writing, may be torn); then the
snapshot is opened alone: it must hold every experiment committed before it
began, as a prefix of the writer's, and pass ``logbook verify``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from verify import fill  # noqa: E402

from logbook.audit.verify import verify_logbook  # noqa: E402
from logbook.store.core import Store  # noqa: E402
from logbook.store.portable import write_snapshot  # noqa: E402

WRITER = """
import sys
from datetime import datetime, timezone
from logbook.store import Store
with Store(sys.argv[1]) as store:
    print("ready", flush=True)
    n = 0
    while sys.stdin.readline() == "":
        pass
    while True:
        with store.transaction():
            store.insert_experiment({"source": f"step({n})", "started_at": datetime.now(timezone.utc).isoformat(),
                                     "duration_ms": 1.0, "ok": 1, "names": "{}", "stdout": ""}, [])
        n += 1
"""


def count(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM experiments").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".logbook" / "logbook.db"
        started = time.perf_counter()
        with Store(path) as store:
            fill(store, args.cells)
        print(f"filled {args.cells:,} experiments in {time.perf_counter() - started:.1f} s")
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert writer.stdout.readline().strip() == "ready"
            writer.stdin.write("go\n")
            writer.stdin.flush()
            with Store(path) as store:
                while count(store) == args.cells:  # the writer has begun
                    pass
                copied = time.perf_counter()
                shutil.copyfile(path, Path(folder) / "plain.db")
                if Path(f"{path}-wal").exists():
                    shutil.copyfile(f"{path}-wal", Path(folder) / "plain.db-wal")
                plain = time.perf_counter() - copied
                before = count(store)
                snap = write_snapshot(store.db, path, Path(folder) / "snapshot.db")
                after = count(store)
        finally:
            writer.kill()
            writer.wait()
        with Store(snap.path) as copy:
            held = count(copy)
            steps = [
                int(r[0][5:-1])
                for r in copy.db.execute("SELECT source FROM experiments WHERE source LIKE 'step(%'")
            ]
            verified = time.perf_counter()
            ok = verify_logbook(copy).ok
            verify_seconds = time.perf_counter() - verified
        prefix = sorted(steps) == list(range(len(steps)))
        print(
            f"snapshot: {snap.seconds:.2f} s, {snap.bytes / 1e6:.1f} MB, one file "
            f"(plain copy of file and WAL: {plain:.2f} s; ratio {snap.seconds / plain:.1f}x)"
        )
        print(f"the writer committed {after - before} experiments during the snapshot")
        print(
            f"snapshot holds {held:,} experiments; {before:,} were committed before it began: "
            f"{'nothing lost' if held >= before and prefix else 'RECORDS MISSING'}"
        )
        print(
            f"writer's experiments in it form a prefix of its history: {prefix}; "
            f"logbook verify on the snapshot: {'ok' if ok else 'FAILED'} in {verify_seconds:.1f} s"
        )


if __name__ == "__main__":
    main()
