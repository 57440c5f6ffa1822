"""A real `jupyter lab` on 127.0.0.1 for browser tests, and Playwright driving Debian's Chromium."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.browser import CHROMIUM_FLAGS, LOADED_MACHINE_TIMEOUT_MS, chromium

#: Held shared while a JupyterLab runs, so a frontend build in the same tree that takes it exclusively
#: (``flock /tmp/logbook-build.lock npm run build:prod``) never rewrites the extension under a running test.
BUILD_LOCK = Path("/tmp/logbook-build.lock")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_command(launcher: list[str], root: Path, port: int, token: str) -> list[str]:
    """The command line of a JupyterLab on 127.0.0.1 only, serving ``root``, with a fixed token."""
    return [
        *launcher,
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]


class Lab:
    def __init__(self, root: Path, port: int, token: str, process: subprocess.Popen, log: Path):
        self.root, self.port, self.token, self.process, self.log = root, port, token, process, log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")


@contextmanager
def jupyter_lab(root: Path, settings: dict[str, dict], timeout: float = 90) -> Iterator[Lab]:
    """Start JupyterLab serving ``root`` with user ``settings`` ({plugin file: values}); stop it after."""
    with open(BUILD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        with _jupyter_lab(root, settings, timeout) as lab:
            yield lab


@contextmanager
def _jupyter_lab(root: Path, settings: dict[str, dict], timeout: float) -> Iterator[Lab]:
    settings_dir = root.parent / "lab-settings"
    for name, values in settings.items():
        target = settings_dir / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    log = root.parent / "jupyter-lab.log"
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(root.parent / "ws"),
    }
    env.pop("LOGBOOK_DB", None)
    command = [
        *lab_command([sys.executable, "-m", "jupyterlab"], root, port, token),
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--LabApp.collaborative=False",
    ]
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=root)
    lab = Lab(root, port, token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                lab.api("GET", "api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)  # waiting for the server's port, not standing in for an event
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def browser_page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=[flag for flag in CHROMIUM_FLAGS if flag != "--headless"],
            headless=True,
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            # Every wait is for an event; this only bounds it. JupyterLab's first load on a loaded
            # 2-core machine can take well over Playwright's 30 s default.
            context.set_default_timeout(LOADED_MACHINE_TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


def settled(page, timeout: float | None = None) -> None:
    """Wait until JupyterLab has settled: it ends its start by activating the main area (a launcher
    or a notebook), which takes the keyboard focus. A test that uses the keyboard starts after that."""
    page.wait_for_function(
        "() => document.activeElement?.closest('#jp-main-dock-panel') != null", timeout=timeout
    )


def open_sidebar(page) -> None:
    """Show the Logbook sidebar (the layout restorer may already have opened it) once the page has settled."""
    # Its first main-area widget takes the keyboard focus once the layout is restored: wait for that, so
    # text typed into the sidebar afterwards stays there (a layout that focuses elsewhere goes on after 3 s).
    # (The one showing: experiment tabs the layout kept are restored too, behind it.)
    page.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden)").first.wait_for()
    try:
        settled(page, timeout=3000)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        pass
    tab = page.locator('.jp-SideBar [data-id="jp-logbook-sidebar"]')
    tab.wait_for()
    title = page.locator("#jp-logbook-sidebar .jp-Logbook-title")
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    for _ in range(3):  # the restored layout may still be settling: a click on the current tab toggles it
        try:
            title.wait_for(timeout=3000)
            return
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            tab.click()
    title.wait_for()
