"""Four kernels and the server write to one logbook at once for a minute: no lock errors, exact counts.

LOGBOOK_FAULT_SECONDS shortens or lengthens the run (default 60).
"""

import os
import threading
import time
import urllib.error

import pytest

from logbook.store.core import Store
from tests.faults.kernels import execute, recording_kernel
from tests.support.lab_server import jupyter_lab

pytestmark = pytest.mark.kernel

SECONDS = float(os.environ.get("LOGBOOK_FAULT_SECONDS", "60"))
KERNELS = 4


def test_four_kernels_and_the_server_at_once(tmp_path):
    root = tmp_path / "project"
    (root / ".logbook").mkdir(parents=True)
    db = root / ".logbook" / "logbook.db"
    Store(db).close()
    cells = [0] * KERNELS
    problems: list[str] = []
    posted = {"hypotheses": 0, "notes": 0}
    deadline = time.monotonic() + SECONDS

    def kernel_worker(index: int) -> None:
        with recording_kernel(db, root) as (_, client):
            while time.monotonic() < deadline:
                status, printed = execute(
                    client, f"k{index}_{cells[index]} = [{cells[index]}] * 100\nprint('ok')"
                )
                if status != "ok" or any("logbook:" in text for text in printed):
                    problems.append(f"kernel {index}: {status} {printed}")
                cells[index] += 1
            status, printed = execute(client, "import logbook; assert logbook.flush(60)")
            if status != "ok":
                problems.append(f"kernel {index} flush: {printed}")

    with jupyter_lab(root, {}) as lab:

        def server_worker() -> None:
            while time.monotonic() < deadline:
                try:
                    lab.api(
                        "POST",
                        "logbook/api/hypotheses",
                        {"statement": f"h{posted['hypotheses']}", "credence": 0.5},
                    )
                    posted["hypotheses"] += 1
                    lab.api("POST", "logbook/api/notes", {"text": f"n{posted['notes']}"})
                    posted["notes"] += 1
                except urllib.error.HTTPError as error:
                    problems.append(f"server: {error.code} {error.read()[:200]!r}")

        threads = [threading.Thread(target=kernel_worker, args=(i,)) for i in range(KERNELS)]
        threads.append(threading.Thread(target=server_worker))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log = lab.log.read_text()

    assert problems == []
    assert "database is locked" not in log
    with Store(db) as store:
        for index in range(KERNELS):
            recorded = store.db.execute(
                "SELECT count(*) FROM experiments WHERE source GLOB ?", [f"k{index}_*"]
            ).fetchone()[0]
            assert recorded == cells[index], index
        assert store.count("hypotheses") == posted["hypotheses"]
        assert store.count("notes") == posted["notes"]
        assert store.count("recorder_errors") == 0
    assert sum(cells) > KERNELS * 10 and posted["hypotheses"] > 10
