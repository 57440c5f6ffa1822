"""Rendering the Markdown report to one self-contained, printable HTML file."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .export_target import HTML_MARKER

_OWN_CHART = re.compile(r"^data:image/(svg\+xml|png|jpeg);base64,[A-Za-z0-9+/=]+$")

STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1, h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; }
h3 { margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; background: #f6f6f6; padding: 0 .2em; }
pre { background: #f6f6f6; padding: .7em; overflow-x: auto; border-radius: 4px; }
pre code { padding: 0; background: none; }
img { max-width: 100%; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  pre { white-space: pre-wrap; word-break: break-all; }
  h2, h3 { page-break-after: avoid; }
  pre, table, img { page-break-inside: avoid; }
}
"""


def _highlight(code: str, language: str, attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        return ""
    return highlight(code, lexer, HtmlFormatter(nowrap=True))


def markdown_renderer() -> MarkdownIt:
    """CommonMark with tables and highlighting; raw HTML in the source is escaped, never rendered."""
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")
    default_validate = md.validateLink
    md.validateLink = lambda url: bool(_OWN_CHART.match(url)) or default_validate(url)
    return md


def render_html(markdown: str, title: str) -> str:
    body = markdown_renderer().render(markdown)
    pygments_css = HtmlFormatter().get_style_defs("pre code")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{HTML_MARKER}\n<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STYLE}\n{pygments_css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
