"""Writing a report's figures as files in a ``*-figures/`` folder beside it.

The folder obeys the export rule (inside the project, no hidden folder, no
symbolic link) and is written as exports are: opened from the project folder
down without following a link, every file made relative to it
(:class:`logbook.export_target.Folder`). Files are named by their content's
hash, so a file already there with the same bytes is left as it is and one
with other bytes is refused: nothing that is not a figure of an export is
overwritten.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .errors import LogbookError
from .export_target import ExportRefused, ExportTarget, Folder, open_folder
from .figure_scripts import PLOTLY_MIME
from .report_figures import EXTENSIONS
from .store import Store

#: How a drawing script an earlier export wrote begins (another version of the same package may replace it).
_BUNDLE_HEADS = (b'"use strict";var CircuitsVis', b"/**\n* plotly.js", b"/**\n * plotly.js")


def figures_folder(target: Path) -> str:
    """The name of the folder beside ``target`` that holds its figures: ``report.md`` -> ``report-figures``."""
    return f"{target.stem}-figures"


def write_figures(target: ExportTarget, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into the figures folder beside ``target``; returns the paths."""
    if not files:
        return []
    relative = target.path.parent.relative_to(target.root) / figures_folder(target.path)
    shown = relative.as_posix()
    try:
        with open_folder(target.root, relative.parts, create=True) as folder:
            for name, data in sorted(files.items()):
                _write_one(folder, name, data)
    except OSError as error:
        raise LogbookError(f"could not write the figures in {shown}: {error.strerror or error}") from None
    return [target.root / relative / name for name in sorted(files)]


def _write_one(folder: Folder, name: str, data: bytes) -> None:
    status = folder.lstat(name)
    if status is not None:
        if not stat.S_ISREG(status.st_mode):
            raise ExportRefused(f"will not write {folder.name(name)}: it is not a plain file")
        existing = folder.read(name)
        if existing == data:
            return
        if not (name.endswith(".js") and existing.startswith(_BUNDLE_HEADS)):
            raise ExportRefused(f"will not overwrite {folder.name(name)}: it is not this export's figure")
    temp = folder.write_temp(name, data)
    try:
        if status is None:
            folder.place_new(temp, name)
        else:
            folder.replace(temp, name)
    finally:
        folder.remove(temp)


def json_figure_files(store: Store, experiments) -> dict[str, bytes]:
    """The figure outputs of ``experiments`` as files named by their full hash, for a JSON export."""
    from .figures import FIGURE_MIMES

    files: dict[str, bytes] = {}
    for experiment in experiments:
        for output in experiment.outputs:
            if output.mime in FIGURE_MIMES and not output.truncated:
                extension = "json" if output.mime == PLOTLY_MIME else EXTENSIONS[output.mime]
                try:
                    files[f"{output.sha256}.{extension}"] = store.blob(output.sha256)
                except LogbookError:
                    continue
    return files
