"""The scripts that draw Plotly and CircuitsVis figures, served from the packages installed beside the server.

The experiment view draws a recorded figure in a sandboxed frame that may
reach nothing, so it cannot load plotly.js or CircuitsVis from a CDN: it
fetches them here once and writes them into the frame.

- ``GET bundles``: ``{"plotly": {"version", "digest", "bytes", "url"}, "circuitsvis": {"missing": "..."}}``,
  each kind's bundle or why there is none;
- ``GET bundles/<kind>?v=<digest>``: the JavaScript. Its ``ETag`` is the digest
  (``If-None-Match`` answers 304); asked for by the digest it has now, it may be
  kept for a year unchanged (``immutable``), else it must be checked again.
  A package that is not installed is a 404 that says what to install.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import tornado.web

from logbook.replies import Bundle, BundleMissing, BundleReady, Bundles
from logbook.report.figure_scripts import bundle, bundle_digest, bundle_version
from logbook.server.base import Exchange, LogbookHandler

#: The figure kinds with a bundle, the package each comes from, and what that package's figures are called.
KINDS = {"plotly": ("plotly", "Plotly"), "circuitsvis": ("circuitsvis", "CircuitsVis")}
IMMUTABLE = "private, max-age=31536000, immutable"


def missing_message(kind: str) -> str:
    """Why ``kind``'s figures cannot be drawn, and what to install."""
    package, name = KINDS[kind]
    return (
        f"{name} figures are drawn with the script the {package} package ships, and the Python that runs "
        f"this Jupyter server does not have {package}: install it there (pip install {package}) and reopen "
        "the experiment."
    )


def _describe(kind: str) -> Bundle:
    digest = bundle_digest(kind)
    if digest is None:
        return BundleMissing(missing=missing_message(kind))
    return BundleReady(
        version=bundle_version(KINDS[kind][0]),
        digest=digest,
        bytes=len((bundle(kind) or "").encode("utf-8")),
        url=f"bundles/{kind}?v={digest}",
    )


async def _off_the_loop(function: Any, *args: Any) -> Any:
    """The first read of a bundle (megabytes from disk) happens off the server's event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


class BundlesHandler(LogbookHandler):
    """Which bundles this server has: each kind's version, digest and URL, or why it is missing."""

    api = {"GET": Exchange(Bundles)}

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(Bundles(**{kind: await _off_the_loop(_describe, kind) for kind in KINDS}))


class BundleHandler(LogbookHandler):
    """One bundle's JavaScript, cached by the browser under its digest."""

    api = {"GET": Exchange(None, media="text/javascript")}

    @tornado.web.authenticated
    async def get(self, kind: str) -> None:
        code: Optional[str] = await _off_the_loop(bundle, kind)
        if code is None:
            raise tornado.web.HTTPError(404, missing_message(kind))
        digest = bundle_digest(kind)
        self.set_header("ETag", f'"{digest}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header(
            "Cache-Control", IMMUTABLE if self.get_argument("v", "") == digest else "private, no-cache"
        )
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        self.finish(code.encode("utf-8"), set_content_type="text/javascript; charset=utf-8")


ROUTES: list[tuple[str, type[LogbookHandler]]] = [
    ("bundles", BundlesHandler),
    (r"bundles/(plotly|circuitsvis)", BundleHandler),
]
