"""Run every benchmark in turn and print their figures: ``make bench``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Every script here but this one and the shared helpers (``_*.py``), in name order.
BENCHMARKS = sorted(
    path.name for path in HERE.glob("*.py") if not path.name.startswith("_") and path.name != "run_all.py"
)


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"$ python bench/{name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name)])
        print(flush=True)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
