"""Writing a report's figures as files in a ``*-figures/`` folder beside it.

The folder obeys the export rule (inside the project, no hidden folder, no
symbolic link). Files are named by their content's hash, so a file already
there with the same bytes is left as it is and one with other bytes is
refused: nothing that is not a figure of an export is overwritten.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from .errors import LogbookError
from .export_target import ExportRefused, ExportTarget, _check_folders, _make_folders, _place_new
from .figure_scripts import PLOTLY_MIME
from .report_figures import EXTENSIONS
from .store import Store


def figures_folder(target: Path) -> str:
    """The name of the folder beside ``target`` that holds its figures: ``report.md`` -> ``report-figures``."""
    return f"{target.stem}-figures"


def write_figures(target: ExportTarget, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into the figures folder beside ``target``; returns the paths."""
    if not files:
        return []
    folder = target.path.parent / figures_folder(target.path)
    relative = folder.relative_to(target.root)
    shown = relative.as_posix()
    try:
        _check_folders(target.root, relative / "figure")
        _make_folders(target.root, relative)
        written = [_write_one(folder, name, data, f"{shown}/{name}") for name, data in sorted(files.items())]
    except OSError as error:
        raise LogbookError(f"could not write the figures in {shown}: {error.strerror or error}") from None
    return written


def _write_one(folder: Path, name: str, data: bytes, shown: str) -> Path:
    path = folder / name
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None:
        if not stat.S_ISREG(mode):
            raise ExportRefused(f"will not write {shown}: it is not a plain file")
        if path.read_bytes() == data:
            return path
        if name.endswith((".js",)) and _bundle_file(path):
            os.replace(_temp(folder, name, data), path)
            return path
        raise ExportRefused(f"will not overwrite {shown}: it is not this export's figure")
    temp = _temp(folder, name, data)
    try:
        _place_new(temp, ExportTarget(folder, path, "figure", replaces=False))
    finally:
        if temp.exists():
            temp.unlink()
    return path


def _bundle_file(path: Path) -> bool:
    """Whether ``path`` is a drawing script an earlier export wrote (another version of the same package)."""
    with open(path, "rb") as file:
        head = file.read(200)
    return head.startswith((b'"use strict";var CircuitsVis', b"/**\n* plotly.js", b"/**\n * plotly.js"))


def _temp(folder: Path, name: str, data: bytes) -> Path:
    temp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with open(fd, "wb") as file:
        file.write(data)
    return temp


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
