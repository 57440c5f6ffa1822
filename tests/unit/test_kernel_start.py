"""Kernels the server starts: Python ones load the hooks, write to the server's logbook, and find the
``logbook`` command installed beside the server."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from types import SimpleNamespace

from logbook.server.extension import record_kernels, with_scripts

SCRIPTS = str(Path(sys.executable).parent)


class KernelManager:
    """The two things ``record_kernels`` uses of Jupyter's kernel manager: the kernel specs, and start_kernel."""

    default_kernel_name = "python3"

    def __init__(self) -> None:
        self.started: list[dict] = []
        languages = {"python3": "python", "ir": "R"}
        self.kernel_spec_manager = SimpleNamespace(
            get_kernel_spec=lambda name: SimpleNamespace(language=languages[name])
        )

    async def start_kernel(self, **kwargs) -> str:
        self.started.append(kwargs)
        return "kernel-1"


def test_a_python_kernel_loads_the_hooks_writes_the_servers_logbook_and_finds_the_command(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    manager = KernelManager()
    record_kernels(manager, tmp_path / "logbook.db", logging.getLogger("test"))
    asyncio.run(manager.start_kernel(kernel_name="python3"))
    (kwargs,) = manager.started
    assert kwargs["extra_arguments"] == ["--ext=kernel_hooks"]
    assert kwargs["env"]["LOGBOOK_DB"] == str(tmp_path / "logbook.db")
    assert kwargs["env"]["PATH"].split(os.pathsep) == [SCRIPTS, "/usr/bin", "/bin"]


def test_another_language_starts_as_it_was_asked():
    manager = KernelManager()
    record_kernels(manager, Path("logbook.db"), logging.getLogger("test"))
    asyncio.run(manager.start_kernel(kernel_name="ir"))
    assert manager.started == [{"kernel_name": "ir"}]


def test_a_path_that_has_the_scripts_folder_is_left_as_it_is():
    path = os.pathsep.join(["/opt/bin", SCRIPTS, "/usr/bin"])
    assert with_scripts(path) == path
    assert with_scripts("") == SCRIPTS
