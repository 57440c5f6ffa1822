"""Writing the logbook out as a file: JSON (the full record), Markdown or HTML."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Optional, overload
from urllib.parse import quote

from logbook.models import LogbookExport
from logbook.paths import team_folder
from logbook.report.export_target import (
    MARKDOWN_MARKER,
    check_target,
    default_root,
    write_export,
)
from logbook.report.figure_export import figures_folder, json_figure_files, write_figures
from logbook.report.figure_sections import FileFigures
from logbook.report.markdown import html_report, markdown_report
from logbook.report.selection import Selection, select
from logbook.store.core import LogbookError, Store
from logbook.team.view import team_view

FORMATS = ("json", "md", "html")
_ALIASES = {"markdown": "md", "htm": "html"}


def export_format(name: str) -> str:
    """The format called ``name``: ``json``, ``md`` (or ``markdown``) or ``html``."""
    fmt = _ALIASES.get(str(name).lower(), str(name).lower())
    if fmt not in FORMATS:
        raise LogbookError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def export_data(store: Store, selection: Optional[Selection] = None) -> LogbookExport:
    """The logbook (or its ``selection``) as the JSON export's model; in a team project, with every author's view."""
    data = store.export()
    if selection is not None:
        data = select(data, selection)
    if team_folder(store.path) is not None:
        data.team = team_view(store.path)
    return data


def export_json(store: Store, selection: Optional[Selection] = None) -> str:
    return export_data(store, selection).model_dump_json(indent=2)


def export_schema() -> str:
    """The JSON Schema of ``logbook export --format json``, generated from the models."""
    return json.dumps(LogbookExport.model_json_schema(), indent=2, sort_keys=True) + "\n"


@overload
def local_times(selection: Selection) -> Selection: ...
@overload
def local_times(selection: None) -> None: ...
@overload
def local_times(selection: Optional[Selection]) -> Optional[Selection]: ...
def local_times(selection: Optional[Selection]) -> Optional[Selection]:
    """``selection`` with a ``since``/``until`` given without a time zone read as local time."""
    if selection is None:
        return None

    def aware(moment: Optional[datetime]) -> Optional[datetime]:
        return moment.astimezone() if moment is not None and moment.tzinfo is None else moment

    return replace(selection, since=aware(selection.since), until=aware(selection.until))


def render(
    store: Store, format: str, selection: Optional[Selection] = None, title: Optional[str] = None
) -> str:
    """The logbook (or the ``selection`` of it) as ``json``, ``md`` or ``html`` text, marked as an export.

    ``title`` heads the Markdown and HTML reports (default: the project folder's name).
    """
    fmt = export_format(format)
    selection = local_times(selection)
    if fmt == "json":
        return export_json(store, selection)
    if fmt == "md":
        return f"{MARKDOWN_MARKER}\n\n{markdown_report(store, selection, title)}"
    return html_report(store, selection, title)


def export_logbook(
    store: Store,
    path: str | os.PathLike,
    format: str = "json",
    selection: Optional[Selection] = None,
    root: str | os.PathLike | None = None,
    title: Optional[str] = None,
    with_figures: bool = False,
    replace: bool = True,
) -> Path:
    """Render the logbook as ``format`` and write it to ``path``; returns the path written.

    The path must lie inside ``root`` (default: the folder holding ``.logbook/``)
    and be a new file or an earlier export (replaced only with ``replace``;
    else :class:`~logbook.report.export_target.ExportExists`): see :mod:`logbook.report.export_target`.
    A Markdown report's figures go in a ``*-figures/`` folder beside it, and
    so do a JSON export's figure outputs (named by hash) ``with_figures``.
    """
    fmt = export_format(format)
    target = check_target(path, fmt, default_root(store.path) if root is None else root, replace)
    if fmt == "md":
        figures = FileFigures(store, quote(figures_folder(target.path)))
        report = markdown_report(store, local_times(selection), title, figures=figures)
        write_figures(target, figures.files)
        return write_export(target, f"{MARKDOWN_MARKER}\n\n{report}")
    if fmt == "json" and with_figures:
        data = export_data(store, local_times(selection))
        write_figures(target, json_figure_files(store, data.experiments))
        return write_export(target, data.model_dump_json(indent=2))
    return write_export(target, render(store, fmt, selection, title))
