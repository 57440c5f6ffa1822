"""Running cells through a real kernel with the recorder loaded."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LOAD = "%load_ext kernel_hooks"


def run_notebook(
    cells: list[str], folder: Path, load: bool = True, timeout: int = 180
) -> nbformat.NotebookNode:
    """Execute ``cells`` in a fresh python3 kernel started in ``folder``; returns the executed notebook.

    The kernel inherits this process's environment, so ``LOGBOOK_DB`` points it at
    the test's logbook. Errors in cells are allowed: tests assert on them.
    """
    notebook = nbformat.v4.new_notebook()
    sources = ([LOAD] if load else []) + cells
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return notebook


def outputs_of(cell: nbformat.NotebookNode, output_type: str | None = None) -> list[dict]:
    return [o for o in cell.outputs if output_type is None or o.output_type == output_type]


def run_in_order(
    cells: list[str], order: list, folder: Path, timeout: int = 180
) -> list[nbformat.NotebookNode]:
    """Run ``cells`` in one kernel in ``order`` (indexes into ``cells``, repeats allowed), the recorder loaded first.

    A callable in ``order`` is called there, between two cells. Returns a copy of
    the executed cell after each cell run, so a cell run twice shows each run's outputs.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in [LOAD, *cells]]
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    runs = []
    with client.setup_kernel():
        client.execute_cell(notebook.cells[0], 0)
        for index in order:
            if callable(index):  # something done between two cells, outside the kernel
                index()
                continue
            cell = notebook.cells[index + 1]
            client.execute_cell(cell, index + 1)
            runs.append(nbformat.from_dict(copy.deepcopy(cell)))
    return runs
