"""A copy of the demo notebook to open in JupyterLab, so runs and saves stay out of the package.

    python -m logbook.demo.workspace logbook-lab     # prints the copy's path

The copy says which language its kernel speaks as this environment's
``python3`` kernel does, so JupyterLab has nothing to fill in on opening it
and does not show it as changed before anything ran. A copy already there is
the researcher's own and is left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from logbook.demo.run import NOTEBOOK, demo_notebook


def kernel_language_info() -> dict:
    """What this environment's IPython kernel reports as its ``language_info`` (empty without ipykernel)."""
    try:
        from ipykernel.ipkernel import IPythonKernel
    except ImportError:
        return {}
    return dict(IPythonKernel.language_info)


def demo_copy(folder: Path) -> Path:
    """The demo notebook in ``folder``: copied there with this kernel's language info, unless one is there."""
    import nbformat

    copy = Path(folder) / NOTEBOOK
    if copy.exists():
        return copy
    notebook = nbformat.read(demo_notebook(), as_version=4)
    language = kernel_language_info()
    if language:
        notebook.metadata["language_info"] = language
    copy.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, copy)
    return copy


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m logbook.demo.workspace FOLDER", file=sys.stderr)
        return 2
    print(demo_copy(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
