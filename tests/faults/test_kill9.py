"""kill -9 a kernel mid-run: every cell that finished over a second before is in the logbook."""

import os
import signal
import time

import pytest

from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel

pytestmark = pytest.mark.kernel


def test_nothing_finished_is_lost(tmp_path):
    db = tmp_path / "logbook.db"
    finished: list[float] = []
    with recording_kernel(db, tmp_path) as (manager, client):
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            status, _ = execute(client, f"cell_{len(finished)} = {len(finished)}")
            assert status == "ok"
            finished.append(time.monotonic())
        killed_at = time.monotonic()
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        manager.provisioner.process.wait()
    with Store(db) as store:
        stored = {row[0] for row in store.db.execute("SELECT source FROM experiments")}
    settled = [i for i, t in enumerate(finished) if killed_at - t > 1.0]
    assert len(settled) > 20
    missing = [i for i in settled if f"cell_{i} = {i}" not in stored]
    assert missing == []
