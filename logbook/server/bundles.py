"""The scripts that draw Plotly and CircuitsVis figures, served from the packages installed beside the server.

The experiment view draws a recorded figure in a sandboxed frame that may reach nothing but its one script,
so it never loads plotly.js or CircuitsVis from a CDN:

- ``GET bundles`` (API, token needed): ``{"plotly": {"version", "digest", "bytes", "script", "recorded"},
  "circuitsvis": {"missing": "..."}}``, each kind's bundle or why there is none, and whether the logbook
  holds a figure of that kind (the view then readies the script in idle time);
- ``GET <base_url>/logbook/scripts/<kind>-<digest>.js``: the JavaScript itself, public as JupyterLab's own
  static files are (it is a file of an installed package, never anything from the logbook), because the
  frame that loads it has an opaque origin and carries no credentials. Named by its digest, it is kept by
  the browser for a year (``immutable``); a digest that is not the installed bundle's is a 404. Loaded by
  URL rather than written into the frame, the script is compiled once per page, not once per figure.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import tornado.web
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from logbook.replies import Bundle, BundleMissing, BundleReady, Bundles
from logbook.report.figure_scripts import bundle, bundle_digest, bundle_version
from logbook.server.base import Exchange, LogbookHandler

#: The figure kinds with a bundle, the package each comes from, and what that package's figures are called.
KINDS = {"plotly": ("plotly", "Plotly"), "circuitsvis": ("circuitsvis", "CircuitsVis")}
IMMUTABLE = "public, max-age=31536000, immutable"


def missing_message(kind: str) -> str:
    """Why ``kind``'s figures cannot be drawn, and what to install."""
    package, name = KINDS[kind]
    return (
        f"{name} figures are drawn with the script the {package} package ships, and the Python that runs "
        f"this Jupyter server does not have {package}: install it there (pip install {package}) and reopen "
        "the experiment."
    )


def script_path(kind: str, digest: str) -> str:
    """Where ``kind``'s script is served, relative to the server's base URL."""
    return f"logbook/scripts/{kind}-{digest}.js"


def _describe(kind: str, recorded: bool) -> Bundle:
    digest = bundle_digest(kind)
    if digest is None:
        return BundleMissing(missing=missing_message(kind))
    return BundleReady(
        version=bundle_version(KINDS[kind][0]),
        digest=digest,
        bytes=len((bundle(kind) or "").encode("utf-8")),
        script=script_path(kind, digest),
        recorded=recorded,
    )


async def _off_the_loop(function: Any, *args: Any) -> Any:
    """The first read of a bundle (megabytes from disk) happens off the server's event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


class BundlesHandler(LogbookHandler):
    """Which bundles this server has: each kind's version, digest and script, or why it is missing."""

    api = {"GET": Exchange(Bundles)}

    @tornado.web.authenticated
    async def get(self) -> None:
        recorded = await self.call(lambda store: store.figure_kinds())
        self.send(Bundles(**{kind: await _off_the_loop(_describe, kind, kind in recorded) for kind in KINDS}))


class ScriptHandler(APIHandler):
    """One bundle's JavaScript, public and immutable under its digest (an error says why, as JSON)."""

    def check_origin(self, origin_to_satisfy_tornado: str = "") -> bool:  # noqa: ARG002
        """Any origin may load it: the frames that do have an opaque one (``Origin: null``), and it is a public file."""
        return True

    @allow_unauthenticated
    async def get(self, kind: str, digest: str) -> None:
        code: Optional[str] = await _off_the_loop(bundle, kind)
        if code is None:
            raise tornado.web.HTTPError(404, missing_message(kind))
        if digest != bundle_digest(kind):
            raise tornado.web.HTTPError(404, f"this server's {KINDS[kind][1]} script is not {digest}")
        self.set_header("ETag", f'"{digest}"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", IMMUTABLE)
        if self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        self.finish(code.encode("utf-8"), set_content_type="text/javascript; charset=utf-8")


ROUTES: list[tuple[str, type[LogbookHandler]]] = [("bundles", BundlesHandler)]


def script_routes(base_url: str) -> list[tuple[str, type[APIHandler]]]:
    """The public script route, under ``<base_url>/logbook/scripts/`` (outside the API and its token)."""
    pattern = r"logbook/scripts/(plotly|circuitsvis)-([0-9a-f]{20})\.js"
    return [(url_path_join(base_url, pattern), ScriptHandler)]
