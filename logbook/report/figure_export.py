"""Writing a report's figures as files in a ``*-figures/`` folder beside it.

The folder obeys the export rule (inside the project, no hidden folder, no
symbolic link) and is written as exports are: opened from the project folder
down without following a link, every file made relative to it
(:class:`logbook.report.export_target.Folder`). Files are named by their content's
hash, so a file already there with the same bytes is left as it is and one
with other bytes is refused: nothing that is not a figure of an export is
overwritten. The scripts that draw rich figures go once into
``logbook-figures/`` beside the report, which every report there shares;
a copy an earlier export put in the report's own folder is removed.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Iterable

from logbook.errors import LogbookError
from logbook.models import Experiment
from logbook.report.export_target import (
    ExportRefused,
    ExportTarget,
    Folder,
    open_folder,
)
from logbook.report.figure_sections import BUNDLE_FILES, EXTENSIONS, SHARED_FOLDER
from logbook.rules.figures import PLOTLY_MIME
from logbook.store.core import Store

#: How a drawing script an earlier export wrote begins (another version of the same package may replace it).
_BUNDLE_HEADS = (b'"use strict";var CircuitsVis', b"/**\n* plotly.js", b"/**\n * plotly.js")


def figures_folder(target: Path) -> str:
    """The name of the folder beside ``target`` that holds its figures: ``report.md`` -> ``report-figures``."""
    return f"{target.stem}-figures"


def write_figures(target: ExportTarget, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into the figures folder beside ``target``; returns the paths.

    A name ``logbook-figures/<name>`` goes into the shared folder beside ``target`` instead.
    """
    if not files:
        return []
    beside = target.path.parent.relative_to(target.root)
    by_folder: dict[str, dict[str, bytes]] = {}
    for name, data in files.items():
        folder_name, _, file_name = name.rpartition("/")
        by_folder.setdefault(folder_name or figures_folder(target.path), {})[file_name] = data
    written = []
    for folder_name, folder_files in sorted(by_folder.items()):
        if folder_name not in (SHARED_FOLDER, figures_folder(target.path)):
            raise ValueError(f"no figures folder {folder_name!r} beside {target.path.name}")
        relative = beside / folder_name
        try:
            with open_folder(target.root, relative.parts, create=True) as folder:
                for name, data in sorted(folder_files.items()):
                    _write_one(folder, name, data)
                if folder_name == figures_folder(target.path):
                    _remove_old_bundles(folder)
        except OSError as error:
            raise LogbookError(
                f"could not write the figures in {relative.as_posix()}: {error.strerror or error}"
            ) from None
        written += [target.root / relative / name for name in sorted(folder_files)]
    return written


def _remove_old_bundles(folder: Folder) -> None:
    """Remove the drawing scripts an earlier export copied into this report's own folder (now shared)."""
    for name in BUNDLE_FILES.values():
        status = folder.lstat(name)
        if (
            status is not None
            and stat.S_ISREG(status.st_mode)
            and folder.read(name, 64).startswith(_BUNDLE_HEADS)
        ):
            folder.remove(name)


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


def json_figure_files(store: Store, experiments: Iterable[Experiment]) -> dict[str, bytes]:
    """The figure outputs of ``experiments`` as files named by their full hash, for a JSON export."""
    from logbook.rules.figures import FIGURE_MIMES

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
