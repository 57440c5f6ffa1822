"""Starting real kernels on 127.0.0.1 and timing cells through them."""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from jupyter_client.manager import start_new_kernel


@contextmanager
def kernel(env: dict | None = None, cwd: str | None = None):
    """A python3 kernel and its client; shut down on exit."""
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=cwd)
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str, timeout: float = 120) -> float:
    """Execute ``code``; returns seconds from request to the kernel going idle."""
    start = time.perf_counter()
    reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    elapsed = time.perf_counter() - start
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply['content']}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def describe(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "p99": percentile(values, 99),
        "mean": statistics.fmean(values),
    }
