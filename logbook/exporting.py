"""Writing the logbook out as a file: JSON (the full record), Markdown or HTML."""

from __future__ import annotations

import json
from pathlib import Path

from .models import LogbookExport
from .store import LogbookError, Store

FORMATS = ("json", "md", "html")


def export_json(store: Store) -> str:
    return store.export().model_dump_json(indent=2)


def export_schema() -> str:
    """The JSON Schema of ``logbook export --format json``, generated from the models."""
    return json.dumps(LogbookExport.model_json_schema(), indent=2, sort_keys=True) + "\n"


def render(store: Store, format: str) -> str:
    if format == "json":
        return export_json(store)
    if format in ("md", "markdown"):
        from .report import markdown_report

        return markdown_report(store.export())
    if format == "html":
        from .report import html_report

        return html_report(store.export())
    raise LogbookError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")


def export_logbook(store: Store, path: Path, format: str = "json") -> Path:
    """Render the logbook as ``format`` and write it to ``path``; returns the path written."""
    text = render(store, format.lower())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
