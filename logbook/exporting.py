"""Writing the logbook out as a file: JSON (the full record), Markdown or HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from .models import LogbookExport
from .report import Selection, html_report, markdown_report, select
from .store import LogbookError, Store

FORMATS = ("json", "md", "html")


def export_json(store: Store, selection: Optional[Selection] = None) -> str:
    data = store.export()
    if selection is not None:
        data = select(data, selection)
    return data.model_dump_json(indent=2)


def export_schema() -> str:
    """The JSON Schema of ``logbook export --format json``, generated from the models."""
    return json.dumps(LogbookExport.model_json_schema(), indent=2, sort_keys=True) + "\n"


def render(store: Store, format: str, selection: Optional[Selection] = None) -> str:
    """The logbook (or the ``selection`` of it) as ``json``, ``md`` or ``html`` text."""
    if format == "json":
        return export_json(store, selection)
    if format in ("md", "markdown"):
        return markdown_report(store, selection)
    if format == "html":
        return html_report(store, selection)
    raise LogbookError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")


def export_logbook(
    store: Store, path: Path, format: str = "json", selection: Optional[Selection] = None
) -> Path:
    """Render the logbook as ``format`` and write it to ``path``; returns the path written."""
    text = render(store, format.lower(), selection)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
