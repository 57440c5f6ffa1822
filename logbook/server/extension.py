"""Loading the server extension: routes, the change watcher, and recording kernels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tornado.ioloop import PeriodicCallback

from logbook.paths import find_logbook

from .bundles import bundle_routes
from .database import Database
from .feed import feed_routes
from .handlers import route_table

POLL_MILLISECONDS = 150


def load_jupyter_server_extension(serverapp: Any) -> None:
    root = Path(serverapp.root_dir).resolve()
    path = find_logbook(root)
    database = Database(path)
    web_app = serverapp.web_app
    web_app.settings.update(logbook_db=database, logbook_root=str(root))
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", route_table(base_url) + feed_routes(base_url) + bundle_routes(base_url))
    watcher = PeriodicCallback(database.poll, POLL_MILLISECONDS)
    watcher.start()
    web_app.settings["logbook_watcher"] = watcher
    record_kernels(serverapp.kernel_manager, path, serverapp.log)
    serverapp.log.info(f"Logbook: writing to {path}")


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
                kwargs["env"] = {**os.environ, **(kwargs.get("env") or {}), "LOGBOOK_DB": str(logbook)}
        except Exception as error:  # noqa: BLE001 - the kernel still starts, just unrecorded
            log.warning(f"Logbook: kernel will not be recorded ({error})")
        return await original(*args, **kwargs)

    start_kernel.__logbook__ = True  # type: ignore[attr-defined]
    kernel_manager.start_kernel = start_kernel
