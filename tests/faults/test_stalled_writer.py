"""While the kernel's writer cannot write (a full disk), logbook calls answer within a second."""

import time

import pytest

from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel
from tests.faults.test_disk_full import LIMIT_FILE_SIZE

pytestmark = pytest.mark.kernel

TIMED_CALL = """
started = time.perf_counter()
try:
    logbook.hypothesis('stated while the writer is stalled')
    outcome = 'recorded'
except Exception as error:
    outcome = f'{type(error).__name__}: {error}'
print(f'{time.perf_counter() - started:.2f}', outcome)
"""


def test_a_logbook_call_does_not_wait_for_a_stalled_writer(tmp_path):
    db = tmp_path / "logbook.db"
    with recording_kernel(db, tmp_path) as (_, client):
        assert execute(client, "import logbook, time; assert logbook.flush()")[0] == "ok"
        assert execute(client, LIMIT_FILE_SIZE)[0] == "ok"
        printed = []
        for i in range(5):
            printed += execute(client, f"value_{i} = 'x' * 20000\nprint(value_{i})")[1]
        deadline = time.monotonic() + 30
        while "logbook: cannot write to the logbook" not in "".join(printed) and time.monotonic() < deadline:
            printed += execute(client, "time.sleep(0.1)")[1]  # the writer's warning shows after a cell
        assert "retrying" in "".join(printed)
        status, printed = execute(client, TIMED_CALL)
        assert status == "ok"
        took, outcome = [line for line in "".join(printed).splitlines() if not line.startswith("logbook:")][
            0
        ].split(" ", 1)
        assert float(took) < 1.0
        assert outcome == "recorded" or outcome.startswith(
            f"LogbookUnwritable: cannot write to the logbook at {db}"
        )
        # Room again: the queued cells are written.
        status, _ = execute(
            client,
            "resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
            "assert logbook.flush(timeout=30)",
        )
        assert status == "ok"
    with Store(db) as store:
        sources = [row[0] for row in store.db.execute("SELECT source FROM experiments")]
    assert sum(source.startswith("value_") for source in sources) == 5
