"""The server's one connection to the logbook, used from a single worker thread."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from logbook.store.core import Store
from logbook.team.checks import TeamChecks
from logbook.team.view import team_signature

T = TypeVar("T")


class Database:
    """Runs store calls on one thread, so SQLite waits never block the server's event loop.

    ``revision`` counts changes to the logbook, by this server or any other
    process (kernels write through their own connections), and in a team
    project each write of a teammate to their own file, for the change feed.
    Before each call it checks that the file at ``path`` is still the one it
    opened; if it was deleted or replaced, it opens the one there now.
    """

    def __init__(self, path: Path):
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logbook-db")
        self._store: Optional[Store] = None
        self.error: Optional[str] = None
        self.revision = 0
        self._data_version: Any = None
        self._team_signature = ""
        #: In a team project, the background verification of teammates' files (set by the extension).
        self.team_checks: Optional[TeamChecks] = None
        self._changed = asyncio.Event()
        self._reopened = False

    def _open(self) -> Store:
        if self._store is None:
            self._store = Store(self.path)
            self._data_version = self._store.data_version()
        elif self._store.replaced():
            store, self._store = self._store, None
            store.reopen()
            self._store, self._reopened = store, True
            self._data_version = store.data_version()
        return self._store

    async def run(self, action: Callable[[Store], T], writes: bool = False) -> T:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._executor, lambda: self._call(action, writes))
        if writes or self._reopened:
            self._reopened = False
            self._bump()
        return result

    def _call(self, action: Callable[[Store], T], writes: bool) -> T:
        store = self._open()
        result = action(store)
        if writes:
            store.checkpoint()  # the change saved into the file itself, so a copy of that file alone has it
        return result

    def _bump(self) -> None:
        self.revision += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def poll(self) -> None:
        """Notice changes made by other connections since the file was opened, and teammates' writes
        (cheap: one pragma, and a ``stat`` of each teammate's file and WAL)."""
        try:
            version, team = await self.run(lambda store: (store.data_version(), team_signature(store.path)))
            if self.team_checks is not None:
                team += f"|checks:{self.team_checks.generation}"  # a teammate's verdict changed
            self.error = None
        except Exception as error:  # noqa: BLE001 - reported through /status
            self.error = f"{type(error).__name__}: {error}"
            return
        if version != self._data_version or team != self._team_signature:
            self._bump()
            self._data_version, self._team_signature = version, team

    async def wait_for_change(self, since: int, timeout: float) -> int:
        if self.revision != since:
            return self.revision
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self.revision

    def close(self) -> None:
        if self._store is not None:
            self._executor.submit(self._store.close).result()
        self._executor.shutdown(wait=False)
