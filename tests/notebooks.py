"""Running cells through a real kernel with the recorder loaded."""

from __future__ import annotations

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
