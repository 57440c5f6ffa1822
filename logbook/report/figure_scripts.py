"""CircuitsVis and Plotly figures: recognising them, and the JavaScript that draws them offline.

CircuitsVis writes its HTML either with its 1.3 MB bundle inline (offline) or
importing it from a CDN (online); both are kept as one compact form, the bundle
dropped, and a report adds the bundle from the installed package once.
Plotly figures are kept as their JSON (``application/vnd.plotly.v1+json``) and
drawn with the ``plotly.min.js`` the plotly package ships. An HTML report
carries each bundle deflated and in base64 (:func:`packed_bundle`: 4.8 MB of
Plotly become 2.0 MB), which the page unpacks with the browser's
``DecompressionStream``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

#: ``render("circuits-vis-…", AttentionPattern, {…})`` as both forms of CircuitsVis HTML end.
_CIRCUITSVIS_CALL = re.compile(
    r'render\(\s*"(?P<uuid>circuits-vis-[\w-]+)",\s*(?:CircuitsVis\.)?(?P<name>\w+),\s*(?P<props>\{.*\})\s*\)\s*</script>\s*\Z',
    re.S,
)
_CIRCUITSVIS_START = re.compile(r'\A\s*<div id="circuits-vis-[\w-]+"')


@dataclass(frozen=True)
class CircuitsVisFigure:
    """One CircuitsVis visualisation: its element id, React component and properties (JSON text)."""

    uuid: str
    name: str
    props: str

    def compact_html(self) -> str:
        """The figure as kept: a div and the render call, without the bundle."""
        return (
            f'<div id="{self.uuid}" style="margin: 15px 0;"></div>\n'
            f'<script type="module">\n/* CircuitsVis bundle added by the report */\n'
            f'CircuitsVis.render("{self.uuid}", CircuitsVis.{self.name}, {self.props})\n</script>'
        )


def circuitsvis_figure(html: str) -> Optional[CircuitsVisFigure]:
    """The CircuitsVis figure that ``html`` draws, or None when it is other HTML."""
    if not _CIRCUITSVIS_START.match(html) or len(html) < 40:
        return None
    tail = html[-200_000:] if len(html) > 200_000 else html
    match = _CIRCUITSVIS_CALL.search(tail)
    if match is None:
        return None
    try:
        json.loads(match["props"])
    except ValueError:
        return None
    return CircuitsVisFigure(match["uuid"], match["name"], match["props"])


def compact(html: str) -> str:
    """``html`` as kept: a CircuitsVis figure without its inline bundle, other HTML unchanged."""
    figure = circuitsvis_figure(html)
    return figure.compact_html() if figure is not None else html


def _package_file(package: str, *parts: str) -> Optional[Path]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def bundle(kind: str) -> Optional[str]:
    """The JavaScript that draws ``kind`` (``circuitsvis`` or ``plotly``) figures, from its package; None if missing."""
    where = {
        "circuitsvis": ("circuitsvis", "dist", "cdn", "iife.js"),
        "plotly": ("plotly", "package_data", "plotly.min.js"),
    }[kind]
    try:
        path = _package_file(*where)
    except (ImportError, ValueError):
        return None
    return path.read_text(encoding="utf-8") if path is not None else None


@lru_cache(maxsize=None)
def bundle_digest(kind: str) -> Optional[str]:
    """A short hash of ``kind``'s bundle, which names its version in URLs; None if the package is missing."""
    code = bundle(kind)
    return None if code is None else hashlib.sha256(code.encode("utf-8")).hexdigest()[:20]


@lru_cache(maxsize=None)
def packed_bundle(kind: str) -> Optional[str]:
    """``kind``'s bundle deflated (zlib, as ``DecompressionStream("deflate")`` reads it) in base64; None if missing."""
    code = bundle(kind)
    return None if code is None else base64.b64encode(zlib.compress(code.encode("utf-8"), 9)).decode("ascii")


def shared_bundle_name(kind: str) -> Optional[str]:
    """The file name of ``kind``'s bundle in a folder that reports share, named by its content: ``plotly-<hash>.js``."""
    digest = bundle_digest(kind)
    return None if digest is None else f"{kind}-{digest}.js"


def bundle_version(kind: str) -> Optional[str]:
    """The installed version of the package that ships ``kind``'s bundle, if it says."""
    try:
        return importlib.metadata.version(kind)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def script_text(code: str) -> str:
    """``code`` safe inside a ``<script>`` element: no ``</script`` can end it early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.I)
