"""Wheel size, and install-to-first-screen time in a fresh virtual environment.

    python bench/install_first_screen.py

Builds the wheel (the frontend inside, prebuilt), installs it alone into a new
venv with pip, as README says (it brings JupyterLab; dependencies from the
configured index; pip's cache makes a second run faster than a first install
on a new machine), starts that venv's `jupyter lab` and times Chromium until
the Logbook sidebar is on screen. The baseline is the same with plain
JupyterLab installed, no Logbook.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import CHROMIUM_FLAGS, chromium  # noqa: E402
from tests.support.lab_server import free_port, lab_command  # noqa: E402


def build_wheel(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)], check=True
    )
    return next(out.glob("jupyterlab_logbook-*.whl"))


def fresh_install(folder: Path, requirement: str) -> tuple[Path, float]:
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    started = time.perf_counter()
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", requirement], check=True)
    if not (venv / "bin" / "jupyter-lab").exists():
        raise SystemExit(f"`pip install {requirement}` did not install `jupyter lab`")
    return venv, time.perf_counter() - started


def first_screen(venv: Path, root: Path, selector: str) -> float:
    from playwright.sync_api import sync_playwright

    port, token = free_port(), "benchtoken"
    started = time.perf_counter()
    server = subprocess.Popen(
        lab_command([str(venv / "bin" / "jupyter"), "lab"], root, port, token),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
            )
            page = browser.new_page()
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5000)
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    if server.poll() is not None:
                        raise RuntimeError("jupyter lab exited") from None
            page.locator(selector).first.wait_for(state="attached", timeout=120_000)
            elapsed = time.perf_counter() - started
            browser.close()
            return elapsed
    finally:
        server.terminate()
        server.wait(20)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        wheel = build_wheel(folder / "dist")
        root = folder / "project"
        root.mkdir()
        (folder / "plain").mkdir()
        plain_venv, plain_install = fresh_install(folder / "plain", "jupyterlab>=4.1,<5")
        plain_screen = first_screen(plain_venv, root, ".jp-LauncherBody, .jp-Launcher-body, .jp-Launcher")
        (folder / "logbook").mkdir()
        venv, install = fresh_install(folder / "logbook", str(wheel))
        screen = first_screen(venv, root, '.jp-SideBar [data-id="jp-logbook-sidebar"]')
        wheel_size = wheel.stat().st_size
    print("Wheel and first screen (fresh venv, pip's cache warm)")
    print(f"  wheel {wheel.name}: {wheel_size / 1e6:.2f} MB")
    print(f"  pip install   plain JupyterLab {plain_install:6.1f} s   with Logbook {install:6.1f} s")
    print(
        f"  server start to first screen   plain {plain_screen:5.1f} s   with Logbook sidebar {screen:5.1f} s   "
        f"ratio {screen / plain_screen:.2f}"
    )


if __name__ == "__main__":
    main()
