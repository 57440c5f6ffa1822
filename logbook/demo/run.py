"""``logbook demo``: run the demo notebook headless into a fresh logbook and write its HTML log."""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, TextIO

if TYPE_CHECKING:
    from nbformat import NotebookNode

NOTEBOOK = "copying_heads.ipynb"
LOG_NAME = "copying-heads-log.html"


def demo_notebook() -> Path:
    return Path(str(resources.files("logbook.demo") / NOTEBOOK))


class Progress:
    """Progress on stderr: cells done, the cell running, time taken.

    On a terminal, one line redrawn in place; elsewhere (a log, CI), a line per cell.
    """

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.done = 0
        self.started = time.perf_counter()
        self.in_place = bool(getattr(stream, "isatty", lambda: False)())

    def show(self, label: str) -> None:
        filled = int(self.width * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        if self.in_place:
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} cells {elapsed:5.1f} s  {label[:40]:<40}")
        else:
            self.stream.write(f"{self.done}/{self.total} cells {elapsed:5.1f} s  {label[:60]}\n")
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.perf_counter() - self.started
        if self.in_place:
            self.stream.write("\n")
        return elapsed


def run_demo(folder: Path, online: bool = False, timeout: int = 600, again: bool = False) -> tuple[Path, int]:
    """Execute the demo in ``folder`` (its own fresh logbook; ``again``: into the logbook a run left there, as
    Restart & Run All does); returns the HTML log's path and the error count."""
    with _without_iri_grammar():
        import nbformat
        from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    logbook_dir = folder / ".logbook"
    if logbook_dir.exists() and not again:
        shutil.rmtree(logbook_dir)
    notebook = nbformat.read(demo_notebook(), as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    reruns = {cell.id: at for cell in code_cells if (at := rerun_of(cell, notebook)) is not None}
    progress = Progress(len(code_cells) + len(reruns))

    def first_line(cell: NotebookNode) -> str:
        return next((line for line in cell.source.splitlines() if line.strip()), "")

    saved_env = {key: os.environ.get(key) for key in ("LOGBOOK_DB", "HF_HUB_OFFLINE", "PATH")}
    os.environ["LOGBOOK_DB"] = str(logbook_dir / "logbook.db")
    # the notebook's `!logbook list` finds this installation's command, in a virtual environment not activated too
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if not online:
        os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(folder)}},
            on_cell_start=lambda cell, cell_index: (
                progress.show(first_line(cell)) if cell.cell_type == "code" else None
            ),
            on_cell_executed=lambda cell, cell_index, execute_reply: after(cell),
        )

        async def after(cell: NotebookNode) -> None:
            _advance(progress, cell)
            if cell.cell_type == "code" and cell.id in reruns:
                # As a user would: change a value, then run an earlier cell again.
                index = reruns[cell.id]
                progress.show(first_line(notebook.cells[index]))
                await client.async_execute_cell(
                    notebook.cells[index], index, execution_count=client.code_cells_executed + 1
                )
            if cell.id == code_cells[-1].id and await _flushed(client):
                # everything is in the logbook: stop the kernel at once rather than wait for its exit,
                # which takes seconds with TransformerLens loaded
                client.shutdown_kernel = "immediate"

        client.execute()
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    progress.show("done")
    progress.finish()
    nbformat.write(notebook, folder / NOTEBOOK)
    errors = sum(
        1 for cell in code_cells for output in cell.get("outputs", []) if output.output_type == "error"
    )
    return folder / LOG_NAME, errors


def rerun_of(cell: NotebookNode, notebook: NotebookNode) -> Optional[int]:
    """The index of the cell to run again after ``cell`` (its ``logbook.rerun`` metadata names its id), if any."""
    wanted = cell.get("metadata", {}).get("logbook", {}).get("rerun")
    return next((i for i, other in enumerate(notebook.cells) if wanted and other.get("id") == wanted), None)


async def _flushed(client: Any) -> bool:
    """Whether the kernel has written everything it recorded (asked silently, so the question is no cell)."""
    expression = "__import__('logbook').flush()"
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"flushed": expression})
    reply = await client.async_wait_for_reply(msg_id)
    answer = (reply or {}).get("content", {}).get("user_expressions", {}).get("flushed", {})
    return answer.get("status") == "ok" and answer.get("data", {}).get("text/plain") == "True"


@contextmanager
def _without_iri_grammar() -> Iterator[None]:
    """Import with jsonschema's optional IRI format check left out.

    Its grammar (``rfc3987_syntax``) takes about 2 s to build at import, and
    the notebook schema nbformat validates against (draft 4) never uses it.
    Where jsonschema is imported already this changes nothing; otherwise
    jsonschema checks no IRI format in this process, and a later import of
    ``rfc3987_syntax`` itself finds it again.
    """
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", ...) is None:
            del sys.modules["rfc3987_syntax"]


def _advance(progress: Progress, cell: NotebookNode) -> None:
    if cell.cell_type == "code":
        progress.done += 1
