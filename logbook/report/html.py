"""Rendering the Markdown report to one self-contained, printable HTML file.

Raw HTML in the Markdown is escaped, except the few tags the report writes
itself: ``<a id="..."></a>`` anchors (moved onto their heading, or kept in
place) and ``<details>``/``<summary>`` around resolved surprises. Charts,
referenced as ``chart:N`` images, are drawn inline as SVG.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Optional, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML, RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from logbook.report.charts import Charts
from logbook.report.export_target import HTML_MARKER

_OWN_IMAGE = re.compile(r"^(data:image/(svg\+xml|png|jpeg);base64,[A-Za-z0-9+/=]+|chart:\d+)$")
_ANCHOR = re.compile(r'^<a id="([a-z0-9-]+)">$')
_CLOSE_ANCHOR = "</a>"
_OWN_BLOCK = re.compile(r'^(<details id="[a-z0-9-]+">\n<summary>[^<>]*</summary>|</details>)\n?$')

STYLE = """
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #666; --rule: #ddd;
        --cell: #ccc; --head: #f3f3f3; --code: #f6f6f6; --link: #0b57d0; }
@media screen and (prefers-color-scheme: dark) {
  :root { --fg: #e3e3e3; --bg: #161616; --muted: #aaa; --rule: #3a3a3a; --cell: #444;
          --head: #232323; --code: #202020; --link: #8ab4f8; }
  pre code .k, pre code .kn, pre code .ow { color: #c792ea; }
  pre code .s1, pre code .s2, pre code .sd { color: #c3e88d; }
  pre code .mi, pre code .mf { color: #f78c6c; }
  pre code .c1, pre code .ch { color: #8a8a8a; }
  pre code .nb, pre code .nf { color: #82aaff; }
  img { background: #fff; }
  /* Chart marks a shade lighter, so they read on the dark page. */
  figure.chart [fill="#4c78a8"] { fill: #7fb0f0; }
  figure.chart [stroke="#4c78a8"] { stroke: #7fb0f0; }
  figure.chart [stroke="#2e8b57"], figure.chart [fill="#2e8b57"] { stroke: #62d08e; }
  figure.chart [stroke="#d62728"], figure.chart [fill="#d62728"] { stroke: #ff7b72; }
}
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
a { color: var(--link); }
h1, h2 { border-bottom: 1px solid var(--rule); padding-bottom: .2em; }
h3 { margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid var(--cell); padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: var(--head); }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; background: var(--code); padding: 0 .2em; }
pre { background: var(--code); padding: .7em; overflow-x: auto; border-radius: 4px; }
pre code { padding: 0; background: none; }
img { max-width: 100%; }
figure.chart { margin: .6em 0; color: var(--fg); }
figure.chart svg { max-width: 100%; height: auto; }
details { border: 1px solid var(--rule); border-radius: 4px; padding: .3em .8em; margin: .6em 0; }
details > summary { cursor: pointer; color: var(--muted); }
details[open] > summary { margin-bottom: .4em; }
:target { scroll-margin-top: 1rem; }
@media print {
  :root { color-scheme: light; --fg: #000; --bg: #fff; --link: #000; }
  body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { break-before: page; page-break-before: always; }
  h1 + p + p + h2 { break-before: auto; page-break-before: auto; }
  pre { white-space: pre-wrap; word-break: break-all; overflow: visible; }
  iframe { overflow: hidden; border: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  pre, table, img, figure { break-inside: avoid; page-break-inside: avoid; }
  details { border: 0; padding: 0; }
  a { text-decoration: none; }
}
"""


_FORMATTER = HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=32)
def _lexer(language: str) -> Optional[Lexer]:
    try:
        return get_lexer_by_name(language or "text")
    except ClassNotFound:
        return None


def _highlight(code: str, language: str, attrs: str) -> str:
    lexer = _lexer(language)
    return highlight(code, lexer, _FORMATTER) if lexer is not None else ""


def _own_html_only(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Raw HTML the report wrote itself passes; anything else is shown as text."""
    content = tokens[idx].content
    if _ANCHOR.match(content) or content == _CLOSE_ANCHOR or _OWN_BLOCK.match(content):
        return content
    return html.escape(content)


def _heading_ids(state: StateCore) -> None:
    """``## <a id="x"></a>Text`` becomes ``<h2 id="x">Text</h2>``: the anchor is the heading itself."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open":
            continue
        children = tokens[i + 1].children or []
        if len(children) >= 2 and children[0].type == "html_inline" and children[1].content == _CLOSE_ANCHOR:
            found = _ANCHOR.match(children[0].content)
            if found:
                token.attrSet("id", found.group(1))
                tokens[i + 1].children = children[2:]


class _ReportMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        """The report's own images (inline data and ``chart:N``) pass, besides what CommonMark allows."""
        return bool(_OWN_IMAGE.match(url)) or super().validateLink(url)


def markdown_renderer(charts: Optional[Charts] = None) -> MarkdownIt:
    """CommonMark with tables and highlighting; raw HTML is escaped unless the report wrote it."""
    md = _ReportMarkdown("commonmark", {"html": True, "highlight": _highlight}).enable("table")
    md.add_render_rule("html_inline", _own_html_only)
    md.add_render_rule("html_block", _own_html_only)
    md.core.ruler.push("heading_ids", _heading_ids)
    assert isinstance(md.renderer, RendererHTML)  # the default renderer, which the rules belong to
    default_image = md.renderer.rules["image"]

    def image(
        self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        source = str(tokens[idx].attrGet("src") or "")
        if charts is not None and source.startswith("chart:"):
            label = html.escape(tokens[idx].content, quote=True)
            return f'<figure class="chart" role="img" aria-label="{label}">{charts.svg(source)}</figure>'
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", image)
    return md


def render_html(markdown: str, title: str, charts: Optional[Charts] = None) -> str:
    body = markdown_renderer(charts).render(markdown)
    pygments_css = HtmlFormatter().get_style_defs("pre code")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{HTML_MARKER}\n<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<style>{pygments_css}\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
