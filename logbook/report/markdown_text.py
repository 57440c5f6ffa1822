"""Text as literal Markdown: escaped inline text, fenced code and code spans no input can break out of."""

from __future__ import annotations

import re

#: Characters that start Markdown inline syntax anywhere in a line (``|`` for tables, ``~`` for
#: strikethrough; ``>`` too, so no HTML tag shows even in a renderer that ignores escapes).
_MD_INLINE = re.compile(r"([\\`*\[\]<>|&~])")
#: ``_`` opens or closes emphasis only at a word's edge: ``induction_score`` needs no escape.
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: What makes a line a heading, a list item or a quote when it starts it.
_MD_LEADING = re.compile(r"^([#+-])|^(\d{1,9})([.)])")


def md_text(text: str) -> str:
    """``text`` as literal inline Markdown, on one line, escaping only what CommonMark would read as syntax.

    ``eyes-project`` and ``induction_score_L1`` stay as they are; ``*``,
    backticks, brackets, ``<``, ``>``, ``&``, ``|`` and ``~`` are escaped
    anywhere, ``_`` at a word's edge, and ``#``, ``-``, ``+`` or ``1.`` that
    would start a block when the text starts a line.
    """
    text = _MD_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    return _MD_LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def md_code(text: str, language: str = "") -> str:
    """A fenced code block that no backtick run inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def md_code_span(text: str, in_table: bool = False) -> str:
    """Inline code for ``text``, delimited so no backtick inside can end it early."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    if in_table:
        text = text.replace("|", "\\|")
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
