"""The export route: the log downloaded, or written to a file inside the project folder."""

from __future__ import annotations

import os
from typing import Optional

import tornado.web

from logbook.errors import LogbookError
from logbook.replies import ExportWritten
from logbook.report.exporting import export_logbook, render
from logbook.report.selection import Selection
from logbook.server import requests as bodies
from logbook.server.base import Exchange, LogbookHandler

EXPORT_TYPES = {"json": "application/json", "md": "text/markdown", "html": "text/html"}


class ExportHandler(LogbookHandler):
    """GET downloads the log; POST writes it to a file inside the project folder."""

    api = {
        "GET": Exchange(None, media="application/json, text/markdown or text/html"),
        "POST": Exchange(ExportWritten, bodies.ExportToFile, 201),
    }

    def _selection(
        self, since: Optional[str], until: Optional[str], ids: Optional[list[str]]
    ) -> Optional[Selection]:
        """The part of the logbook asked for, None for all of it; a range that ends before it starts is a 400."""
        try:
            return Selection.of(since, until, ids)
        except LogbookError as error:
            raise tornado.web.HTTPError(400, str(error)) from None

    @tornado.web.authenticated
    async def get(self) -> None:
        fmt = self.get_argument("format", "html")
        if fmt not in EXPORT_TYPES:
            raise tornado.web.HTTPError(400, f"unknown format {fmt!r}; choose json, md or html")
        ids = self.get_arguments("hypothesis") or None
        selection = self._selection(self.get_argument("since", None), self.get_argument("until", None), ids)
        title = self.get_argument("title", None)
        text = await self.call(lambda store: render(store, fmt, selection, title))
        self.set_header("Content-Disposition", f'attachment; filename="research-log.{fmt}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        self.finish(text, set_content_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8")

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.body(bodies.ExportToFile)
        selection = self._selection(body.since, body.until, body.hypotheses)
        root = self.project_root.resolve()
        written = await self.call(
            lambda store: export_logbook(
                store,
                root / body.path,
                body.format,
                selection,
                root=root,
                title=body.title,
                replace=body.replace,
            )
        )
        size = os.stat(written, follow_symlinks=False).st_size  # the file written, never what a link names
        self.send(ExportWritten(path=written.relative_to(root).as_posix(), bytes=size))


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
    ("export", ExportHandler),
]
