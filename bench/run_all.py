"""Run every benchmark in turn and print their figures: ``make bench``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "kernel_overhead.py",
    "throughput.py",
    "durability.py",
    "export_size.py",
    "peers.py",
    "api_latency.py",
    "sidebar_100k.py",
    "install_first_screen.py",
]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"$ python bench/{name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name)])
        print(flush=True)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
