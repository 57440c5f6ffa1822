"""Debian's Chromium for tests: headless screenshots of pages on disk or on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
#: How long any single wait in a browser test may take before it fails (events, not sleeps): JupyterLab's
#: first load on a loaded 2-core machine can take well over Playwright's 30 s default.
LOADED_MACHINE_TIMEOUT_MS = 120_000

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    """The Chromium binary; tests skip without it, unless CI requires it (LOGBOOK_REQUIRE_BROWSER=1)."""
    found = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
    if not found:
        if os.environ.get("LOGBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required here (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return found


def screenshot(url: str, name: str, tmp_path: Path, size: str = "1100,2400") -> Path:
    """Render ``url`` in headless Chromium and save a PNG under artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--window-size={size}",
            f"--screenshot={target}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def dump_dom(url: str, tmp_path: Path) -> str:
    """The DOM of ``url`` after Chromium has loaded it, as HTML text."""
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-dom'}", "--dump-dom", url],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    )
    return result.stdout
