"""Real kernels for fault tests, started on 127.0.0.1 and always shut down."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import start_new_kernel


@contextmanager
def recording_kernel(logbook: Path, cwd: Path, extra_arguments: list[str] | None = None):
    """A python3 kernel with kernel_hooks loaded, writing to ``logbook``."""
    env = {**os.environ, "LOGBOOK_DB": str(logbook)}
    manager, client = start_new_kernel(
        kernel_name="python3",
        env=env,
        cwd=str(cwd),
        extra_arguments=["--ext=kernel_hooks", "--HistoryManager.enabled=False", *(extra_arguments or [])],
    )
    try:
        yield manager, client
    finally:
        client.stop_channels()
        if manager.is_alive():
            manager.shutdown_kernel(now=True)
        else:
            manager.cleanup_resources()


def execute(client, code: str, timeout: float = 60) -> tuple[str, list[str]]:
    """Run ``code``; returns the reply status and everything the cell printed."""
    printed: list[str] = []

    def keep(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(code, timeout=timeout, output_hook=keep)
    return reply["content"]["status"], printed
