"""Running a command that file permissions apply to, even when the tests run as root."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import pytest

#: The capabilities that let root read and write any file regardless of its permissions.
DROP = "--bounding-set=-dac_override,-dac_read_search"


@functools.lru_cache(maxsize=1)
def _prefix() -> tuple[str, ...] | None:
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    probe = subprocess.run([setpriv, DROP, "true"], capture_output=True)
    return (setpriv, DROP) if probe.returncode == 0 else None


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c code args`` as a process that permissions bind (root without its overrides)."""
    prefix = _prefix()
    if prefix is None:
        pytest.skip("running as root without setpriv: file permissions cannot bind the test")
    return subprocess.run(
        [*prefix, sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
