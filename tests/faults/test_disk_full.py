"""The disk fills up while the kernel records: one clear warning, no crash, nothing lost once there is room."""

import pytest

from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel

pytestmark = pytest.mark.kernel

LIMIT_FILE_SIZE = """
import os, resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
"""


def test_a_full_disk_warns_once_and_the_kernel_keeps_working(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "import logbook; assert logbook.flush()")[0] == "ok"
        assert execute(client, LIMIT_FILE_SIZE)[0] == "ok"
        printed = []
        for i in range(30):
            status, out = execute(client, f"value_{i} = 'x' * 20000\nprint(value_{i})")
            assert (
                status == "ok"
                and "".join(o for o in out if not o.startswith("logbook:")) == "x" * 20000 + "\n"
            )
            printed += out
        # The writer meets the full disk on its own thread, when the kernel lets it: wait for that event
        # (bounded), then one more cell shows the warning it queued.
        status, out = execute(
            client,
            "import time\nfrom logbook.api import session\nwriter = session.recorder.writer\n"
            "deadline = time.monotonic() + 120\n"
            "while not writer.stalled and time.monotonic() < deadline:\n    time.sleep(0.01)\n"
            "assert writer.stalled",
        )
        printed += out
        status, out = execute(client, "pass")
        printed += out
        warnings = [line for line in "".join(printed).splitlines() if line.startswith("logbook:")]
        assert (
            len(warnings) == 1 and "cannot write to the logbook" in warnings[0] and "retrying" in warnings[0]
        )

        # Room again: the queued cells are written, none lost.
        status, _ = execute(
            client,
            "resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
            "assert logbook.flush(timeout=30)",
        )
        assert status == "ok"
    with Store(db) as store:
        sources = [row[0] for row in store.db.execute("SELECT source FROM experiments")]
    assert sum(source.startswith("value_") for source in sources) == 30
