"""Loading the server extension: routes, the change watcher, and recording kernels."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback

from logbook.paths import find_logbook, team_folder
from logbook.server.bundles import script_routes
from logbook.server.database import Database
from logbook.server.routes import route_table
from logbook.team.checks import TeamChecks

#: How often the server asks SQLite whether another connection wrote (one ``PRAGMA data_version``).
POLL_MILLISECONDS = 50
#: How often the server looks for teammates' files to verify (each is verified at most every ``CHECK_SECONDS``).
TEAM_CHECK_MILLISECONDS = 5000  # the first check too: none at start-up, while the page loads
#: The dashboard's charts are built this long after the server starts (off any request), and again after each
#: change while a dashboard was asked for in the last ``DASHBOARD_FOLLOW_SECONDS``.
DASHBOARD_WARM_AFTER_SECONDS = 3.0
DASHBOARD_FOLLOW_SECONDS = 3600.0


def load_jupyter_server_extension(serverapp: Any) -> None:
    root = Path(serverapp.root_dir).resolve()
    path = find_logbook(root)
    database = Database(path)
    web_app = serverapp.web_app
    web_app.settings.update(logbook_db=database, logbook_root=str(root))
    # JupyterLab's page config: a team project's sidebar has a Team section.
    web_app.settings.setdefault("page_config_data", {})["logbookTeam"] = str(
        team_folder(path) is not None
    ).lower()
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [*route_table(base_url), *script_routes(base_url)])
    watcher = PeriodicCallback(database.poll, POLL_MILLISECONDS)
    watcher.start()
    web_app.settings["logbook_watcher"] = watcher
    if team_folder(path) is not None:
        database.team_checks = TeamChecks()
        checker = PeriodicCallback(lambda: check_team(database, serverapp.log), TEAM_CHECK_MILLISECONDS)
        checker.start()
        web_app.settings["logbook_team_checker"] = checker
    warmer = DashboardWarmer(database, web_app.settings, serverapp.log)
    web_app.settings["logbook_dashboard_warmer"] = warmer
    IOLoop.current().spawn_callback(warmer.follow)
    record_kernels(serverapp.kernel_manager, path, serverapp.log)
    serverapp.log.info(f"Logbook: writing to {path}")


async def check_team(database: Any, log: Any) -> None:
    """Verify, on a worker thread, each teammate's file that changed and is due (see :mod:`logbook.team.checks`)."""
    checks = database.team_checks
    if checks is None:
        return
    try:
        await asyncio.get_running_loop().run_in_executor(None, checks.run, database.path)
    except Exception as error:  # noqa: BLE001 - the view says "not checked yet"; the server goes on
        log.warning(f"Logbook: teammates' records not verified ({error})")


class DashboardWarmer:
    """Builds the dashboard's charts on the database thread ahead of the request that wants them.

    Shortly after start it fills the server's dashboard cache (``logbook_dashboard``) once; then, while a
    dashboard was asked for lately (``logbook_dashboard_asked``, set by the route), it brings the cache up to
    date after each change, just after the change feed's own read, so the request the feed prompts finds its
    charts built. ``warmed`` counts the rounds done and ``ms`` the last one's time (its cost is still paid, on
    the database thread, off the request path).
    """

    def __init__(self, database: Any, settings: dict, log: Any):
        self.database, self.settings, self.log = database, settings, log
        self.warmed = 0
        self.ms = 0.0
        self._done = asyncio.Event()

    async def next_round(self, after: int) -> int:
        """Wait until more than ``after`` rounds are done; the rounds done."""
        while self.warmed <= after:
            await self._done.wait()
        return self.warmed

    async def warm(self) -> None:
        from logbook.report.dashboard import DashboardCache, dashboard

        cache = self.settings.setdefault("logbook_dashboard", DashboardCache())
        started = time.perf_counter()
        try:
            await self.database.run(lambda store: dashboard(store, (), cache))
        except Exception as error:  # noqa: BLE001 - the request builds them then, and reports its own error
            self.log.debug(f"Logbook: dashboard not built ahead ({error})")
        self.ms = (time.perf_counter() - started) * 1000
        self.warmed += 1
        self._done.set()
        self._done = asyncio.Event()

    async def follow(self) -> None:
        await asyncio.sleep(DASHBOARD_WARM_AFTER_SECONDS)
        since = self.database.revision
        await self.warm()
        while True:
            since = await self.database.wait_for_change(since, 60)
            asked = self.settings.get("logbook_dashboard_asked")
            if asked is not None and time.monotonic() - asked < DASHBOARD_FOLLOW_SECONDS:
                await asyncio.sleep(0.005)  # the change feed reads first: its reply is what prompts the page
                await self.warm()


def with_scripts(path: str) -> str:
    """``path`` (a ``PATH``) with the scripts folder of the server's own Python first when it is missing, so a
    kernel's ``!logbook`` finds the command installed beside the server even when its environment was never
    activated (``.venv/bin/jupyter lab``)."""
    scripts = str(Path(sys.executable).parent)
    folders = path.split(os.pathsep) if path else []
    return path if scripts in folders else os.pathsep.join([scripts, *folders])


def record_kernels(kernel_manager: Any, logbook: Path, log: Any) -> None:
    """Python kernels this server starts load ``kernel_hooks`` and write to ``logbook``."""
    original = kernel_manager.start_kernel
    if getattr(original, "__logbook__", False):
        return

    async def start_kernel(*args: Any, **kwargs: Any) -> Any:
        try:
            name = kwargs.get("kernel_name") or kernel_manager.default_kernel_name
            spec = kernel_manager.kernel_spec_manager.get_kernel_spec(name)
            if spec.language.lower() == "python":
                kwargs["extra_arguments"] = [*(kwargs.get("extra_arguments") or []), "--ext=kernel_hooks"]
                env = {**os.environ, **(kwargs.get("env") or {}), "LOGBOOK_DB": str(logbook)}
                kwargs["env"] = {**env, "PATH": with_scripts(env.get("PATH", ""))}
        except Exception as error:  # noqa: BLE001 - the kernel still starts, just unrecorded
            log.warning(f"Logbook: kernel will not be recorded ({error})")
        return await original(*args, **kwargs)

    start_kernel.__logbook__ = True  # type: ignore[attr-defined]
    kernel_manager.start_kernel = start_kernel
